"""The live checks' verdicts, pure: from fetched documents and DNS answers to checks and findings.

Nothing here touches the network. `livefetch` gathers the evidence (https documents, DNS
answers); the functions below say, for one provider, which checks passed, failed, or could not
be verified, with findings located by field path like any other rule's.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, JWKRegistry, RSAKey

from ..diagnostics import FieldPath, Finding
from ..registry.models import IdentityProvider, ServiceProvider
from ..registry.policy import Policy
from ..validation.checks.uris import DISCOVERY_SUFFIX, LOOPBACK_HOSTS, inspect_uri, url_host
from ..validation.rules import RULES_BY_CODE

# The scopes the federation requests from every identity provider (core `SCOPES`), and from an
# Entra ID one.
FEDERATION_SCOPES = (
    "openid",
    "uid",
    "given_name",
    "usual_name",
    "email",
    "siren",
    "siret",
    "organizational_unit",
    "belonging_population",
    "phone",
    "chorusdt",
)
ENTRA_ID_SCOPES = ("openid", "email", "profile")
PROOF_PREFIX = "proconnect-identity-provider-"
MIN_RSA_BITS = 2048
SECRET_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
UNVERIFIED_CODES = frozenset({"V006", "V007", "V008", "V032"})
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")
DISCOVERY_DOCUMENT = "Découverte"
JWKS_DOCUMENT = "JWKS"


class FetchError(StrEnum):
    """Why a document has no body: theirs (TLS, size) or possibly ours (network, time)."""

    TLS = "tls"
    NETWORK = "network"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    BUDGET = "budget"


@dataclass(frozen=True)
class Fetched:
    """What one https GET gave: a status and body, a redirect's location, or an error."""

    url: str
    status: int | None = None
    body: bytes | None = None
    location: str | None = None
    error: FetchError | None = None
    detail: str = ""
    timeout: float = 0.0
    limit: int = 0


class DnsOutcome(StrEnum):
    ANSWER = "answer"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NO_ANSWER = "no_answer"  # the name exists, without records of that type
    ERROR = "error"  # no verdict: resolver unreachable, timeout, SERVFAIL
    BUDGET = "budget"


@dataclass(frozen=True)
class DnsAnswer:
    name: str
    outcome: DnsOutcome
    records: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class PeerCertificate:
    """The certificate an https host presented (verified), or why there is none."""

    host: str
    not_after: datetime | None = None
    error: FetchError | None = None
    detail: str = ""


@dataclass(frozen=True)
class Evidence:
    """Everything fetched for a run, by URL and by DNS name (shared by every provider)."""

    documents: Mapping[str, Fetched] = field(default_factory=dict)
    txt: Mapping[str, DnsAnswer] = field(default_factory=dict)
    addresses: Mapping[str, DnsAnswer] = field(default_factory=dict)
    certificates: Mapping[str, PeerCertificate] = field(default_factory=dict)
    mail: Mapping[str, DnsAnswer] = field(default_factory=dict)


class CheckStatus(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    UNVERIFIED = "unverified"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            "passed": "réussi",
            "warning": "avertissement",
            "failed": "échoué",
            "unverified": "non vérifié",
            "not_applicable": "sans objet",
        }[self.value]


@dataclass(frozen=True)
class LiveCheck:
    """One line of the recette: a check, its status, and the findings behind it."""

    key: str
    label: str
    status: CheckStatus
    findings: tuple[Finding, ...] = ()
    note: str = ""


def status_of(findings: tuple[Finding, ...]) -> CheckStatus:
    severities = {RULES_BY_CODE[f.code].severity for f in findings}
    if "error" in severities:
        return CheckStatus.FAILED
    if any(f.code in UNVERIFIED_CODES for f in findings):
        return CheckStatus.UNVERIFIED
    return CheckStatus.WARNING if findings else CheckStatus.PASSED


def _check(key: str, label: str, findings: list[Finding], note: str = "") -> LiveCheck:
    found = tuple(findings)
    return LiveCheck(key, label, status_of(found), found, note)


def _skipped(key: str, label: str, status: CheckStatus, note: str) -> LiveCheck:
    return LiveCheck(key, label, status, (), note)


# -- what to fetch ------------------------------------------------------------------------------


