"""The cross-file keys of every registry file of one tree, in SQLite, kept in step by git diffs.

What the bot needs to check a pull request against the whole registry without re-reading it:
for each regular file of the tree last synced, its blob id and a 64-bit hash of each of its
cross-file keys (client_id, uid, name, routed domains: the key includes the environment, and
what the folder says), and the holders of each hash. Moving the index to another tree costs
one `git diff --raw` and the changed files only; the first sync reads everything once.

Small on purpose (about 150 bytes a file): paths are stored as folder and name, keys as
hashes. A hash only says where to look: every clash it suggests is confirmed by reading the
other file (one blob) and comparing the real keys, so that a collision can neither invent nor
hide a clash (equal keys always have equal hashes). The hashes held by more than one file are
kept in step with every move, so that the clashes a tree already has are known without a scan.

The file is restored between workflow runs (actions/cache): it holds only data derived from
git objects, and a mismatching version or a tree git no longer has rebuilds it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import __version__
from ..adapters.git import GitError, GitRepository
from ..diagnostics import Finding
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.snapshot import (
    Change,
    Entry,
    changes,
    git_documents,
    is_git_config,
    read_entries,
    tree_entries,
)
from ..validation.checks.crossfile import clash, cross_keys, label, shared_domain
from ..validation.engine import collector_paused

FORMAT = f"3:{__version__}"  # bump when cross_keys changes what it yields
WARNING_CODE = "D006"  # a key files may share, with a warning naming every other holder
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, folder INTEGER NOT NULL, name TEXT NOT NULL, oid BLOB NOT NULL,
    hashes BLOB NOT NULL, UNIQUE (folder, name));
CREATE TABLE IF NOT EXISTS keys (
    hash INTEGER NOT NULL, file INTEGER NOT NULL, warning INTEGER NOT NULL,
    PRIMARY KEY (hash, file)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shared (hash INTEGER PRIMARY KEY) WITHOUT ROWID;
"""
_HASH_BYTES = 8


def key_hash(code: str, key: str, size: int = _HASH_BYTES) -> int:
    """A rule's key as a signed integer of `size` bytes (SQLite's INTEGER holds 8)."""
    digest = hashlib.blake2b(f"{code}\0{key}".encode(), digest_size=size).digest()
    return int.from_bytes(digest, "big", signed=True)


def _packed(hashes: Iterable[int]) -> bytes:
    return b"".join(h.to_bytes(_HASH_BYTES, "big", signed=True) for h in hashes)


def _unpacked(packed: bytes) -> list[int]:
    return [
        int.from_bytes(packed[i : i + _HASH_BYTES], "big", signed=True)
        for i in range(0, len(packed), _HASH_BYTES)
    ]


