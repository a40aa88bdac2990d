"""The radar's verdicts, pure: from what one pass saw to each provider's findings.

The live checks' own verdicts (`live/check.py`, V codes) say whether an FI's discovery and
keys still match its file and whether an FS's return hosts still resolve; the R codes add what
only time reveals: certificates about to expire, keys that changed, a DNS proof missing for too
long, old secrets, owners who left, contacts whose domain no longer receives mail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

from ..diagnostics import Finding
from ..live.check import (
    CheckStatus,
    DnsOutcome,
    Evidence,
    evaluate_identity_provider,
    evaluate_service_provider,
    jwks_url_of,
    proof_record,
    shown,
)
from ..registry.layout import RegistryDocument
from ..registry.models import IdentityProvider, Provider, ServiceProvider
from ..registry.policy import Policy
from ..validation.rules import RULES_BY_CODE

KEY_WARNING_DAYS = 30
KEY_ERROR_DAYS = 7
TLS_ERROR_DAYS = 14
SECRET_REMINDER_DAYS = 30


@dataclass(frozen=True)
class RadarFinding:
    """One thing about to break. `subject` (a kid, a domain, a host, an owner) and the code
    identify it from one pass to the next; the message carries today's figures."""

    code: str
    subject: str
    field: str
    message: str
    hint: str

    @property
    def severity(self) -> str:
        return str(RULES_BY_CODE[self.code].severity)

    @property
    def ident(self) -> str:
        return f"{self.code}:{self.subject}"


@dataclass(frozen=True)
class ProviderWatch:
    """What one pass found for one provider file."""

    key: str  # deployment/kind/identifier: stable across renames of the file
    path: str
    deployment: str
    kind: str
    name: str
    owners: tuple[str, ...]
    findings: tuple[RadarFinding, ...]
    kids: tuple[str, ...] | None = None  # the JWKS's key ids, when it was read
    proof_missing: frozenset[str] = frozenset()  # attached domains whose proof is absent
    proof_unknown: frozenset[str] = frozenset()  # no verdict this pass (our side)


@dataclass(frozen=True)
class Memory:
    """What the previous pass left that today's verdicts depend on."""

    kids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kids_seen: Mapping[str, str] = field(default_factory=dict)  # key -> date of that pass
    proof_missing_since: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Observations:
    """What a pass saw beyond the live evidence: secrets' dates from the deploy records
    (deployment, client_id), and whether each owner exists on GitHub (None: not asked)."""

    secrets: Mapping[tuple[str, str], datetime] = field(default_factory=dict)
    owners: Mapping[str, bool | None] = field(default_factory=dict)


def provider_key(doc: RegistryDocument, provider: Provider) -> str:
    identifier = provider.uid if isinstance(provider, IdentityProvider) else provider.client_id
    return f"{doc.deployment}/{provider.kind}/{identifier}"


def _finding(code: str, subject: str, where: str, **params: Any) -> RadarFinding:
    rule = RULES_BY_CODE[code]
    return RadarFinding(
        code, subject, where, rule.message.format(**params), rule.hint.format(**params)
    )


def _field(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _from_live(finding: Finding) -> RadarFinding:
    rule = RULES_BY_CODE[finding.code]
    where = _field(finding.field)
    return RadarFinding(
        finding.code,
        where,
        where,
        rule.message.format(**finding.params),
        rule.hint.format(**finding.params) if "{detail}" not in rule.hint else "",
    )


def _days(later: datetime | date, earlier: datetime | date) -> int:
    return (later - earlier).days  # type: ignore[operator]


def _jwks_keys(body: bytes | None) -> list[dict[str, Any]] | None:
    try:
        document = json.loads(body or b"")
    except ValueError:
        return None
    keys = document.get("keys") if isinstance(document, dict) else None
    return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else None


def _not_after(key: Mapping[str, Any]) -> datetime | None:
    chain = key.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode(chain[0])).not_valid_after_utc
    except (ValueError, binascii.Error):
        return None


