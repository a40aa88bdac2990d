"""The single reader on the working tree: only regular files are registry files, the same rule
as for git trees (links, submodules and special files are L004, never followed)."""

from __future__ import annotations

import os

from conftest import BASE_SERVICE_PROVIDER, edited

FOLDER = "registry/integration/service-providers"


def _codes(result) -> list[tuple[str, str]]:
    return [(d["path"], d["code"]) for d in result.json()["diagnostics"]]


def test_links_submodules_and_special_files_are_refused(workspace, cli) -> None:
    workspace.write(f"{FOLDER}/vrai.yaml", BASE_SERVICE_PROVIDER)
    (workspace.root / f"{FOLDER}/lien.yaml").symlink_to("vrai.yaml")
    (workspace.root / "ailleurs").mkdir()
    workspace.write("ailleurs/x.yaml", edited(BASE_SERVICE_PROVIDER, [("9f86", "8f86")]))
    (workspace.root / "registry/production").mkdir(parents=True)
    (workspace.root / "registry/production/service-providers").symlink_to(
        workspace.root / "ailleurs"
    )
    workspace.write(f"{FOLDER}/module/.git", "gitdir: ../../../.git/modules/module\n")
    os.mkfifo(workspace.root / f"{FOLDER}/tube.yaml")
    (workspace.root / f"{FOLDER}/NOTES.md").symlink_to("/etc/passwd")
    workspace.write(f"{FOLDER}/LISEZMOI.md", "# une note\n")
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    assert sorted(_codes(result)) == [
        (f"{FOLDER}/NOTES.md", "L004"),
        (f"{FOLDER}/lien.yaml", "L004"),
        (f"{FOLDER}/module", "L004"),
        (f"{FOLDER}/tube.yaml", "L004"),
        ("registry/production/service-providers", "L004"),
    ]
    messages = {
        d["path"]: d["message"] for d in result.json()["diagnostics"] if d["code"] == "L004"
    }
    assert "lien symbolique" in messages[f"{FOLDER}/lien.yaml"]
    assert "sous-module" in messages[f"{FOLDER}/module"]
    assert "fichier spécial" in messages[f"{FOLDER}/tube.yaml"]


def test_a_linked_file_given_by_name_is_not_followed(workspace, cli) -> None:
    workspace.write(f"{FOLDER}/vrai.yaml", BASE_SERVICE_PROVIDER)
    (workspace.root / f"{FOLDER}/lien.yaml").symlink_to("vrai.yaml")
    result = cli("validate", "--format", "json", f"{FOLDER}/lien.yaml")
    assert result.exit_code == 1
    assert _codes(result) == [(f"{FOLDER}/lien.yaml", "L004")]
