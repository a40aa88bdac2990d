"""The single reader of registry content: entries with their git modes, from the working tree,
a commit or a merge result, turned into documents by one rule.

Only regular files (git modes 100644 and 100755) are registry files. A symbolic link, a
submodule or any other entry is never followed: it becomes a document carrying L004. Markdown
notes and hidden files are not registry files, wherever they are read from. Git content is
listed once (`git ls-tree -r`, `git diff --raw`) and read by blob id in one
`git cat-file --batch`: no per-path lookup.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..adapters.git import GitRepository
from ..diagnostics import Finding
from ..errors import FedregError
from .layout import REGISTRY_DIR, RegistryDocument, classify, display_path
from .yamlload import decode, load_fast, load_located

REGULAR_MODES = ("100644", "100755")
SYMLINK_MODE, SUBMODULE_MODE, TREE_MODE = "120000", "160000", "040000"
OTHER_MODE = "000000"  # a working-tree entry git cannot hold (fifo, socket, device)
NULL_OID = "0" * 40
_NOTE_SUFFIXES = (".md",)
# Files git reads as configuration, wherever they are: attributes (encodings, filters), LFS,
# submodules, ignore rules. Never notes: a change to one is always a change.
GIT_CONFIG_NAMES = frozenset({".gitattributes", ".gitmodules", ".lfsconfig", ".gitignore"})
_WHAT_BY_MODE = {
    SYMLINK_MODE: "un lien symbolique",
    SUBMODULE_MODE: "un sous-module git",
    TREE_MODE: "un dossier",
}


@dataclass(frozen=True)
class Entry:
    """One entry under registry/: its path from the repository root (or as given), its git
    mode, and its blob id when it comes from git (None: read from the working tree)."""

    path: str
    mode: str
    oid: str | None = None

    @property
    def regular(self) -> bool:
        return self.mode in REGULAR_MODES


def is_git_config(path: str) -> bool:
    """Whether git reads the file at `path` as configuration (`GIT_CONFIG_NAMES`)."""
    return path.rsplit("/", 1)[-1] in GIT_CONFIG_NAMES


def is_note(path: str) -> bool:
    """Markdown notes and hidden files are not registry files (the same rule everywhere)."""
    parts = path.split("/")
    return parts[-1].endswith(_NOTE_SUFFIXES) or any(p.startswith(".") for p in parts[1:])


def _mode_of(status: os.stat_result) -> str:
    if stat.S_ISREG(status.st_mode):
        return "100755" if status.st_mode & stat.S_IXUSR else "100644"
    if stat.S_ISLNK(status.st_mode):
        return SYMLINK_MODE
    if stat.S_ISDIR(status.st_mode):
        return TREE_MODE
    return OTHER_MODE


# -- the working tree ---------------------------------------------------------------------


def worktree_paths(paths: Iterable[Path]) -> list[Path]:
    """Every registry entry under `paths` (files as given; folders walked, links never
    followed), sorted, unique. A linked folder or a submodule checkout is an entry, not a
    folder to descend into, so that it is reported instead of silently skipped."""
    return [Path(entry) for entry in worktree_entries(paths)]


def worktree_entries(paths: Iterable[Path]) -> list[str]:
    """`worktree_paths` as text, in the same order: a tenth of the memory and of the time
    for a large registry (no path object per file, no path comparison in the sort)."""
    found: set[str] = set()
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            _walk_entries(str(path), found)
        else:
            found.add(str(path))
    return sorted(found, key=_sort_key)


def _walk_entries(top: str, found: set[str]) -> None:
    for folder, dirs, files in os.walk(top):
        # As pathlib writes a path: "./x" is "x" (os.walk(".") joins onto ".").
        base = "" if folder == "." else folder.removeprefix("./")
        prefix = base if not base or base.endswith("/") else base + "/"
        kept = []
        for name in dirs:
            sub = prefix + name
            if os.path.islink(sub) or os.path.exists(sub + "/.git"):
                found.add(sub)
            elif not name.startswith("."):
                kept.append(name)
        dirs[:] = kept
        for name in files:
            file = prefix + name
            if not (name.startswith(".") or name.endswith(_NOTE_SUFFIXES)):
                found.add(file)
            elif not os.path.isfile(file) or os.path.islink(file):
                found.add(file)  # a note must be a regular file too


def _sort_key(entry: str) -> str:
    """A key that orders entries written as pathlib writes paths as their paths are ordered
    (part by part): each separator becomes NUL, which sorts before any character a name can
    hold."""
    if entry.startswith("/"):
        return "/\0" + entry[1:].replace("/", "\0")
    return entry.replace("/", "\0")


def read_worktree(path: Path) -> tuple[str, bytes | None]:
    """(git mode, content) of a working-tree entry; the content only for a regular file,
    opened without following a link (so a link swapped in meanwhile is not read either)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            return _mode_of(os.lstat(path)), None
        raise
    try:
        status = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    mode = _mode_of(status)
    if mode not in REGULAR_MODES:  # a folder (a submodule's checkout if it has .git), a fifo
        os.close(fd)
        is_submodule = stat.S_ISDIR(status.st_mode) and (path / ".git").exists()
        return (SUBMODULE_MODE if is_submodule else mode), None
    with os.fdopen(fd, "rb") as stream:
        return mode, stream.read()