def expected_issuer(idp: IdentityProvider) -> str | None:
    if idp.issuer:
        return idp.issuer
    if idp.discovery_url and idp.discovery_url.endswith(DISCOVERY_SUFFIX):
        return idp.discovery_url[: -len(DISCOVERY_SUFFIX)]
    return None


def asymmetric_algorithms(idp: IdentityProvider) -> tuple[str, ...]:
    algs = {idp.id_token_signed_response_alg, idp.userinfo_signed_response_alg}
    return tuple(sorted(a for a in algs if a in ("RS256", "ES256")))


def load_json(body: bytes) -> tuple[Any, str | None]:
    """(value, None), or (None, the problem): a hostile body may nest deep enough to exhaust
    the parser's recursion."""
    try:
        return json.loads(body), None
    except RecursionError:
        return None, "imbrication trop profonde"
    except ValueError as error:
        return None, f"JSON invalide : {error}"


def parse_json_object(fetched: Fetched | None) -> dict[str, Any] | None:
    if fetched is None or fetched.body is None or fetched.status != 200:
        return None
    value, _ = load_json(fetched.body)
    return value if isinstance(value, dict) else None


_UNSAFE = re.compile(r"[^A-Za-z0-9._~:/?#\[\]!$&'()*+,;=%-]")
SHOWN_LIMIT = 120


_UNSAFE_TEXT = re.compile(r"[^\w .,:;'()/\[\]-]")


def shown(value: object, pattern: re.Pattern[str] = _UNSAFE) -> str:
    """A value the other side wrote, tamed for messages and the pull-request comment: URL
    characters only (no new line, mention, Markdown or HTML), and short."""
    text = pattern.sub("?", str(value))
    return text if len(text) <= SHOWN_LIMIT else text[:SHOWN_LIMIT] + "…"


def shown_text(value: object) -> str:
    """An error text (ours, but quoting the other side): words and punctuation only."""
    return shown(value, _UNSAFE_TEXT)


def jwks_url_of(idp: IdentityProvider, discovery: Fetched | None) -> str | None:
    """The JWKS address: the file's jwks_url, or the discovery's jwks_uri when it is https
    (nothing else is ever fetched)."""
    if idp.discovery_url is None:
        url = idp.jwks_url
    else:
        document = parse_json_object(discovery)
        value = document.get("jwks_uri") if document else None
        url = value if isinstance(value, str) else None
    return url if url and url.lower().startswith("https://") else None


def redirect_hosts(sp: ServiceProvider) -> dict[str, tuple[str, int]]:
    """Each host of the FS's return URLs, with the first field that names it."""
    hosts: dict[str, tuple[str, int]] = {}
    for key in ("redirect_uris", "post_logout_redirect_uris"):
        for index, uri in enumerate(getattr(sp, key)):
            host = url_host(uri)
            if host and host not in hosts:
                hosts[host] = (key, index)
    return hosts


def resolvable(host: str, network: str, policy: Policy) -> str | None:
    """Why a host is not looked up in public DNS (None: it is)."""
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return "adresse locale"
    if host[:1].isdigit() or ":" in host:
        return "adresse IP"
    if network == "rie" and host.endswith(tuple("." + s for s in policy.rie_host_suffixes)):
        return "nom du RIE, absent du DNS public"
    return None


# -- identity providers -----------------------------------------------------------------------


def fetch_findings(fetched: Fetched, document: str, where: FieldPath) -> list[Finding]:
    """Findings of a GET that gave no usable body (empty: the body is there, status 200)."""
    url = shown(fetched.url)
    base = {"document": document, "url": url}
    if fetched.error is FetchError.TLS:
        host = shown(urlsplit(fetched.url).hostname or url)
        reason = shown_text(fetched.detail)
        return [Finding("V005", where, {**base, "host": host, "problem": reason})]
    if fetched.error is FetchError.TIMEOUT:
        return [Finding("V007", where, {**base, "timeout": f"{fetched.timeout:g}"})]
    if fetched.error is FetchError.BUDGET:
        return [Finding("V008", where, base)]
    if fetched.error is FetchError.TOO_LARGE:
        return [Finding("V003", where, {**base, "limit": fetched.limit})]
    if fetched.error is FetchError.NETWORK:
        return [Finding("V006", where, base)]
    if fetched.location is not None:
        return [Finding("V002", where, {**base, "location": shown(fetched.location)})]
    if fetched.status != 200:
        return [Finding("V001", where, {**base, "status": fetched.status})]
    value, invalid = load_json(fetched.body or b"")
    if invalid is not None:
        return [Finding("V004", where, {**base, "problem": shown_text(invalid)})]
    if not isinstance(value, dict):
        return [
            Finding("V004", where, {**base, "problem": f"racine de type {type(value).__name__}"})
        ]
    return []


