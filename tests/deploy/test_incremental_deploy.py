"""The incremental deploy (`deploy/delta.py`): a commit is deployed from the files changed
since the store's last deploy, and every case it cannot vouch for takes the full path, which
refuses what a whole render refuses. The attacks come first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_deploy import (  # noqa: F401 - fixtures and the two-target hook, used by name
    CIPHER_PASS,
    CLIENT_KEY,
    FEDERATION,
    IDP_UID,
    SP,
    backend,
    connect,
    deploy,
    live,
    pytest_generate_tests,
    raw_target,
    registry,
    service_provider,
    target,
)

from fedreg.manifests.build import content_digest

OTHER = SP.replace("demo.yaml", "autre.yaml")
OTHER_KEY = "beef" + CLIENT_KEY[4:]


def other_provider(*edits: tuple[str, str]) -> str:
    return service_provider(
        (CLIENT_KEY[:4], OTHER_KEY[:4]),
        ("name: Service de démonstration", "name: Autre service"),
        ("demo.gouv.fr/callback", "autre.gouv.fr/callback"),
        *edits,
    )


@pytest.fixture
def deployed(registry, cli, target):
    """Two service providers and an identity provider, deployed whole once."""
    registry.write(OTHER, other_provider())
    registry.write(".gitignore", "build/\n")  # where deploy writes the sealed secrets
    registry.commit("another service provider")
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Déploiement complet" in result.stdout
    return registry


def rename_the_other(repo) -> None:
    repo.write(OTHER, other_provider(("Autre service", "Autre service renommé")))
    repo.commit("rename the other one")


def deploy_audits(target: str) -> list[dict]:  # type: ignore[type-arg]
    entries = connect(target)["fedreg_deployments"].find({"kind": "deploy"}, {"_id": False})
    return sorted(entries, key=lambda entry: entry["at"])


# -- attacks ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["edited", "renamed"])
def test_a_changed_file_never_takes_over_another_files_identity(deployed, cli, target, how) -> None:
    """A partner edits (or renames) their own file to claim another provider's client_id:
    the identity is a managed document no changed file held, so the deploy reads the whole
    environment, which refuses the clash, located; nothing is written."""
    before = live(target, "client")
    taking = other_provider((OTHER_KEY[:4], CLIENT_KEY[:4]))
    if how == "renamed":
        deployed.git("mv", OTHER, OTHER.replace("autre.yaml", "nouveau.yaml"))
        deployed.write(OTHER.replace("autre.yaml", "nouveau.yaml"), taking)
    else:
        deployed.write(OTHER, taking)
    deployed.commit("take over demo's identity")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "X001" in result.stdout and "demo.yaml" in result.stdout
    assert live(target, "client") == before
    assert len(deploy_audits(target)) == 1


def test_the_base_is_the_stores_last_deployed_commit(deployed, cli, target) -> None:
    """After a rollback, the next deploy goes on from the commit rolled back to, not from
    the latest commit ever deployed: what the rollback undid is deployed again."""
    first = deployed.git("rev-parse", "HEAD")
    deployed.write(SP, service_provider(("demo.gouv.fr/callback", "demo.gouv.fr/v2")))
    deployed.commit("v2")
    assert "incrémental" in deploy(cli, target).stdout
    rolled = cli("rollback", "production-internet", "--to", first, "--target", target, "--yes")
    assert rolled.exit_code == 0, rolled.stdout + rolled.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    rename_the_other(deployed)
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 fichier(s) changé(s)" in result.stdout and first[:12] in result.stdout
    clients = live(target, "client")
    assert clients[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/v2"]
    assert clients[OTHER_KEY]["name"] == "Autre service renommé"
    assert deploy_audits(target)[-1]["incrementalBase"] == first


def test_a_deleted_file_deactivates_its_record_alone(deployed, cli, target) -> None:
    deployed.git("rm", "-q", OTHER)
    deployed.commit("remove the other one")
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Déploiement incrémental : 1 fichier(s)" in result.stdout
    # only the deleted file's record is planned: the two others are not even compared
    assert "0 créé(s), 0 mis à jour, 1 désactivé(s), 0 inchangé(s)" in result.stdout
    clients = live(target, "client")
    assert clients[OTHER_KEY]["active"] is False and clients[CLIENT_KEY]["active"] is True


def test_a_deploy_that_failed_midway_is_followed_by_a_full_one(deployed, cli, target) -> None:
    """A failure that wrote part of a plan leaves the database between two commits: the
    change since the last commit cannot say what to write, so everything is compared."""
    connect(target)["fedreg_deployments"].insert_one(
        {
            "deployment": "production-internet",
            "kind": "deploy",
            "commit": deployed.git("rev-parse", "HEAD"),
            "status": "failed",
            "applied": [f"update client {CLIENT_KEY}"],
            "at": deploy_audits(target)[-1]["at"].replace(year=2100),
        }
    )
    connect(target)["client"].update_one({"key": CLIENT_KEY}, {"$set": {"name": "À moitié"}})
    rename_the_other(deployed)
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Déploiement complet : le dernier déploiement enregistré" in result.stdout
    assert live(target, "client")[CLIENT_KEY]["name"] == "Service de démonstration"


def test_an_adoption_since_the_last_deploy_means_a_full_one(deployed, cli, target) -> None:
    """Adopted documents keep the fields they were imported with until a deploy aligns
    them: no file of theirs changed, so only the full path would."""
    connect(target)["fedreg_deployments"].insert_one(
        {
            "deployment": "production-internet",
            "kind": "adopt",
            "commit": deployed.git("rev-parse", "HEAD"),
            "status": "applied",
            "applied": [],
            "at": deploy_audits(target)[-1]["at"].replace(year=2100),
        }
    )
    rename_the_other(deployed)
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Déploiement complet" in result.stdout and "2 inchangé(s)" in result.stdout


def test_an_invalid_changed_file_is_refused_located(deployed, cli, target) -> None:
    before = live(target, "client")
    deployed.write(OTHER, other_provider(("https://autre.gouv.fr/callback", "http://autre.fr/cb")))
    deployed.commit("a redirect URI without TLS")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert f"{OTHER}:" in result.stdout and "rien n'est déployé" in result.stderr
    assert live(target, "client") == before


# -- what it does -------------------------------------------------------------------------


def test_a_change_is_deployed_from_its_files_and_matches_a_full_deploy(
    deployed, cli, target
) -> None:
    first = deployed.git("rev-parse", "HEAD")
    deployed.write(SP, service_provider(("demo.gouv.fr/callback", "demo.gouv.fr/v2")))
    deployed.commit("v2")
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    said = "Déploiement incrémental : 1 fichier(s) changé(s) depuis le dernier commit déployé"
    assert f"{said} ({first[:12]})" in result.stdout
    assert "0 créé(s), 1 mis à jour, 0 désactivé(s), 0 inchangé(s)" in result.stdout
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/v2"]
    assert IDP_UID in live(target, "provider")
    # the same commit again is a full comparison, and finds nothing left to do
    again = deploy(cli, target)
    assert "Déploiement complet" in again.stdout and "3 inchangé(s)" in again.stdout
    assert "Rien à faire" in again.stdout


def test_a_change_outside_the_registry_is_deployed_whole(deployed, cli, target) -> None:
    deployed.write("policy.yaml", "max_updates_per_deploy: 50\n")
    rename_the_other(deployed)
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Déploiement complet : policy.yaml a changé" in result.stdout
    assert live(target, "client")[OTHER_KEY]["name"] == "Autre service renommé"


# -- a manifest file (what deploy.yml deploys, signed where the policy lists keys) ----------


def _rendered_manifest(repo, cli) -> tuple[Path, dict]:  # type: ignore[type-arg]
    assert cli("render", "--out", "build/release").exit_code == 0
    path = repo.root / "build/release/production-internet.json"
    return path, json.loads(path.read_text())


def _tampered(path: Path, manifest: dict, key: str, uri: str) -> None:  # type: ignore[type-arg]
    [document] = [d for d in manifest["client"] if d["key"] == key]
    document["redirect_uris"] = [uri]
    manifest["digest"] = content_digest(manifest)  # a consistent file, not the registry's
    path.write_text(json.dumps(manifest))


def test_a_manifest_files_changed_record_must_be_the_registrys(deployed, cli, target) -> None:
    """A manifest file whose record of a changed file is not what the registry gives at
    its commit is refused, even with a digest that matches its content."""
    before = live(target, "client")
    deployed.write(SP, service_provider(("demo.gouv.fr/callback", "demo.gouv.fr/v2")))
    deployed.commit("v2")
    path, manifest = _rendered_manifest(deployed, cli)
    _tampered(path, manifest, CLIENT_KEY, "https://pirate.example/callback")
    result = deploy(cli, target, "--manifest", str(path))
    assert result.exit_code == 1
    assert f"l'enregistrement {CLIENT_KEY} diffère" in result.stderr
    assert live(target, "client") == before


def test_a_manifest_file_writes_only_the_changes_records(deployed, cli, target) -> None:
    """Deployed from the last commit, a manifest file writes the changed files' records,
    checked against the registry: a record it holds for an unchanged file never reaches the
    database (where releases are signed, no such file gets past its signature)."""
    first = deployed.git("rev-parse", "HEAD")
    deployed.write(SP, service_provider(("demo.gouv.fr/callback", "demo.gouv.fr/v2")))
    deployed.commit("v2")
    path, manifest = _rendered_manifest(deployed, cli)
    _tampered(path, manifest, OTHER_KEY, "https://pirate.example/callback")
    result = deploy(cli, target, "--manifest", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"depuis le dernier commit déployé ({first[:12]})" in result.stdout
    clients = live(target, "client")
    assert clients[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/v2"]
    assert clients[OTHER_KEY]["redirect_uris"] == ["https://autre.gouv.fr/callback"]
    # deployed again, the same file takes the full path, which compares it whole: refused
    again = deploy(cli, target, "--manifest", str(path))
    assert again.exit_code == 1 and "n'est pas celui que le registre donne" in again.stderr


def test_a_dry_run_never_rewrites_a_file_target(registry, cli, tmp_path, monkeypatch) -> None:
    """A dry run opens a file target read-only: its plan costs the file's reading alone,
    and the file keeps its bytes and its modification time."""
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(FEDERATION))
    path = tmp_path / "cible" / "core-fca-low.json"
    file_target = f"file:{path}"
    assert (
        cli("deploy", "production-internet", "--target", file_target, "--init", "--yes").exit_code
        == 0
    )
    assert deploy(cli, file_target).exit_code == 0
    written, modified = path.read_bytes(), path.stat().st_mtime_ns
    registry.write(SP, service_provider(("demo.gouv.fr/callback", "demo.gouv.fr/v2")))
    registry.commit("v2")
    result = cli("deploy", "production-internet", "--target", file_target, "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 mis à jour" in result.stdout and "Simulation : rien n'est écrit" in result.stdout
    assert path.read_bytes() == written and path.stat().st_mtime_ns == modified
