"""The git commands fedreg needs, run as subprocesses: the only module that talks to git."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import FedregError, UsageError


class GitError(FedregError):
    pass


@dataclass(frozen=True)
class GitRepository:
    root: Path

    @classmethod
    def discover(cls, start: Path) -> GitRepository:
        output = _run(["git", "rev-parse", "--show-toplevel"], start, "pas de dépôt git ici")
        return cls(Path(output.decode().strip()))

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return _run(["git", *args], self.root, f"git {args[0]} a échoué", stdin)

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

    def head_commit(self) -> str | None:
        process = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return process.stdout.decode().strip() if process.returncode == 0 else None

    def changed_paths(self, base: str, head: str | None, under: str) -> list[str]:
        """Paths under `under` that differ between `base` and `head` (None: the working tree,
        untracked files included). Git's own rename detection is off: renames are found from
        file content, by provider identity."""
        args = ["diff", "--name-only", "--no-renames", "-z", base]
        if head is not None:
            args.append(head)
        paths = set(_split_z(self.git(*args, "--", under)))
        if head is None:
            paths.update(
                _split_z(self.git("ls-files", "--others", "--exclude-standard", "-z", "--", under))
            )
        return sorted(paths)

    def is_dirty(self, under: str) -> bool:
        return bool(self.git("status", "--porcelain", "--", under).strip())

    def list_files(self, commit: str, under: str) -> list[str]:
        return sorted(_split_z(self.git("ls-tree", "-r", "-z", "--name-only", commit, "--", under)))

    def read_files(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
        """The content of each (commit, path) (None where the path does not exist at that
        commit), all read in one `git cat-file --batch` call."""
        if not wanted:
            return {}
        request = "".join(f"{commit}:{path}\n" for commit, path in wanted).encode()
        output = self.git("cat-file", "--batch", stdin=request)
        contents: dict[tuple[str, str], bytes | None] = {}
        position = 0
        for key in wanted:
            end = output.index(b"\n", position)
            header = output[position:end].split()
            position = end + 1
            if header[-1] == b"missing":
                contents[key] = None
                continue
            size = int(header[2])
            contents[key] = output[position : position + size] if header[1] == b"blob" else None
            position += size + 1
        return contents


def _split_z(output: bytes) -> list[str]:
    return [part.decode() for part in output.split(b"\0") if part]


def _run(command: list[str], cwd: Path, failure: str, stdin: bytes | None = None) -> bytes:
    try:
        process = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as error:
        raise GitError("git est introuvable : installez-le") from error
    if process.returncode != 0:
        detail = process.stderr.decode(errors="replace").strip()
        raise GitError(f"{failure} : {detail}")
    return process.stdout