def _key_findings(
    key: str,
    idp: IdentityProvider,
    evidence: Evidence,
    memory: Memory,
    now: datetime,
    policy: Policy,
) -> tuple[list[RadarFinding], tuple[str, ...] | None]:
    discovery = evidence.documents.get(idp.discovery_url) if idp.discovery_url else None
    url = jwks_url_of(idp, discovery)
    fetched = evidence.documents.get(url) if url else None
    keys = _jwks_keys(fetched.body) if fetched is not None and fetched.status == 200 else None
    if keys is None:
        return [], None
    found = []
    for entry in keys:
        kid = shown(entry.get("kid", "(sans kid)"))
        expires = _not_after(entry)
        if expires is None:
            continue
        days = _days(expires, now)
        if days <= KEY_WARNING_DAYS:
            code = "R002" if days <= KEY_ERROR_DAYS else "R001"
            params = {"kid": kid, "date": f"{expires:%d/%m/%Y}", "days": days}
            found.append(_finding(code, kid, "jwks", support=policy.support_contact, **params))
    kids = tuple(sorted({shown(e.get("kid", "(sans kid)")) for e in keys}))
    before = memory.kids.get(key)
    if before is not None and tuple(before) != kids:
        added = sorted(set(kids) - set(before))
        removed = sorted(set(before) - set(kids))
        change = "; ".join(
            part
            for part in (
                f"clé(s) apparue(s) : {_few(added)}" if added else "",
                f"clé(s) disparue(s) : {_few(removed)}" if removed else "",
            )
            if part
        )
        since = memory.kids_seen.get(key, "")
        found.append(
            _finding("R003", _digest(kids), "jwks", since=_french_date(since), change=change)
        )
    return found, kids


KIDS_SHOWN = 5


def _few(kids: list[str]) -> str:
    """At most a few key ids: a JWKS may hold thousands, the issue's body must stay short."""
    listed = ", ".join(kids[:KIDS_SHOWN])
    return listed + (f" et {len(kids) - KIDS_SHOWN} autre(s)" if len(kids) > KIDS_SHOWN else "")


def _digest(kids: tuple[str, ...]) -> str:
    return hashlib.sha256("\x00".join(kids).encode()).hexdigest()[:16]


def _french_date(iso: str) -> str:
    try:
        return f"{date.fromisoformat(iso[:10]):%d/%m/%Y}"
    except ValueError:
        return "dernier passage"


def _proof_findings(
    key: str,
    idp: IdentityProvider,
    evidence: Evidence,
    memory: Memory,
    now: datetime,
    policy: Policy,
) -> tuple[list[RadarFinding], frozenset[str], frozenset[str]]:
    record = proof_record(idp.uid)
    missing, unknown, found = set(), set(), []
    since_by_domain = memory.proof_missing_since.get(key, {})
    for index, domain in enumerate(idp.attached_email_domains):
        answer = evidence.txt.get(domain)
        if answer is None or answer.outcome in (DnsOutcome.ERROR, DnsOutcome.BUDGET):
            unknown.add(domain)
            continue
        if record in {r.strip() for r in answer.records}:
            continue
        missing.add(domain)
        since = since_by_domain.get(domain, now.date().isoformat())
        if _days(now.date(), date.fromisoformat(since)) > policy.radar_dns_proof_grace_days:
            found.append(
                _finding(
                    "R010",
                    domain,
                    f"attached_email_domains[{index}]",
                    domain=domain,
                    since=_french_date(since),
                    grace=policy.radar_dns_proof_grace_days,
                    record=record,
                )
            )
    return found, frozenset(missing), frozenset(unknown)


def _tls_findings(sp: ServiceProvider, evidence: Evidence, now: datetime) -> list[RadarFinding]:
    found = []
    for origin, (host, where) in https_origins(sp).items():
        peer = evidence.certificates.get(origin)
        if peer is None:
            continue
        if peer.error == "tls":
            found.append(_finding("R021", host, where, host=host, problem=shown(peer.detail)))
        elif peer.not_after is not None and _days(peer.not_after, now) <= TLS_ERROR_DAYS:
            days = _days(peer.not_after, now)
            date_text = f"{peer.not_after:%d/%m/%Y}"
            found.append(_finding("R020", host, where, host=host, date=date_text, days=days))
    return found


