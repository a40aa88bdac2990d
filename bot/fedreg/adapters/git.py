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
        gitlink), updated with the work tree's changes and untracked files (ignored ones
        left out, as `git add -A` leaves them). A file the index hides from git (marked
        assume-unchanged or skip-worktree) is judged as it is on disk.

        Costs what changed, not the registry's size: one `git status` (a stat of each file,
        no content read) names the changed paths; a clean checkout is its HEAD's tree, and
        otherwise only those paths are hashed, into a temporary copy of the index that is
        then written as a tree. The repository's own index is never written."""
        env = {
            "GIT_OPTIONAL_LOCKS": "0",  # `status` must not refresh the repository's index
            # fsmonitor off: judge what is on disk, not what a daemon last reported
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.fsmonitor",
            "GIT_CONFIG_VALUE_0": "false",
        }
        hidden = self._hidden_files(env)
        changed, index_differs = self._status(env)
        head = self.head_commit()
        if not changed and not hidden and not index_differs and head is not None:
            return self.resolve_tree(head)
        with tempfile.TemporaryDirectory() as folder:
            index = Path(folder) / "index"
            own = Path(
                self.git("rev-parse", "--path-format=absolute", "--git-path", "index")
                .decode()
                .strip()
            )
            copy = {**env, "GIT_INDEX_FILE": str(index)}
            if own.is_file():
                shutil.copy2(own, index)
            elif head is not None:
                self.git("read-tree", head, env=copy)
            if hidden:
                listed = b"".join(path + b"\0" for path in hidden)
                # one mark per call: update-index applies only the first one given
                for unmark in ("--no-assume-unchanged", "--no-skip-worktree"):
                    self.git("update-index", unmark, "-z", "--stdin", stdin=listed, env=copy)
                changed |= set(hidden) - self._gitlinks(hidden, copy)
            if changed:
                paths = b"".join(path + b"\0" for path in sorted(changed))
                self.git(
                    "update-index", "--add", "--remove", "-z", "--stdin", stdin=paths, env=copy
                )
            return self.git("write-tree", env=copy).decode().strip()

    def _hidden_files(self, env: dict[str, str]) -> list[bytes]:
        """The paths the index marks assume-unchanged (a lowercase tag in `git ls-files -v`)
        or skip-worktree (`S`): `git status` and `git add` would not look at them."""
        tags = self.git("ls-files", "-v", "-z", env=env)
        entries = tags.count(b"\0")
        if tags.count(b"\0H ") + tags.startswith(b"H ") == entries:
            return []  # the common case, without looking at each entry in Python
        return [tag[2:] for tag in tags.split(b"\0") if tag[:1].islower() or tag[:1] == b"S"]

    def _gitlinks(self, paths: list[bytes], env: dict[str, str]) -> set[bytes]:
        """Which of `paths` the index in `env` holds as gitlinks."""
        listed = self.git(
            "ls-files",
            "--stage",
            "-z",
            "--",
            *(p.decode() for p in paths),
            env={**env, "GIT_LITERAL_PATHSPECS": "1"},
        )
        return {e.split(b"\t", 1)[1] for e in listed.split(b"\0") if e.startswith(b"160000 ")}

    def _status(self, env: dict[str, str]) -> tuple[set[bytes], bool]:
        """The paths whose work-tree content differs from the index (modified, deleted,
        untracked, unmerged), gitlinks left out (the index's commit stays); and whether the
        index itself differs from HEAD (something staged)."""
        output = self.git(
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--ignore-submodules=dirty",
            env=env,
        )
        changed: set[bytes] = set()
        staged = False
        for record in output.split(b"\0"):
            if record.startswith(b"? "):
                changed.add(record[2:].rstrip(b"/"))  # a nested repository ends with "/"
            elif record.startswith(b"u "):  # a conflict: the work tree's file resolves it
                staged = True
                changed.add(record.split(b" ", 10)[10])
            elif record.startswith(b"1 "):  # 1 XY sub mH mI mW hH hI path
                fields = record.split(b" ", 8)
                staged = staged or fields[1][:1] != b"."
                if fields[1][1:] != b"." and fields[4] != b"160000":
                    changed.add(fields[8])
        return changed, staged

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