class CrossIndex:
    def __init__(self, path: Path | None, hash_bytes: int = _HASH_BYTES) -> None:
        """`path` None: in memory only (every run is cold). `hash_bytes` below 8 makes
        collisions frequent (the tests' way to show they change nothing)."""
        self.hash_bytes = hash_bytes
        self.format = f"{FORMAT}:{hash_bytes}"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(":memory:" if path is None else str(path))
        try:
            self._open()
        except sqlite3.DatabaseError:  # not a database (a damaged cache): start over
            self.db.close()
            if path is not None:
                path.unlink()
            self.db = sqlite3.connect(":memory:" if path is None else str(path))
            self._open()
        self.files_read = 0  # how many blobs this index had to parse (for the benchmark)
        self.files_confirmed = 0  # how many other files were read to confirm a clash
        self._folders: dict[str, int] = {}

    def _open(self) -> None:
        if self._meta_or_none("format") != self.format:
            self.db.executescript(
                "DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS folders; "
                "DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS keys; "
                "DROP TABLE IF EXISTS shared; DROP TABLE IF EXISTS blobs;"
            )
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT INTO meta VALUES ('format', ?)", (self.format,))
            self.db.commit()
            self.db.execute("VACUUM")  # what an older format left behind

    def _meta_or_none(self, name: str) -> str | None:
        try:
            return self._meta(name)
        except sqlite3.OperationalError:  # no meta table yet
            return None

    def close(self) -> None:
        self.db.close()

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def sync(self, repo: GitRepository, tree: str) -> None:
        """Make the stored index describe `tree`: incrementally from the tree it describes,
        else from scratch."""
        self._move(repo, tree)
        self.db.commit()

    def _move(self, repo: GitRepository, tree: str, known: list[Change] | None = None) -> None:
        """`known`: the changes from the tree the index describes to `tree`, when the caller
        has them already (they are not asked of git again)."""
        current = self._meta("tree")
        if current == tree:
            return
        if current is not None and (known is not None or _exists(repo, current)):
            moved = known if known is not None else changes(repo, current, tree, REGISTRY_DIR)
            found = [c for c in moved if not is_git_config(c.path)]
            touched = self._remove([c.path for c in found])
            added = [c.after for c in found if c.after is not None and c.after.regular]
            touched |= self._add(repo, added)
            self._recount(touched)
        else:
            for table in ("files", "keys", "shared"):  # in the transaction: no executescript
                self.db.execute(f"DELETE FROM {table}")
            self._add(repo, [e for e in tree_entries(repo, tree) if e.regular])
            self.db.execute(
                "INSERT INTO shared SELECT hash FROM keys WHERE NOT warning "
                "GROUP BY hash HAVING COUNT(*) > 1"
            )
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (tree,))

    def _folder(self, path: str) -> int:
        if path not in self._folders:
            self.db.execute("INSERT OR IGNORE INTO folders (path) VALUES (?)", (path,))
            row = self.db.execute("SELECT id FROM folders WHERE path = ?", (path,)).fetchone()
            self._folders[path] = int(row[0])
        return self._folders[path]

    def _file_row(self, path: str) -> tuple[int, bytes] | None:
        folder, _, name = path.rpartition("/")
        row = self.db.execute(
            "SELECT f.id, f.hashes FROM files f JOIN folders d ON f.folder = d.id "
            "WHERE d.path = ? AND f.name = ?",
            (folder, name),
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def _remove(self, paths: list[str]) -> set[int]:
        touched: set[int] = set()
        for path in paths:
            row = self._file_row(path)
            if row is None:
                continue
            file, packed = row
            hashes = _unpacked(packed)
            touched.update(hashes)
            self.db.executemany(
                "DELETE FROM keys WHERE hash = ? AND file = ?", ((h, file) for h in hashes)
            )
            self.db.execute("DELETE FROM files WHERE id = ?", (file,))
        return touched

    def _add(self, repo: GitRepository, entries: list[Entry]) -> set[int]:
        self.files_read += len(entries)
        touched: set[int] = set()
        with collector_paused():
            docs = git_documents(entries, read_entries(repo, entries))
            for doc, entry in zip(docs, entries, strict=True):
                keys = {
                    key_hash(c, k, self.hash_bytes): c == WARNING_CODE
                    for c, k, _, _ in cross_keys(doc)
                }
                folder, _, name = entry.path.rpartition("/")
                cursor = self.db.execute(
                    "INSERT INTO files (folder, name, oid, hashes) VALUES (?, ?, ?, ?)",
                    (self._folder(folder), name, bytes.fromhex(entry.oid or ""), _packed(keys)),
                )
                self.db.executemany(
                    "INSERT OR IGNORE INTO keys VALUES (?, ?, ?)",
                    ((h, cursor.lastrowid, warning) for h, warning in keys.items()),
                )
                touched.update(keys)
        return touched

    def _recount(self, hashes: set[int]) -> None:
        """Keep `shared` (the error keys held by more than one file) in step."""
        for value in hashes:
            (count,) = self.db.execute(
                "SELECT COUNT(*) FROM keys WHERE hash = ? AND NOT warning", (value,)
            ).fetchone()
            if count > 1:
                self.db.execute("INSERT OR IGNORE INTO shared VALUES (?)", (value,))
            else:
                self.db.execute("DELETE FROM shared WHERE hash = ?", (value,))

    def _holders(self, value: int) -> Iterator[Entry]:
        """The files holding a key hash, as git entries, in path order."""
        rows = self.db.execute(
            "SELECT d.path || '/' || f.name, f.oid FROM keys k JOIN files f ON k.file = f.id "
            "JOIN folders d ON f.folder = d.id WHERE k.hash = ? ORDER BY 1",
            (value,),
        )
        for path, oid in rows:
            yield Entry(path, "100644", bytes(oid).hex())

    def _read(self, repo: GitRepository, entries: list[Entry]) -> list[RegistryDocument]:
        self.files_confirmed += len(entries)
        return git_documents(entries, read_entries(repo, entries))

    def clashes_in_merge(
        self,
        repo: GitRepository,
        base: str,
        merged: str,
        docs: Iterable[RegistryDocument],
        changed: list[Change] | None = None,
    ) -> list[tuple[RegistryDocument, Finding]]:
        """The cross-file findings of `docs` (the changed files of `merged`) against every
        file of `merged`. The stored index follows `base` (a commit of the default branch,
        present in every later checkout, unlike a merge tree); the pull request's changes
        (`changed`, the registry's changes from `base` to `merged` when the caller has them)
        are laid over it in a transaction that is rolled back."""
        self.sync(repo, base)
        docs = list(docs)
        try:
            self._move(repo, merged, changed)
            return self.clashes(docs, repo) + self.clashes(self._standing(repo, docs), repo)
        finally:
            self.db.rollback()
            self._folders.clear()  # ids the rolled-back transaction gave

    def _standing(
        self, repo: GitRepository, changed: list[RegistryDocument]
    ) -> list[RegistryDocument]:
        """The other files of the synced tree in a clash no changed file takes part in: a
        clash the pull request did not make but would leave on the default branch all the
        same (a clash with a changed file is reported on that file). Only errors: a shared
        domain already on the default branch (D006, a warning) is not the pull request's
        business."""
        mine = {doc.display_path for doc in changed}
        entries: dict[str, Entry] = {}
        for (value,) in self.db.execute("SELECT hash FROM shared").fetchall():
            group = list(self._holders(value))
            if not {e.path for e in group} & mine:
                entries.update((e.path, e) for e in group)
        return self._read(repo, sorted(entries.values(), key=lambda e: e.path))

    def clashes(
        self, docs: Iterable[RegistryDocument], repo: GitRepository
    ) -> list[tuple[RegistryDocument, Finding]]:
        """The cross-file findings of `docs` (files of the synced tree) against every other
        file of that tree, each naming the first other holder of the key (all of them for a
        shared domain), read to confirm it holds the very key."""
        found = []
        for doc in docs:
            for code, key, field, value in cross_keys(doc):
                value_hash = key_hash(code, key, self.hash_bytes)
                candidates = [e for e in self._holders(value_hash) if e.path != doc.display_path]
                others = [
                    other
                    for other in (self._read(repo, candidates) if candidates else [])
                    if any((c, k) == (code, key) for c, k, _, _ in cross_keys(other))
                ]
                if not others:
                    continue
                if code == WARNING_CODE:
                    found.append(
                        (doc, shared_domain(field, value, [o.display_path for o in others]))
                    )
                else:
                    first = others[0]
                    found.append(
                        (doc, clash(code, doc, field, value, first.display_path, label(first)))
                    )
        return found


def _exists(repo: GitRepository, tree: str) -> bool:
    try:
        repo.git("cat-file", "-e", f"{tree}^{{tree}}")
    except GitError:
        return False
    return True
