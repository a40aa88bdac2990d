"""The git adapter against real repositories: the working tree written as a tree object."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from conftest import GitWorkspace
from fedreg.adapters.git import GitRepository


def fresh_index_tree(repo: GitWorkspace) -> str:
    """The working tree's tree as a fresh index gives it (every file hashed): the oracle."""
    with tempfile.TemporaryDirectory() as folder:  # outside the working tree
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index"), "PATH": "/usr/bin:/bin"}

        def git(*args: str) -> str:
            return subprocess.run(
                ["git", *args], cwd=repo.root, env=env, capture_output=True, text=True, check=True
            ).stdout.strip()

        if (repo.root / ".git/index").exists():
            git("read-tree", "HEAD")
        git("add", "-A", "--", ".")
        return git("write-tree")


def paths_in(repo: GitWorkspace, tree: str) -> dict[str, str]:
    listing = repo.git("ls-tree", "-r", tree).splitlines()
    return {line.split("\t")[1]: line.split()[2] for line in listing}


def test_worktree_tree_sees_every_kind_of_change(repo: GitWorkspace) -> None:
    for name in ("kept", "edited", "deleted", "staged", "racy"):
        repo.write(f"registry/{name}.yaml", f"name: {name}\n")
    repo.commit("base")
    repo.write("registry/edited.yaml", "name: edited again\n")
    (repo.root / "registry/deleted.yaml").unlink()
    repo.write("registry/staged.yaml", "name: staged, then edited\n")
    repo.git("add", "registry/staged.yaml")
    repo.write("registry/staged.yaml", "name: staged, then changed again\n")
    repo.write("registry/racy.yaml", "name: ycar\n")  # same size, same second as the commit
    repo.write("registry/untracked.yaml", "name: new\n")
    own_index = (repo.root / ".git/index").read_bytes()

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    contents = {path: repo.git("cat-file", "-p", oid) for path, oid in paths_in(repo, tree).items()}
    assert contents == {
        "registry/kept.yaml": "name: kept",
        "registry/edited.yaml": "name: edited again",
        "registry/staged.yaml": "name: staged, then changed again",
        "registry/racy.yaml": "name: ycar",
        "registry/untracked.yaml": "name: new",
    }
    assert (repo.root / ".git/index").read_bytes() == own_index  # left alone


def test_an_index_hiding_a_change_is_not_trusted(repo: GitWorkspace) -> None:
    """An operator's slip (assume-unchanged, skip-worktree) must not hide a change from the
    dry run: the change is judged as it is on disk."""
    repo.write("registry/a.yaml", "name: a\n")
    repo.write("registry/b.yaml", "name: b\n")
    repo.commit("base")
    repo.git("update-index", "--assume-unchanged", "registry/a.yaml")
    repo.git("update-index", "--skip-worktree", "registry/b.yaml")
    repo.write("registry/a.yaml", "name: changed a\n")
    repo.write("registry/b.yaml", "name: changed b\n")

    tree = GitRepository(repo.root).worktree_tree()

    contents = {path: repo.git("cat-file", "-p", oid) for path, oid in paths_in(repo, tree).items()}
    assert contents == {"registry/a.yaml": "name: changed a", "registry/b.yaml": "name: changed b"}


def test_worktree_tree_of_a_repository_without_commit(repo: GitWorkspace) -> None:
    repo.write("registry/first.yaml", "name: first\n")
    tree = GitRepository(repo.root).worktree_tree()
    assert tree == fresh_index_tree(repo)
    assert list(paths_in(repo, tree)) == ["registry/first.yaml"]
    assert not (repo.root / ".git/index").exists()


def test_a_staged_gitlink_stays_when_the_index_hides_a_file(repo: GitWorkspace) -> None:
    """Both at once: the index's own entries and modes are kept (a gitlink has no file to
    add), and a file it marks assume-unchanged is still judged as it is on disk."""
    repo.write("registry/a.yaml", "name: a\n")
    repo.commit("base")
    repo.git("update-index", "--assume-unchanged", "registry/a.yaml")
    repo.write("registry/a.yaml", "name: changed a\n")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},registry/sub")

    tree = GitRepository(repo.root).worktree_tree()

    assert f"160000 commit {commit}\tregistry/sub" in repo.git("ls-tree", "-r", tree)
    oid = paths_in(repo, tree)["registry/a.yaml"]
    assert repo.git("cat-file", "-p", oid) == "name: changed a"