def _host_problem(url: str, environment: str, idp: IdentityProvider, policy: Policy) -> str | None:
    host, problems = inspect_uri(url, environment, (), check_federation=False)
    for code, params in problems:
        if code == "U012":
            return str(params["reason"])
        if code == "U013":
            return "nom d'hôte invalide"
    if host is None:
        return "URL invalide"
    rie_host = host.endswith(tuple("." + s for s in policy.rie_host_suffixes))
    if idp.network == "rie" and not rie_host and not idp.ip_ranges and environment == "production":
        return (
            "sur le RIE, le nom doit être sous "
            + " ou ".join(policy.rie_host_suffixes)
            + (" ou le FI doit déclarer ses ip_ranges")
        )
    if idp.network == "internet" and rie_host:
        return "nom du RIE, injoignable depuis Internet"
    return None


def _endpoint_findings(
    members: Mapping[str, str], environment: str, idp: IdentityProvider, policy: Policy
) -> Iterator[Finding]:
    where: FieldPath = ("discovery_url",) if idp.discovery_url else ()
    for member, url in members.items():
        at = where or (member,)
        if not url.lower().startswith("https://"):
            yield Finding("V012", at, {"member": member, "url": shown(url)})
            continue
        reason = _host_problem(url, environment, idp, policy)
        if reason:
            yield Finding(
                "V013",
                at,
                {
                    "member": member,
                    "host": shown(url_host(url) or url),
                    "reason": reason,
                    "suffixes": " ou ".join(policy.rie_host_suffixes),
                },
            )


def _text_list(document: Mapping[str, Any], member: str) -> list[str] | None:
    value = document.get(member)
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)]


DISCOVERY_LABELS = {
    "issuer": "Découverte : issuer conforme",
    "endpoints": "Points d'accès : présents, en https, sur des hôtes acceptés",
    "signing_algs": "Découverte : algorithmes de signature configurés publiés",
    "auth_method": "Découverte : client_secret_post accepté",
    "scopes": "Découverte : scopes demandés par la fédération",
    "logout": "Découverte : déconnexion (end_session_endpoint)",
}
_AT_DISCOVERY: FieldPath = ("discovery_url",)


def _listed(values: list[str]) -> str:
    return ", ".join(shown(value) for value in values)


def _issuer_check(idp: IdentityProvider, document: Mapping[str, Any]) -> LiveCheck:
    found = document.get("issuer")
    expected = expected_issuer(idp) or ""
    findings = []
    if not isinstance(found, str) or found.rstrip("/") != expected.rstrip("/"):
        params = {"found": shown(found or "(absent)"), "expected": expected}
        findings.append(Finding("V010", _AT_DISCOVERY, params))
    return _check("issuer", DISCOVERY_LABELS["issuer"], findings)


def _endpoints_check(
    idp: IdentityProvider, environment: str, policy: Policy, document: Mapping[str, Any]
) -> LiveCheck:
    findings: list[Finding] = []
    members: dict[str, str] = {}
    wanted = [*REQUIRED_ENDPOINTS, *(("jwks_uri",) if asymmetric_algorithms(idp) else ())]
    for member in dict.fromkeys([*wanted, "jwks_uri", "end_session_endpoint"]):
        value = document.get(member)
        if isinstance(value, str) and value:
            members[member] = value
        elif member in wanted:
            findings.append(Finding("V011", _AT_DISCOVERY, {"member": member}))
    findings += _endpoint_findings(members, environment, idp, policy)
    return _check("endpoints", DISCOVERY_LABELS["endpoints"], findings)


