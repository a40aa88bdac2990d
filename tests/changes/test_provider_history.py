"""`fedreg history --provider`: a provider's life from git (a real repository), the deploy
records (the deploy test target, mongomock, written by real deploys and a real rotation) and
the radar's state; `--format json` as a feed of one event per line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import mongomock
import pytest
from pyrage import x25519

from conftest import BASE_SERVICE_PROVIDER, edited

CIPHER_PASS = "JZBlwxfKnbn/RV025aw+dQxk+xoQT+Yr"  # the core's public development key
SP = "registry/production/service-providers/demo.yaml"
CLIENT_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PARTNER = x25519.Identity.generate()


def _sp(*edits: tuple[str, str]) -> str:
    return edited(BASE_SERVICE_PROVIDER, list(edits)) + (
        f"secret_recipients:\n  - {PARTNER.to_public()}\n"
    )


@pytest.fixture
def target(repo, cli, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    with mongomock.patch(servers=(("mongo.test", 27017),)):
        uri = "mongodb://mongo.test:27017/core-fca-low"
        assert (
            cli("deploy", "production-internet", "--target", uri, "--init", "--yes").exit_code == 0
        )
        yield uri


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
    assert cli(*rotate, "--target", target).exit_code == 0
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
    feed = [json.loads(line) for line in result.stdout.splitlines()]
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
    assert all(e["sub"] == CLIENT_KEY and e["path"] == SP for e in feed)
    assert all(
        isinstance(e["iat"], int) and e["schema"].endswith("/provider-event/1") for e in feed
    )
    assert feed[0]["commit"] == created and feed[0]["pull_request"] == 12
    assert feed[3]["commit"] == changed and feed[3]["pull_request"] == 13
    assert feed[3]["fields"] == ["redirect_uris"] and feed[3]["actor"] == "fedreg tests"
    assert feed[4]["commit"] == changed and feed[4]["action"] == "update"
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


def test_provider_options_without_provider_are_refused(repo, cli) -> None:
    result = cli("history", "production-internet", "--target", "mongodb://x", "--format", "json")
    assert result.exit_code == 2
    assert "vont avec --provider" in result.stderr
