"""Issue 18's attacks on the bot, end to end (real `fedreg bot pr` / `bot publish`, the
contract-checked fake GitHub, real git): a verdict holds at merge time, and no file git reads
as configuration slips past. Each test failed on main before its fix."""

from __future__ import annotations

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
