"""The cross-file keys of every registry file of one tree, in SQLite, kept in step by git diffs.

What the bot needs to check a pull request against the whole registry without re-reading it:
each regular file's keys (client_id, uid, name, routed domains), computed once per blob id and
place (the blob id is the content's hash; environment and kind come from the folder), and the
index of those keys for the tree last synced. Moving the index to another tree costs one
`git diff --raw` and the changed files only; the first sync reads everything once. The file is
restored between workflow runs (actions/cache): it holds only data derived from git objects,
and a mismatching version or a tree git no longer has rebuilds it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .. import __version__
from ..adapters.git import GitError, GitRepository
from ..diagnostics import Finding
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.snapshot import (
    Entry,
    changes,
    git_documents,
    is_git_config,
    read_entries,
    tree_entries,
)
from ..validation.checks.crossfile import clash, cross_keys, label, shared_domain
from ..validation.engine import collector_paused

FORMAT = f"2:{__version__}"  # bump when cross_keys changes what it yields
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, keys TEXT NOT NULL, label TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (code TEXT, key TEXT, path TEXT, label TEXT);
CREATE INDEX IF NOT EXISTS keys_by_key ON keys (code, key);
CREATE INDEX IF NOT EXISTS keys_by_path ON keys (path);
"""


def _blob_id(entry: Entry) -> str:
    """Keys depend on the content and on what the folder says (environment, kind)."""
    return f"{entry.oid}:{entry.path.rsplit('/', 1)[0]}"


class CrossIndex:
    def __init__(self, path: Path | None) -> None:
        """`path` None: in memory only (every run is cold)."""
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

    def _open(self) -> None:
        self.db.executescript(_SCHEMA)
        if self._meta("format") != FORMAT:
            self.db.executescript("DELETE FROM meta; DELETE FROM blobs; DELETE FROM files;")
            self.db.execute("DELETE FROM keys")
            self.db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            self.db.commit()

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

    def _move(self, repo: GitRepository, tree: str) -> None:
        current = self._meta("tree")
        if current == tree:
            return
        removed: list[str] = []
        added: list[Entry]
        if current is not None and _exists(repo, current):
            found = [
                c for c in changes(repo, current, tree, REGISTRY_DIR) if not is_git_config(c.path)
            ]
            removed = [c.path for c in found]
            added = [c.after for c in found if c.after is not None and c.after.regular]
        else:
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM keys")
            added = [e for e in tree_entries(repo, tree) if e.regular]
        for chunk in _chunks(removed):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM keys WHERE path IN ({marks})", chunk)
        self._add(repo, added)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (tree,))

    def clashes_in_merge(
        self, repo: GitRepository, base: str, merged: str, docs: Iterable[RegistryDocument]
    ) -> list[tuple[RegistryDocument, Finding]]:
        """The cross-file findings of `docs` (the changed files of `merged`) against every
        file of `merged`. The stored index follows `base` (a commit of the default branch,
        present in every later checkout, unlike a merge tree); the pull request's changes are
        laid over it in a transaction that is rolled back."""
        self.sync(repo, base)
        docs = list(docs)
        try:
            self._move(repo, merged)
            return self.clashes(docs) + self.clashes(self._standing(repo, docs))
        finally:
            self.db.rollback()

    def _standing(
        self, repo: GitRepository, changed: list[RegistryDocument]
    ) -> list[RegistryDocument]:
        """The other files of the synced tree in a clash no changed file takes part in: a
        clash the pull request did not make but would leave on the default branch all the
        same (a clash with a changed file is reported on that file)."""
        mine = {doc.display_path for doc in changed}
        groups: dict[tuple[str, str], set[str]] = {}
        # Only errors: a shared domain already on the default branch (D006, a warning) is not
        # the pull request's business.
        for code, key, path in self.db.execute(
            "SELECT k.code, k.key, k.path FROM keys k JOIN (SELECT code, key FROM keys "
            "WHERE code != 'D006' GROUP BY code, key HAVING COUNT(*) > 1) d "
            "ON k.code = d.code AND k.key = d.key"
        ):
            groups.setdefault((code, key), set()).add(path)
        paths = sorted({p for group in groups.values() if not group & mine for p in group})
        entries = []
        for chunk in _chunks(paths):
            marks = ",".join("?" * len(chunk))
            for path, blob in self.db.execute(
                f"SELECT path, blob FROM files WHERE path IN ({marks})", chunk
            ):
                entries.append(Entry(path, "100644", blob.split(":", 1)[0]))
        return git_documents(entries, read_entries(repo, entries))

    def _add(self, repo: GitRepository, entries: list[Entry]) -> None:
        known: dict[str, tuple[str, str | None]] = {}
        ids = [_blob_id(e) for e in entries]
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for blob, keys, name in self.db.execute(
                f"SELECT id, keys, label FROM blobs WHERE id IN ({marks})", chunk
            ):
                known[blob] = (keys, name)
        missing = [e for e in entries if _blob_id(e) not in known]
        self.files_read += len(missing)
        with collector_paused():
            for doc, entry in zip(
                git_documents(missing, read_entries(repo, missing)), missing, strict=True
            ):
                keys = json.dumps([[c, k] for c, k, _, _ in cross_keys(doc)], ensure_ascii=False)
                name = label(doc) if doc.data is not None else None
                known[_blob_id(entry)] = (keys, name)
                self.db.execute(
                    "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)", (_blob_id(entry), keys, name)
                )
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?)",
            ((e.path, _blob_id(e)) for e in entries),
        )
        rows: list[tuple[str, str, str, str | None]] = []
        for entry in entries:
            keys, name = known[_blob_id(entry)]
            rows.extend((code, key, entry.path, name) for code, key in json.loads(keys))
        self.db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?)", rows)

    def clashes(self, docs: Iterable[RegistryDocument]) -> list[tuple[RegistryDocument, Finding]]:
        """The cross-file findings of `docs` (files of the synced tree) against every other
        file of that tree, each naming the first other holder of the key."""
        found = []
        for doc in docs:
            for code, key, field, value in cross_keys(doc):
                if code == "D006":
                    others = [
                        path
                        for (path,) in self.db.execute(
                            "SELECT DISTINCT path FROM keys WHERE code = ? AND key = ? "
                            "AND path != ?",
                            (code, key, doc.display_path),
                        )
                    ]
                    if others:
                        found.append((doc, shared_domain(field, value, others)))
                    continue
                row = self.db.execute(
                    "SELECT path, label FROM keys WHERE code = ? AND key = ? AND path != ? "
                    "ORDER BY path LIMIT 1",
                    (code, key, doc.display_path),
                ).fetchone()
                if row is not None:
                    other_label = row[1] or row[0].rsplit("/", 1)[-1].removesuffix(".yaml")
                    found.append((doc, clash(code, doc, field, value, row[0], other_label)))
        return found


def _exists(repo: GitRepository, tree: str) -> bool:
    try:
        repo.git("cat-file", "-e", f"{tree}^{{tree}}")
    except GitError:
        return False
    return True


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
