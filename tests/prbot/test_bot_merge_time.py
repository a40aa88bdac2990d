"""Issue 18's attacks on the bot, end to end (real `fedreg bot pr` / `bot publish`, the
contract-checked fake GitHub, real git): a verdict holds at merge time, and no file git reads
as configuration slips past. Each test failed on main before its fix."""

from __future__ import annotations

import json

import pytest
from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    OTHER_CLIENT,
    SP_INTEG,
    Scenario,
    _integration_edit,
    github,
    scenario,
)

from conftest import BASE_SERVICE_PROVIDER, edited
from payloads import event


def propose_exactly(scenario: Scenario, files: dict[str, str], author: str = "alice") -> str:
    """Open pull request 1 with exactly `files` staged (`git add -A` would re-read every file
    through the new attributes, which a partner's own tooling does not have to do)."""
    scenario.repo.git("checkout", "-q", "-b", "attack", "main")
    for path, content in files.items():
        scenario.repo.write(path, content)
    scenario.repo.git("add", "--", *files)
    scenario.repo.git("commit", "-q", "-m", "attack")
    head = scenario.repo.git("rev-parse", "HEAD")
    scenario.repo.git("checkout", "-q", "-f", "main")
    scenario.github.open_pull(1, "main", head, author)
    return head


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("registry/.gitattributes", "production/** working-tree-encoding=UTF-16\n"),
        ("registry/integration/.gitattributes", "*.yaml filter=lfs diff=lfs merge=lfs -text\n"),
        (".gitattributes", "registry/production/** working-tree-encoding=UTF-16\n"),
        (".gitmodules", '[submodule "x"]\n\tpath = registry/x\n\turl = ../x\n'),
        ("registry/.lfsconfig", "[lfs]\n\turl = https://pieges.example/lfs\n"),
    ],
)
def test_a_git_configuration_file_is_named_and_goes_to_the_federation(
    scenario: Scenario, path: str, content: str
) -> None:
    """An owner's self-service pull request carrying `registry/.gitattributes` used to be
    approved without a word: the file was hidden, neither a registry file nor a change."""
    propose_exactly(scenario, {SP_INTEG: _integration_edit(), path: content})
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "libre-service" not in pull.labels
    assert "revue-fédération-requise" in pull.labels
    [comment] = scenario.comments()
    assert "fichier de configuration de git modifié" in comment
    assert path in comment


def test_a_git_configuration_file_alone_is_a_change(scenario: Scenario) -> None:
    propose_exactly(
        scenario, {"registry/.gitattributes": "production/** working-tree-encoding=UTF-16\n"}
    )
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "revue-fédération-requise" in pull.labels
    assert "registry/.gitattributes" in scenario.comments()[0]


# -- the dry run is the bot -------------------------------------------------------------------


def _dry_run(cli, *extra: str):
    return cli("bot", "pr", "--dry-run", "--author", "alice", "--base", "HEAD~1", *extra)


def _main_with_alice(repo) -> None:
    repo.write(SP_INTEG, edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT]))
    repo.commit("registry")


def test_dry_run_judges_a_committed_gitlink_as_the_bot_does(repo, cli) -> None:
    """A submodule entry committed under registry/ is L004 for the bot; the dry run used to
    read the work tree, where the entry has no file, and answer ✅ with no change."""
    _main_with_alice(repo)
    gitlink = "registry/integration/service-providers/sous-module.yaml"
    commit = repo.git("rev-parse", "HEAD")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{gitlink}")
    repo.git("commit", "-q", "-m", "gitlink")
    result = _dry_run(cli)
    assert result.exit_code == 1, result.stdout
    assert f"::error file={gitlink},line=1,col=1,title=L004::" in result.stdout


def test_dry_run_judges_a_staged_gitlink_and_symlink(repo, cli) -> None:
    """With changes in the work tree, the index's entries and modes count: a staged gitlink
    stays a gitlink, a link stays a link."""
    _main_with_alice(repo)
    repo.commit("second")  # HEAD~1 exists
    gitlink = "registry/integration/service-providers/sous-module.yaml"
    commit = repo.git("rev-parse", "HEAD")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{gitlink}")
    link = repo.root / "registry/integration/service-providers/lien.yaml"
    link.symlink_to("demo.yaml")
    result = _dry_run(cli)
    assert result.exit_code == 1, result.stdout
    assert f"file={gitlink},line=1,col=1,title=L004" in result.stdout
    assert "file=registry/integration/service-providers/lien.yaml,line=1,col=1,title=L004" in (
        result.stdout
    )


def test_dry_run_names_git_configuration_as_the_bot_does(repo, cli) -> None:
    _main_with_alice(repo)
    repo.write("registry/.gitattributes", "production/** working-tree-encoding=UTF-16\n")
    result = _dry_run(cli, "--base", "HEAD")
    assert "- fichier de configuration de git modifié" in result.stdout
    assert "(registry/.gitattributes)" in result.stdout
    assert "libre-service" not in result.stdout


