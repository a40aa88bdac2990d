"""fedreg's own records in a deployment's database: its identity marker, the deploy lock and
the sealed secrets awaiting delivery.

- The marker (`fedreg_identity`) names the deployment a database belongs to; it is written
  once, by `fedreg deploy --init`, and every command that reads or writes a target checks it.
- The lock (`fedreg_locks`) is a lease: one document per deployment, taken by an atomic
  find-and-modify that only matches when the lease is free, expired or already ours.
- Sealed secrets (`fedreg_secrets`) are age files for the partner only (ciphertext), recorded
  before or with the client document that holds the matching secret, until delivered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson.binary import Binary
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from ..errors import FedregError
from ..registry.models import deployment_parts

MARKER_COLLECTION = "fedreg_identity"
MARKER_ID = "deployment"
LOCK_COLLECTION = "fedreg_locks"
SECRETS_COLLECTION = "fedreg_secrets"


class TargetRefused(FedregError):
    """The target database is not the named deployment's."""


class LockHeld(FedregError):
    pass


def read_marker(db: Database[dict[str, Any]]) -> dict[str, Any] | None:
    return db[MARKER_COLLECTION].find_one({"_id": MARKER_ID})


def check_marker(db: Database[dict[str, Any]], deployment: str, where: str) -> None:
    """Refuse a target whose marker is absent or names another deployment."""
    marker = read_marker(db)
    if marker is None:
        raise TargetRefused(
            f"la base {where} n'est marquée pour aucun déploiement : rien n'est lu ni écrit. "
            f"S'il s'agit bien de {deployment}, marquez-la une fois avec "
            f"`fedreg deploy {deployment} --target … --init`"
        )
    if marker.get("deployment") != deployment:
        raise TargetRefused(
            f"la base {where} est celle de {marker.get('deployment')}, pas de {deployment} : "
            "rien n'est lu ni écrit (vérifiez --target)"
        )


def write_marker(db: Database[dict[str, Any]], deployment: str, actor: str, now: datetime) -> None:
    environment, network = deployment_parts(deployment)
    db[MARKER_COLLECTION].insert_one(
        {
            "_id": MARKER_ID,
            "deployment": deployment,
            "environment": environment,
            "network": network,
            "initializedAt": now,
            "initializedBy": actor,
        }
    )


@dataclass(frozen=True)
class Lease:
    holder: str
    actor: str
    since: datetime
    expires: datetime

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Lease:
        return cls(document["holder"], document["actor"], document["since"], document["expires"])

    def describe(self) -> str:
        return (
            f"l'exécution {self.holder} ({self.actor}), depuis le {self.since:%Y-%m-%d %H:%M:%S} "
            f"UTC, jusqu'au {self.expires:%Y-%m-%d %H:%M:%S} UTC"
        )


def acquire_lock(
    db: Database[dict[str, Any]],
    deployment: str,
    holder: str,
    actor: str,
    now: datetime,
    minutes: int,
    break_lock: bool = False,
) -> Lease | None:
    """Take the deployment's lease; returns the lease it replaced (expired, or broken with
    `break_lock`), None when it was free. Raises LockHeld when another run holds it."""
    locks = db[LOCK_COLLECTION]
    previous_document = locks.find_one({"_id": deployment})
    previous = Lease.from_document(previous_document) if previous_document else None
    if break_lock:
        locks.delete_one({"_id": deployment})
    lease = {"holder": holder, "actor": actor, "since": now, "expires": _expiry(now, minutes)}
    free = {"$or": [{"expires": {"$lte": now}}, {"holder": holder}]}
    try:
        locks.find_one_and_update({"_id": deployment, **free}, {"$set": lease}, upsert=True)
    except DuplicateKeyError:
        current = locks.find_one({"_id": deployment})
        held = Lease.from_document(current) if current else None
        raise LockHeld(
            f"{deployment} est en cours de déploiement par "
            f"{held.describe() if held else 'une autre exécution'} : rien n'est écrit. "
            "Attendez la fin de ce déploiement ; si l'exécution est morte, le verrou expire "
            "seul, ou un opérateur le force avec --break-lock (tracé dans l'historique)"
        ) from None
    if previous is None or previous.holder == holder:
        return None
    return previous