# -- git ----------------------------------------------------------------------------------


def _split_z(output: bytes) -> list[str]:
    return [part.decode() for part in output.split(b"\0") if part]


def tree_entries(repo: GitRepository, treeish: str, under: str = REGISTRY_DIR) -> list[Entry]:
    """Every entry under `under` in a commit or tree, with its mode and blob id (one call)."""
    entries = []
    for line in _split_z(repo.git("ls-tree", "-r", "-z", "--full-tree", treeish, "--", under)):
        meta, path = line.split("\t", 1)
        mode, _, oid = meta.split()
        if not is_note(path) or mode not in REGULAR_MODES:
            entries.append(Entry(path, mode, oid))
    return sorted(entries, key=lambda e: e.path)


def entries_at(repo: GitRepository, treeish: str, paths: Iterable[str]) -> list[Entry]:
    """The entries of a commit or tree at `paths` (those it has), without listing the rest
    of the tree: one call, paths taken literally (no glob)."""
    wanted = set(paths)
    if not wanted:
        return []
    listed = repo.git(
        "ls-tree",
        "-z",
        "--full-tree",
        treeish,
        "--",
        *sorted(wanted),
        env={"GIT_LITERAL_PATHSPECS": "1"},
    )
    entries = []
    for line in _split_z(listed):
        meta, path = line.split("\t", 1)
        mode, _, oid = meta.split()
        if path in wanted and mode != TREE_MODE:  # as `tree_entries` lists them: no folder
            entries.append(Entry(path, mode, oid))
    return sorted(entries, key=lambda e: e.path)


@dataclass(frozen=True)
class Change:
    """A path that differs between two versions: its entry on each side (None: absent)."""

    path: str
    before: Entry | None
    after: Entry | None

    @property
    def mode_changed(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and self.before.mode != self.after.mode
        )


def changes(
    repo: GitRepository, base: str, head: str | None, under: str | None = None
) -> list[Change]:
    """What differs from `base` to `head` (a commit or tree; None: the working tree, untracked
    files included), with modes and blob ids, from one `git diff --raw` (renames off: they are
    found by provider identity). Working-tree entries carry no blob id: they are read from
    disk, without following links."""
    args = ["diff", "--raw", "-z", "--no-renames", "--no-abbrev", base]
    if head is not None:
        args.append(head)
    parts = _split_z(repo.git(*args, "--", *([under] if under else [])))
    found: dict[str, Change] = {}
    for meta, path in zip(parts[::2], parts[1::2], strict=True):
        old_mode, new_mode, old_oid, new_oid, _ = meta.lstrip(":").split()
        before = Entry(path, old_mode, old_oid) if old_mode != "000000" else None
        after: Entry | None = Entry(path, new_mode, new_oid) if new_mode != "000000" else None
        if head is None and after is not None:
            after = _worktree_entry(repo, path)
        found[path] = Change(path, before, after)
    if head is None:
        listed = repo.git("ls-files", "--others", "--exclude-standard", "-z", "--", under or ".")
        for path in _split_z(listed):
            found[path] = Change(path, None, _worktree_entry(repo, path))
    kept = [c for c in found.values() if not _is_note_change(c)]
    return sorted(kept, key=lambda c: c.path)


