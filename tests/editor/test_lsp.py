"""`fedreg lsp`'s features, over LSP: hover, completion, quick fixes, files changed on disk,
deploy-readiness against the default branch, and documents it must leave alone. The server
runs in a thread of the test process, over pipes (the parity test runs the real command)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pytest

from conftest import BASE_SERVICE_PROVIDER, GitWorkspace, Workspace, edited
from fedreg.editor.server import build_server
from lspclient import LspClient


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    build_server().start_io(cast(BinaryIO, stdin), cast(BinaryIO, stdout))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LspClient]:
    client = LspClient(None, tmp_path, {}, serve=_serve)
    client.start(watch_files=True)
    try:
        yield client
    finally:
        client.stop()


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        return offsets[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


# (line in the valid file, the mistake, its code, the line once fixed: quotes are kept)
QUICK_FIXES = [
    ("  - https://demo.gouv.fr/callback", "  - HTTPS://demo.gouv.fr/callback", "U016", None),
    (
        "  - https://demo.gouv.fr/callback",
        '  - "http://demo.gouv.fr/callback"',
        "U011",
        '  - "https://demo.gouv.fr/callback"',
    ),
    ("  - 145.242.17.0/28", "  - 145.242.17.10/28", "N002", None),
    ("redirect_uris:", "redirect_uri:", "S001", None),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "fixed_line"), QUICK_FIXES, ids=[c[2] for c in QUICK_FIXES]
)
def test_a_certain_fix_gives_back_the_valid_file(
    server, tmp_path, old, new, code, fixed_line
) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [(old, new)])
    path = Workspace(tmp_path).provider("sp", text)
    diagnostics = server.open(path, text)
    target = next(d for d in diagnostics if d["code"] == code)
    actions = server.code_actions(path, target["range"])
    fixes = [a for a in actions if a.get("diagnostics")]
    assert len(fixes) == 1, actions
    assert fixes[0]["kind"] == "quickfix" and fixes[0]["isPreferred"] is True
    fixed = _apply(text, fixes[0]["edit"]["changes"][path.as_uri()])
    assert fixed == edited(BASE_SERVICE_PROVIDER, [(old, fixed_line or old)])
    assert server.open(path, fixed) == []


def test_removing_a_wildcard_entry(server, tmp_path) -> None:
    text = edited(
        BASE_SERVICE_PROVIDER,
        [
            (
                "  - https://demo.gouv.fr/callback\n",
                "  - https://demo.gouv.fr/callback\n  - https://*.demo.gouv.fr/cb\n",
            )
        ],
    )
    path = Workspace(tmp_path).provider("sp", text)
    wildcard = next(d for d in server.open(path, text) if d["code"] == "U005")
    (fix,) = server.code_actions(path, wildcard["range"])
    assert fix["title"].startswith("Retirer cette entrée")
    assert _apply(text, fix["edit"]["changes"][path.as_uri()]) == BASE_SERVICE_PROVIDER


def test_an_uncertain_fix_is_not_offered(server, tmp_path) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("redirect_uris:", "zzz_inconnu:")])
    path = Workspace(tmp_path).provider("sp", text)
    unknown = next(d for d in server.open(path, text) if d["code"] == "S001")
    assert "Vouliez-vous dire" not in unknown["message"]
    assert server.code_actions(path, unknown["range"]) == []


def test_an_unquoted_siret_can_be_quoted(server, tmp_path) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [('siret: "13002526500013"', "siret: 13002526500013")])
    path = Workspace(tmp_path).provider("sp", text)
    assert server.open(path, text) == []
    line = text.split("\n").index("siret: 13002526500013")
    span = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 3}}
    (action,) = server.code_actions(path, span)
    assert action["title"] == "Mettre le SIRET entre guillemets"
    assert _apply(text, action["edit"]["changes"][path.as_uri()]) == BASE_SERVICE_PROVIDER


def test_hover_on_a_key_and_on_a_diagnostic(server, tmp_path) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("  - email\n", "  - profile\n")])
    path = Workspace(tmp_path).provider("sp", text)
    server.open(path, text)
    assert server.hover(path, 2, 3).startswith("#### Réseau\n\n")  # network:
    line = text.split("\n").index("  - profile")
    shown = server.hover(path, line, 6)
    assert shown.startswith("### O003 — ")
    assert "Refusé :" in shown and "Accepté :" in shown
    assert server.hover(path, 1, 20) == ""  # inside a value, nothing to say


def test_hover_on_a_rule_code_in_a_comment(server, tmp_path) -> None:
    text = BASE_SERVICE_PROVIDER + "# voir U005 avant de changer les URL\n"
    path = Workspace(tmp_path).provider("sp", text)
    server.open(path, text)
    assert server.hover(path, text.count("\n") - 1, 8).startswith("### U005 — Joker dans une URL")


def test_completion_of_keys_and_values(server, tmp_path) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("accepts_private_sector: false\n", "")]) + "\n"
    path = Workspace(tmp_path).provider("sp", text)
    server.open(path, text)
    last = text.count("\n") - 1
    keys = {item["label"]: item for item in server.completion(path, last, 0)}
    assert "accepts_private_sector" in keys and "scopes" not in keys  # present keys not offered
    assert keys["accepts_private_sector"]["detail"] == "Accepte le secteur privé"
    alg = text.split("\n").index("id_token_signed_response_alg: ES256")
    values = [i["label"] for i in server.completion(path, alg, 30)]
    assert values == ["ES256", "RS256", "HS256"]
    scope_line = text.split("\n").index("  - email")
    scopes = {i["label"]: i for i in server.completion(path, scope_line, 4)}
    assert "profile" not in scopes
    assert scopes["email"]["documentation"]["value"] == "Adresse e-mail professionnelle de l'agent."
    assert scopes["organizational_unit"]["detail"] == "sur demande à la fédération"
    network = [i["label"] for i in server.completion(path, 2, 9)]
    assert network == ["internet", "rie"]


def test_a_file_saved_elsewhere_is_seen_by_the_rules_across_files(server, tmp_path) -> None:
    workspace = Workspace(tmp_path)
    path = workspace.provider("sp", BASE_SERVICE_PROVIDER)
    assert server.open(path, BASE_SERVICE_PROVIDER) == []
    other = workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="copie")
    server.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": other.as_uri(), "type": 1}]}
    )
    clash = server._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert {d["code"] for d in clash["params"]["diagnostics"]} == {"X001", "X003"}
    other.unlink()
    server.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": other.as_uri(), "type": 3}]}
    )
    clean = server._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert clean["params"]["diagnostics"] == []
    registrations = [
        r for r in server.server_requests if r["method"] == "client/registerCapability"
    ]
    assert registrations[0]["params"]["registrations"][0]["method"] == (
        "workspace/didChangeWatchedFiles"
    )


def test_the_unsaved_text_is_checked_not_the_disk(server, tmp_path) -> None:
    path = Workspace(tmp_path).provider("sp", BASE_SERVICE_PROVIDER)
    typed = edited(BASE_SERVICE_PROVIDER, [("network: internet", "network: intranet")])
    assert [d["code"] for d in server.open(path, typed)] == ["S004"]
    assert server.open(path, BASE_SERVICE_PROVIDER) == []


def test_deploy_readiness_against_the_default_branch(server, tmp_path, cli, monkeypatch) -> None:
    repo = GitWorkspace(tmp_path)
    old = repo.provider("sp", BASE_SERVICE_PROVIDER)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "nouveau")
    new_client = edited(
        BASE_SERVICE_PROVIDER,
        [("9f86d081884c", "0000d081884c"), ("Service de démonstration", "Nouveau service")],
    )
    new = repo.provider("sp", new_client, slug="nouveau")
    monkeypatch.chdir(tmp_path)
    expected = cli("validate", "--base", "main", "--format", "json").json()["diagnostics"]
    assert [(d["path"], d["code"]) for d in expected] == [(str(new.relative_to(tmp_path)), "I010")]
    shown = server.open(new, new_client)
    assert [(d["code"], d["range"]["start"]["line"] + 1) for d in shown] == [
        ("I010", expected[0]["line"])
    ]
    assert server.open(old, BASE_SERVICE_PROVIDER) == []  # known to main: not new


def test_documents_outside_a_registry_are_left_alone(server, tmp_path) -> None:
    Workspace(tmp_path).provider("sp", BASE_SERVICE_PROVIDER)
    for name in ("notes.yaml", "registry/README.md"):
        path = tmp_path / name
        assert server.open(path, "kind: [\n") == []
    assert server.hover(tmp_path / "notes.yaml", 0, 0) == ""
    assert server.completion(tmp_path / "notes.yaml", 0, 0) == []
    assert server.code_actions(tmp_path / "notes.yaml", _span(0)) == []


def test_a_broken_file_is_reported_not_crashed_on(server, tmp_path) -> None:
    path = Workspace(tmp_path).provider("sp", BASE_SERVICE_PROVIDER)
    for text in ("", "\x00\x01", "- a\n- b\n", "kind: ServiceProvider\n" + "[" * 5000, "é" * 3):
        diagnostics = server.open(path, text)
        assert diagnostics and all(d["source"] == "fedreg" for d in diagnostics), text[:20]
        server.hover(path, 0, 0)
        server.completion(path, 0, 0)
        server.code_actions(path, _span(0))


def _span(line: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}


def test_a_policy_changed_on_disk_is_read_again(server, tmp_path) -> None:
    workspace = Workspace(tmp_path)
    path = workspace.provider("sp", BASE_SERVICE_PROVIDER)
    assert server.open(path, BASE_SERVICE_PROVIDER) == []
    policy = workspace.write("policy.yaml", "max_prefix_ipv4: 29\n")
    server.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": policy.as_uri(), "type": 1}]}
    )
    narrower = server._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert [d["code"] for d in narrower["params"]["diagnostics"]] == ["N004"]


def test_a_path_that_leaves_the_registry_is_not_a_registry_file(server, tmp_path) -> None:
    Workspace(tmp_path).provider("sp", BASE_SERVICE_PROVIDER)
    outside = tmp_path / "registry/production/service-providers/../../../ailleurs.yaml"
    assert server.open(outside, "kind: [\n") == []


def test_readiness_matches_validate_base_for_every_kind_of_change(
    server, tmp_path, cli, monkeypatch
) -> None:
    """Unchanged, modified (a new client_id: a new provider), untracked and git-ignored files:
    the server knows the default branch's providers as `validate --base main` does."""
    repo = GitWorkspace(tmp_path)
    texts = {
        slug: edited(
            BASE_SERVICE_PROVIDER,
            [("9f86d081884c", f"{index:04d}d081884c"), ("démonstration", slug)],
        )
        for index, slug in enumerate(["garde", "change", "ignore"])
    }
    for slug, text in texts.items():
        repo.provider("sp", text, slug=slug)
    repo.write(".gitignore", "registry/production/service-providers/ignore.yaml\n")
    repo.commit("base")
    texts["change"] = texts["change"].replace("0001d081884c", "ffffd081884c")
    texts["nouveau"] = edited(
        BASE_SERVICE_PROVIDER, [("9f86d081884c", "eeeed081884c"), ("démonstration", "neuf")]
    )
    for slug in ("change", "nouveau"):
        repo.provider("sp", texts[slug], slug=slug)
    monkeypatch.chdir(tmp_path)
    expected = cli("validate", "--base", "main", "--format", "json").json()["diagnostics"]
    assert sorted(Path(d["path"]).stem for d in expected if d["code"] == "I010") == [
        "change",
        "ignore",
        "nouveau",
    ]
    for slug, text in texts.items():
        path = tmp_path / f"registry/production/service-providers/{slug}.yaml"
        shown = [(d["code"], d["range"]["start"]["line"] + 1) for d in server.open(path, text)]
        mine = [(d["code"], d["line"]) for d in expected if Path(d["path"]).stem == slug]
        assert sorted(shown) == sorted(mine), slug


