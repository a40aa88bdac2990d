"""What a deploy does to a deployment's live collections: pure planning.

The manifest owns exactly the fields of its documents; every other field of a live document
(`client_secret`, `createdAt`, what the admin app writes) is never touched. A provider that is
in the database but not in the manifest is deactivated, never deleted. Only documents carrying
the registry's provenance (`fedregDeployment`, written by every deploy and by `--adopt`) are
managed: any other document (resource servers, what the admin app created) is never written,
and a manifest record with the same identifier is refused.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..changes.plan import FieldChange
from ..manifests.build import Manifest, manifest_documents
from ..validation.checks.identifiers import is_age_recipient
from ..validation.coreconformance import (
    DISCOVERY_FIELDS,
    FIELDS_BY_COLLECTION,
    NO_DISCOVERY_FIELDS,
    Constraint,
    is_resource_server,
)

COLLECTIONS = (("client", "key"), ("provider", "uid"))  # (collection, identifying field)
SEALED_DIGEST_FIELD = "fedregSealedSecretDigest"  # which client_secret_age is stored
PROVENANCE_FIELD = "fedregDeployment"  # the deployment whose registry manages the document
KIND_BY_COLLECTION = {"client": "FS", "provider": "FI"}
# Fields a manifest document carries only when the file sets them: absent, they are removed
# from the managed document, or the core would go on using the old value. (An FI's jwksURL
# only without discovery: with it, the core reads the discovery document's keys.)
OPTIONAL_OWNED = {
    "client": ("introspection_signed_response_alg",),
    "provider": ("endSessionURL", "mfaComplianceNote"),
}
OPTIONAL_OWNED_WITHOUT_DISCOVERY = ("jwksURL",)


class DeployAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DEACTIVATE = "deactivate"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class DocumentChange:
    collection: str
    key: str
    name: str
    action: DeployAction
    fields: tuple[FieldChange, ...] = ()
    document: dict[str, Any] = field(default_factory=dict)
    sealed_secret: str | None = None  # an identity provider's secret to (re)store
    recipients: tuple[str, ...] = ()  # who receives a new service provider's secret
    unset: tuple[str, ...] = ()  # optional fields the file no longer sets: removed


@dataclass(frozen=True)
class ChangeLimits:
    """How much one deploy may change (policy.yaml): absolute limits for every deployment,
    a share of the records for deployments of at least `min_records_for_share` records."""

    max_updates: int
    max_deactivations: int
    max_share: float
    min_records_for_share: int


@dataclass(frozen=True)
class Unmanaged:
    """A manifest record whose identifier is a live document the registry does not manage."""

    collection: str
    key: str
    name: str
    resource_server: bool


@dataclass(frozen=True)
class DeployPlan:
    deployment: str
    changes: tuple[DocumentChange, ...]
    live_records: int
    unmanaged: tuple[Unmanaged, ...] = ()

    def count(self, action: DeployAction) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def effective(self) -> tuple[DocumentChange, ...]:
        return tuple(c for c in self.changes if c.action is not DeployAction.UNCHANGED)

    @property
    def summary(self) -> dict[str, int]:
        return {action.value: self.count(action) for action in DeployAction}

    def threshold_breaches(self, limits: ChangeLimits) -> list[str]:
        """Every limit this plan exceeds, in French (empty: small enough to apply)."""
        found = []
        updates = self.count(DeployAction.UPDATE)
        deactivations = self.count(DeployAction.DEACTIVATE)
        if deactivations > limits.max_deactivations:
            found.append(
                f"ce plan désactive {deactivations} fournisseurs de {self.deployment} "
                f"(limite : {limits.max_deactivations} par déploiement)"
            )
        if updates > limits.max_updates:
            found.append(
                f"ce plan met à jour {updates} fournisseurs de {self.deployment} "
                f"(limite : {limits.max_updates} par déploiement)"
            )
        if self.live_records >= max(limits.min_records_for_share, 1):
            share = (updates + deactivations) / self.live_records
            if share > limits.max_share:
                found.append(
                    f"ce plan modifie ou désactive {share:.0%} des enregistrements "
                    f"de {self.deployment} (limite : {limits.max_share:.0%})"
                )
        return found

    def problems(self) -> list[str]:
        """What makes the plan impossible to apply, in French."""
        found = []
        for record in self.unmanaged:
            what = (
                "un serveur de ressources de la base"
                if record.resource_server
                else "un document de la base sans la provenance du registre"
            )
            found.append(
                f"le {KIND_BY_COLLECTION[record.collection]} « {record.name} » ({record.key}) "
                f"a le même identifiant qu'{what} : le registre ne l'écrase jamais"
                + (
                    ""
                    if record.resource_server
                    else " (document importé : adoptez-le d'abord avec --adopt)"
                )
            )
        for change in self.changes:
            if change.action is not DeployAction.CREATE:
                continue
            if change.collection == "client" and not change.recipients:
                found.append(
                    f"le FS « {change.name} » ({change.key}) est nouveau mais n'a pas "
                    "de secret_recipients : son secret ne pourrait être remis à "
                    "personne"
                )
            unusable = [r for r in change.recipients if not is_age_recipient(r)]
            if change.collection == "client" and unusable:
                found.append(
                    f"le FS « {change.name} » ({change.key}) est nouveau mais "
                    f"secret_recipients contient « {unusable[0]} », qui n'est pas une clé "
                    "publique age : remplacez-la par celle de l'équipe (age-keygen)"
                )
            if change.collection == "provider" and change.sealed_secret is None:
                found.append(
                    f"le FI « {change.name} » ({change.key}) est nouveau mais n'a pas "
                    "de client_secret_age : le cœur l'ignorerait sans secret"
                )
        return found


def sealed_digest(sealed: str) -> str:
    return hashlib.sha256(sealed.encode("utf-8")).hexdigest()


def _empty_is_absent(fields: dict[str, Constraint]) -> frozenset[str]:
    """The optional fields where the core accepts "" and reads it as no value (an FI's
    encryption settings, a falsy SP algorithm). Not a URL field: "" there breaks the core's
    URL check, so it is a real value to remove."""
    return frozenset(
        name for name, rule in fields.items() if not rule.required and rule.check("") is None
    )


_EMPTY_IS_ABSENT = {
    "client": _empty_is_absent(FIELDS_BY_COLLECTION["client"]),
    "provider": _empty_is_absent(
        {**FIELDS_BY_COLLECTION["provider"], **DISCOVERY_FIELDS, **NO_DISCOVERY_FIELDS}
    ),
}


def as_core_reads(collection: str, name: str, value: Any) -> Any:
    """A field's value as the core reads it, so that the plan shows only real changes: the
    core treats lists as sets, an optional field that is null or "" as absent, and a name
    displays the same in composed (NFC) or decomposed (NFD) form."""
    if isinstance(value, list):
        return sorted({json.dumps(item, sort_keys=True, default=str) for item in value})
    if value == "" and name in _EMPTY_IS_ABSENT[collection]:
        return None
    if name in ("name", "title") and isinstance(value, str):
        return unicodedata.normalize("NFC", value)  # one text, whichever form it is stored in
    return value


def _live_value(collection: str, name: str, current: dict[str, Any]) -> Any:
    """A live field's value, read through the admin app's legacy field where the current one
    is absent: a service provider's contacts were once `email`, one address per line (what
    `fedreg import` reads them from)."""
    if (
        collection == "client"
        and name == "collaborators"
        and name not in current
        and isinstance(current.get("email"), str)
    ):
        return [line.strip() for line in current["email"].splitlines() if line.strip()]
    return current.get(name)


def _changed_fields(
    collection: str, current: dict[str, Any], wanted: dict[str, Any]
) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, before=current.get(name), after=value)
        for name, value in wanted.items()
        if as_core_reads(collection, name, _live_value(collection, name, current))
        != as_core_reads(collection, name, value)
    )


def _removed_fields(
    collection: str, current: dict[str, Any], wanted: dict[str, Any]
) -> tuple[str, ...]:
    """Optional owned fields the live document sets and the manifest no longer does (a null
    or "" there is already absent for the core: no change)."""
    owned = OPTIONAL_OWNED.get(collection, ())
    if collection == "provider" and wanted.get("discovery") is False:
        owned += OPTIONAL_OWNED_WITHOUT_DISCOVERY
    return tuple(
        name
        for name in owned
        if name not in wanted and as_core_reads(collection, name, current.get(name)) is not None
    )


def is_managed(document: dict[str, Any], deployment: str) -> bool:
    """Whether the registry of `deployment` manages this live document (its provenance)."""
    return document.get(PROVENANCE_FIELD) == deployment


def plan_deploy(manifest: Manifest, live: dict[str, list[dict[str, Any]]]) -> DeployPlan:
    """Compare a manifest with the live documents of its deployment (collection -> docs)."""
    deployment = manifest["deployment"]
    changes: list[DocumentChange] = []
    unmanaged: list[Unmanaged] = []
    managed = {
        collection: [
            doc
            for doc in live.get(collection, [])
            if key_field in doc and is_managed(doc, deployment)
        ]
        for collection, key_field in COLLECTIONS
    }
    for collection, key_field in COLLECTIONS:
        wanted_documents = manifest_documents(manifest, collection)
        current_by_key = {doc[key_field]: doc for doc in managed[collection]}
        others = {
            doc[key_field]: doc
            for doc in live.get(collection, [])
            if key_field in doc and not is_managed(doc, deployment)
        }
        for wanted in wanted_documents:
            key = wanted[key_field]
            current = current_by_key.get(key)
            if current is None and key in others:
                unmanaged.append(
                    Unmanaged(
                        collection,
                        key,
                        str(wanted.get("name", key)),
                        collection == "client" and is_resource_server(others[key]),
                    )
                )
                continue
            sealed = (
                manifest.get("sealed_secrets", {}).get(key) if collection == "provider" else None
            )
            recipients = tuple(manifest.get("secret_recipients", {}).get(key, ()))
            if current is None:
                changes.append(
                    DocumentChange(
                        collection,
                        key,
                        wanted["name"],
                        DeployAction.CREATE,
                        document=wanted,
                        sealed_secret=sealed,
                        recipients=recipients,
                    )
                )
                continue
            unset = _removed_fields(collection, current, wanted)
            fields = _changed_fields(collection, current, wanted) + tuple(
                FieldChange(name, before=current[name], after=None) for name in unset
            )
            new_secret = sealed is not None and current.get(SEALED_DIGEST_FIELD) != (
                sealed_digest(sealed)
            )
            action = DeployAction.UPDATE if fields or new_secret else DeployAction.UNCHANGED
            changes.append(
                DocumentChange(
                    collection,
                    key,
                    wanted["name"],
                    action,
                    fields,
                    wanted,
                    sealed if new_secret else None,
                    recipients,
                    unset,
                )
            )
        wanted_keys = {doc[key_field] for doc in wanted_documents}
        for key, current in sorted(current_by_key.items()):
            if key not in wanted_keys and current.get("active") is not False:
                changes.append(
                    DocumentChange(
                        collection,
                        key,
                        str(current.get("name", key)),
                        DeployAction.DEACTIVATE,
                        (FieldChange("active", before=current.get("active"), after=False),),
                    )
                )
    live_records = sum(len(docs) for docs in managed.values())
    return DeployPlan(deployment, tuple(changes), live_records, tuple(unmanaged))


def unmanaged_documents(
    deployment: str, live: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, str, str]]:
    """(collection, identifier, name) of the live documents the registry does not manage,
    resource servers left out (they are expected there): what drift reports as foreign."""
    return [
        (collection, str(doc[key_field]), str(doc.get("name", doc[key_field])))
        for collection, key_field in COLLECTIONS
        for doc in live.get(collection, [])
        if key_field in doc
        and not is_managed(doc, deployment)
        and not (collection == "client" and is_resource_server(doc))
    ]
