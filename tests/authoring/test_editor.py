"""Editor parity: the real YAML language server (tools/editor, the one VS Code's YAML extension
runs), driven over LSP with the repository's editor settings, against `fedreg validate`.

The server is installed by `npm ci --prefix tools/editor`, part of the README's test command;
a missing install is a failure, never a skip.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited
from fedreg.authoring.schemadocs import field_doc
from fedreg.authoring.schemas import schema_file
from fedreg.registry.models import ENVIRONMENTS, FOLDER_BY_KIND, MODEL_BY_KIND
from fedreg.registry.snapshot import worktree_paths
from fedreg.validation.checks.oidc import KNOWN_SCOPES
from lspclient import LspClient

SERVER = REPO_ROOT / "tools/editor/node_modules/yaml-language-server"
BASE_BY_KIND = {
    "ServiceProvider": BASE_SERVICE_PROVIDER,
    "IdentityProvider": BASE_IDENTITY_PROVIDER,
}
_CODED = re.compile(r"^([A-Z][0-9]{3}) ")


def _server_command() -> list[str]:
    """The README's test command installs the server: a missing one is a failure, never a
    skip (a newcomer's run would silently leave these tests out)."""
    node = shutil.which("node")
    if node is None or not (SERVER / "package.json").is_file():
        pytest.fail(
            "yaml-language-server is not installed: run `npm ci --prefix tools/editor "
            "--ignore-scripts` (Node 20 or later), as the README's test command does"
        )
    return [node, str(SERVER / "bin/yaml-language-server"), "--stdio"]


def editor_settings() -> dict[str, Any]:
    """The repository's VS Code settings, nested by section as VS Code sends them."""
    flat = json.loads((REPO_ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    yaml_settings = {k.removeprefix("yaml."): v for k, v in flat.items() if k.startswith("yaml.")}
    yaml_settings["schemaStore"] = {"enable": False}  # the schema catalogue is online
    return {"yaml": yaml_settings, "[yaml]": flat.get("[yaml]", {}), "editor": {}, "http": {}}


@pytest.fixture(scope="module")
def editor() -> Iterator[LspClient]:
    client = LspClient(_server_command(), REPO_ROOT, editor_settings())
    client.start(locale="fr")
    try:
        yield client
    finally:
        client.stop()


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(root: Path, env: str, kind: str, slug: str, text: str) -> Path:
    path = root / "registry" / env / FOLDER_BY_KIND[kind] / f"{slug}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _editor_findings(client: LspClient, path: Path) -> tuple[set[tuple[int, str]], list[str]]:
    """(line, code) of every coded diagnostic, and every message, for a file on disk."""
    diagnostics = client.open(path, path.read_text(encoding="utf-8"))
    client.close(path)
    coded = set()
    for diagnostic in diagnostics:
        match = _CODED.match(diagnostic["message"])
        if match:
            coded.add((diagnostic["range"]["start"]["line"] + 1, match.group(1)))
    return coded, [d["message"] for d in diagnostics]


def _editor_findings_many(
    client: LspClient, paths: list[Path], batch: int = 100
) -> dict[Path, set[tuple[int, str]]]:
    found = {}
    for start in range(0, len(paths), batch):
        chunk = paths[start : start + batch]
        opened = client.open_many({path: path.read_text(encoding="utf-8") for path in chunk})
        for path, diagnostics in opened.items():
            client.close(path)
            found[path] = {
                (d["range"]["start"]["line"] + 1, match.group(1))
                for d in diagnostics
                if (match := _CODED.match(d["message"]))
            }
    return found


def _fedreg_findings(cli: Any, root: Path) -> dict[Path, set[tuple[int, str]]]:
    result = cli("validate", str(root / "registry"), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    found: dict[Path, set[tuple[int, str]]] = {}
    for diagnostic in result.json()["diagnostics"]:
        path = (root / diagnostic["path"]).resolve()
        found.setdefault(path, set()).add((diagnostic["line"], diagnostic["code"]))
    return found


# -- every field, every YAML type: the editor and fedreg agree on type errors -------------------
# A value form: the text after "key:", which may span lines.
VALUE_FORMS = {
    "integer": " 12345678901234",
    "float": " 1.5",
    "hex": " 0x1F",
    "bool": " true",
    "capitalised-bool": " False",
    "null": "",
    "tilde": " ~",
    "text": ' "texte"',
    "map": "\n  a: b",
    "list-int": "\n  - 12345",
    "list-bool": "\n  - true",
    "list-null": "\n  -",
    "list-map": "\n  - a: b",
    "list-list": "\n  - [a]",
}


def with_value(base: str, key: str, value: str) -> str:
    """`base` with `key` set to the value form (added at the end when absent)."""
    lines = base.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    if start is None:
        return base + f"{key}:{value}\n"
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return "\n".join([*lines[:start], f"{key}:{value}", *lines[end:]]) + "\n"


def _type_codes(found: set[tuple[int, str]]) -> set[tuple[int, str]]:
    return {(line, code) for line, code in found if code in ("S003", "S004")}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_fedreg_and_the_editor_agree_on_every_type_error(
    editor, registry, cli, environment
) -> None:
    files = []
    for kind, model in MODEL_BY_KIND.items():
        for key in model.model_fields:
            for form, value in VALUE_FORMS.items():
                slug = f"{kind.lower()}-{key}-{form}".replace("_", "-").lower()
                text = with_value(BASE_BY_KIND[kind], key, value)
                files.append(_write(registry, environment, kind, slug, text))
    fedreg = _fedreg_findings(cli, registry)
    disagreements: list[tuple[str, object, object]] = []
    type_errors = 0
    for path, in_editor in _editor_findings_many(editor, files).items():
        in_fedreg = fedreg.get(path.resolve(), set())
        type_errors += len(_type_codes(in_fedreg))
        if _type_codes(in_editor) != _type_codes(in_fedreg):
            disagreements.append((path.name, sorted(in_editor), sorted(in_fedreg)))
        if not in_editor <= in_fedreg:  # the editor never reports what fedreg does not
            disagreements.append((path.name, sorted(in_editor - in_fedreg), "not in fedreg"))
    assert disagreements == [], "\n".join(map(str, disagreements))
    assert type_errors > len(files) // 2  # most forms are a type error for most fields


def test_an_unquoted_number_is_text_for_both(editor, registry, cli) -> None:
    text = edited(
        BASE_SERVICE_PROVIDER,
        [('siret: "13002526500013"', "siret: 13002526500013"), ("name: Service", "name: 2024")],
    )
    path = _write(registry, "production", "ServiceProvider", "nombres", text)
    assert _fedreg_findings(cli, registry) == {}
    assert editor.open(path, text) == []


# -- the mistakes partners make, seen as they type ----------------------------------------------
MISTAKES = """\
kind: ServiceProvider
name: Service de démonstration
network: internet
client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
owners:
  - "@demo-org/equipe"
contacts:
  - equipe@demo.gouv.fr
siret: "1300252650001"
redirect_uris:
  - http://demo.gouv.fr/callback
  - https://localhost:3000/callback
  - https://demo.gouv.fr/callback#fin
  - https://*.demo.gouv.fr/callback
  - "https://demo.gouv.fr/callback\u200b"
  - https://10.2.3.4/callback
  - https://user:pw@demo.gouv.fr/callback
  - https://demo.intranet/callback
post_logout_redirect_uris:
  - https://demo.gouv.fr/
scopes: [email, profile, mail]
id_token_signed_response_alg: ES256
userinfo_signed_response_alg: RS512
accepts_private_sector: oui
ip_ranges:
  - 192.168.1.0/24
  - 145.242.17.10/28
"""
EXPECTED_IN_PRODUCTION = {
    (9, "I003"),
    (11, "U011"),
    (12, "U012"),
    (13, "U004"),
    (14, "U005"),
    (15, "U002"),
    (16, "U012"),
    (17, "U003"),
    (18, "U012"),
    (21, "O001"),
    (21, "O003"),
    (21, "O002"),
    (23, "S004"),
    (24, "S003"),
    (26, "N005"),  # host bits (N002, line 27) and the Luhn key (I003) need fedreg
}


def test_the_editor_flags_partner_mistakes_with_fedreg_codes(editor, registry, cli) -> None:
    path = _write(registry, "production", "ServiceProvider", "erreurs", MISTAKES)
    found, messages = _editor_findings(editor, path)
    assert found == EXPECTED_IN_PRODUCTION, messages
    assert found <= _fedreg_findings(cli, registry)[path.resolve()]
    assert "U005 Joker dans une URL : listez chaque URL complète, une par ligne." in messages


def test_integration_accepts_http_on_localhost_only(editor, registry, cli) -> None:
    text = edited(
        MISTAKES,
        [
            ("  - http://demo.gouv.fr/callback\n", "  - http://LOCALHOST:3000/cb\n"),
            ("  - https://localhost:3000/callback\n", "  - http://demo.gouv.fr/cb\n"),
        ],
    )
    path = _write(registry, "integration", "ServiceProvider", "erreurs", text)
    found, _ = _editor_findings(editor, path)
    urls = {(line, code) for line, code in found if code.startswith("U")}
    assert urls == {(12, "U011"), (13, "U004"), (14, "U005"), (15, "U002"), (17, "U003")}
    assert found <= _fedreg_findings(cli, registry)[path.resolve()]


def test_identity_provider_urls(editor, registry, cli) -> None:
    text = edited(
        BASE_IDENTITY_PROVIDER,
        [
            (
                "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration",
                "discovery_url: http://auth.demo.gouv.fr/.well-known/openid",
            )
        ],
    )
    path = _write(registry, "production", "IdentityProvider", "fi", text)
    found, _ = _editor_findings(editor, path)
    assert found == {(11, "U011"), (11, "U014")}
    assert found <= _fedreg_findings(cli, registry)[path.resolve()]


def test_missing_fields_are_s002_in_both(editor, registry, cli) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("network: internet\n", ""), ("scopes:\n", "scope:\n")])
    path = _write(registry, "production", "ServiceProvider", "manquants", text)
    found, messages = _editor_findings(editor, path)
    assert found == {(1, "S002")} and found <= _fedreg_findings(cli, registry)[path.resolve()]
    assert sorted(m for m in messages if m.startswith("S002")) == [
        "S002 Champ obligatoire manquant : « network » (Réseau).",
        "S002 Champ obligatoire manquant : « scopes » (Scopes).",
    ]
    assert "La propriété scope n'est pas autorisée." in messages


def test_every_message_is_french(editor, registry) -> None:
    english = json.loads((SERVER / "l10n/bundle.l10n.json").read_text(encoding="utf-8"))
    # and the three the server never translates
    english.update(dict.fromkeys(['Missing property "{0}".', 'Incorrect type. Expected "{0}".']))
    english["Value must be {0}."] = None
    english_patterns = [
        re.compile("^" + re.sub(r"\\\{\d\\\}", ".*", re.escape(k)) + "$") for k in english
    ]
    text = MISTAKES + "network: rie\nredirect_uri: []\n" + "ip_ranges: []\n"
    path = _write(registry, "production", "ServiceProvider", "anglais", text.replace("kind:", "k:"))
    _, messages = _editor_findings(editor, path)
    assert any("n'est pas autorisée" in m for m in messages)  # the server's own, translated
    assert [m for m in messages if any(p.match(m) for p in english_patterns)] == []


# -- the repository's files, with their modeline or through the settings alone -------------------
@pytest.mark.parametrize("strip_modeline", [False, True], ids=["modeline", "settings"])
def test_the_registry_files_are_clean_in_the_editor(editor, strip_modeline) -> None:
    """The example files (tests/data/example-registry, a copy of the repository's), opened
    under the paths they have in the repository: the editor is sent their text, never reads
    the disk, and resolves modelines and settings from those paths."""
    texts = {}
    for path in worktree_paths([EXAMPLES / "registry"]):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../../../schemas/")
        shown = REPO_ROOT / path.relative_to(EXAMPLES)
        texts[shown] = text.split("\n", 1)[1] if strip_modeline else text
    assert len(texts) == 17
    published = editor.open_many(texts)  # the editor writes nothing
    for path in texts:
        editor.close(path)
    assert published == {path: [] for path in texts}


def test_settings_map_every_folder_to_its_schema() -> None:
    schemas = editor_settings()["yaml"]["schemas"]
    expected = {
        f"./schemas/{schema_file(kind, env)}": [f"registry/{env}/{FOLDER_BY_KIND[kind]}/*.yaml"]
        for env in ENVIRONMENTS
        for kind in MODEL_BY_KIND
    }
    assert schemas == expected
    for name in schemas:
        assert (REPO_ROOT / name).is_file()


def test_without_settings_or_modeline_there_is_nothing(tmp_path) -> None:
    """The settings are what gives the checks: proof that the other tests exercise them."""
    client = LspClient(_server_command(), REPO_ROOT, {"yaml": {"schemaStore": {"enable": False}}})
    client.start(locale="fr")
    try:
        path = _write(tmp_path, "production", "ServiceProvider", "erreurs", MISTAKES)
        assert client.open(path, MISTAKES) == []
    finally:
        client.stop()


# -- completion and hover -----------------------------------------------------------------------
def test_scopes_complete_with_french_descriptions(editor, registry) -> None:
    text = BASE_SERVICE_PROVIDER.replace("  - email\n", "  - \n")
    path = _write(registry, "production", "ServiceProvider", "completion", text)
    line = text.splitlines().index("  - ")
    editor.open(path, text)
    items = editor.completion(path, line, 4)
    editor.close(path)
    labels = [item["label"] for item in items]
    assert set(KNOWN_SCOPES) <= set(labels)
    assert "profile" not in labels
    email = next(item for item in items if item["label"] == "email")
    assert email["documentation"]["value"] == "Adresse e-mail professionnelle de l'agent."


@pytest.mark.parametrize("kind", list(MODEL_BY_KIND))
def test_hover_shows_the_french_title_once(editor, registry, kind) -> None:
    text = BASE_BY_KIND[kind]
    path = _write(registry, "production", kind, "survol", text)
    editor.open(path, text)
    try:
        for index, line in enumerate(text.splitlines()):
            if line.startswith(" "):
                continue
            doc = field_doc(kind, line.split(":", 1)[0])
            assert doc is not None
            shown = editor.hover(path, index, 1)
            assert shown.startswith(f"#### {doc.title}\n\n{doc.markdown}\n\n"), shown
            assert shown.count("####") == 1 and shown.count(doc.markdown) == 1, shown
    finally:
        editor.close(path)