def test_lsp_and_fmt_need_only_the_light_install() -> None:
    """`fedreg lsp` and `fedreg fmt` import no database, GitHub, web-server or network client."""
    code = (
        "import sys, fedreg.cli, fedreg.commands.lsp, fedreg.commands.fmt\n"
        "heavy = {'pymongo', 'github', 'uvicorn', 'starlette', 'httpx', 'dns', 'pyrage'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout == "[]\n"


def test_incremental_changes_as_vs_code_sends_them(server, tmp_path) -> None:
    """The server asks for incremental changes: a range replaced; positions in UTF-16 units."""
    text = BASE_SERVICE_PROVIDER
    path = Workspace(tmp_path).provider("sp", text)
    assert server.open(path, text) == []
    line = text.split("\n").index("network: internet")
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": path.as_uri(), "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": line, "character": 9},
                        "end": {"line": line, "character": 17},
                    },
                    "text": "intranet",
                }
            ],
        },
    )
    published = server._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    (diagnostic,) = published["params"]["diagnostics"]
    assert diagnostic["code"] == "S004"
    assert diagnostic["range"]["start"] == {"line": line, "character": 9}
    assert diagnostic["range"]["end"] == {"line": line, "character": 17}


def test_a_range_counts_utf16_units(server, tmp_path) -> None:
    """An emoji is one character for fedreg and two UTF-16 units for the editor."""
    text = BASE_SERVICE_PROVIDER.replace("name: Service de démonstration", "name: Démo 😀 ici")
    path = Workspace(tmp_path).provider("sp", text)
    (shown,) = server.open(path, text)
    assert shown["code"] == "I004"
    assert shown["range"]["start"] == {"line": 1, "character": 6}
    assert shown["range"]["end"] == {"line": 1, "character": len("name: Démo 😀 ici") + 1}


def test_an_unknown_base_is_said_once_and_checks_go_on(tmp_path) -> None:
    repo = GitWorkspace(tmp_path)
    path = repo.provider("sp", BASE_SERVICE_PROVIDER)
    repo.commit("base")

    def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
        build_server("nexiste-pas").start_io(cast(BinaryIO, stdin), cast(BinaryIO, stdout))

    client = LspClient(None, tmp_path, {}, serve=serve)
    client.start()
    try:
        typed = edited(BASE_SERVICE_PROVIDER, [("network: internet", "network: intranet")])
        assert [d["code"] for d in client.open(path, typed)] == ["S004"]
        assert [d["code"] for d in client.open(path, BASE_SERVICE_PROVIDER)] == []
    finally:
        client.stop()
    shown = [n for n in client.notifications if n["method"] == "window/showMessage"]
    assert [n["params"]["message"] for n in shown] == [
        "fedreg : --base nexiste-pas : révision git inconnue : nexiste-pas"
    ]