def _algorithms_check(idp: IdentityProvider, document: Mapping[str, Any]) -> LiveCheck:
    findings = []
    pairs = (
        ("id_token_signed_response_alg", "id_token_signing_alg_values_supported"),
        ("userinfo_signed_response_alg", "userinfo_signing_alg_values_supported"),
    )
    for key, member in pairs:
        alg = getattr(idp, key)
        published = _text_list(document, member) or []
        if alg is not None and alg not in published:
            params = {
                "member": member,
                "alg": alg,
                "field": key,
                "published": _listed(published) or "aucun",
            }
            findings.append(Finding("V014", (key,), params))
    return _check("signing_algs", DISCOVERY_LABELS["signing_algs"], findings)


def _auth_method_check(document: Mapping[str, Any]) -> LiveCheck:
    methods = _text_list(document, "token_endpoint_auth_methods_supported")
    findings = []
    if methods is None or "client_secret_post" not in methods:
        listed = _listed(methods or []) or "absent, donc client_secret_basic seul"
        findings.append(Finding("V015", _AT_DISCOVERY, {"published": listed}))
    return _check("auth_method", DISCOVERY_LABELS["auth_method"], findings)


def _scopes_check(idp: IdentityProvider, document: Mapping[str, Any]) -> LiveCheck:
    scopes = _text_list(document, "scopes_supported")  # optional: absent refuses nothing
    wanted = ENTRA_ID_SCOPES if idp.entra_id else FEDERATION_SCOPES
    missing = [s for s in wanted if scopes is not None and s not in scopes]
    findings = [Finding("V016", _AT_DISCOVERY, {"scopes": ", ".join(missing)})] if missing else []
    return _check("scopes", DISCOVERY_LABELS["scopes"], findings)


def _logout_check(idp: IdentityProvider, document: Mapping[str, Any]) -> LiveCheck:
    label = DISCOVERY_LABELS["logout"]
    if idp.end_session_url is None:
        return _skipped("logout", label, CheckStatus.NOT_APPLICABLE, "pas de end_session_url")
    value = document.get("end_session_endpoint")
    published = isinstance(value, str) and bool(value)
    return _check("logout", label, [] if published else [Finding("V017", ("end_session_url",))])


def _discovery_checks(
    idp: IdentityProvider, environment: str, policy: Policy, discovery: Fetched | None
) -> list[LiveCheck]:
    fetched = discovery or Fetched(url=idp.discovery_url or "")
    problems = fetch_findings(fetched, DISCOVERY_DOCUMENT, _AT_DISCOVERY)
    reachable = _check("discovery", "Découverte : document accessible en https", problems)
    document = None if problems else parse_json_object(fetched)
    if document is None:
        note = "la découverte n'a pas pu être lue"
        return [
            reachable,
            *(_skipped(k, v, CheckStatus.UNVERIFIED, note) for k, v in DISCOVERY_LABELS.items()),
        ]
    return [
        reachable,
        _issuer_check(idp, document),
        _endpoints_check(idp, environment, policy, document),
        _algorithms_check(idp, document),
        _auth_method_check(document),
        _scopes_check(idp, document),
        _logout_check(idp, document),
    ]


def _usable(key: Any, raw: Mapping[str, Any], alg: str) -> bool:
    if raw.get("use") not in (None, "sig") or raw.get("alg") not in (None, alg):
        return False
    ops = raw.get("key_ops")
    if isinstance(ops, list) and "verify" not in ops:
        return False
    if alg == "RS256":
        return isinstance(key, RSAKey) and key.raw_value.key_size >= MIN_RSA_BITS
    return isinstance(key, ECKey) and key.curve_name == "P-256"


REQUIREMENT_BY_ALG = {"RS256": "RSA d'au moins 2048 bits", "ES256": "EC sur la courbe P-256"}


@dataclass
class _KeySet:
    """What a JWKS holds, key by key: the keys that import, and what is wrong."""

    parsed: list[tuple[Any, Mapping[str, Any]]] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    secrets: list[Finding] = field(default_factory=list)
    small: list[Finding] = field(default_factory=list)
    kids: Counter[str] = field(default_factory=Counter)