def renew_lock(
    db: Database[dict[str, Any]], deployment: str, holder: str, now: datetime, minutes: int
) -> None:
    """Extend our lease; raises LockHeld if another run took it over (ours had expired or was
    broken), so that two runs never keep writing at once."""
    result = db[LOCK_COLLECTION].update_one(
        {"_id": deployment, "holder": holder}, {"$set": {"expires": _expiry(now, minutes)}}
    )
    if result.matched_count != 1:
        raise LockHeld(
            f"le verrou de {deployment} a été repris par une autre exécution pendant ce "
            "déploiement : arrêt immédiat"
        )


def release_lock(db: Database[dict[str, Any]], deployment: str, holder: str) -> None:
    db[LOCK_COLLECTION].delete_one({"_id": deployment, "holder": holder})


def _expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class SealedSecret:
    """An age file for a service provider's recipients, recorded until it is delivered."""

    record_id: str
    client_id: str
    sealed: bytes
    created_at: datetime


def record_sealed(
    db: Database[dict[str, Any]],
    deployment: str,
    client_id: str,
    sealed: bytes,
    stored_secret: str,
    run: dict[str, Any],
    now: datetime,
    session: ClientSession | None = None,
) -> None:
    """Record `sealed` for delivery: before, or in the same transaction as, the client write
    that stores `stored_secret` (the core's ciphertext, kept only as a digest here, to tell
    later whether the sealed file matches the secret the database holds)."""
    secrets = db[SECRETS_COLLECTION]
    secrets.update_many(
        {"deployment": deployment, "client_id": client_id, "state": "pending"},
        {"$set": {"state": "superseded", "supersededAt": now}},
        session=session,
    )
    secrets.insert_one(
        {
            "_id": f"{deployment}:{client_id}:{digest(sealed)[:24]}",
            "deployment": deployment,
            "client_id": client_id,
            "sealed": Binary(sealed),
            "storedSecretDigest": digest(stored_secret),
            "state": "pending",
            "createdAt": now,
            **run,
        },
        session=session,
    )


# The states of a sealed secret never delivered.
UNDELIVERED = ("pending", "superseded")


def pending_secrets(db: Database[dict[str, Any]], deployment: str) -> list[SealedSecret]:
    """Every sealed secret not yet delivered whose secret the database holds. A record whose
    client write never happened (a run that failed in between) is marked obsolete: the
    partner must not receive a secret that does not work."""
    found = []
    # A superseded record still counts while the database holds its secret: its replacement's
    # client write never happened (a rotation that failed midway).
    for record in (
        db[SECRETS_COLLECTION]
        .find({"deployment": deployment, "state": {"$in": list(UNDELIVERED)}})
        .sort("createdAt", 1)
    ):
        client = db["client"].find_one({"key": record["client_id"]}) or {}
        if digest(str(client.get("client_secret", ""))) != record["storedSecretDigest"]:
            if record["state"] == "pending":
                db[SECRETS_COLLECTION].update_one(
                    {"_id": record["_id"]}, {"$set": {"state": "obsolete"}}
                )
            continue
        found.append(
            SealedSecret(
                record["_id"], record["client_id"], bytes(record["sealed"]), record["createdAt"]
            )
        )
    return found


def mark_delivered(
    db: Database[dict[str, Any]], record_ids: list[str], where: str, now: datetime
) -> None:
    db[SECRETS_COLLECTION].update_many(
        {"_id": {"$in": record_ids}, "state": {"$in": list(UNDELIVERED)}},
        {"$set": {"state": "delivered", "deliveredAt": now, "deliveredTo": where}},
    )