# -- the verdict holds at merge time ----------------------------------------------------------

SP_INTEG_2 = "registry/integration/service-providers/demo-2.yaml"
SHARED_NAME = "Nom commun"


def _second_alice_file(scenario: Scenario) -> None:
    """A second integration service provider of alice's on main."""
    text = edited(
        BASE_SERVICE_PROVIDER,
        [*ALICE, ('client_id: "9f86', 'client_id: "2f86'), ("Service de démonstration", "Autre")],
    )
    scenario.repo.write(SP_INTEG_2, text)
    scenario.repo.commit("second file")


def _renamed(path: str) -> str:
    """alice's file at `path` (as on main) with the shared name."""
    from pathlib import Path

    return (
        Path(path)
        .read_text(encoding="utf-8")
        .replace("name: Service de démonstration", f"name: {SHARED_NAME}")
        .replace("name: Autre", f"name: {SHARED_NAME}")
    )


def _two_clashing_pulls(scenario: Scenario) -> None:
    """Pull requests 1 and 2, by alice, each giving one of her files the same name: each is
    valid and self-service alone."""
    _second_alice_file(scenario)
    scenario.propose({SP_INTEG: _renamed(SP_INTEG)}, number=1)
    scenario.propose({SP_INTEG_2: _renamed(SP_INTEG_2)}, number=2)
    for number in (1, 2):
        assert scenario.run(scenario.pull_request_event(number))[:2] == (0, 0)
        assert scenario.github.approvals(number), number


def test_the_merge_is_computed_against_main_as_fetched(scenario: Scenario) -> None:
    """Pull request 2's `base.sha` predates the merge of pull request 1: judged on that
    snapshot, the clash with what was merged since was approved."""
    _two_clashing_pulls(scenario)
    scenario.github.merge(1)
    pull = scenario.github.pulls[2]
    snapshot = pull.base_sha
    assert scenario.repo.git("rev-parse", "main") != snapshot  # GitHub's snapshot lags
    scenario.github.push(2, pull.head_sha)  # a re-run for the same head (base.sha unchanged)
    code, published, result = scenario.run(scenario.pull_request_event(2))
    assert (code, published) == (0, 0)
    assert result["passed"] is False and "X003" in {a["title"] for a in result["annotations"]}
    assert scenario.check()["conclusion"] == "failure"


def _push_event(scenario: Scenario, before: str, after: str) -> dict:  # type: ignore[type-arg]
    return event(
        "push$event",
        ref="refs/heads/main",
        before=before,
        after=after,
        repository={"full_name": scenario.github.full_name, "default_branch": "main"},
    )


def _rejudge(scenario: Scenario, payload: dict) -> str:  # type: ignore[type-arg]
    path = scenario.tmp / "push.json"
    path.write_text(json.dumps(payload))
    result = scenario.cli("bot", "rejudge", "--event", str(path))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_push_to_main_withdraws_approvals_that_no_longer_hold(scenario: Scenario) -> None:
    """Two approved pull requests give two files the same name; once both are merged, main
    fails X003 and every deployment is blocked. Without a merge queue, merging the first
    re-judges the second: its approval is withdrawn, its check fails, the comment says why."""
    _two_clashing_pulls(scenario)
    before = scenario.repo.git("rev-parse", "main")
    after = scenario.github.merge(1)
    checks_before = len(scenario.github.check_runs)
    output = _rejudge(scenario, _push_event(scenario, before, after))
    assert "Demande n° 2" in output and "Demande n° 1" not in output
    pull = scenario.github.pulls[2]
    assert scenario.github.approvals(2) == [], "the stale approval still stands"
    [check] = list(scenario.github.check_runs.values())[checks_before:]
    assert (check["head_sha"], check["conclusion"]) == (pull.head_sha, "failure")
    comment = scenario.comments(2)[-1]
    assert "Verdict revu après l'avancée de `main`" in comment and "X003" in comment
    assert "libre-service" not in pull.labels
    assert [r["event"] for r in pull.reviews].count("APPROVE") == 1  # never a new approval


def test_a_push_that_changes_nothing_for_a_pull_request_leaves_it_alone(
    scenario: Scenario,
) -> None:
    _two_clashing_pulls(scenario)
    scenario.propose({"registry/production/service-providers/demo.yaml": None}, number=3)
    before = scenario.repo.git("rev-parse", "main")
    scenario.repo.write("docs-note.md", "# note\n")
    after = scenario.repo.commit("unrelated")
    scenario.github._publish_refs(scenario.github.pulls[1])
    calls = len(scenario.github.calls)
    assert _rejudge(scenario, _push_event(scenario, before, after)).strip() == (
        "Aucun verdict à revoir."
    )
    assert scenario.github.approvals(1) and scenario.github.approvals(2)
    written = [c for c in scenario.github.calls[calls:] if c[0] != "get"]
    assert written == []


