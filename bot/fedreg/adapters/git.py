"""The git commands fedreg needs, run as subprocesses: the only module that talks to git."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FedregError, UsageError


class GitError(FedregError):
    pass


@dataclass(frozen=True)
class GitRepository:
    root: Path

    @classmethod
    def discover(cls, start: Path) -> GitRepository:
        output = _run(["git", "rev-parse", "--show-toplevel"], start, "pas de dépôt git ici")
        return cls(Path(output.decode().strip()))

    def git(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        return _run(["git", *args], self.root, f"git {args[0]} a échoué", stdin, env)

    def fetch(self, remote: str, refspecs: list[str], token: str | None = None) -> None:
        """Fetch `refspecs` from `remote` (objects and refs only: nothing is checked out).
        The token goes to git through its environment, never on a command line."""
        env = {}
        if token:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            env = {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
            }
        self.git("fetch", "--quiet", "--no-tags", "--", remote, *refspecs, env=env)

    def merge_tree(self, base: str, head: str) -> tuple[str, list[str]]:
        """The tree merging `head` into `base` would give, written to the object store only
        (no checkout, no hook run), and the conflicting paths (empty: a clean merge)."""
        process = subprocess.run(
            ["git", "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", base, head],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        if process.returncode not in (0, 1):
            detail = process.stderr.decode(errors="replace").strip()
            raise GitError(f"git merge-tree a échoué : {detail}")
        tree, *conflicts = [p.decode() for p in process.stdout.split(b"\0") if p]
        return tree, sorted(set(conflicts)) if process.returncode == 1 else []

    def worktree_tree(self) -> str:
        """A tree object of the checkout as the bot would see it once committed: the
        index's entries and modes (a gitlink, which has no file in the work tree, stays a
        gitlink), updated with the work tree's changes and untracked files. Written through
        a temporary copy of the index: the repository's own index is left alone."""
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            real_index = Path(self.git("rev-parse", "--git-path", "index").decode().strip())
            real_index = real_index if real_index.is_absolute() else self.root / real_index
            if real_index.is_file():
                shutil.copyfile(real_index, env["GIT_INDEX_FILE"])
            elif self.head_commit() is not None:
                self.git("read-tree", "HEAD", env=env)
            staged = self.git("ls-files", "--stage", "-z", env=env).split(b"\0")
            gitlinks = [e.split(b"\t", 1)[1].decode() for e in staged if e.startswith(b"160000 ")]
            keep = [f":(exclude,literal){path}" for path in gitlinks]
            self.git("add", "-A", "--", ".", *keep, env=env)
            return self.git("write-tree", env=env).decode().strip()

    def resolve(self, ref: str) -> str:
        """The commit id of `ref`; a usage error when there is none."""
        process = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        if process.returncode != 0:
            raise UsageError(f"révision git inconnue : {ref}")
        return process.stdout.decode().strip()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool | None:
        """Whether `descendant` descends from `ancestor` (or is it); None when either commit
        is unknown here (e.g. a shallow clone)."""
        process = subprocess.run(
            ["git", "merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return {0: True, 1: False}.get(process.returncode)

    def on_first_parent_history(self, commit: str, tip: str) -> bool | None:
        """Whether `commit` is `tip` or one of its first-parent ancestors (the commits a
        branch itself went through, not those its merges brought in); None when either is
        unknown here."""
        process = subprocess.run(
            ["git", "rev-list", "--first-parent", "--end-of-options", tip],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        target = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        if process.returncode != 0 or target.returncode != 0:
            return None
        return target.stdout.strip() in process.stdout.split()

    def resolve_tree(self, ref: str) -> str:
        """The tree id of a commit (or of a tree)."""
        return (
            self.git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{tree}}")
            .decode()
            .strip()
        )

    def head_commit(self) -> str | None:
        process = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return process.stdout.decode().strip() if process.returncode == 0 else None

    def is_dirty(self, under: str) -> bool:
        return bool(self.git("status", "--porcelain", "--", under).strip())


def _run(
    command: list[str],
    cwd: Path,
    failure: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> bytes:
    try:
        process = subprocess.run(
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except FileNotFoundError as error:
        raise GitError("git est introuvable : installez-le") from error
    if process.returncode != 0:
        detail = process.stderr.decode(errors="replace").strip()
        raise GitError(f"{failure} : {detail}")
    return process.stdout