def https_origins(sp: ServiceProvider) -> dict[str, tuple[str, str]]:
    """The https origins of the FS's return URLs (`https://host[:port]`), with their host and
    the first field naming them: whose certificate the radar reads. An RIE FS's hosts are
    not reachable from the internet, and are left out."""
    origins: dict[str, tuple[str, str]] = {}
    if sp.network == "rie":
        return origins
    for key in ("redirect_uris", "post_logout_redirect_uris"):
        for index, uri in enumerate(getattr(sp, key)):
            parts = urlsplit(uri)
            if parts.scheme != "https" or not parts.hostname:
                continue
            try:
                port = parts.port
            except ValueError:
                continue
            origin = f"https://{parts.hostname}" + (f":{port}" if port else "")
            origins.setdefault(origin, (parts.hostname, f"{key}[{index}]"))
    return origins


def _secret_findings(
    doc: RegistryDocument, sp: ServiceProvider, seen: Observations, now: datetime, policy: Policy
) -> list[RadarFinding]:
    created = seen.secrets.get((doc.deployment, sp.client_id))
    if created is None:
        return []
    age = _days(now, created)
    limit = policy.radar_secret_max_age_days
    if age < limit - SECRET_REMINDER_DAYS:
        return []
    code = "R031" if age > limit else "R030"
    params = {"age": age, "since": f"{created:%d/%m/%Y}", "limit": limit}
    return [_finding(code, "client_secret", "client_id", support=policy.support_contact, **params)]


def _owner_findings(
    doc: RegistryDocument, provider: Provider, seen: Observations
) -> list[RadarFinding]:
    found = []
    for index, owner in enumerate(provider.owners):
        if seen.owners.get(owner) is False:
            found.append(_finding("R040", owner, f"owners[{index}]", owner=owner))
    teams = [o for o in provider.owners if "/" in o]
    if doc.environment == "production" and len(provider.owners) < 2 and not teams:
        found.append(
            _finding("R041", "owners", "owners", owners=", ".join(provider.owners) or "aucun")
        )
    return found


def contact_domains(provider: Provider) -> dict[str, str]:
    """Each contact's domain, with the first contact that names it."""
    domains: dict[str, str] = {}
    for contact in provider.contacts:
        domains.setdefault(contact.rpartition("@")[2].lower(), contact)
    return domains


def _contact_findings(provider: Provider, evidence: Evidence) -> list[RadarFinding]:
    found = []
    for index, contact in enumerate(provider.contacts):
        domain = contact.rpartition("@")[2].lower()
        answer = evidence.mail.get(domain)
        if answer is not None and answer.outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NO_ANSWER):
            found.append(
                _finding("R042", domain, f"contacts[{index}]", domain=domain, contact=contact)
            )
    return found


def watch_provider(
    doc: RegistryDocument,
    provider: Provider,
    policy: Policy,
    evidence: Evidence,
    seen: Observations,
    memory: Memory,
    now: datetime,
) -> ProviderWatch:
    """Every finding of one provider on this pass."""
    key = provider_key(doc, provider)
    findings: list[RadarFinding] = []
    kids, missing, unknown = None, frozenset[str](), frozenset[str]()
    if isinstance(provider, IdentityProvider):
        checks = evaluate_identity_provider(
            provider, doc.environment, policy, evidence, frozenset()
        )
        name = provider.title
        key_findings, kids = _key_findings(key, provider, evidence, memory, now, policy)
        proof, missing, unknown = _proof_findings(key, provider, evidence, memory, now, policy)
        findings += key_findings + proof
    else:
        checks = evaluate_service_provider(provider, doc.environment, policy, evidence)
        name = provider.name
        findings += _tls_findings(provider, evidence, now)
        findings += _secret_findings(doc, provider, seen, now, policy)
    live = [
        _from_live(f)
        for check in checks
        if check.status is not CheckStatus.PASSED
        for f in check.findings
    ]
    findings = live + findings
    findings += _owner_findings(doc, provider, seen)
    findings += _contact_findings(provider, evidence)
    unique = {f.ident: f for f in findings}
    return ProviderWatch(
        key,
        doc.display_path,
        doc.deployment,
        provider.kind,
        name,
        tuple(provider.owners),
        tuple(sorted(unique.values(), key=lambda f: (f.severity != "error", f.code, f.subject))),
        kids,
        missing,
        unknown,
    )


def watch_all(
    providers: Sequence[tuple[RegistryDocument, Provider]],
    policy: Policy,
    evidence: Evidence,
    seen: Observations,
    memory: Memory,
    now: datetime,
) -> list[ProviderWatch]:
    return [watch_provider(d, p, policy, evidence, seen, memory, now) for d, p in providers]
