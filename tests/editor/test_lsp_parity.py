"""Parity, proven: `fedreg lsp`, run as an editor runs it and driven over LSP, publishes for an
open file exactly what `fedreg validate --format json` reports on it (code, severity, position,
message and hint) on the 15 mistakes partners make most, and on a clash between two files."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_SERVICE_PROVIDER, EXAMPLES, Workspace, edited
from fedreg.registry.snapshot import worktree_paths
from lspclient import LspClient

SEVERITY = {"error": 1, "warning": 2}

# name: (the base file edited, the code fedreg gives for it)
TYPICAL_MISTAKES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "tabulation": (
        [("  - https://demo.gouv.fr/callback", "\t- https://demo.gouv.fr/callback")],
        "P001",
    ),
    "clé en double": ([("accepts_private_sector: false\n", "network: rie\n")], "P002"),
    "clé mal orthographiée": ([("redirect_uris:", "redirect_uri:")], "S001"),
    "secret dans le fichier": (
        [
            (
                "accepts_private_sector: false\n",
                'accepts_private_sector: false\nclient_secret: "s"\n',
            )
        ],
        "S005",
    ),
    "champ manquant": ([("scopes:\n  - openid\n  - email\n", "")], "S002"),
    "booléen en français": (
        [("accepts_private_sector: false", "accepts_private_sector: oui")],
        "S003",
    ),
    "algorithme inconnu": (
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: RS512")],
        "S004",
    ),
    "http en production": (
        [("  - https://demo.gouv.fr/callback", "  - http://demo.gouv.fr/callback")],
        "U011",
    ),
    "joker": (
        [("  - https://demo.gouv.fr/callback", "  - https://*.demo.gouv.fr/callback")],
        "U005",
    ),
    "localhost en production": (
        [("  - https://demo.gouv.fr/callback", "  - https://localhost:3000/callback")],
        "U012",
    ),
    "schéma en majuscules": (
        [("  - https://demo.gouv.fr/callback", "  - HTTPS://demo.gouv.fr/callback")],
        "U016",
    ),
    "scope profile": ([("  - email\n", "  - profile\n")], "O003"),
    "bits d'hôte": ([("  - 145.242.17.0/28", "  - 145.242.17.10/28")], "N002"),
    "plage privée": ([("  - 145.242.17.0/28", "  - 192.168.1.0/24")], "N005"),
    "clé de Luhn du SIRET": ([('siret: "13002526500013"', 'siret: "13002526500012"')], "I003"),
}
CLASH_CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    """`fedreg lsp` as an editor starts it: a process talking LSP on its stdin and stdout."""
    root = tmp_path_factory.mktemp("editor")
    client = LspClient([sys.executable, "-m", "fedreg", "lsp"], root, {})
    client.start()
    try:
        yield client
    finally:
        client.stop()


def validate_json(cli: Any, root: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    monkeypatch.chdir(root)
    result = cli("validate", "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return list(result.json()["diagnostics"])


def as_published(diagnostic: dict[str, Any]) -> dict[str, Any]:
    """A `fedreg validate --format json` diagnostic in the terms of LSP."""
    message = diagnostic["message"]
    if diagnostic["hint"]:
        message += "\n" + diagnostic["hint"]
    return {
        "code": diagnostic["code"],
        "severity": SEVERITY[diagnostic["severity"]],
        "start": {"line": diagnostic["line"] - 1, "character": diagnostic["column"] - 1},
        "message": message,
    }


def published(diagnostics: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    lines = text.split("\n")
    for diagnostic in diagnostics:
        start, end = diagnostic["range"]["start"], diagnostic["range"]["end"]
        assert (end["line"], end["character"]) > (start["line"], start["character"]), diagnostic
        assert lines[start["line"]][start["character"] : end["character"]].strip(), diagnostic
        assert diagnostic["source"] == "fedreg"
    return [
        {
            "code": d["code"],
            "severity": d["severity"],
            "start": d["range"]["start"],
            "message": d["message"],
        }
        for d in diagnostics
    ]


def _key(diagnostic: dict[str, Any]) -> tuple[Any, ...]:
    return (diagnostic["start"]["line"], diagnostic["start"]["character"], diagnostic["code"])


@pytest.mark.parametrize("mistake", list(TYPICAL_MISTAKES))
def test_the_editor_shows_what_validate_reports(server, cli, tmp_path, monkeypatch, mistake):
    replacements, code = TYPICAL_MISTAKES[mistake]
    text = edited(BASE_SERVICE_PROVIDER, replacements)
    path = Workspace(tmp_path).provider("sp", text)
    expected = [as_published(d) for d in validate_json(cli, tmp_path, monkeypatch)]
    assert code in {d["code"] for d in expected}
    shown = published(server.open(path, text), text)
    server.close(path)
    assert sorted(shown, key=_key) == sorted(expected, key=_key)


def test_a_clash_between_two_files_shows_in_each(server, cli, tmp_path, monkeypatch) -> None:
    """Two service providers of one deployment with one client_id (X001) and one name (X003):
    each file, open in the editor, shows the clash naming the other file on disk."""
    workspace = Workspace(tmp_path)
    first = workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="premier")
    second = workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="second")
    expected = validate_json(cli, tmp_path, monkeypatch)
    assert {d["code"] for d in expected} == {"X001", "X003"}
    for path in (first, second):
        shown = published(server.open(path, BASE_SERVICE_PROVIDER), BASE_SERVICE_PROVIDER)
        server.close(path)
        mine = [as_published(d) for d in expected if tmp_path / d["path"] == path]
        assert len(mine) == 2
        assert sorted(shown, key=_key) == sorted(mine, key=_key)
    assert "registry/production/service-providers/second.yaml" in str(
        [d["message"] for d in expected if d["path"].endswith("premier.yaml")]
    )


def test_the_typical_mistakes_are_fifteen_distinct_codes() -> None:
    assert len(TYPICAL_MISTAKES) == 15
    assert len({code for _, code in TYPICAL_MISTAKES.values()}) == 15


def test_the_policy_file_shows_what_validate_reports(server, cli, tmp_path, monkeypatch) -> None:
    workspace = Workspace(tmp_path)
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    text = "max_prefix_ipv4: quarante\nrie_address_space:\n  - 10.0.0.0/33\n"
    policy = workspace.write("policy.yaml", text)
    expected = [as_published(d) for d in validate_json(cli, tmp_path, monkeypatch)]
    assert {d["code"] for d in expected} == {"S003"}
    assert sorted(published(server.open(policy, text), text), key=_key) == sorted(
        expected, key=_key
    )
    server.close(policy)


def test_the_example_registry_is_clean_in_the_editor(server, tmp_path) -> None:
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    texts = {
        path: path.read_text(encoding="utf-8") for path in worktree_paths([tmp_path / "registry"])
    }
    assert len(texts) == 17
    assert server.open_many(texts) == {path: [] for path in texts}
    for path in texts:
        server.close(path)
