"""The bot reads the radar's last state: an FI whose DNS proof has been missing past the grace
period (R010) no longer changes its domains in self-service, until the proof is back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import BASE_IDENTITY_PROVIDER, edited

FI = "registry/integration/identity-providers/fi-demo.yaml"
ALICE_FI = edited(BASE_IDENTITY_PROVIDER, [('  - "@demo-org/identite"\n', '  - "@alice"\n')])
SELF_SERVICE = "modification valide, en libre-service"


def _state(folder: Path, findings: dict[str, Any]) -> Path:
    path = folder / "radar.json"  # outside the repository: not a change of the pull request
    entry = {
        "path": FI,
        "deployment": "integration-internet",
        "kind": "IdentityProvider",
        "name": "FI de démonstration",
        "owners": ["@alice"],
        "findings": findings,
    }
    document = {"format": 1, "providers": {"integration-internet/IdentityProvider/x": entry}}
    path.write_text(json.dumps(document))
    return path


LAPSED = {
    "R010:demo.gouv.fr": {
        "code": "R010",
        "severity": "error",
        "subject": "demo.gouv.fr",
        "field": "attached_email_domains[0]",
        "message": "…",
        "hint": "…",
        "since": "2026-01-01",
    }
}


def test_a_lapsed_proof_sends_the_domain_change_to_the_federation_and_back(
    repo, cli, tmp_path_factory
) -> None:
    tmp_path = tmp_path_factory.mktemp("radar")
    repo.write(FI, ALICE_FI)
    repo.commit("registry")
    repo.write(FI, ALICE_FI.replace("  - partenaire-demo.fr\n", "  - autre-partenaire.fr\n"))
    args = ("bot", "pr", "--dry-run", "--author", "alice", "--base", "main")

    assert SELF_SERVICE in cli(*args).stdout  # no radar state: self-service

    lapsed = cli(*args, "--radar-state", str(_state(tmp_path, LAPSED)))
    assert SELF_SERVICE not in lapsed.stdout
    assert "preuve DNS d'un domaine de ce FI absente" in lapsed.stdout
    assert "demo.gouv.fr" in lapsed.stdout

    restored = cli(*args, "--radar-state", str(_state(tmp_path, {})))
    assert SELF_SERVICE in restored.stdout


def test_a_lapsed_proof_leaves_other_changes_of_the_fi_alone(repo, cli, tmp_path_factory) -> None:
    tmp_path = tmp_path_factory.mktemp("radar")
    repo.write(FI, ALICE_FI)
    repo.commit("registry")
    repo.write(FI, ALICE_FI.replace("title: FI de démonstration", "title: FI de démo"))
    state = _state(tmp_path, LAPSED)
    result = cli(
        "bot", "pr", "--dry-run", "--author", "alice", "--base", "main", "--radar-state", str(state)
    )
    assert SELF_SERVICE in result.stdout


def test_a_damaged_radar_state_is_a_clear_error(repo, cli, tmp_path) -> None:
    repo.write(FI, ALICE_FI)
    repo.commit("registry")
    state = tmp_path / "radar.json"
    state.write_text('{"format": 99}')
    result = cli("bot", "pr", "--dry-run", "--base", "main", "--radar-state", str(state))
    assert result.exit_code == 1
    assert "état du radar au format inconnu" in result.stderr
