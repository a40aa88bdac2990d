"""`fedreg history --provider`: a provider's life from git (a real repository), the audit trail
(a file target, written by real deploys and a real rotation) and the radar's state;
`--format json` checked against its published schema."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pyrage import x25519

from conftest import BASE_SERVICE_PROVIDER, edited

CIPHER_PASS = "JZBlwxfKnbn/RV025aw+dQxk+xoQT+Yr"  # the core's public development key
SP = "registry/production/service-providers/demo.yaml"
CLIENT_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PARTNER = x25519.Identity.generate()
SCHEMA = Path(__file__).parents[2] / "docs/schemas/provider-history.schema.json"


def _schema_checked(output: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(output)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator)
    return value


def _sp(*edits: tuple[str, str]) -> str:
    return edited(BASE_SERVICE_PROVIDER, list(edits)) + (
        f"secret_recipients:\n  - {PARTNER.to_public()}\n"
    )


@pytest.fixture
def target(repo, cli, monkeypatch, tmp_path_factory) -> str:
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    uri = f"file:{tmp_path_factory.mktemp('target') / 'production-internet.json'}"
    assert cli("deploy", "production-internet", "--target", uri, "--init", "--yes").exit_code == 0
    return uri


def _deploy(cli, uri: str) -> None:
    result = cli("deploy", "production-internet", "--target", uri, "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    # git dates have whole seconds: the next commit must fall in a later second than this
    # deploy for the timeline to have one order
    time.sleep(1.05)


def test_the_life_of_a_service_provider(repo, cli, target, tmp_path_factory) -> None:
    repo.write(SP, _sp())
    created = repo.commit("Ajout du service de démonstration (#12)")
    _deploy(cli, target)
    moved = ("https://demo.gouv.fr/callback", "https://demo.gouv.fr/auth/callback")
    repo.write(SP, _sp(moved))
    changed = repo.commit("Merge pull request #13 from demo/callback")
    _deploy(cli, target)
    rotate = ("secret", "rotate", CLIENT_KEY, "--deployment", "production-internet")
    rotated = cli(*rotate, "--target", target, "--yes")
    assert rotated.exit_code == 0 and "Nouveau secret" in rotated.stdout, rotated.stderr
    time.sleep(1.05)
    repo.write(SP, _sp(moved, ("active: true", "active: false")))
    repo.commit("Désactivation (#14)")
    _deploy(cli, target)
    state = tmp_path_factory.mktemp("radar") / "radar.json"
    key = f"production-internet/ServiceProvider/{CLIENT_KEY}"
    events = [
        {
            "at": "2030-01-02T06:00:00+00:00",
            "provider": key,
            "path": SP,
            "event": "opened",
            "code": "R031",
            "message": "Le secret client a 800 jours",
        },
        {
            "at": "2030-01-03T06:00:00+00:00",
            "provider": "autre",
            "path": "x",
            "event": "opened",
            "code": "R040",
            "message": "ailleurs",
        },
        {
            "at": "2030-01-05T06:00:00+00:00",
            "provider": key,
            "path": SP,
            "event": "resolved",
            "code": "R031",
            "message": "Le secret client a 800 jours",
        },
    ]
    state.write_text(json.dumps({"format": 1, "providers": {}, "events": events}))

    result = cli(
        "history",
        "--provider",
        CLIENT_KEY,
        "--target",
        target,
        "--radar-state",
        str(state),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = _schema_checked(result.stdout)
    assert document["sub"] == CLIENT_KEY and document["path"] == SP
    assert (document["kind"], document["deployment"]) == ("ServiceProvider", "production-internet")
    feed = document["events"]
    assert [e["event"] for e in feed] == [
        "created",
        "deployed",
        "secret_issued",
        "modified",
        "deployed",
        "secret_rotated",
        "deactivated",
        "deployed",
        "radar_opened",
        "radar_resolved",
    ]
    assert all(e["sub"] == CLIENT_KEY and isinstance(e["iat"], int) for e in feed)
    assert feed[0]["commit"] == created and feed[0]["pull_request"] == 12
    assert feed[3]["commit"] == changed and feed[3]["pull_request"] == 13
    assert feed[3]["fields"] == ["redirect_uris"] and feed[3]["actor"] == "fedreg tests"
    assert feed[4]["commit"] == changed and feed[4]["action"] == "update"
    assert feed[5]["event_description"] == "secret client renouvelé (appliqué)"
    assert feed[6]["fields"] == ["active"]
    assert "R040" not in result.stdout  # another provider's finding
    assert "client_secret" not in result.stdout and "sealed" not in result.stdout

    text = cli("history", "--provider", SP)
    assert text.exit_code == 0
    assert "modifié : redirect_uris  demande n° 13  par fedreg tests" in text.stdout
    assert "sans --target" in text.stdout


def test_an_unknown_provider_is_a_clear_error(repo, cli) -> None:
    repo.write(SP, _sp())
    repo.commit()
    result = cli("history", "--provider", "inconnu")
    assert result.exit_code == 2
    assert "aucun fournisseur « inconnu »" in result.stderr


def test_history_without_provider_still_needs_a_deployment(repo, cli) -> None:
    result = cli("history")
    assert result.exit_code == 2
    assert "donnez DEPLOYMENT et --target, ou --provider" in result.stderr


def test_radar_state_without_provider_is_refused(repo, cli) -> None:
    result = cli(
        *("history", "production-internet", "--target", "mongodb://x"),
        *("--radar-state", "radar.json"),
    )
    assert result.exit_code == 2
    assert "--radar-state va avec --provider" in result.stderr


def test_a_target_that_is_not_one_is_refused_before_anything_is_read(repo, cli) -> None:
    result = cli("history", "--provider", "inconnu", "--target", "prod.yaml")
    assert result.exit_code == 2
    assert "n'est pas une cible" in result.stderr