def _inspect_keys(raw_keys: list[Any], url: str, at: FieldPath) -> _KeySet:
    found = _KeySet()
    for index, raw in enumerate(raw_keys):
        name = f"n° {index + 1}"
        if not isinstance(raw, dict):
            problem = f"clé {name} : pas un objet"
            found.problems.append(Finding("V020", at, {"url": shown(url), "problem": problem}))
            continue
        kid = raw.get("kid")
        label = shown(kid) if isinstance(kid, str) else name
        if isinstance(kid, str):
            found.kids[kid] += 1
        members = [m for m in SECRET_MEMBERS if m in raw]
        if members:
            params = {"kid": label, "members": ", ".join(members)}
            found.secrets.append(Finding("V024", at, params))
        try:
            with warnings.catch_warnings():  # weak keys are reported as V022, not warned about
                warnings.simplefilter("ignore", SecurityWarning)
                key = JWKRegistry.import_key(dict(raw))
        except (JoseError, ValueError, TypeError, KeyError) as error:
            problem = f"clé {label} : {shown_text(error)}"
            found.problems.append(Finding("V020", at, {"url": shown(url), "problem": problem}))
            continue
        if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
            bits = key.raw_value.key_size
            found.small.append(Finding("V022", at, {"kid": label, "bits": bits}))
        found.parsed.append((key, raw))
    return found


KEY_LABELS = {
    "jwks": "Clés : JWKS accessible et lisible",
    "kids": "Clés : kid uniques",
    "private_material": "Clés : aucune clé privée publiée",
}


def _key_checks(
    idp: IdentityProvider, discovery: Fetched | None, evidence: Evidence
) -> list[LiveCheck]:
    algs = asymmetric_algorithms(idp)
    labels = {
        "jwks": KEY_LABELS["jwks"],
        **{f"key:{alg}": f"Clés : clé utilisable pour {alg}" for alg in algs},
        "kids": KEY_LABELS["kids"],
        "private_material": KEY_LABELS["private_material"],
    }

    def then_skipped(first: LiveCheck, status: CheckStatus, note: str) -> list[LiveCheck]:
        """`first` (the JWKS check), and every other check skipped with `status`."""
        return [first, *(_skipped(k, v, status, note) for k, v in labels.items() if k != "jwks")]

    if not algs:
        note = "signature HS256 : pas de clé publique"
        skipped = _skipped("jwks", labels["jwks"], CheckStatus.NOT_APPLICABLE, note)
        return then_skipped(skipped, CheckStatus.NOT_APPLICABLE, note)
    at: FieldPath = ("discovery_url",) if idp.discovery_url else ("jwks_url",)
    if idp.discovery_url and parse_json_object(discovery) is None:
        note = "la découverte n'a pas pu être lue"
        skipped = _skipped("jwks", labels["jwks"], CheckStatus.UNVERIFIED, note)
        return then_skipped(skipped, CheckStatus.UNVERIFIED, note)
    url = jwks_url_of(idp, discovery)
    if url is None:
        where = (
            "la découverte ne publie pas de jwks_uri en https"
            if idp.discovery_url
            else "jwks_url manque dans le fichier"
        )
        missing = Finding("V025", at, {"where": where, "alg": algs[0]})
        failed = _check("jwks", labels["jwks"], [missing])
        return then_skipped(failed, CheckStatus.UNVERIFIED, "pas de JWKS")
    fetched = evidence.documents.get(url, Fetched(url=url))
    problems = fetch_findings(fetched, JWKS_DOCUMENT, at)
    document = None if problems else parse_json_object(fetched)
    raw_keys = document.get("keys") if document is not None else None
    if not isinstance(raw_keys, list):
        if document is not None:
            problem = "le membre « keys » manque"
            problems.append(Finding("V020", at, {"url": shown(url), "problem": problem}))
        unread = _check("jwks", labels["jwks"], problems)
        return then_skipped(unread, CheckStatus.UNVERIFIED, "le JWKS n'a pas pu être lu")
    keys = _inspect_keys(raw_keys, url, at)
    checks = [_check("jwks", labels["jwks"], keys.problems)]
    for alg in algs:
        findings = list(keys.small) if alg == "RS256" else []
        if not any(_usable(key, raw, alg) for key, raw in keys.parsed):
            field_name = (
                "id_token_signed_response_alg"
                if idp.id_token_signed_response_alg == alg
                else "userinfo_signed_response_alg"
            )
            params = {"alg": alg, "requirement": REQUIREMENT_BY_ALG[alg]}
            findings.append(Finding("V021", (field_name,), params))
        checks.append(_check(f"key:{alg}", labels[f"key:{alg}"], findings))
    duplicates = [
        Finding("V023", at, {"kid": shown(k), "count": n}) for k, n in keys.kids.items() if n > 1
    ]
    checks.append(_check("kids", labels["kids"], duplicates))
    checks.append(_check("private_material", labels["private_material"], keys.secrets))
    return checks


