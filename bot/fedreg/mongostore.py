"""The federation's live collections (`client`, `provider`) and fedreg's audit trail: the only
module that talks to MongoDB.

Every write is one idempotent, per-document update (upsert by identifier), so a run that
fails midway is completed by running it again; the core hot-reloads each change through its
change streams. Secrets: a new service provider's secret is sealed to its recipients in an age
file before the database holds it; an identity provider's sealed secret is opened with the
federation's key. Only AES-GCM ciphertext reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo.database import Database

from .clientsecrets import (
    encrypt_for_core,
    generate_client_secret,
    open_sealed,
    seal_for,
)
from .deployplan import (
    COLLECTIONS,
    SEALED_DIGEST_FIELD,
    DeployAction,
    DeployPlan,
    DocumentChange,
    sealed_digest,
)
from .errors import FedregError
from .files import write_atomic_bytes

AUDIT_COLLECTION = "fedreg_deployments"
DEFAULT_DATABASE = "core-fca-low"
KEY_FIELD_BY_COLLECTION = dict(COLLECTIONS)


@dataclass(frozen=True)
class Provenance:
    commit: str | None
    digest: str
    actor: str


@dataclass(frozen=True)
class SecretKeys:
    """What secret handling needs: the core's cipher key, the federation's age identity (None
    when no identity provider secret is to be opened), where sealed secrets are written."""

    cipher_key: bytes | None
    age_identity: str | None
    sealed_out: Path


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    sealed_files: list[Path] = field(default_factory=list)


class DeployFailed(FedregError):
    pass


def live_documents(db: Database[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {name: list(db[name].find({}, {"_id": False})) for name, _ in COLLECTIONS}


def _stamp(provenance: Provenance, now: datetime) -> dict[str, Any]:
    return {"updatedAt": now, "updatedBy": f"fedreg@{provenance.commit or 'local'}"}


def _need(value: Any, what: str) -> Any:
    if value is None:
        raise DeployFailed(f"{what} manquante pour ce déploiement")
    return value


def _issue_secret(client_id: str, recipients: list[str], keys: SecretKeys) -> tuple[str, Path]:
    """A new client secret: sealed to `recipients` in an age file first, then returned only
    as the core's ciphertext. The key is checked before anything is written."""
    key = _need(keys.cipher_key, "CLIENT_SECRET_CIPHER_PASS")
    cleartext = generate_client_secret()
    sealed_file = keys.sealed_out / f"{client_id}.age"
    write_atomic_bytes(sealed_file, seal_for(cleartext, recipients))
    return encrypt_for_core(cleartext, key), sealed_file


def _write(
    db: Database[dict[str, Any]],
    change: DocumentChange,
    provenance: Provenance,
    keys: SecretKeys,
    report: ApplyReport,
    now: datetime,
) -> None:
    key_field = KEY_FIELD_BY_COLLECTION[change.collection]
    selector = {key_field: change.key}
    stamp = _stamp(provenance, now)
    if change.action is DeployAction.DEACTIVATE:
        db[change.collection].update_one(selector, {"$set": {"active": False, **stamp}})
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
            change.key, list(change.recipients), keys
        )
        report.sealed_files.append(sealed_file)
        on_insert["secretCreatedAt"] = now
    db[change.collection].update_one(
        selector, {"$set": to_set, "$setOnInsert": on_insert}, upsert=True
    )


def apply_plan(
    db: Database[dict[str, Any]],
    plan: DeployPlan,
    provenance: Provenance,
    keys: SecretKeys,
    after_each: Callable[[DocumentChange], None] | None = None,
) -> ApplyReport:
    """Apply every effective change, then record the deployment. On failure, record what was
    applied and raise DeployFailed: running again completes the deployment."""
    report = ApplyReport()
    now = datetime.now(UTC)
    try:
        for change in plan.effective:
            _write(db, change, provenance, keys, report, now)
            report.applied.append(f"{change.action.value} {change.collection} {change.key}")
            if after_each is not None:
                after_each(change)
    except Exception as error:
        record(db, plan, provenance, "failed", report.applied, now, str(error))
        raise DeployFailed(
            f"déploiement interrompu après {len(report.applied)} écriture(s) sur "
            f"{len(plan.effective)} ({error}) ; relancez-le pour le terminer"
        ) from error
    record(db, plan, provenance, "applied", report.applied, now)
    return report


def record(
    db: Database[dict[str, Any]],
    plan: DeployPlan,
    provenance: Provenance,
    status: str,
    applied: list[str],
    when: datetime,
    error: str = "",
) -> None:
    db[AUDIT_COLLECTION].insert_one(
        {
            "deployment": plan.deployment,
            "commit": provenance.commit,
            "digest": provenance.digest,
            "actor": provenance.actor,
            "at": when,
            "status": status,
            "summary": plan.summary,
            "applied": applied,
            "error": error,
        }
    )


def history(db: Database[dict[str, Any]], deployment: str, limit: int = 50) -> list[dict[str, Any]]:
    cursor = db[AUDIT_COLLECTION].find({"deployment": deployment}, {"_id": False})
    return list(cursor.sort("at", -1).limit(limit))


def rotate_secret(
    db: Database[dict[str, Any]],
    client_id: str,
    recipients: list[str],
    provenance: Provenance,
    keys: SecretKeys,
) -> Path:
    """A new secret for an existing service provider, sealed to `recipients`."""
    if not recipients:
        raise DeployFailed(
            f"{client_id} n'a pas de secret_recipients : personne ne recevrait le nouveau secret"
        )
    if db["client"].find_one({"key": client_id}) is None:
        raise DeployFailed(f"aucun FS {client_id} dans ce déploiement")
    encrypted, sealed_file = _issue_secret(client_id, recipients, keys)
    now = datetime.now(UTC)
    db["client"].update_one(
        {"key": client_id},
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
