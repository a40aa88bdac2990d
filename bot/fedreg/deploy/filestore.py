"""A deployment held in a file (`--target file:PATH.json`): the same collections as the
federation's database, for rehearsing a deploy, a drift or a rotation on an export.

The file is one JSON object, one key per collection, each an array of documents in MongoDB
Extended JSON (relaxed), as `mongoexport --jsonArray` writes them:
`{"client": [...], "provider": [...], "fedreg_identity": [...], ...}`. A missing file is an
empty database. While a command runs, it holds an exclusive lock on `PATH.json.lock` (a
second command fails at once) and works on an in-memory MongoDB (mongomock), so every query
of the deploy means what it means on the server; the file is rewritten atomically at the end,
only when something changed.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mongomock
from bson import json_util
from pymongo.database import Database
from pymongo.errors import PyMongoError

from ..adapters.files import write_atomic_bytes
from ..errors import FedregError, UsageError
from .store import WHOLE_FILE, Work

DATABASE = "core-fca-low"
_JSON = json_util.RELAXED_JSON_OPTIONS


class FileBusy(FedregError):
    pass


def _load(path: Path) -> dict[str, list[Any]]:
    if not path.exists():
        return {}
    try:
        content = json_util.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cible illisible : {path} ({error})") from None
    if not isinstance(content, dict) or not all(
        isinstance(docs, list) and all(isinstance(d, dict) for d in docs)
        for docs in content.values()
    ):
        raise UsageError(
            f"cible illisible : {path} n'est pas un objet {{collection: [documents]}} "
            '(par exemple {"client": [...], "provider": [...]})'
        )
    return content


def dump_collections(db: Database[dict[str, Any]]) -> str:
    """The file's text: every non-empty collection, by name, documents in stored order."""
    content = {
        name: list(db[name].find({}))
        for name in sorted(db.list_collection_names())
        if db[name].count_documents({})
    }
    return json_util.dumps(content, json_options=_JSON, indent=1, ensure_ascii=False) + "\n"


class FileStore:
    """The Store of a file target. Opened `read_only` (a dry run), it is never saved: what
    the command reads costs the file's reading alone, and nothing it does can reach it."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self._db: Database[dict[str, Any]] = mongomock.MongoClient()[DATABASE]
        for name, documents in _load(path).items():
            if not documents:
                continue
            try:
                self._db[name].insert_many(documents)
            except PyMongoError:  # as MongoDB would: an _id is unique in its collection
                raise UsageError(
                    f"cible illisible : {path}, collection {name} : deux documents ont le même "
                    "_id (un document copié à la main ?)"
                ) from None
        self._read_only = read_only
        self._saved = "" if read_only else dump_collections(self._db)

    @classmethod
    @contextmanager
    def opened(cls, path_text: str, read_only: bool = False) -> Iterator[FileStore]:
        path = Path(path_text)
        if path.is_dir():
            raise UsageError(f"--target file:{path_text} est un dossier, pas un fichier .json")
        if path.is_symlink():  # replaced by a copy, and locked apart from the real file
            raise UsageError(
                f"--target file:{path_text} est un lien symbolique : nommez le fichier "
                f"lui-même ({os.path.realpath(path)})"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            raise UsageError(
                f"le verrou {path}.lock est un lien symbolique : rien n'est lu ni écrit "
                "(supprimez-le s'il n'est pas le vôtre)"
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FileBusy(
                    f"{path} est utilisé par une autre commande fedreg (verrou {path}.lock) : "
                    "rien n'est lu ni écrit ; relancez quand elle aura fini"
                ) from None
            store = cls(path, read_only)
            try:
                yield store
            finally:
                store.save()
        finally:
            os.close(fd)

    @property
    def db(self) -> Database[dict[str, Any]]:
        return self._db

    @property
    def place(self) -> str:
        return f"file:{self.path}"

    @property
    def mode(self) -> str:
        return WHOLE_FILE

    def atomically(self, work: Work) -> None:
        """All or nothing: on failure, every collection goes back to what it was."""
        before = {name: list(self._db[name].find({})) for name in self._db.list_collection_names()}
        try:
            work(None)
        except BaseException:
            for name in self._db.list_collection_names():
                self._db[name].delete_many({})
                if before.get(name):
                    self._db[name].insert_many(before[name])
            raise

    def save(self) -> None:
        if self._read_only:
            return
        text = dump_collections(self._db)
        if text != self._saved:
            write_atomic_bytes(self.path, text.encode("utf-8"))  # 0600: it holds ciphertexts
            self._saved = text
