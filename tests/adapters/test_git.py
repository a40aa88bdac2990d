"""The git adapter against real repositories: the working tree written as a tree object."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

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

        head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=repo.root)
        if head.returncode == 0:
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


def test_worktree_tree_matches_a_fresh_index_for_every_kind_of_entry(repo: GitWorkspace) -> None:
    """Only the paths `git status` names are hashed again: the tree must still be the one a
    fresh index gives, whatever the change (modes, links, folders, ignore rules, odd names)."""
    repo.write(".gitignore", "*.tmp\nbuild/\n")
    for name in ("script", "plain", "to-link", "unstaged-removal"):
        repo.write(f"registry/{name}.yaml", f"name: {name}\n")
    repo.write("registry/tracked.tmp", "tracked though ignored\n")
    repo.git("add", "-A")
    repo.git("add", "-f", "registry/tracked.tmp")
    repo.git("commit", "-q", "-m", "base")
    (repo.root / "registry/script.yaml").chmod(0o755)  # a mode change alone
    (repo.root / "registry/to-link.yaml").unlink()
    (repo.root / "registry/to-link.yaml").symlink_to("plain.yaml")  # a file become a link
    repo.git("rm", "-q", "--cached", "registry/unstaged-removal.yaml")  # untracked again
    repo.write("registry/tracked.tmp", "changed, still tracked\n")
    repo.write("registry/new folder/é l'espace.yaml", "name: odd name\n")
    repo.write("registry/scratch.tmp", "ignored\n")
    repo.write("build/out.yaml", "ignored\n")
    repo.write("registry/intent.yaml", "name: intent\n")
    repo.git("add", "-N", "registry/intent.yaml")
    nested = repo.root / "registry/nested"
    nested.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=nested, check=True)
    (nested / "x").write_text("x\n")
    subprocess.run(["git", "add", "x"], cwd=nested, check=True)
    subprocess.run(
        ["git", "-c", "user.email=n@n.invalid", "-c", "user.name=n", "commit", "-qm", "x"],
        cwd=nested,
        check=True,
    )

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    listing = repo.git("ls-tree", "-r", tree)
    assert "100755 blob" in listing.split("registry/script.yaml")[0].splitlines()[-1]
    assert "120000 blob" in listing.split("registry/to-link.yaml")[0].splitlines()[-1]
    assert "160000 commit" in listing.split("registry/nested")[0].splitlines()[-1]
    assert "registry/scratch.tmp" not in listing and "build/" not in listing
    assert repo.git("cat-file", "-p", f"{tree}:registry/tracked.tmp") == "changed, still tracked"


def test_a_conflict_is_judged_as_the_work_tree_resolves_it(repo: GitWorkspace) -> None:
    repo.write("registry/a.yaml", "name: a\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    repo.write("registry/a.yaml", "name: other\n")
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.write("registry/a.yaml", "name: main\n")
    repo.commit("main")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo.root, capture_output=True)
    assert merge.returncode != 0  # a conflict, left in the index's stages
    repo.write("registry/a.yaml", "name: resolved\n")

    tree = GitRepository(repo.root).worktree_tree()

    assert repo.git("cat-file", "-p", f"{tree}:registry/a.yaml") == "name: resolved"
    assert tree == fresh_index_tree(repo)


def traced(repo: GitWorkspace, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """The tree `worktree_tree` gives, and the git commands it runs (git's own trace)."""
    trace = repo.root.parent / "trace.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
    tree = GitRepository(repo.root).worktree_tree()
    monkeypatch.delenv("GIT_TRACE2_EVENT")
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    return tree, [e["argv"][1] for e in events if e["event"] == "start"]


# Commands that read or write a whole index: `add -A` stats every file and may hash any.
WHOLE_INDEX = {"add", "write-tree", "read-tree", "commit", "stash"}


def test_a_clean_checkout_is_its_head_tree_without_writing_an_index(
    repo: GitWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(20):
        repo.write(f"registry/p{index}.yaml", f"name: p{index}\n")
    repo.commit("base")

    tree, commands = traced(repo, monkeypatch)

    assert tree == repo.git("rev-parse", "HEAD^{tree}")
    assert not {"update-index", "mktree", *WHOLE_INDEX} & set(commands)


def test_a_change_is_written_along_its_folders_only(
    repo: GitWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The changed path alone is hashed (in a temporary index of its own), and HEAD's tree
    is rewritten along its folders: no command goes through every file."""
    for index in range(20):
        repo.write(f"registry/p{index}.yaml", f"name: p{index}\n")
    repo.write("other/kept.yaml", "name: kept\n")
    repo.commit("base")
    repo.write("registry/p3.yaml", "name: changed\n")

    tree, commands = traced(repo, monkeypatch)

    assert not WHOLE_INDEX & set(commands)
    assert commands.count("mktree") == 2  # registry/ and the root; other/ is not listed
    assert repo.git("cat-file", "-p", f"{tree}:registry/p3.yaml") == "name: changed"
    assert tree == fresh_index_tree(repo)


def test_folders_and_files_trade_places_as_in_the_work_tree(repo: GitWorkspace) -> None:
    """A file where a folder was, a folder where a file was, a folder emptied, staged-only
    changes, git's filters and a mode git keeps when the file system cannot tell."""
    repo.write(".gitattributes", "*.txt text eol=lf\n")
    repo.write("registry/was-folder/a.yaml", "name: a\n")
    repo.write("registry/was-file", "name: file\n")
    repo.write("registry/emptied/only.yaml", "name: only\n")
    repo.write("registry/staged.yaml", "name: staged\n")
    repo.write("registry/staged-removal.yaml", "name: gone\n")
    repo.write("registry/tool", "#!/bin/sh\n")
    (repo.root / "registry/tool").chmod(0o755)
    repo.commit("base")
    repo.git("config", "core.fileMode", "false")
    (repo.root / "registry/tool").chmod(0o644)  # not a change where modes are not trusted
    repo.write("registry/tool", "#!/bin/sh\nexit 0\n")
    (repo.root / "registry/was-folder/a.yaml").unlink()
    (repo.root / "registry/was-folder").rmdir()
    repo.write("registry/was-folder", "name: now a file\n")
    (repo.root / "registry/was-file").unlink()
    repo.write("registry/was-file/inside.yaml", "name: now a folder\n")
    (repo.root / "registry/emptied/only.yaml").unlink()
    repo.write("registry/staged.yaml", "name: staged change\n")
    repo.git("add", "registry/staged.yaml")
    repo.git("rm", "-q", "registry/staged-removal.yaml")
    (repo.root / "registry/notes.txt").write_bytes(b"crlf\r\nline\r\n")

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    listing = paths_in(repo, tree)
    assert sorted(listing) == [
        ".gitattributes",
        "registry/notes.txt",
        "registry/staged.yaml",
        "registry/tool",
        "registry/was-file/inside.yaml",
        "registry/was-folder",
    ]
    assert repo.git("cat-file", "-p", listing["registry/notes.txt"]) == "crlf\nline"
    assert "100755 blob" in repo.git("ls-tree", tree, "registry/tool")


def test_a_repository_without_commit_with_staged_files(repo: GitWorkspace) -> None:
    repo.write("registry/staged.yaml", "name: staged\n")
    repo.git("add", "registry/staged.yaml")
    repo.write("registry/staged.yaml", "name: staged then changed\n")
    repo.write("registry/untracked.yaml", "name: untracked\n")

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    assert sorted(paths_in(repo, tree)) == ["registry/staged.yaml", "registry/untracked.yaml"]


def test_a_file_where_a_gitlink_was_is_judged_as_git_add_would_stage_it(
    repo: GitWorkspace,
) -> None:
    """A partner replaces a committed gitlink by a registry file: `git add -A` stages the
    file, so the dry run must judge it, not the index's gitlink."""
    repo.write("registry/a.yaml", "name: a\n")
    repo.git("add", "-A")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},registry/sub.yaml")
    repo.git("commit", "-q", "-m", "base")
    repo.write("registry/sub.yaml", "name: slipped past the dry run\n")

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    assert repo.git("cat-file", "-p", f"{tree}:registry/sub.yaml") == (
        "name: slipped past the dry run"
    )


def test_a_folder_become_a_link_and_a_link_become_a_folder(repo: GitWorkspace) -> None:
    """A folder replaced by a symbolic link (its files now beyond a link, which `git add -A`
    removes) and a link replaced by a folder: the dry run judges what git would commit, and
    does not fail on a path `update-index` refuses."""
    repo.write("registry/d/a.yaml", "name: a\n")
    repo.write("registry/e/b.yaml", "name: b\n")
    (repo.root / "registry/l").symlink_to("d")
    repo.commit("base")
    (repo.root / "registry/l").unlink()
    repo.write("registry/l/z.yaml", "name: z\n")
    (repo.root / "registry/d/a.yaml").unlink()
    (repo.root / "registry/d").rmdir()
    (repo.root / "registry/d").symlink_to("e")  # registry/d/b.yaml now exists through it
    repo.write("registry/e/b.yaml", "name: b changed\n")

    tree = GitRepository(repo.root).worktree_tree()

    assert tree == fresh_index_tree(repo)
    listing = repo.git("ls-tree", "-r", tree)
    assert "120000 blob" in listing.split("registry/d")[0].splitlines()[-1]
    assert sorted(paths_in(repo, tree)) == ["registry/d", "registry/e/b.yaml", "registry/l/z.yaml"]


def test_a_sparse_checkout_keeps_the_files_it_does_not_check_out(repo: GitWorkspace) -> None:
    """A partner's dry run in a sparse checkout (as the bot's own jobs check out): the
    registry files outside the cone are absent from disk but in every commit, so the dry run
    judges them as they are (a deletion would hide their clashes); a hidden file present on
    disk is still judged as it is there."""
    repo.write("registry/integration/a.yaml", "name: a\n")
    repo.write("registry/production/b.yaml", "name: b\n")
    repo.write("bot/code.py", "x = 1\n")
    repo.commit("base")
    repo.git("sparse-checkout", "set", "bot")
    assert not (repo.root / "registry").exists()
    repo.write("bot/code.py", "x = 2\n")

    tree = GitRepository(repo.root).worktree_tree()

    head = repo.git("rev-parse", "HEAD^{tree}")
    assert paths_in(repo, tree) == {
        **paths_in(repo, head),
        "bot/code.py": paths_in(repo, tree)["bot/code.py"],
    }
    assert repo.git("cat-file", "-p", f"{tree}:bot/code.py") == "x = 2"
    repo.git("add", "-A")  # what a commit would hold
    assert tree == repo.git("write-tree")
