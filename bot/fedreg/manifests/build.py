"""Deployment manifests: the registry as the federation core's `client` and `provider` documents.

Pure logic. One manifest per deployment (environment × network), with exactly the field names
and value types of the core's DTOs (proconnect-core.md §2-3), the RIE firewall allow-list, and
a digest of the content. No secret is ever rendered: the deploy step keeps the one already in
the database. Lists are sorted (the core treats them as sets), keys are sorted, so the same
registry gives the same bytes on any machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, TypedDict

from ..registry.layout import DEPLOYMENTS
from ..registry.models import IdentityProvider, Provider, ServiceProvider, deployment_name
from ..validation.checks.ipranges import parse_ip_range

MANIFEST_FORMAT = 1
# What the deploy acts on (and the digest covers); provenance is not content.
CONTENT_KEYS = (
    "deployment",
    "client",
    "provider",
    "firewall",
    "secret_recipients",
    "sealed_secrets",
)


class Manifest(TypedDict):
    """One deployment's manifest: what `fedreg render` writes and `fedreg deploy` applies."""

    format: int
    deployment: str
    client: list[dict[str, Any]]  # the core's `client` documents
    provider: list[dict[str, Any]]  # the core's `provider` documents
    firewall: dict[str, list[str]]  # identifier -> canonical IP ranges
    secret_recipients: dict[str, list[str]]  # client_id -> age recipients
    sealed_secrets: dict[str, str]  # uid -> the FI's client secret, sealed with age
    source_commit: str | None
    digest: str  # content_digest of the CONTENT_KEYS


def manifest_documents(manifest: Manifest, collection: str) -> list[dict[str, Any]]:
    """The manifest's documents of one of the core's collections (`client` or `provider`)."""
    return manifest["client"] if collection == "client" else manifest["provider"]


def canonical_ip_ranges(ranges: Iterable[str]) -> list[str]:
    networks = [n.cidr for r in ranges if (n := parse_ip_range(r)) is not None]
    return [str(n) for n in sorted(set(networks))]


def client_document(sp: ServiceProvider) -> dict[str, Any]:
    """A service provider as the core's `client` collection stores it."""
    document: dict[str, Any] = {
        "key": sp.client_id,
        "name": sp.name,
        "active": sp.active,
        "redirect_uris": sorted(set(sp.redirect_uris)),
        "post_logout_redirect_uris": sorted(set(sp.post_logout_redirect_uris)),
        "scopes": sorted(set(sp.scopes)),
        "id_token_signed_response_alg": sp.id_token_signed_response_alg,
        "userinfo_signed_response_alg": sp.userinfo_signed_response_alg,
        "type": "private" if sp.accepts_private_sector else "public",
        "collaborators": sorted(set(sp.contacts)),
    }
    if sp.introspection_signed_response_alg is not None:
        document["introspection_signed_response_alg"] = sp.introspection_signed_response_alg
    return document


def provider_document(idp: IdentityProvider) -> dict[str, Any]:
    """An identity provider as the core's `provider` collection stores it."""
    document: dict[str, Any] = {
        "uid": idp.uid,
        "name": idp.name,
        "title": idp.title,
        "active": idp.active,
        "discovery": idp.discovery_url is not None,
        "clientID": idp.client_id,
        "token_endpoint_auth_method": idp.token_endpoint_auth_method,
        "id_token_signed_response_alg": idp.id_token_signed_response_alg,
        # The core reads "" as "userinfo in plain JSON".
        "userinfo_signed_response_alg": idp.userinfo_signed_response_alg or "",
        # "" rather than absent, as the admin app writes them: the registry owns these fields,
        # so that removing a value from a file removes it from the database.
        "id_token_encrypted_response_alg": idp.id_token_encrypted_response_alg or "",
        "id_token_encrypted_response_enc": idp.id_token_encrypted_response_enc or "",
        "userinfo_encrypted_response_alg": idp.userinfo_encrypted_response_alg or "",
        "userinfo_encrypted_response_enc": idp.userinfo_encrypted_response_enc or "",
        "siret": idp.siret or "",
        "supportEmail": idp.support_email or "",
        "attachedEmailDomains": sorted(set(idp.attached_email_domains)),
        "extraAcceptedEmailDomains": sorted(set(idp.extra_accepted_email_domains)),
        "isRoutingEnabled": idp.routing_enabled,
        "isBlockingForUnlistedEmailDomainsEnabled": idp.block_unlisted_email_domains,
        "isEntraID": idp.entra_id,
        "useTheHyyyperbridge": idp.uses_hybridge,
        "isMfaCompliant": idp.mfa_compliant,
    }
    if idp.discovery_url is not None:
        document["discoveryUrl"] = idp.discovery_url
    else:
        document.update(
            {
                "url": idp.issuer,
                "authzURL": idp.authorization_url,
                "tokenURL": idp.token_url,
                "userInfoURL": idp.userinfo_url,
            }
        )
        if idp.jwks_url is not None:
            document["jwksURL"] = idp.jwks_url
    if idp.end_session_url is not None:
        document["endSessionURL"] = idp.end_session_url
    if idp.mfa_compliance_note:
        document["mfaComplianceNote"] = idp.mfa_compliance_note
    return document


