"""The federation's live collections (`client`, `provider`) and fedreg's audit trail (with
`deploystate`, the only modules that talk to MongoDB).

On a replica set (which the core needs for its change streams) a deploy is one transaction:
all of it or nothing. Elsewhere, every write is one idempotent, per-document update (upsert by
identifier), so a run that fails midway is completed by running it again; the mode that ran is
reported and audited. Secrets: a new service provider's secret is sealed to its recipients in
an age file, recorded for delivery (`deploystate`) before or with the client document; an
identity provider's sealed secret is opened with the federation's key. Only AES-GCM
ciphertext reaches the database. `deploystate` holds fedreg's own bookkeeping records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymongo
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import PyMongoError

from ..adapters.files import write_atomic_bytes
from ..errors import FedregError
from .plan import (
    COLLECTIONS,
    PROVENANCE_FIELD,
    SEALED_DIGEST_FIELD,
    DeployAction,
    DeployPlan,
    DocumentChange,
    sealed_digest,
)
from .redaction import redact_uri
from .secrets import (
    encrypt_for_core,
    generate_client_secret,
    open_sealed,
    seal_for,
)
from .state import SECRETS_COLLECTION, record_sealed
from .store import PER_DOCUMENT, TRANSACTION, WHOLE_FILE, Store, Work

AUDIT_COLLECTION = "fedreg_deployments"
DEFAULT_DATABASE = "core-fca-low"
KEY_FIELD_BY_COLLECTION = dict(COLLECTIONS)
CONNECT_TIMEOUT_MS = 5_000  # an unreachable server fails within 5 s, named


@dataclass(frozen=True)
class Provenance:
    """Who deploys what, recorded with every write and in the audit trail."""

    commit: str | None
    digest: str
    actor: str
    kind: str = "deploy"  # "deploy" or "rollback"
    run_id: str = ""
    target: str = ""  # host:port only
    overrides: tuple[str, ...] = ()  # limits passed with --allow-large-change
    release: str = "non signé"  # what the release check proved (manifests/release.py)
    # An incremental deploy: the commit it went on from (the digest then covers the records
    # of the changed files only)
    incremental_base: str | None = None


@dataclass(frozen=True)
class SecretKeys:
    """What secret handling needs: the core's cipher key, the federation's age identity (None
    when no identity provider secret is to be opened), where sealed secrets are written."""

    cipher_key: bytes | None
    age_identity: str | None
    sealed_out: Path


@dataclass
class ApplyReport:
    mode: str = PER_DOCUMENT
    applied: list[str] = field(default_factory=list)
    sealed_files: list[Path] = field(default_factory=list)


class DeployFailed(FedregError):
    pass


def connect(target: str) -> Database[dict[str, Any]]:
    """The deployment's database: the one named in the URI, else `core-fca-low`. Errors name
    the server as host:port only (the URI may carry credentials)."""
    try:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            target,
            serverSelectionTimeoutMS=CONNECT_TIMEOUT_MS,
            connectTimeoutMS=CONNECT_TIMEOUT_MS,
        )
    except (PyMongoError, ValueError) as error:  # a URI the driver cannot read
        raise FedregError(
            f"MongoDB injoignable ({redact_uri(target)}) : {type(error).__name__}"
        ) from None
    try:
        db = client.get_default_database(default=DEFAULT_DATABASE)
        client.admin.command("ping")
    except (PyMongoError, ValueError) as error:  # mongomock: ValueError for unknown servers
        client.close()
        raise FedregError(
            f"MongoDB injoignable ({redact_uri(target)}) en {CONNECT_TIMEOUT_MS // 1000} s : "
            f"{type(error).__name__}"
        ) from None
    return db


class MongoStore:
    """The Store of a MongoDB server: one transaction on a replica set, else per document."""

    def __init__(self, db: Database[dict[str, Any]], place: str) -> None:
        self._db = db
        self._place = place
        self._mode = TRANSACTION if supports_transactions(db) else PER_DOCUMENT

    @classmethod
    def connect(cls, target: str) -> MongoStore:
        db = connect(target)
        return cls(db, f"{redact_uri(target)}/{db.name}")

    @property
    def db(self) -> Database[dict[str, Any]]:
        return self._db

    @property
    def place(self) -> str:
        return self._place

    @property
    def mode(self) -> str:
        return self._mode

    def atomically(self, work: Work) -> None:
        """Run `work` with the indexes deploy's queries need in place (created first: never
        inside a transaction)."""
        ensure_indexes(self._db)
        if self._mode == TRANSACTION:
            with self._db.client.start_session() as session:
                session.with_transaction(work)
        else:
            work(None)

    def save(self) -> None:
        """Every write is already on the server."""


def live_documents(db: Database[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {name: list(db[name].find({}, {"_id": False})) for name, _ in COLLECTIONS}


def live_documents_of(
    db: Database[dict[str, Any]], keys: dict[str, frozenset[str]]
) -> dict[str, list[dict[str, Any]]]:
    """The live documents whose identifier is one of `keys` (collection -> identifiers),
    whatever their provenance: one indexed query per collection."""
    return {
        name: list(db[name].find({key_field: {"$in": sorted(keys.get(name, ()))}}, {"_id": False}))
        if keys.get(name)
        else []
        for name, key_field in COLLECTIONS
    }


def managed_count(db: Database[dict[str, Any]], deployment: str) -> int:
    """How many live documents the registry of `deployment` manages (the share limits'
    denominator)."""
    return sum(db[name].count_documents({PROVENANCE_FIELD: deployment}) for name, _ in COLLECTIONS)


# What changes which documents the registry manages, or their fields, outside a deploy.
RESHAPING_KINDS = ("adopt",)


def incremental_base(db: Database[dict[str, Any]], deployment: str) -> str | None:
    """The commit the managed documents were last wholly deployed from, when a change can be
    deployed from it alone: the latest entry that wrote records (a deploy, a rollback or an
    adoption; a failure that wrote nothing aside) must be an applied deploy or rollback.
    None: a deploy that failed midway, an adoption since, or no deploy yet."""
    for entry in (
        db[AUDIT_COLLECTION]
        .find(
            {
                "deployment": deployment,
                "kind": {"$in": ["deploy", "rollback", None, *RESHAPING_KINDS]},
                "status": {"$in": ["applied", "failed"]},
            }
        )
        .sort("at", -1)
    ):
        if entry["status"] == "failed" and not entry.get("applied"):
            continue
        applied = entry["status"] == "applied" and entry.get("kind") not in RESHAPING_KINDS
        commit = entry.get("commit")
        return str(commit) if applied and isinstance(commit, str) else None
    return None


def _stamp(provenance: Provenance, now: datetime) -> dict[str, Any]:
    return {"updatedAt": now, "updatedBy": f"fedreg@{provenance.commit or 'local'}"}


def _need(value: Any, what: str) -> Any:
    if value is None:
        raise DeployFailed(f"{what} manquante pour ce déploiement")
    return value


def _issue_secret(
    db: Database[dict[str, Any]],
    deployment: str,
    client_id: str,
    recipients: list[str],
    provenance: Provenance,
    keys: SecretKeys,
    now: datetime,
    session: ClientSession | None,
) -> tuple[str, Path]:
    """A new client secret: sealed to `recipients` in an age file, recorded for delivery
    (before the client write, or in its transaction), then returned only as the core's
    ciphertext. The key is checked before anything is written."""
    key = _need(keys.cipher_key, "CLIENT_SECRET_CIPHER_PASS")
    cleartext = generate_client_secret()
    sealed = seal_for(cleartext, recipients)
    stored = encrypt_for_core(cleartext, key)
    run = {"runId": provenance.run_id, "commit": provenance.commit, "actor": provenance.actor}
    record_sealed(db, deployment, client_id, sealed, stored, run, now, session)
    sealed_file = keys.sealed_out / f"{client_id}.age"
    write_atomic_bytes(sealed_file, sealed)
    return stored, sealed_file


def _write(
    db: Database[dict[str, Any]],
    deployment: str,
    change: DocumentChange,
    provenance: Provenance,
    keys: SecretKeys,
    report: ApplyReport,
    now: datetime,
    session: ClientSession | None,
) -> None:
    key_field = KEY_FIELD_BY_COLLECTION[change.collection]
    # The provenance is part of the selector: a document the registry does not manage is
    # never matched, even if it appeared after the plan was made.
    selector = {key_field: change.key, PROVENANCE_FIELD: deployment}
    stamp = _stamp(provenance, now)
    if change.action is DeployAction.DEACTIVATE:
        db[change.collection].update_one(
            selector, {"$set": {"active": False, **stamp}}, session=session
        )
        return
    to_set: dict[str, Any] = {**change.document, **stamp}
    on_insert: dict[str, Any] = {"createdAt": now}
    if change.sealed_secret is not None:
        cleartext = open_sealed(
            change.sealed_secret, _need(keys.age_identity, "FEDREG_AGE_IDENTITY")
        )
        to_set["client_secret"] = encrypt_for_core(
            cleartext, _need(keys.cipher_key, "CLIENT_SECRET_CIPHER_PASS")
        )
        to_set[SEALED_DIGEST_FIELD] = sealed_digest(change.sealed_secret)
    elif change.action is DeployAction.CREATE and change.collection == "client":
        on_insert["client_secret"], sealed_file = _issue_secret(
            db,
            deployment,
            change.key,
            list(change.recipients),
            provenance,
            keys,
            now,
            session,
        )
        report.sealed_files.append(sealed_file)
        on_insert["secretCreatedAt"] = now
    update: dict[str, Any] = {"$set": to_set, "$setOnInsert": on_insert}
    if change.unset:
        update["$unset"] = dict.fromkeys(change.unset, "")
    db[change.collection].update_one(selector, update, upsert=True, session=session)


def supports_transactions(db: Database[dict[str, Any]]) -> bool:
    """Whether the server is a replica set member (or mongos), where transactions exist."""
    try:
        hello = db.client.admin.command("hello")
    except (NotImplementedError, PyMongoError):  # mongomock has no `hello`
        return False
    return "setName" in hello or hello.get("msg") == "isdbgrid"


# The indexes deploy's own queries need (collection -> indexed fields, in order): a deploy's
# writes (by key and provenance), its audit reads (latest of a deployment) and its sealed-secret
# bookkeeping (a client's pending records, a deployment's undelivered ones) then cost the
# records they touch, not the collections' size.
INDEXES: dict[str, list[tuple[str, ...]]] = {
    "client": [("key", PROVENANCE_FIELD)],
    "provider": [("uid", PROVENANCE_FIELD)],
    AUDIT_COLLECTION: [("deployment", "at")],
    SECRETS_COLLECTION: [
        ("deployment", "client_id", "state"),
        ("deployment", "state", "createdAt"),
    ],
}


def ensure_indexes(db: Database[dict[str, Any]]) -> None:
    """Create the `INDEXES` that are missing (idempotent; never inside a transaction). An
    index on the same fields the database already has, under any name, is kept as it is."""
    for collection, indexes in INDEXES.items():
        present = {
            tuple(field for field, _ in index["key"])
            for index in db[collection].index_information().values()
        }
        for fields in indexes:
            if fields not in present:
                db[collection].create_index(
                    [(name, pymongo.ASCENDING) for name in fields],
                    name="fedreg_" + "_".join(fields),
                )


def apply_plan(
    store: Store,
    plan: DeployPlan,
    provenance: Provenance,
    keys: SecretKeys,
    after_each: Callable[[DocumentChange], None] | None = None,
) -> ApplyReport:
    """Apply every effective change and record the deployment: all of it or nothing where the
    store allows it (a replica set, a file), else write by write. On failure, record what was
    applied and raise DeployFailed: running again completes the deployment."""
    now = datetime.now(UTC)
    db, mode = store.db, store.mode
    report = ApplyReport(mode)

    def apply_all(session: ClientSession | None) -> None:
        report.applied.clear()
        report.sealed_files.clear()
        for change in plan.effective:
            _write(db, plan.deployment, change, provenance, keys, report, now, session)
            report.applied.append(f"{change.action.value} {change.collection} {change.key}")
            if after_each is not None:
                after_each(change)
        record(db, plan, provenance, "applied", report.applied, now, mode=mode, session=session)

    try:
        store.atomically(apply_all)
    except Exception as error:
        all_or_nothing = mode in (TRANSACTION, WHOLE_FILE)
        written = [] if all_or_nothing else report.applied
        record(db, plan, provenance, "failed", written, now, str(error), mode=mode)
        done = (
            "fichier laissé tel quel : rien n'est écrit"
            if mode == WHOLE_FILE
            else "transaction annulée : rien n'est écrit"
            if all_or_nothing
            else f"déploiement interrompu après {len(written)} écriture(s) sur "
            f"{len(plan.effective)}"
        )
        raise DeployFailed(
            f"{done} ({type(error).__name__}: {error}) ; relancez-le pour le terminer"
        ) from error
    return report


def record(
    db: Database[dict[str, Any]],
    plan: DeployPlan | None,
    provenance: Provenance,
    status: str,
    applied: list[str],
    when: datetime,
    error: str = "",
    *,
    deployment: str = "",
    mode: str = "",
    details: dict[str, Any] | None = None,
    session: ClientSession | None = None,
) -> None:
    """One entry of the audit trail (`fedreg history`): deploys, rollbacks, failures, and the
    operator actions that bypass a guard (`init`, `adopt`, `break-lock`)."""
    db[AUDIT_COLLECTION].insert_one(
        {
            "deployment": plan.deployment if plan is not None else deployment,
            "kind": provenance.kind,
            "commit": provenance.commit,
            "digest": provenance.digest,
            "actor": provenance.actor,
            "runId": provenance.run_id,
            "target": provenance.target,
            "at": when,
            "status": status,
            "mode": mode,
            "summary": plan.summary if plan is not None else {},
            "applied": applied,
            "overrides": list(provenance.overrides),
            "release": provenance.release,
            "error": error,
            **_incremental(provenance),
            **(details or {}),
        },
        session=session,
    )


def _incremental(provenance: Provenance) -> dict[str, str]:
    base = provenance.incremental_base
    return {"incrementalBase": base} if base else {}


def last_deployed_commit(
    db: Database[dict[str, Any]],
    deployment: str,
    kinds: tuple[str | None, ...] = ("deploy", "rollback", None),  # None: audits before kinds
) -> str | None:
    """The commit of the latest deploy or rollback (of `kinds`) that wrote to `deployment`
    (applied, or failed midway: the database is then partly at that commit)."""
    for entry in (
        db[AUDIT_COLLECTION]
        .find(
            {
                "deployment": deployment,
                "kind": {"$in": list(kinds)},
                "status": {"$in": ["applied", "failed"]},
                "commit": {"$ne": None},
            }
        )
        .sort("at", -1)
    ):
        if entry["status"] == "applied" or entry.get("applied"):
            return str(entry["commit"])
    return None


def adopt(
    db: Database[dict[str, Any]],
    deployment: str,
    keys_by_collection: dict[str, list[str]],
    provenance: Provenance,
) -> list[str]:
    """Give the registry's provenance to the live documents named by the manifest (imported
    with `fedreg import`); returns what was adopted."""
    now = datetime.now(UTC)
    adopted = []
    for collection, keys in keys_by_collection.items():
        key_field = KEY_FIELD_BY_COLLECTION[collection]
        # One query per collection, not one per document: an import adopts them all at once.
        selector = {key_field: {"$in": list(keys)}, PROVENANCE_FIELD: {"$exists": False}}
        found = [doc[key_field] for doc in db[collection].find(selector, {key_field: True})]
        db[collection].update_many(
            selector, {"$set": {PROVENANCE_FIELD: deployment, **_stamp(provenance, now)}}
        )
        adopted += [f"{collection} {key}" for key in found]
    return adopted


def history(
    db: Database[dict[str, Any]],
    deployment: str,
    limit: int = 50,
    kinds: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """The latest audit entries of `deployment` (of `kinds`, default all), newest first: the
    deploys, rollbacks, operator actions and secret rotations (`rotated`: the client_id)."""
    query: dict[str, Any] = {"deployment": deployment}
    if kinds:
        query["kind"] = {"$in": list(kinds)}
    cursor = db[AUDIT_COLLECTION].find(query, {"_id": False})
    return list(cursor.sort("at", -1).limit(limit))


def rotate_secret(
    db: Database[dict[str, Any]],
    deployment: str,
    client_id: str,
    recipients: list[str],
    provenance: Provenance,
    keys: SecretKeys,
    before_replacing: Callable[[Path], None] | None = None,
) -> Path:
    """A new secret for an existing service provider, sealed to `recipients` and recorded for
    delivery (and handed to `before_replacing`, which may deliver it) before the client
    document holds it."""
    if not recipients:
        raise DeployFailed(
            f"{client_id} n'a pas de secret_recipients : personne ne recevrait le nouveau secret"
        )
    if db["client"].find_one({"key": client_id, PROVENANCE_FIELD: deployment}) is None:
        raise DeployFailed(f"aucun FS {client_id} géré par le registre dans ce déploiement")
    now = datetime.now(UTC)
    encrypted, sealed_file = _issue_secret(
        db, deployment, client_id, recipients, provenance, keys, now, None
    )
    if before_replacing is not None:
        before_replacing(sealed_file)
    db["client"].update_one(
        {"key": client_id, PROVENANCE_FIELD: deployment},
        {
            "$set": {
                "client_secret": encrypted,
                "secretUpdatedAt": now,
                "secretUpdatedBy": f"fedreg@{provenance.commit or 'local'}",
                **_stamp(provenance, now),
            }
        },
    )
    return sealed_file


def issued_dates(db: Database[dict[str, Any]], deployment: str) -> dict[str, datetime]:
    """When each managed client's current secret was issued (rotated, else created), by
    client_id: what the radar reads for secret ages. Never reads the secret itself."""
    dates = {}
    projection = {"_id": False, "key": True, "secretCreatedAt": True, "secretUpdatedAt": True}
    for doc in db["client"].find({PROVENANCE_FIELD: deployment}, projection):
        issued = doc.get("secretUpdatedAt") or doc.get("secretCreatedAt")
        if isinstance(doc.get("key"), str) and isinstance(issued, datetime):
            dates[doc["key"]] = issued if issued.tzinfo else issued.replace(tzinfo=UTC)
    return dates
