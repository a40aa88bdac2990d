"""The git commands fedreg needs, run as subprocesses: the only module that talks to git."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import FedregError, UsageError


class GitError(FedregError):
    pass


class GitTimeout(GitError):
    """A git command stopped (with every process it started) past its time limit."""


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

    def fetch(
        self,
        remote: str,
        refspecs: list[str],
        token: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Fetch `refspecs` from `remote` (objects and refs only: nothing is checked out).
        The token goes to git through its environment, never on a command line. Past
        `timeout` seconds, git and every process it started are stopped (`GitTimeout`)."""
        env = {}
        if token:
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            env = {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
            }
        command = ["git", "fetch", "--quiet", "--no-tags", "--", remote, *refspecs]
        _run(command, self.root, "git fetch a échoué", env=env, timeout=timeout)

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
        a temporary copy of the index: the repository's own index is left alone.

        The copy keeps the index's modification time, so git's racy-entry check behaves as
        on the original: `git add -A` then re-hashes only the files whose stat data changed,
        not the whole tree. A file the index hides from `add` (assume-unchanged,
        skip-worktree) has its mark cleared in the copy: it is judged as it is on disk."""
        with tempfile.TemporaryDirectory() as folder:
            index = Path(folder) / "index"
            # fsmonitor off: its answers belong to the repository's own index
            env = {
                "GIT_INDEX_FILE": str(index),
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "core.fsmonitor",
                "GIT_CONFIG_VALUE_0": "false",
            }
            own = Path(
                self.git("rev-parse", "--path-format=absolute", "--git-path", "index")
                .decode()
                .strip()
            )
            if own.is_file():
                shutil.copy2(own, index)
                hidden = b"".join(path + b"\0" for path in self._hidden_files(env))
                # one mark per call: update-index applies only the first one given
                for unmark in ("--no-assume-unchanged", "--no-skip-worktree") if hidden else ():
                    self.git("update-index", unmark, "-z", "--stdin", stdin=hidden, env=env)
            elif self.head_commit() is not None:
                self.git("read-tree", "HEAD", env=env)
            staged = self.git("ls-files", "--stage", "-z", env=env).split(b"\0")
            gitlinks = [e.split(b"\t", 1)[1].decode() for e in staged if e.startswith(b"160000 ")]
            keep = [f":(exclude,literal){path}" for path in gitlinks]
            self.git("add", "-A", "--", ".", *keep, env=env)
            return self.git("write-tree", env=env).decode().strip()

    def _hidden_files(self, env: dict[str, str]) -> list[bytes]:
        """The paths the index in `env` marks assume-unchanged (a lowercase tag in
        `git ls-files -v`) or skip-worktree (`S`): `git add` would not look at them."""
        tags = self.git("ls-files", "-v", "-z", env=env).split(b"\0")
        return [tag[2:] for tag in tags if tag and (tag[:1].islower() or tag[:1] == b"S")]

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
    timeout: float | None = None,
) -> bytes:
    try:
        # its own process group: a timeout stops git's helpers (ssh, upload-pack) too
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env} if env else None,
            start_new_session=timeout is not None,
        )
    except FileNotFoundError as error:
        raise GitError("git est introuvable : installez-le") from error
    try:
        stdout, stderr = process.communicate(stdin, timeout)
    except subprocess.TimeoutExpired as error:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:  # unread: a helper outside the group may still hold it
                pipe.close()
        raise GitTimeout(f"{failure} : pas de réponse en {timeout:g} s") from error
    if process.returncode != 0:
        detail = stderr.decode(errors="replace").strip()
        raise GitError(f"{failure} : {detail}")
    return stdout
