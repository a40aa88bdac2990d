"""Issue 18's deploy holes, each through the real CLI on real git repositories (fixtures of
test_deploy.py): what is deployed is always a reviewed commit of main, and a target is never
shown unless it is one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_deploy import (  # noqa: F401 - fixtures, used by name
    CLIENT_KEY,
    SP,
    audits,
    backend,
    deploy,
    forged,
    live,
    raw_target,
    registry,
    service_provider,
    target,
)

INTEG_SP = "registry/integration/service-providers/demo.yaml"


def test_rollback_refuses_a_commit_only_on_a_merged_branch(registry, cli, target) -> None:
    """A pull request merged with a merge commit brings its branch's commits into main's
    history through the second parent: they were never deployed on their own (the branch's
    first commit may hold what review made the partner remove). A rollback goes back along
    main's first-parent history only."""
    first = registry.git("rev-parse", "HEAD")
    assert deploy(cli, target).exit_code == 0
    registry.git("checkout", "-q", "-b", "partner-change")
    registry.write(
        SP, service_provider(("  - https://demo.gouv.fr/callback\n", "  - https://evil.fr/cb\n"))
    )
    unreviewed = registry.commit("first push, removed during review")
    registry.write(
        SP,
        service_provider(("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2\n")),
    )
    registry.commit("what was reviewed")
    registry.git("checkout", "-q", "main")
    registry.git("merge", "-q", "--no-ff", "-m", "merge pull request", "partner-change")
    assert deploy(cli, target).exit_code == 0
    assert registry.git("merge-base", "--is-ancestor", unreviewed, "HEAD") == ""  # an ancestor
    refused = cli("rollback", "production-internet", "--to", unreviewed, "--target", target)
    assert refused.exit_code == 1
    assert "ne précède pas le dernier commit déployé" in refused.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/v2"]
    assert audits(target, kind="rollback") == []
    back = cli("rollback", "production-internet", "--to", first, "--target", target, "--yes")
    assert back.exit_code == 0, back.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]


def test_a_manifest_with_uncommitted_modifications_is_refused_everywhere(
    registry, cli, raw_target
) -> None:
    """An integration manifest whose source_commit ends in `+modifications` used to skip the
    comparison with the registry: a forged URI deployed. Every deployment refuses it now."""
    registry.write(INTEG_SP, service_provider())
    head = registry.commit("integration provider")
    assert cli("deploy", "integration-internet", "--target", raw_target, "--init", "--yes")
    assert cli("render").exit_code == 0
    manifest = json.loads(Path("build/manifests/integration-internet.json").read_text())
    [client] = manifest["client"]
    for source in (f"{head}+modifications", None):
        attack = {
            **manifest,
            "source_commit": source,
            "client": [{**client, "redirect_uris": ["https://pieges.example/cb"]}],
        }
        path = forged(attack, Path("forged.json"))
        result = cli(
            "deploy",
            "integration-internet",
            "--target",
            raw_target,
            "--yes",
            "--manifest",
            str(path),
        )
        assert result.exit_code == 1, source
        assert "doit venir d'un commit de ce dépôt" in result.stderr
        assert live(raw_target, "client") == {}
    genuine = cli(
        "deploy",
        "integration-internet",
        "--target",
        raw_target,
        "--yes",
        "--manifest",
        "build/manifests/integration-internet.json",
    )
    assert genuine.exit_code == 0, genuine.stderr


def test_deploy_refuses_uncommitted_registry_changes(registry, cli, target) -> None:
    """Deploy ships commits, read from their blobs: a working tree's edits are never
    deployed (nor silently ignored)."""
    registry.write(
        SP, service_provider(("  - https://demo.gouv.fr/callback\n", "  - https://evil.fr/cb\n"))
    )
    refused = deploy(cli, target)
    assert refused.exit_code == 1
    assert "modifications non validées" in refused.stderr
    assert live(target, "client") == {} and audits(target, kind="deploy") == []
    registry.commit("reviewed change")
    assert deploy(cli, target).exit_code == 0
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://evil.fr/cb"]


def test_deploy_reads_the_commit_not_a_checkout_transformed_by_attributes(
    registry, cli, target
) -> None:
    """The deploy job's fresh clone of a commit carrying `working-tree-encoding=UTF-16` holds
    UTF-16 files: deploy reads the commit's blobs, so the deployment goes on."""
    registry.write("registry/.gitattributes", "*.yaml working-tree-encoding=UTF-16\n")
    registry.git("add", "registry/.gitattributes")
    registry.git("commit", "-q", "-m", "attributes")
    clone = registry.root / "clone"
    registry.git("clone", "-q", str(registry.root), str(clone))
    assert (clone / SP).read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    os.chdir(clone)
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert live(target, "client")[CLIENT_KEY]["name"] == "Service de démonstration"


@pytest.mark.parametrize(
    "secret",
    ["Tr0ub4dor-et-3", "prod.json", "admin:Tr0ub4dor@hote", "postgres://admin:Tr0ub4dor/x"],
)
def test_a_bare_word_target_is_a_usage_error_that_shows_nothing_of_it(repo, cli, secret) -> None:
    """A password pasted in place of the URI used to be printed as a host; a path or another
    scheme is no target either. Each is a usage error naming the two forms a target takes."""
    for command in (
        ("deploy", "production-internet", "--target", secret, "--dry-run"),
        ("history", "production-internet", "--target", secret),
        ("drift", "production-internet", "--target", secret),
        ("rollback", "production-internet", "--to", "HEAD", "--target", secret),
        ("secret", "pending", "production-internet", "--target", secret),
        ("secret", "rotate", CLIENT_KEY, "--deployment", "production-internet", "--target", secret),
        (
            "import",
            "--from",
            secret,
            "--env",
            "production",
            "--network",
            "internet",
            "--owner",
            "@o/t",
        ),
    ):
        result = cli(*command)
        assert result.exit_code == 2, command
        assert secret not in result.stdout + result.stderr, command
        assert "n'est pas une cible" in result.stderr and "mongodb://" in result.stderr
        assert "file:CHEMIN.json" in result.stderr
