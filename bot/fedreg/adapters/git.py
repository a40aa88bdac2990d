"""The git commands fedreg needs, run as subprocesses: the only module that talks to git."""

from __future__ import annotations

import base64
import os
import re
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


GITLINK, TREE, NO_ENTRY = b"160000", b"040000", b"000000"
# An index entry: git mode and object id (None: no entry, the path is removed).
Staged = tuple[bytes, bytes] | None


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
        gitlink), updated with the work tree's changes and untracked files (ignored ones
        left out, as `git add -A` leaves them). A file the index hides from git (marked
        assume-unchanged or skip-worktree) is judged as it is on disk; one absent from disk
        (a sparse checkout) keeps its index entry, as a commit keeps it.

        Costs what changed, not the registry's size: one `git status` (a stat of each file,
        no content read) names the paths that differ from HEAD; only those are hashed (in a
        temporary index of their own, so that git applies its own rules: modes, links,
        filters), and HEAD's tree is rewritten along their folders only. A clean checkout is
        HEAD's tree. No index of the repository is read whole or written."""
        env = {
            "GIT_OPTIONAL_LOCKS": "0",  # `status` must not refresh the repository's index
            # fsmonitor off: judge what is on disk, not what a daemon last reported
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.fsmonitor",
            "GIT_CONFIG_VALUE_0": "false",
        }
        edits, on_disk = self._status(env)
        for path, entry in self._hidden_entries(env).items():
            # a gitlink has no file: the index's commit stays; so does the entry of a file
            # absent from disk (outside a sparse checkout's cone), which git keeps in a commit
            if entry[0] != GITLINK:
                edits[path] = entry
                if _present(self.root, path):
                    on_disk.add(path)
                else:
                    on_disk.discard(path)
        base = self.head_tree()
        if not edits and base is not None:
            return base
        edits.update(self._hashed(edits, on_disk, env))
        return self._edited_tree(base, edits)

    def _status(self, env: dict[str, str]) -> tuple[dict[bytes, Staged], set[bytes]]:
        """What `git status` says differs from HEAD: each path's index entry (None: not in
        the index), and which of them the work tree changes (modified, deleted, untracked,
        in conflict). A gitlink keeps its index entry: its folder is not hashed."""
        output = self.git(
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--ignore-submodules=dirty",
            env=env,
        )
        edits: dict[bytes, Staged] = {}
        on_disk: set[bytes] = set()
        for record in output.split(b"\0"):
            if record.startswith(b"? "):
                path = record[2:].rstrip(b"/")  # a nested repository ends with "/"
                edits[path] = None
                on_disk.add(path)
            elif record.startswith(b"u "):  # a conflict: the work tree's file resolves it
                path = record.split(b" ", 10)[10]
                edits[path] = None
                on_disk.add(path)
            elif record.startswith(b"1 "):  # 1 XY sub mH mI mW hH hI path
                _, xy, _, _, index_mode, tree_mode, _, index_oid, path = record.split(b" ", 8)
                edits[path] = None if index_mode == NO_ENTRY else (index_mode, index_oid)
                # a gitlink keeps the index's commit (no folder, or another commit checked
                # out in it); a file where a gitlink was is hashed, as `git add -A` stages it
                gitlink = index_mode == GITLINK and tree_mode in (GITLINK, NO_ENTRY)
                if xy[1:] != b"." and not gitlink:
                    on_disk.add(path)
        return edits, on_disk

    def _hidden_entries(self, env: dict[str, str]) -> dict[bytes, tuple[bytes, bytes]]:
        """The index entries marked assume-unchanged (a lowercase tag in `git ls-files -v`)
        or skip-worktree (`S`), which `git status` does not look at, by path."""
        tags = self.git("ls-files", "-v", "-z", env=env)
        entries = tags.count(b"\0")
        if tags.count(b"\0H ") + tags.startswith(b"H ") == entries:
            return {}  # the common case, without looking at each entry in Python
        hidden = {tag[2:] for tag in tags.split(b"\0") if tag[:1].islower() or tag[:1] == b"S"}
        found = {}
        for line in self.git("ls-files", "--stage", "-z", env=env).split(b"\0"):
            meta, _, path = line.partition(b"\t")
            if path in hidden:
                mode, oid, _ = meta.split(b" ")
                found[path] = (mode, oid)
        return found

    def _hashed(
        self, edits: dict[bytes, Staged], on_disk: set[bytes], env: dict[str, str]
    ) -> dict[bytes, Staged]:
        """The entries `git add` would give the work-tree paths `on_disk` (None: gone),
        computed by git in a temporary index holding only them, seeded with their entries
        in the repository's index (whose modes git keeps where the file system cannot
        tell, e.g. core.fileMode false)."""
        # A path gone from disk, or beyond a symbolic link (a folder become a link), is
        # removed, as `git add -A` removes it (`update-index` refuses a path beyond a link).
        present = sorted(path for path in on_disk if _present(self.root, path))
        if not present:
            return dict.fromkeys(on_disk)
        with tempfile.TemporaryDirectory() as folder:
            own = {**env, "GIT_INDEX_FILE": str(Path(folder) / "index")}
            seeds = b"".join(
                b"%s %s\t%s\0" % (entry[0], entry[1], path)
                for path in present
                if (entry := edits[path]) is not None
            )
            if seeds:
                self.git("update-index", "-z", "--index-info", stdin=seeds, env=own)
            paths = b"".join(path + b"\0" for path in present)
            self.git(
                "update-index",
                "--add",
                "--remove",
                "--replace",
                "-z",
                "--stdin",
                stdin=paths,
                env=own,
            )
            listed = self.git("ls-files", "--stage", "-z", env=own)
        hashed: dict[bytes, Staged] = dict.fromkeys(on_disk)
        for line in listed.split(b"\0"):
            if line:
                meta, _, path = line.partition(b"\t")
                mode, oid, _ = meta.split(b" ")
                hashed[path] = (mode, oid)
        return hashed

    def _edited_tree(self, tree: str | None, edits: dict[bytes, Staged]) -> str:
        """`tree` (None: empty) with each path of `edits` set to its entry or removed
        (None), written with `git mktree` along the edited folders only."""
        edited = self._edited_folder(tree, edits)
        return edited if edited is not None else self.git("mktree").decode().strip()

    def _edited_folder(self, tree: str | None, edits: dict[bytes, Staged]) -> str | None:
        """One folder of `_edited_tree`; None when nothing is left in it (git keeps no empty
        folder). The folder's listing is kept as git gave it (a registry folder may hold
        tens of thousands of entries) and only the edited names are cut out or added: a file
        where a folder was, or the reverse, ends as the work tree has it."""
        listing = self.git("ls-tree", "-z", tree) if tree is not None else b""
        files: dict[bytes, Staged] = {}
        folders: dict[bytes, dict[bytes, Staged]] = {}
        for path, entry in edits.items():
            name, slash, rest = path.partition(b"/")
            if slash:
                folders.setdefault(name, {})[rest] = entry
            else:
                files[name] = entry
        cuts: list[tuple[int, int]] = []
        added: list[bytes] = []
        for name in files.keys() | folders.keys():
            current = _tree_entry(listing, name)
            new = files.get(name)
            if new is None and name in folders:
                subtree = current[3].decode() if current and current[2] == TREE else None
                edited = self._edited_folder(subtree, folders[name])
                if edited is not None:
                    new = (TREE, edited.encode())
                elif subtree is None and name not in files:
                    continue  # only removals of paths it does not hold: left as it is
            if current is not None:
                cuts.append(current[:2])
            if new is not None:
                added.append(_tree_record(name, new))
        records, position = [], 0
        for start, end in sorted(cuts):
            records.append(listing[position:start])
            position = end
        records += [listing[position:], *added]
        listed = b"".join(records)
        if not listed:
            return None
        # --missing: every object is known to exist (listed, just hashed, or the index's);
        # checking 40,000 of them again would cost more than the rest
        return self.git("mktree", "-z", "--missing", stdin=listed).decode().strip()

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

    def head_tree(self) -> str | None:
        """The tree of HEAD; None before the first commit."""
        return self._verified("HEAD^{tree}")

    def head_commit(self) -> str | None:
        return self._verified("HEAD")

    def _verified(self, revision: str) -> str | None:
        process = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", revision],
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


