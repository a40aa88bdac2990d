"""Where a deployment's documents live: a MongoDB server, or a file that holds the same
collections (`--target file:PATH.json`, for rehearsing a deploy on an export).

Both give the deploy sequence the same thing: the collections as a pymongo `Database` (the
file's are an in-memory MongoDB, mongomock, loaded from the file and written back
atomically), a name for messages and the audit, the write mode, and one way to run a group
of writes all-or-nothing where the target allows it. Every record fedreg keeps (marker, lock,
audit, sealed secrets) is a collection like the others, so the semantics are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from pymongo.client_session import ClientSession
from pymongo.database import Database

from ..errors import UsageError
from .redaction import redact_uri

FILE_SCHEME = "file:"
MONGODB_SCHEMES = ("mongodb://", "mongodb+srv://")
TRANSACTION, PER_DOCUMENT, WHOLE_FILE = "transaction", "per-document", "file"
MODE_TEXT = {
    TRANSACTION: "transaction unique (jeu de réplicas)",
    PER_DOCUMENT: "écritures idempotentes document par document (pas de jeu de réplicas)",
    WHOLE_FILE: "fichier réécrit d'un bloc (écriture atomique)",
}

Work = Callable[[ClientSession | None], None]


class Store(Protocol):
    """A deployment's collections and how writes to them are grouped."""

    @property
    def db(self) -> Database[dict[str, Any]]: ...

    @property
    def place(self) -> str:
        """The target as messages and the audit name it (never a credential)."""
        ...

    @property
    def mode(self) -> str:
        """TRANSACTION, PER_DOCUMENT or WHOLE_FILE: what a failure midway leaves."""
        ...

    def atomically(self, work: Work) -> None:
        """Run `work` all-or-nothing where the target can (else write by write)."""
        ...

    def save(self) -> None:
        """Make every write so far durable (a file is rewritten; MongoDB already is)."""
        ...


def describe_target(target: str) -> str:
    """A target as it may be shown: host:port for MongoDB, the path for a file."""
    if target.startswith(FILE_SCHEME):
        return target.removeprefix(FILE_SCHEME)
    return redact_uri(target)


def check_target(target: str) -> None:
    """Refuse, as a usage error, a target that is neither mongodb://… nor file:PATH.json."""
    if target.startswith(MONGODB_SCHEMES):
        return
    if target.startswith(FILE_SCHEME) and target.removeprefix(FILE_SCHEME).endswith(".json"):
        return
    # What is not a target may be a password pasted in the wrong place: never shown.
    raise UsageError(
        "la valeur de --target n'est pas une cible (elle n'est pas affichée : si c'était un "
        "mot de passe, changez-le) : écrivez mongodb://hôte:port/base ou file:CHEMIN.json "
        "(répétition sur un fichier)"
    )


@contextmanager
def open_store(target: str, read_only: bool = False) -> Iterator[Store]:
    """The target's store; a file target is saved on the way out, even after an error (what
    was written is recorded, as on a MongoDB server without transactions), unless it was
    opened `read_only` (a dry run: then never)."""
    check_target(target)
    if target.startswith(FILE_SCHEME):
        from .filestore import FileStore

        with FileStore.opened(target.removeprefix(FILE_SCHEME), read_only) as store:
            yield store
        return
    from .mongostore import MongoStore

    yield MongoStore.connect(target)
