# ruff: noqa: F811 - the fixtures imported from test_bot are redefined as test parameters
"""Issue 15's attacks on the bot, each through the real `fedreg bot pr` / `bot publish` against
the contract-checked fake GitHub: approvals bound to the decided commit, links and submodules,
pull requests beyond the files API's limits, and cross-file rules against the whole merged
registry. Also the same reader's verdict from `validate`, `diff` and `render`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_bot import (  # noqa: F401 - fixtures, shared with test_bot.py
    ALICE,
    CALLBACK,
    OTHER_CLIENT,
    SP_INTEG,
    SP_PROD,
    Scenario,
    _integration_edit,
    github,
    scenario,
)

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited
from payloads import event

IDP_INTEG = "registry/integration/identity-providers/fi-demo.yaml"
OTHER_SP = "registry/integration/service-providers/autre.yaml"
OTHER_IDP = "registry/integration/identity-providers/fi-autre.yaml"
OTHER_FOR_BOB = [
    ('  - "@demo-org/equipe"', '  - "@bob"'),
    ('client_id: "9f86', 'client_id: "3f86'),
    ("name: Service de démonstration", "name: Autre service"),
]


def decide(scenario: Scenario, payload: dict | None = None) -> Path:  # type: ignore[type-arg]
    event_path = scenario.tmp / "event.json"
    event_path.write_text(json.dumps(payload or scenario.pull_request_event()))
    result_path = scenario.tmp / "result.json"
    computed = scenario.cli("bot", "pr", "--event", str(event_path), "--out", str(result_path))
    assert computed.exit_code == 0, computed.stderr
    return result_path


def publish(scenario: Scenario, result_path: Path) -> None:
    published = scenario.cli("bot", "publish", str(result_path))
    assert published.exit_code == 0, published.stderr


def _commit_on_main(scenario: Scenario, files: dict[str, str]) -> None:
    for path, content in files.items():
        scenario.repo.write(path, content)
    scenario.repo.commit("main moves")


# -- finding 1: the approval is bound to the commit that was decided --------------------------


def test_push_between_decision_and_publication_gets_no_approval(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    decided = decide(scenario)
    production = edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")])
    new_head = scenario.propose({SP_PROD: production})  # the partner pushes meanwhile
    publish(scenario, decided)
    assert scenario.github.approvals(1) == []
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", "Verdict périmé")
    assert scenario.comments() == [] and scenario.github.pulls[1].labels == []
    scenario.run()  # the run of the new head
    assert scenario.github.approvals(1) == []
    assert "revue-fédération-requise" in scenario.github.pulls[1].labels
    assert scenario.check()["head_sha"] == new_head


def test_base_moved_between_decision_and_publication_gets_no_approval(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    decided = decide(scenario)
    _commit_on_main(scenario, {OTHER_SP: edited(BASE_SERVICE_PROVIDER, OTHER_FOR_BOB)})
    scenario.github.advance_base(1, "main")
    publish(scenario, decided)
    assert scenario.github.approvals(1) == []
    assert scenario.check()["conclusion"] == "neutral"


def test_approval_names_the_decided_commit(scenario) -> None:
    head = scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    assert scenario.github.approvals(1) == [head]
    [review] = scenario.github.pulls[1].reviews
    assert review["commit_id"] == head


def test_later_federation_verdict_withdraws_the_earlier_approval(scenario) -> None:
    first = scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    assert scenario.github.approvals(1) == [first]
    scenario.propose(
        {SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")])}
    )
    scenario.run()
    assert scenario.github.approvals(1) == []
    [review] = scenario.github.pulls[1].reviews
    assert review["state"] == "DISMISSED"
    assert "n'est plus en libre-service" in review["dismissal"]


def test_retargeted_base_is_refused_and_withdraws_the_approval(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    assert scenario.github.approvals(1)
    scenario.repo.git("branch", "release", "main")
    scenario.github.retarget(1, "release", "release")
    pull = scenario.github.pulls[1]
    payload = event(
        "pull_request$edited",
        number=1,
        changes={"base": {"ref": {"from": "main"}, "sha": {"from": pull.base_sha}}},
        repository={"full_name": scenario.github.full_name},
        pull_request={
            "number": 1,
            "user": {"login": pull.author},
            "head": {"sha": pull.head_sha, "ref": pull.head_ref},
            "base": {"sha": pull.base_sha, "ref": "release"},
        },
    )
    assert scenario.run(payload)[:2] == (0, 0)
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == (
        "failure",
        "Branche cible non autorisée",
    )
    assert scenario.github.approvals(1) == []
    assert "« release »" in scenario.comments()[-1]


# -- finding 2: symbolic links ---------------------------------------------------------------


def _link_production_to_integration(scenario: Scenario) -> str:
    """The production file becomes a link to an integration file with the same content."""
    scenario.repo.git("checkout", "-q", "-b", "link", "main")
    same = edited(BASE_SERVICE_PROVIDER, ALICE)
    scenario.repo.write("registry/integration/service-providers/copie.yaml", same)
    prod = scenario.repo.root / SP_PROD
    prod.unlink()
    prod.symlink_to("../../integration/service-providers/copie.yaml")
    head = scenario.repo.commit("link")
    scenario.repo.git("checkout", "-q", "main")
    return head


def test_production_file_turned_into_a_link_is_refused(scenario) -> None:
    head = _link_production_to_integration(scenario)
    scenario.github.open_pull(1, "main", head, "alice")
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    [link] = [a for a in check["annotations"] if a["path"] == SP_PROD]
    assert link["title"] == "L004" and "lien symbolique" in link["message"]
    assert scenario.github.approvals(1) == []


def test_validate_diff_and_render_refuse_the_link_alike(scenario) -> None:
    head = _link_production_to_integration(scenario)
    cli = scenario.cli
    diff = cli("diff", "--base", "main", "--head", head, "--format", "json")
    assert diff.exit_code == 1
    assert (SP_PROD, "L004") in [(d["path"], d["code"]) for d in diff.json()["diagnostics"]]
    scenario.repo.git("checkout", "-q", head)
    try:
        result = cli("validate", "--format", "json")
        assert result.exit_code == 1
        found = [(d["path"], d["code"]) for d in result.json()["diagnostics"]]
        assert (SP_PROD, "L004") in found
        rendered = cli("render", "--out", str(scenario.tmp / "manifests"))
        assert rendered.exit_code == 1 and "L004" in rendered.stdout
        assert not (scenario.tmp / "manifests").exists()
        assert cli("changed-deployments", "--base", "main", "--head", head).exit_code == 1
    finally:
        scenario.repo.git("checkout", "-q", "main")


# -- finding 3: submodules, the files API's limits -------------------------------------------


def test_submodule_entry_in_the_registry_is_refused(scenario) -> None:
    scenario.repo.git("checkout", "-q", "-b", "sub", "main")
    commit = scenario.repo.git("rev-parse", "HEAD")
    path = "registry/integration/service-providers/module.yaml"
    scenario.repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")
    scenario.repo.git("commit", "-q", "-m", "submodule")
    head = scenario.repo.git("rev-parse", "HEAD")
    scenario.repo.git("checkout", "-q", "main")
    scenario.github.open_pull(1, "main", head, "alice")
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [(a["path"], a["title"]) for a in check["annotations"]] == [(path, "L004")]
    assert "sous-module" in check["annotations"][0]["message"]
    assert scenario.github.approvals(1) == []


def test_file_over_one_megabyte_is_a_located_error_not_a_crash(scenario) -> None:
    padding = "".join(f"# note {i:07d} " + "x" * 80 + "\n" for i in range(12_000))
    scenario.propose({SP_INTEG: padding + _integration_edit()})
    assert len((padding + _integration_edit()).encode()) > 1_000_000
    assert scenario.run()[:2] == (0, 0)
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [(a["path"], a["title"]) for a in check["annotations"]] == [(SP_INTEG, "P007")]
    assert scenario.github.approvals(1) == []


def test_production_change_beyond_the_files_api_cap_is_seen(scenario) -> None:
    """3000 cosmetic integration edits hide a production change from the files API (it lists
    3000 files at most); the merge tree shows it."""
    owned = edited(BASE_SERVICE_PROVIDER, [*ALICE])
    many = {
        f"registry/integration/service-providers/s{i:04d}.yaml": owned.replace(
            'client_id: "9f86', f'client_id: "{i:04d}'
        ).replace("name: Service de démonstration", f"name: Service {i}")
        for i in range(3000)
    }
    _commit_on_main(scenario, many)
    changes: dict[str, str | None] = {p: "# relu\n" + text for p, text in many.items()}
    changes[SP_PROD] = edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")])
    scenario.propose(changes)
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert scenario.github.approvals(1) == []
    assert "revue-fédération-requise" in pull.labels
    assert "- changement en production" in scenario.comments()[0]


# -- finding 4: cross-file rules against the whole merged registry ---------------------------


def _second_integration_provider(scenario: Scenario) -> None:
    _commit_on_main(scenario, {OTHER_SP: edited(BASE_SERVICE_PROVIDER, OTHER_FOR_BOB)})


def test_taking_another_providers_name_fails(scenario) -> None:
    _second_integration_provider(scenario)
    scenario.propose(
        {
            SP_INTEG: _integration_edit().replace(
                "name: Service de démonstration", "name: Autre service"
            )
        }
    )
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [(a["path"], a["title"]) for a in check["annotations"]] == [(SP_INTEG, "X003")]
    assert OTHER_SP in check["annotations"][0]["message"]
    assert scenario.github.approvals(1) == []


def test_copying_another_providers_client_id_fails(scenario) -> None:
    _second_integration_provider(scenario)
    scenario.propose(
        {SP_INTEG: _integration_edit().replace('client_id: "1f86', 'client_id: "3f86')}
    )
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    # A new client_id is a new client for deploy, which then needs its secret's recipients.
    assert sorted(a["title"] for a in check["annotations"]) == ["I010", "X001"]
    assert scenario.github.approvals(1) == []


def test_routing_a_domain_of_another_identity_provider_needs_the_federation(scenario) -> None:
    carole = BASE_IDENTITY_PROVIDER.replace("@demo-org/identite", "@carole")
    other = (
        BASE_IDENTITY_PROVIDER.replace("5f0c3b9e", "7f0c3b9e")
        .replace("name: fi-demo", "name: fi-autre")
        .replace("  - demo.gouv.fr\n", "  - autre.gouv.fr\n")
    )
    _commit_on_main(scenario, {IDP_INTEG: carole, OTHER_IDP: other})
    scenario.propose(
        {IDP_INTEG: carole.replace("  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - autre.gouv.fr\n")},
        author="carole",
    )
    scenario.run()
    check = scenario.check()
    # The core lets agents of a shared domain choose their FI (issue 9): a warning naming the
    # other file, and never self-service: the federation decides.
    assert check["conclusion"] == "success"
    assert [(a["path"], a["title"]) for a in check["annotations"]] == [(IDP_INTEG, "D006")]
    assert OTHER_IDP in check["annotations"][0]["message"]
    assert scenario.github.approvals(1) == []
    comment = scenario.comments()[0]
    assert "domaine déjà rattaché à un autre FI" in comment
    assert "revue-fédération-requise" in scenario.github.pulls[1].labels


def test_clash_with_a_provider_merged_after_the_branch_point_fails(scenario) -> None:
    """The verdict judges the merge result: a provider added to main after the pull request
    branched is part of it."""
    scenario.propose(
        {
            SP_INTEG: _integration_edit().replace(
                "name: Service de démonstration", "name: Autre service"
            )
        }
    )
    _second_integration_provider(scenario)
    scenario.github.advance_base(1, "main")
    scenario.run()
    assert [a["title"] for a in scenario.check()["annotations"]] == ["X003"]


def test_merge_conflict_fails_the_check(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    _commit_on_main(scenario, {SP_INTEG: _integration_edit("  - https://demo.gouv.fr/main\n")})
    scenario.github.advance_base(1, "main")
    scenario.run()
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("failure", "Conflits de fusion")
    assert f"- `{SP_INTEG}`" in scenario.comments()[0]
    assert scenario.github.approvals(1) == []


# -- routing: the file's mode --------------------------------------------------------------


def test_mode_change_needs_the_federation(scenario) -> None:
    scenario.repo.git("checkout", "-q", "-b", "mode", "main")
    os.chmod(scenario.repo.root / SP_INTEG, 0o755)
    head = scenario.repo.commit("executable")
    scenario.repo.git("checkout", "-q", "main")
    scenario.github.open_pull(1, "main", head, "alice")
    scenario.run()
    assert scenario.check()["conclusion"] == "success"
    assert scenario.github.approvals(1) == []
    assert "revue-fédération-requise" in scenario.github.pulls[1].labels
    assert "- type ou mode d'un fichier du registre modifié" in scenario.comments()[0]


# -- cost: GitHub API calls do not grow with the number of files -----------------------------


# A new service provider must name who receives its secret (I010): these do.
RECIPIENTS = (
    "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
)


def _calls_per_check(scenario: Scenario, count: int, number: int) -> tuple[int, int]:
    files: dict[str, str | None] = {
        f"registry/integration/service-providers/n{number}-{i:03d}.yaml": edited(
            BASE_SERVICE_PROVIDER,
            [
                *ALICE,
                ('client_id: "9f86', f'client_id: "{number}{i:03d}'),
                ("name: Service de démonstration", f"name: Service {number}-{i}"),
            ],
        )
        + RECIPIENTS
        for i in range(count)
    }
    files[SP_INTEG] = _integration_edit(f"  - https://demo.gouv.fr/pr{number}\n")
    scenario.propose(files, number=number)
    start = len(scenario.github.calls)
    result = decide(scenario, scenario.pull_request_event(number))
    decided = len(scenario.github.calls) - start
    publish(scenario, result)
    return decided, len(scenario.github.calls) - start - decided


def test_api_calls_per_check_do_not_grow_with_the_files(scenario) -> None:
    small = _calls_per_check(scenario, 1, 1)
    large = _calls_per_check(scenario, 60, 2)
    assert small == large  # valid new providers: no annotation, the federation reviews
    decided, published = large
    assert decided == 1  # the pull request (plus team memberships, none here)
    assert decided + published <= 6
    calls = [(method, path) for method, path, _ in scenario.github.calls]
    assert not [c for c in calls if c[0] == "GET" and c[1].endswith("/labels")]  # read once
    assert not [c for c in calls if c[0] == "PATCH" and "/check-runs/" in c[1]]  # created done


def _check_calls(scenario: Scenario) -> list[str]:
    start = len(scenario.github.calls)
    scenario.run()
    return [f"{method} {path}" for method, path, _ in scenario.github.calls[start:]]


def test_self_service_check_costs_at_most_six_calls(scenario) -> None:
    """The bot's most frequent check: the owner's integration change, approved. The pull
    request is read once to decide and once just before approving, never more."""
    first = scenario.propose({SP_INTEG: _integration_edit()})
    calls = _check_calls(scenario)
    assert scenario.github.approvals(1) == [first]
    assert len(calls) <= 6, calls
    assert sum(call.endswith("/pulls/1") for call in calls) == 2
    second = scenario.propose({SP_INTEG: _integration_edit("  - https://demo.gouv.fr/v2\n")})
    calls = _check_calls(scenario)  # a re-check: the comment is edited, labels unchanged
    assert second in scenario.github.approvals(1)
    assert len(calls) <= 6, calls
    assert len(scenario.comments()) == 1


def test_failing_verdict_on_a_moved_head_publishes_nothing_but_a_stale_check(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/bad\n")})
    decided = decide(scenario)
    assert not json.loads(decided.read_text())["passed"]
    scenario.propose({SP_INTEG: _integration_edit()})  # the partner fixes it meanwhile
    start = len(scenario.github.calls)
    publish(scenario, decided)
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", "Verdict périmé")
    assert scenario.comments() == [] and scenario.github.pulls[1].labels == []
    assert len(scenario.github.calls) - start == 2  # the pull request read, the stale check


def test_failing_check_costs_at_most_six_calls(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/bad\n")})
    calls = _check_calls(scenario)
    assert scenario.check()["conclusion"] == "failure"
    assert len(calls) <= 6, calls
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/pire\n")})
    calls = _check_calls(scenario)
    assert len(calls) <= 6, calls
    assert len(scenario.comments()) == 1


def test_federation_verdict_on_a_moved_head_publishes_nothing_but_a_stale_check(
    scenario,
) -> None:
    """The review request answers with the pull request as it is: a head pushed since the
    decision is seen there, without one more read."""
    scenario.propose(
        {SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")])}
    )
    decided = decide(scenario)
    scenario.propose({SP_INTEG: _integration_edit()})  # the partner pushes meanwhile
    publish(scenario, decided)
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", "Verdict périmé")
    assert scenario.comments() == [] and scenario.github.pulls[1].labels == []


def test_markdown_outside_the_registry_still_needs_the_federation(scenario) -> None:
    """The note rule is the registry's: a README or a doc elsewhere is a change of the repo."""
    scenario.propose({SP_INTEG: _integration_edit(), "README.md": "# autre chose\n"})
    scenario.run()
    assert scenario.github.approvals(1) == []
    assert "- changement hors du registre" in scenario.comments()[0]