def content_digest(manifest: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of what the federation loads (not of the provenance).
    Also applied to manifests read from files, before their shape is trusted."""
    content = {key: manifest[key] for key in CONTENT_KEYS}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ProviderRecord(NamedTuple):
    """What one provider file contributes to its deployment's manifest: built where the file
    is checked (a worker), assembled with the others (`assemble_manifests`)."""

    deployment: str
    collection: str  # "client" (a service provider) or "provider" (an identity provider)
    key: str  # client_id or uid
    document: dict[str, Any]  # the core's document
    ip_ranges: list[str] | None  # canonical firewall ranges (None: the file lists none)
    recipients: list[str] | None  # a service provider's secret_recipients, sorted (None: none)
    sealed_secret: str | None  # an identity provider's client_secret_age


def provider_record(environment: str, provider: Provider) -> ProviderRecord:
    """One provider as its deployment's manifest holds it."""
    deployment = deployment_name(environment, provider.network)
    ranges = canonical_ip_ranges(provider.ip_ranges) if provider.ip_ranges else None
    if isinstance(provider, ServiceProvider):
        recipients = sorted(set(provider.secret_recipients)) or None
        document = client_document(provider)
        return ProviderRecord(
            deployment, "client", provider.client_id, document, ranges, recipients, None
        )
    sealed = provider.client_secret_age or None
    document = provider_document(provider)
    return ProviderRecord(deployment, "provider", provider.uid, document, ranges, None, sealed)


def build_manifests(
    providers: Iterable[tuple[str, Provider]], source_commit: str | None
) -> dict[str, Manifest]:
    """Deployment name -> manifest, for every deployment (empty ones included, so that a
    deployment emptied by a change is rendered, and deployed, as empty)."""
    return assemble_manifests(
        (provider_record(environment, provider) for environment, provider in providers),
        source_commit,
    )


def assemble_manifests(
    records: Iterable[ProviderRecord], source_commit: str | None
) -> dict[str, Manifest]:
    """The manifests of every deployment from the records of the files, in file order."""
    by_deployment: dict[str, list[ProviderRecord]] = {name: [] for name in DEPLOYMENTS}
    for record in records:
        by_deployment[record.deployment].append(record)
    return {
        name: assemble_manifest(name, found, source_commit) for name, found in by_deployment.items()
    }


def assemble_manifest(
    deployment: str, records: Iterable[ProviderRecord], source_commit: str | None
) -> Manifest:
    """One deployment's manifest from its files' records, in file order (so that a later
    file's record sorts after an earlier one's of the same key, as it always has)."""
    manifest: Manifest = {
        "format": MANIFEST_FORMAT,
        "deployment": deployment,
        "client": [],
        "provider": [],
        "firewall": {},
        "secret_recipients": {},
        "sealed_secrets": {},
        "source_commit": source_commit,
        "digest": "",
    }
    for record in records:
        manifest_documents(manifest, record.collection).append(record.document)
        if record.recipients is not None:
            manifest["secret_recipients"][record.key] = record.recipients
        if record.sealed_secret is not None:
            manifest["sealed_secrets"][record.key] = record.sealed_secret
        if record.ip_ranges is not None:
            manifest["firewall"][record.key] = record.ip_ranges
    manifest["client"].sort(key=lambda document: document["key"])
    manifest["provider"].sort(key=lambda document: document["uid"])
    manifest["digest"] = content_digest(manifest)
    return manifest


def serialize(manifest: Manifest) -> str:
    return "".join(serialized_chunks(manifest))


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2, sort_keys=True)
CHUNK_PIECES = 4096  # the encoder's pieces joined per chunk: few writes, no whole text


def serialized_chunks(manifest: Manifest) -> Iterator[str]:
    """A manifest file's text (json.dumps with indent 2, sorted keys, and a final newline) in
    chunks: what `fedreg render` writes and signs, without holding the whole text."""
    pieces: list[str] = []
    for piece in _ENCODER.iterencode(manifest):
        pieces.append(piece)
        if len(pieces) == CHUNK_PIECES:
            yield "".join(pieces)
            pieces.clear()
    pieces.append("\n")
    yield "".join(pieces)
