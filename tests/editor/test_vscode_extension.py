"""The VS Code extension in tools/vscode-fedreg launches `fedreg lsp` on registry files, with
pinned dependencies; the repository's VS Code settings recommend it."""

from __future__ import annotations

import json

from conftest import REPO_ROOT

EXTENSION = REPO_ROOT / "tools/vscode-fedreg"


def test_the_extension_launches_fedreg_lsp_on_registry_files() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    source = (EXTENSION / manifest["main"]).read_text(encoding="utf-8")
    assert 'args: ["lsp"]' in source and '"**/registry/**/*.yaml"' in source
    assert manifest["activationEvents"] == ["workspaceContains:registry"]
    assert "vsce package" in manifest["scripts"]["package"]
    pinned = {**manifest["dependencies"], **manifest["devDependencies"]}
    assert all(version[0].isdigit() for version in pinned.values()), pinned
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert (
        lock["packages"]["node_modules/@vscode/vsce"]["engines"]["node"].replace(" ", "") == ">=20"
    )


def test_vscode_recommends_the_extension() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    settings = json.loads((REPO_ROOT / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert f"{manifest['publisher']}.{manifest['name']}" in settings["recommendations"]


def test_an_untrusted_folder_never_chooses_the_command_the_extension_runs() -> None:
    """A folder one opens (a fork, an archive) may hold `.venv/bin/fedreg` or a
    `.vscode/settings.json` naming any command: the extension runs neither until the folder
    is trusted, and only the user's own settings may name the command."""
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert manifest["capabilities"]["untrustedWorkspaces"]["supported"] is False
    command = manifest["contributes"]["configuration"]["properties"]["fedreg.command"]
    assert command["scope"] == "machine"