def test_note_in_the_registry_is_not_a_registry_file(scenario) -> None:
    scenario.propose(
        {
            SP_INTEG: _integration_edit(),
            "registry/integration/service-providers/LISEZMOI.md": "# notes de l'équipe\n",
        }
    )
    scenario.run()
    assert scenario.check()["conclusion"] == "success"
    assert scenario.github.approvals(1)


def test_clash_already_on_main_fails_any_pull_request(scenario) -> None:
    """A clash between two files the pull request does not touch (pushed to main by mistake)
    would still be on main after the merge: not ✅, and the check says where it is."""
    twin = "registry/integration/service-providers/jumeau.yaml"
    _commit_on_main(
        scenario,
        {
            OTHER_SP: edited(BASE_SERVICE_PROVIDER, OTHER_FOR_BOB),
            twin: edited(BASE_SERVICE_PROVIDER, [*OTHER_FOR_BOB[:1], ('"9f86', '"4f86')]).replace(
                "name: Service de démonstration", "name: Autre service"
            ),
        },
    )
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert sorted((a["path"], a["title"]) for a in check["annotations"]) == [
        (OTHER_SP, "X003"),
        (twin, "X003"),
    ]
    assert scenario.github.approvals(1) == []


def test_head_fetched_must_be_the_head_read(scenario) -> None:
    """GitHub's refs/pull/1/head moved between reading the pull request and fetching it: the
    bot decides nothing on commits it did not read."""
    scenario.propose({SP_INTEG: _integration_edit()})
    other = scenario.propose(
        {SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")])},
        number=2,
    )
    scenario.repo.git(
        "push", "-q", "--force", str(scenario.github.remote), f"{other}:refs/pull/1/head"
    )
    code, _, result = scenario.run()
    assert code == 1 and "la vérification suivante la jugera" in result["stderr"]
    assert scenario.github.check_runs == {} and scenario.github.approvals(1) == []
