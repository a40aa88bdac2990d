"""Change plans: what a change of the registry does to the federation, provider by provider.

Pure logic: `build_plan` takes the providers before and after (as parsed documents) and
returns a sorted tuple of immutable changes, each with the field changes and the risks that a
reviewer must see. Comparisons are semantic: defaults applied, list order ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from netaddr import IPSet

from ..diagnostics import Diagnostic
from ..registry.layout import RegistryDocument
from ..registry.models import IDENTITY_PROVIDER, MODEL_BY_KIND, SERVICE_PROVIDER, deployment_name
from ..validation.checks.context import text_value
from ..validation.checks.ipranges import parse_ip_range
from ..validation.checks.uris import url_host

LIST_FIELDS = frozenset(
    {
        "owners",
        "contacts",
        "redirect_uris",
        "post_logout_redirect_uris",
        "ip_ranges",
        "scopes",
        "attached_email_domains",
        "extra_accepted_email_domains",
    }
)
IDENTIFIER_BY_KIND = {SERVICE_PROVIDER: "client_id", IDENTITY_PROVIDER: "uid"}
SEALED_FIELDS = frozenset({"client_secret_age"})


class Risk(IntEnum):
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return {0: "aucun", 1: "faible", 2: "moyen", 3: "élevé", 4: "critique"}[self.value]

    @property
    def key(self) -> str:
        return self.name.lower()


class Action(IntEnum):
    """Sort order of changes within a deployment: removals first, they hurt most."""

    DELETE = 0
    MOVE = 1
    RENAME = 2
    UPDATE = 3
    CREATE = 4

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class RiskReason:
    level: Risk
    reason: str


@dataclass(frozen=True)
class FieldChange:
    """A scalar field's `before` and `after`, or a list field's added and removed entries."""

    field: str
    before: Any = None
    after: Any = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.field in LIST_FIELDS


@dataclass(frozen=True)
class Change:
    action: Action
    kind: str
    environment: str
    network: str
    path: str
    previous_path: str | None
    identifier: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    risks: tuple[RiskReason, ...] = ()
    # Routed e-mail domains this change attaches that another FI of the deployment routes too.
    shared_domains: tuple[str, ...] = ()

    @property
    def deployment(self) -> str:
        return deployment_name(self.environment, self.network)

    @property
    def risk(self) -> Risk:
        return max((r.level for r in self.risks), default=Risk.NONE)

    def sort_key(self) -> tuple[str, int, str]:
        return (self.deployment, self.action.value, self.path)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def highest_risk(self) -> Risk:
        return max((c.risk for c in self.changes), default=Risk.NONE)

    @property
    def deployments(self) -> tuple[str, ...]:
        return tuple(sorted({c.deployment for c in self.changes}))


def normalized(doc: RegistryDocument) -> dict[str, Any]:
    """The document with the model's defaults applied when it has the right shape, else the
    raw data: an invalid head still gets a plan of what can be read."""
    data = doc.data or {}
    model = MODEL_BY_KIND.get(doc.kind)
    if model is not None:
        try:
            return model.model_validate({**data, "kind": doc.kind}).model_dump()
        except ValueError:
            pass
    return dict(data)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    changes = []
    for key in sorted((set(before) | set(after)) - {"kind"}):
        old, new = before.get(key), after.get(key)
        if key in LIST_FIELDS:
            old_list, new_list = _as_list(old), _as_list(new)
            added = tuple(v for v in new_list if v not in old_list)
            removed = tuple(v for v in old_list if v not in new_list)
            if added or removed:
                changes.append(FieldChange(key, added=added, removed=removed))
        elif old != new and key in SEALED_FIELDS:
            # Ciphertext says nothing to a reviewer: show that it changed, not the blob.
            changes.append(FieldChange(key, before=_sealed_label(old), after=_sealed_label(new)))
        elif old != new:
            changes.append(FieldChange(key, before=old, after=new))
    return tuple(changes)


def _sealed_label(value: Any) -> str | None:
    if value is None:
        return None
    return f"(chiffré, empreinte {hashlib.sha256(str(value).encode()).hexdigest()[:12]})"


def _ip_set(values: Iterable[str]) -> IPSet:
    networks = [network.cidr for v in values if (network := parse_ip_range(v)) is not None]
    return IPSet(networks)


def _uri_hosts(data: dict[str, Any]) -> set[str]:
    """The hosts a provider sends users back to (login and logout)."""
    uris = _as_list(data.get("redirect_uris")) + _as_list(data.get("post_logout_redirect_uris"))
    return {host for uri in uris if (host := url_host(uri)) is not None}


def assess(
    action: Action,
    kind: str,
    environment: str,
    fields: Sequence[FieldChange],
    before: dict[str, Any],
    after: dict[str, Any],
) -> tuple[RiskReason, ...]:
    """Why this change is risky, from most to least."""
    production = environment == "production"
    base = Risk.MEDIUM if production else Risk.LOW
    raised = Risk.HIGH if production else Risk.MEDIUM
    where = "en production" if production else "en intégration"
    reasons = [RiskReason(base, f"modification {where}")]
    if action is Action.CREATE:
        reasons.append(RiskReason(base, f"nouveau fournisseur {where}"))
    if action is Action.DELETE:
        reasons.append(
            RiskReason(
                raised,
                "fournisseur retiré : il sera désactivé au déploiement, ses connexions échoueront",
            )
        )
    if action is Action.MOVE:
        reasons.append(RiskReason(raised, "fournisseur déplacé d'un environnement à l'autre"))
    by_field = {change.field: change for change in fields}
    identifier = IDENTIFIER_BY_KIND.get(kind, "client_id")
    existed = action is not Action.CREATE  # a creation changes no identifier, owner or state
    if existed and identifier in by_field:
        reasons.append(
            RiskReason(
                Risk.CRITICAL,
                f"{identifier} modifié : l'intégration du partenaire cessera de fonctionner",
            )
        )
    if existed and "active" in by_field:
        if by_field["active"].after is False:
            reasons.append(RiskReason(raised, "désactivation : plus aucune connexion possible"))
        else:
            reasons.append(RiskReason(base, "activation"))
    for key, code in (("redirect_uris", "Y030031"), ("post_logout_redirect_uris", "Y030111")):
        if key in by_field and by_field[key].removed:
            reasons.append(
                RiskReason(
                    raised,
                    f"URL retirée de {key} : les connexions qui l'utilisent échoueront ({code})",
                )
            )
    if existed and "network" in by_field:
        reasons.append(
            RiskReason(
                raised,
                f"changement de réseau ({by_field['network'].before} → "
                f"{by_field['network'].after}) : nouveau client avec un nouveau secret dans "
                "l'autre déploiement, désactivé dans l'ancien",
            )
        )
    new_hosts = sorted(_uri_hosts(after) - _uri_hosts(before))
    if existed and new_hosts:
        reasons.append(
            RiskReason(
                raised,
                "URL de retour sur un hôte que ce fournisseur n'utilisait pas : "
                + ", ".join(new_hosts),
            )
        )
    if existed and "ip_ranges" in by_field and by_field["ip_ranges"].added:
        widened = _ip_set(_as_list(after.get("ip_ranges"))) - _ip_set(
            _as_list(before.get("ip_ranges"))
        )
        if widened.size:
            reasons.append(
                RiskReason(
                    raised, f"plages IP élargies ({widened.size} adresses de plus autorisées)"
                )
            )
    if "attached_email_domains" in by_field and by_field["attached_email_domains"].added:
        reasons.append(
            RiskReason(
                raised, "nouveau domaine e-mail routé vers ce FI : ses agents s'y authentifieront"
            )
        )
    switched_on = [
        key for key in ("active", "routing_enabled") if key in by_field and by_field[key].after
    ]
    if (
        existed
        and kind == IDENTITY_PROVIDER
        and switched_on
        and after.get("attached_email_domains")
    ):
        reasons.append(
            RiskReason(
                raised,
                f"{' et '.join(switched_on)} : les agents de ses domaines e-mail "
                "s'authentifieront auprès de ce FI",
            )
        )
    if existed and "owners" in by_field:
        reasons.append(
            RiskReason(
                raised,
                "propriétaires modifiés : ils décident des prochaines modifications de ce fichier",
            )
        )
    return tuple(sorted(reasons, key=lambda r: -r.level))


# (environment, network, domain) -> the files of the identity providers routing it.
DomainHolders = dict[tuple[str, str, str], set[str]]


def domain_holders(docs: Iterable[RegistryDocument]) -> DomainHolders:
    """Who routes each e-mail domain, from parsed identity-provider files."""
    holders: DomainHolders = {}
    for doc in docs:
        data = doc.data or {}
        if doc.kind != IDENTITY_PROVIDER:
            continue
        network = text_value(data, "network") or "?"
        for domain in _as_list(data.get("attached_email_domains")):
            holders.setdefault((doc.environment, network, domain), set()).add(doc.display_path)
    return holders


def _shared_domain_risk(
    change: Change, holders: DomainHolders, production: bool
) -> tuple[tuple[str, ...], tuple[RiskReason, ...]]:
    """The domains `change` attaches that another FI already routes, and the risk it states:
    the agents of such a domain will be asked to choose, which the federation must review."""
    added = next(
        (f.added for f in change.fields if f.field == "attached_email_domains" and f.added), ()
    )
    own = {change.path, change.previous_path}
    pairs = [
        (domain, others)
        for domain in added
        if (others := holders.get((change.environment, change.network, domain), set()) - own)
    ]
    if change.kind != IDENTITY_PROVIDER or not pairs:
        return (), ()
    level = Risk.HIGH if production else Risk.MEDIUM
    reason = (
        "domaine déjà rattaché à un autre FI : "
        + " ; ".join(f"{domain} ({', '.join(sorted(others))})" for domain, others in pairs)
        + " ; ses agents devront choisir leur FI, revue de la fédération requise"
    )
    return tuple(domain for domain, _ in pairs), (RiskReason(level, reason),)


def _identity(doc: RegistryDocument, data: dict[str, Any]) -> tuple[str, str] | None:
    identifier = text_value(data, IDENTIFIER_BY_KIND.get(doc.kind, "client_id")) or ""
    return (doc.kind, identifier) if identifier else None


def _change(
    action: Action,
    doc: RegistryDocument,
    data: dict[str, Any],
    previous: RegistryDocument | None = None,
    previous_data: dict[str, Any] | None = None,
) -> Change:
    before = previous_data or {}
    after = data if action is not Action.DELETE else {}
    fields = field_changes(before, after) if action is not Action.DELETE else ()
    environment = doc.environment
    return Change(
        action=action,
        kind=doc.kind,
        environment=environment,
        network=text_value(data, "network") or text_value(before, "network") or "?",
        path=doc.display_path,
        previous_path=(
            previous.display_path
            if previous is not None and action in (Action.RENAME, Action.MOVE)
            else None
        ),
        identifier=(text_value(data, IDENTIFIER_BY_KIND.get(doc.kind, "client_id")) or ""),
        name=text_value(data, "name") or doc.slug,
        fields=fields,
        risks=assess(action, doc.kind, environment, fields, before, after),
    )


def _with_shared_domains(changes: list[Change], holders: DomainHolders) -> list[Change]:
    result = []
    for change in changes:
        shared, risks = _shared_domain_risk(change, holders, change.environment == "production")
        if shared:
            ranked = tuple(sorted(change.risks + risks, key=lambda r: -r.level))
            change = replace(change, shared_domains=shared, risks=ranked)
        result.append(change)
    return result


def build_plan(
    base: Sequence[RegistryDocument],
    head: Sequence[RegistryDocument],
    diagnostics: Sequence[Diagnostic] = (),
    base_holders: DomainHolders | None = None,
) -> Plan:
    """Match providers by path, then by identity (kind and client_id or uid) for renames and
    moves; what remains was created or deleted. `base_holders`: who routes each e-mail domain
    in the whole base registry (None: only the changed files are known)."""
    base_by_path = {doc.display_path: doc for doc in base}
    head_by_path = {doc.display_path: doc for doc in head}
    base_data = {path: normalized(doc) for path, doc in base_by_path.items()}
    head_data = {path: normalized(doc) for path, doc in head_by_path.items()}
    changes: list[Change] = []
    for path in sorted(set(base_by_path) & set(head_by_path)):
        change = _change(
            Action.UPDATE, head_by_path[path], head_data[path], base_by_path[path], base_data[path]
        )
        if change.fields:  # reordering a list or writing a default changes nothing
            changes.append(change)
    removed = {p: d for p, d in base_by_path.items() if p not in head_by_path}
    added = {p: d for p, d in head_by_path.items() if p not in base_by_path}
    removed_by_identity: dict[tuple[str, str], str] = {}
    for path, doc in removed.items():
        identity = _identity(doc, base_data[path])
        if identity is not None:
            removed_by_identity.setdefault(identity, path)
    for path, doc in sorted(added.items()):
        identity = _identity(doc, head_data[path])
        old_path = removed_by_identity.pop(identity, None) if identity else None
        if old_path is None:
            changes.append(_change(Action.CREATE, doc, head_data[path]))
            continue
        old = removed.pop(old_path)
        action = Action.RENAME if old.environment == doc.environment else Action.MOVE
        changes.append(_change(action, doc, head_data[path], old, base_data[old_path]))
    for path, doc in sorted(removed.items()):
        changes.append(_change(Action.DELETE, doc, base_data[path]))
    # The changed files count as they are at the head; every other file as at the base.
    holders: DomainHolders = {
        key: paths - set(base_by_path) for key, paths in (base_holders or {}).items()
    }
    for key, paths in domain_holders(head).items():
        holders.setdefault(key, set()).update(paths)
    changes = _with_shared_domains(changes, holders)
    return Plan(tuple(sorted(changes, key=Change.sort_key)), tuple(diagnostics))