def _present(root: Path, path: bytes) -> bool:
    """Whether the work tree holds `path` as git sees it: every folder on the way a real
    folder (not a symbolic link), and something at the path itself."""
    *folders, name = path.split(b"/")
    here = os.fsencode(root)
    for folder in folders:
        here = os.path.join(here, folder)
        if os.path.islink(here) or not os.path.isdir(here):
            return False
    return os.path.lexists(os.path.join(here, name))


# What `git ls-tree -z` writes before a name: "<mode> <type> <object id>\t".
_TREE_RECORD_HEAD = re.compile(rb"([0-7]{6}) (?:blob|tree|commit) ([0-9a-f]{40,64})")
_KIND_BY_MODE = {TREE: b"tree", GITLINK: b"commit"}


def _tree_record(name: bytes, entry: tuple[bytes, bytes]) -> bytes:
    """One entry as `git ls-tree -z` lists it and `git mktree -z` reads it."""
    mode, oid = entry
    return b"%s %s %s\t%s\0" % (mode, _KIND_BY_MODE.get(mode, b"blob"), oid, name)


def _tree_entry(listing: bytes, name: bytes) -> tuple[int, int, bytes, bytes] | None:
    """Where `name`'s record is in a `git ls-tree -z` listing (start, end), its mode and
    object id; None when the folder has no such entry. A name may hold a tab: a match is
    kept only when what precedes it, back to the record's start, is a whole record head."""
    needle = b"\t" + name + b"\0"
    at = listing.find(needle)
    while at != -1:
        start = listing.rfind(b"\0", 0, at) + 1
        head = _TREE_RECORD_HEAD.fullmatch(listing, start, at)
        if head is not None:
            return start, at + len(needle), head[1], head[2]
        at = listing.find(needle, at + 1)
    return None