def _is_note_change(change: Change) -> bool:
    """A registry note changed (outside the registry, every path counts)."""
    sides = [e for e in (change.before, change.after) if e is not None]
    in_registry = change.path.startswith(f"{REGISTRY_DIR}/")
    if is_git_config(change.path):
        return False
    return in_registry and is_note(change.path) and all(e.regular for e in sides)


def _worktree_entry(repo: GitRepository, path: str) -> Entry | None:
    full = repo.root / path
    if not os.path.lexists(full):
        return None
    mode, _ = read_worktree(full)
    return Entry(path, mode, None)


def read_blobs(repo: GitRepository, oids: Iterable[str]) -> dict[str, bytes]:
    """The content of each blob, by id, in one `git cat-file --batch` call."""
    wanted = sorted(set(oids))
    if not wanted:
        return {}
    output = repo.git("cat-file", "--batch", stdin="".join(f"{o}\n" for o in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for oid in wanted:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        if header[1] == b"blob":
            contents[oid] = output[position : position + size]
        position += size + 1
    return contents


def read_entries(repo: GitRepository, entries: Iterable[Entry]) -> dict[Entry, bytes]:
    """The content of each regular entry: git entries by blob id (one call), working-tree
    entries from disk (links never followed)."""
    regular = [e for e in entries if e.regular]
    blobs = read_blobs(repo, (e.oid for e in regular if e.oid and e.oid != NULL_OID))
    contents = {}
    for entry in regular:
        if entry.oid and entry.oid != NULL_OID:
            contents[entry] = blobs[entry.oid]
        else:
            _, raw = read_worktree(repo.root / entry.path)
            if raw is not None:
                contents[entry] = raw
    return contents


# -- documents ----------------------------------------------------------------------------


def parse_document(doc: RegistryDocument, raw: bytes) -> None:
    """Fill `doc.text` and `doc.data` (None when unreadable), adding parse findings."""
    text, findings = decode(raw)
    doc.findings.extend(findings)
    doc.text = text
    if text is None:
        return
    data = load_fast(text)
    if data is None:
        doc.located = load_located(text)
        doc.findings.extend(doc.located.findings)
        data = doc.located.data
    doc.data = data


def document(path: Path, shown: str, mode: str, raw: bytes | None) -> RegistryDocument:
    """The document of one entry: parsed when it is a regular file, else carrying L004."""
    environment, kind, slug, findings = classify(path)
    doc = RegistryDocument(
        path=path,
        display_path=shown,
        environment=environment,
        kind=kind,
        slug=slug,
        findings=findings,
    )
    if mode not in REGULAR_MODES or raw is None:
        what = _WHAT_BY_MODE.get(mode, f"une entrée git de mode {mode}")
        if mode == OTHER_MODE:
            what = "un fichier spécial (ni fichier ni dossier)"
        # L004 alone: what the name or the place says is moot for an entry that is no file.
        doc.findings = [Finding("L004", params={"what": what}, line=1, column=1)]
    else:
        parse_document(doc, raw)
    return doc


def read_document(path: Path, base: Path | None = None) -> RegistryDocument:
    """A working-tree entry as a document."""
    try:
        mode, raw = read_worktree(path)
    except OSError as error:
        raise FedregError(f"impossible de lire {path} : {error.strerror}") from error
    return document(path, display_path(path, base), mode, raw)


def git_documents(entries: Iterable[Entry], contents: dict[Entry, bytes]) -> list[RegistryDocument]:
    """Documents for entries read from git (paths relative to the repository root)."""
    return [
        document(Path(e.path), e.path, e.mode, contents.get(e))
        for e in sorted(entries, key=lambda e: e.path)
    ]


def documents_at(
    repo: GitRepository, treeish: str, under: str = REGISTRY_DIR
) -> list[RegistryDocument]:
    """Every registry document of a commit or tree (under `under`): one listing, one batch
    read."""
    entries = tree_entries(repo, treeish, under)
    return git_documents(entries, read_entries(repo, entries))


def documents_of_changes(
    repo: GitRepository, found: list[Change]
) -> tuple[list[RegistryDocument], list[RegistryDocument]]:
    """The documents of changed registry entries on each side, read in one batch."""
    before = [c.before for c in found if c.before is not None]
    after = [c.after for c in found if c.after is not None]
    contents = read_entries(repo, before + after)
    return git_documents(before, contents), git_documents(after, contents)