def test_open_pull_requests_are_listed_page_by_page(scenario: Scenario) -> None:
    """The fake lists open pull requests as GitHub does: closed ones left out, 30 a page."""
    from fedreg.adapters.github import GitHubClient

    head = scenario.propose({SP_INTEG: _integration_edit()}, number=1)
    for number in range(2, 36):
        scenario.github.open_pull(number, "main", head, "alice", head_ref=f"branche-{number}")
    scenario.github.pulls[7].state = "closed"
    client = GitHubClient.from_environment()
    numbers = sorted(p.number for p in client.open_pulls("main"))
    assert numbers == [n for n in range(1, 36) if n != 7]
    assert client.open_pulls("autre") == []


def _merge_group_run(scenario: Scenario, head_sha: str, head_ref: str) -> dict:  # type: ignore[type-arg]
    """The `workflow_run` that follows the queue's `pull-request` run on its merge commit."""
    return event(
        "workflow_run$completed",
        repository={"full_name": scenario.github.full_name, "default_branch": "main"},
        workflow_run={
            "pull_requests": [],
            "head_sha": head_sha,
            "head_branch": head_ref.removeprefix("refs/heads/"),
            "event": "merge_group",
            "head_repository": {"owner": {"login": scenario.github.owner}},
        },
    )


def test_the_merge_queue_judges_the_queued_pull_requests_together(scenario: Scenario) -> None:
    """With the merge queue on, the verdict runs on the queue's commit (main's tip plus the
    queued pull requests), from the trusted workflow_run of the queue's trigger run."""
    _two_clashing_pulls(scenario)
    head_sha, head_ref, base_sha = scenario.github.merge_group([1, 2])
    queued = event(
        "merge_group$checks_requested",
        merge_group={
            "head_sha": head_sha,
            "head_ref": head_ref,
            "base_ref": "refs/heads/main",
            "base_sha": base_sha,
        },
        repository={"full_name": scenario.github.full_name, "default_branch": "main"},
    )
    run = _merge_group_run(scenario, head_sha, head_ref)
    for payload in (queued, run):
        checks_before = len(scenario.github.check_runs)
        code, published, result = scenario.run(payload)
        assert (code, published) == (0, 0), result
        assert result["merge_group"] is True and result["passed"] is False
        assert "X003" in {a["title"] for a in result["annotations"]}
        [check] = list(scenario.github.check_runs.values())[checks_before:]
        assert (check["name"], check["head_sha"], check["conclusion"]) == (
            "fedreg",
            head_sha,
            "failure",
        )
    assert scenario.repo.git("rev-parse", "main") == base_sha  # the queue moved nothing
    # One pull request alone in the queue is fine.
    head_sha, head_ref, base_sha = scenario.github.merge_group([1])
    run["workflow_run"].update(head_sha=head_sha, head_branch=head_ref.removeprefix("refs/heads/"))
    code, published, result = scenario.run(run)
    assert (code, published, result["passed"]) == (0, 0, True)
    assert list(scenario.github.check_runs.values())[-1]["conclusion"] == "success"


def test_a_stale_merge_group_publishes_nothing(scenario: Scenario) -> None:
    """The queue's branch no longer holds the commit the run was for: nothing is judged."""
    _two_clashing_pulls(scenario)
    _, head_ref, _ = scenario.github.merge_group([1])
    run = _merge_group_run(scenario, "0" * 40, head_ref)
    checks_before = len(scenario.github.check_runs)
    code, _, result = scenario.run(run)
    assert code == 1 and "la file de fusion a changé" in result["stderr"]
    assert len(scenario.github.check_runs) == checks_before


def test_a_lone_carriage_return_is_a_located_failure_not_a_crash(scenario: Scenario) -> None:
    """The 4-byte file `a:\\r;` crashed `bot pr` (exit 3): no check was published at all."""
    scenario.propose({SP_INTEG: "a:\r;"})
    code, published, result = scenario.run()
    assert (code, published) == (0, 0), result
    assert scenario.check()["conclusion"] == "failure"
    assert {a["title"] for a in result["annotations"]} >= {"P001"}


def test_a_merge_group_in_conflict_with_main_fails_its_check(scenario: Scenario) -> None:
    """main moved under the queue (a direct push): the queue's commit no longer merges onto
    its tip, and the check fails instead of leaving the queue waiting."""
    _two_clashing_pulls(scenario)
    head_sha, head_ref, _ = scenario.github.merge_group([1])
    scenario.repo.write(SP_INTEG, _renamed(SP_INTEG).replace(SHARED_NAME, "Autre nom"))
    scenario.repo.commit("direct push")
    scenario.github._publish_refs(scenario.github.pulls[2])
    run = _merge_group_run(scenario, head_sha, head_ref)
    code, published, result = scenario.run(run)
    assert (code, published, result["passed"]) == (0, 0, False)
    assert result["title"] == "conflits entre la file de fusion et main"
    assert SP_INTEG in result["summary"]
    assert list(scenario.github.check_runs.values())[-1]["conclusion"] == "failure"
