"""The single reader on the working tree: only regular files are registry files, the same rule
as for git trees (links, submodules and special files are L004, never followed)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import BASE_SERVICE_PROVIDER, edited
from fedreg.adapters.git import GitRepository
from fedreg.registry.snapshot import entries_at, worktree_entries, worktree_paths

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


def test_entries_at_lists_only_the_paths_asked_for(repo) -> None:
    """The owners of a pull request's files, read without listing the whole tree: paths
    taken literally (a glob matches nothing else), folders and absent paths left out."""
    repo.write("registry/production/service-providers/a.yaml", "name: a\n")
    repo.write("registry/production/service-providers/b.yaml", "name: b\n")
    repo.write("registry/production/service-providers/[ab].yaml", "name: crochets\n")
    os.symlink("a.yaml", repo.root / "registry/production/service-providers/lien.yaml")
    repo.commit("files")
    folder = "registry/production/service-providers"
    found = entries_at(
        GitRepository(repo.root),
        "HEAD",
        [f"{folder}/[ab].yaml", f"{folder}/lien.yaml", folder, f"{folder}/absent.yaml"],
    )
    assert [(e.path, e.mode) for e in found] == [
        (f"{folder}/[ab].yaml", "100644"),
        (f"{folder}/lien.yaml", "120000"),
    ]
    assert entries_at(GitRepository(repo.root), "HEAD", []) == []


def _walked_as_paths(paths: list[Path]) -> list[Path]:
    """The walk `worktree_paths` made before it worked on text: path objects, sorted as such."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, files in os.walk(path):
                kept = []
                for name in dirs:
                    sub = Path(folder) / name
                    if sub.is_symlink() or (sub / ".git").exists():
                        found.add(sub)
                    elif not name.startswith("."):
                        kept.append(name)
                dirs[:] = kept
                for name in files:
                    file = Path(folder) / name
                    if (
                        not (name.startswith(".") or name.endswith(".md"))
                        or not file.is_file()
                        or file.is_symlink()
                    ):
                        found.add(file)
        else:
            found.add(path)
    return sorted(found)


def test_the_walk_on_text_finds_and_orders_as_paths(workspace) -> None:
    names = ["a", "a-b", "a.b", "a b", "A", "é", "a0", "_x", "-y", "a.yaml", ".hidden", "n.md"]
    for folder in ("registry/production/service-providers", "registry/x-y", "registry/x/y"):
        for name in names:
            workspace.write(f"{folder}/{name}", "kind: ServiceProvider\n")
            workspace.write(f"{folder}/{name}-d/{name}", "kind: ServiceProvider\n")
    (workspace.root / "registry/.git-like").mkdir()
    (workspace.root / "registry/sub/.git").mkdir(parents=True)
    os.symlink(workspace.root / "registry/x", workspace.root / "registry/link")
    os.symlink(workspace.root / "registry/x-y/a", workspace.root / "registry/x-y/.dot-link")
    given_sets = [
        [Path("registry")],
        [Path("./registry/")],
        [Path("."), Path("registry/x/y/a")],
        [workspace.root / "registry", Path("registry/x-y")],
        [Path("registry/x"), Path("registry/x-y/a"), Path("registry/link")],
    ]
    for given in given_sets:
        expected = _walked_as_paths(given)
        assert worktree_paths(given) == expected
        assert worktree_entries(given) == [str(path) for path in expected]
        assert len(expected) > 10