def proof_record(uid: str) -> str:
    return f"{PROOF_PREFIX}{uid}"


def _domain_checks(
    idp: IdentityProvider, evidence: Evidence, new_domains: frozenset[str] | None
) -> list[LiveCheck]:
    checks = []
    record = proof_record(idp.uid)
    for index, domain in enumerate(idp.attached_email_domains):
        label = f"Domaine {domain} : preuve DNS (TXT)"
        at: FieldPath = ("attached_email_domains", index)
        answer = evidence.txt.get(
            domain, DnsAnswer(domain, DnsOutcome.ERROR, detail="non interrogé")
        )
        findings = []
        if answer.outcome in (DnsOutcome.ERROR, DnsOutcome.BUDGET):
            problem = shown_text(answer.detail or "temps total épuisé")
            findings.append(Finding("V032", at, {"name": domain, "problem": problem}))
        elif record not in {r.strip() for r in answer.records}:
            new = new_domains is None or domain in new_domains
            findings.append(
                Finding("V030" if new else "V031", at, {"domain": domain, "record": record})
            )
        checks.append(_check(f"domain:{domain}", label, findings))
    return checks


def evaluate_identity_provider(
    idp: IdentityProvider,
    environment: str,
    policy: Policy,
    evidence: Evidence,
    new_domains: frozenset[str] | None = None,
) -> tuple[LiveCheck, ...]:
    """The recette of an FI. `new_domains`: the attached domains this change adds (None:
    all of them, as before going live); a new one without proof is an error."""
    checks: list[LiveCheck] = []
    discovery = evidence.documents.get(idp.discovery_url) if idp.discovery_url else None
    if idp.discovery_url:
        checks += _discovery_checks(idp, environment, policy, discovery)
    else:
        members = {
            key: url
            for key in (
                "authorization_url",
                "token_url",
                "userinfo_url",
                "jwks_url",
                "end_session_url",
            )
            if (url := getattr(idp, key))
        }
        findings = list(_endpoint_findings(members, environment, idp, policy))
        checks.append(
            _check("endpoints", "Points d'accès : en https, sur des hôtes acceptés", findings)
        )
    checks += _key_checks(idp, discovery, evidence)
    checks += _domain_checks(idp, evidence, new_domains)
    return tuple(checks)


def proven_domains(idp: IdentityProvider, evidence: Evidence) -> frozenset[str]:
    """The attached domains whose TXT proof was seen live."""
    record = proof_record(idp.uid)
    return frozenset(
        domain
        for domain in idp.attached_email_domains
        if (answer := evidence.txt.get(domain)) is not None
        and record in {r.strip() for r in answer.records}
    )


# -- service providers ------------------------------------------------------------------------


def evaluate_service_provider(
    sp: ServiceProvider, environment: str, policy: Policy, evidence: Evidence
) -> tuple[LiveCheck, ...]:
    """Whether the FS's return hosts resolve (warnings only)."""
    checks = []
    for host, (key, index) in redirect_hosts(sp).items():
        label = f"Hôte {host} : résolution DNS"
        skip = resolvable(host, sp.network, policy)
        if skip:
            checks.append(_skipped(f"host:{host}", label, CheckStatus.NOT_APPLICABLE, skip))
            continue
        answer = evidence.addresses.get(
            host, DnsAnswer(host, DnsOutcome.ERROR, detail="non interrogé")
        )
        findings = []
        if answer.outcome in (DnsOutcome.ERROR, DnsOutcome.BUDGET):
            problem = shown_text(answer.detail or "temps total épuisé")
            findings.append(Finding("V032", (key, index), {"name": host, "problem": problem}))
        elif answer.outcome is not DnsOutcome.ANSWER:
            code = "V041" if environment == "production" else "V040"
            findings.append(Finding(code, (key, index), {"host": host}))
        checks.append(_check(f"host:{host}", label, findings))
    return tuple(checks)
