"""`fedreg import`: today's `client` and `provider` documents as registry files.

Pure: documents in, file texts out. Legacy fields are mapped where the registry has a home for
them (`email` → contacts, `IPServerAddressesAndRanges` → ip_ranges, `fqdns` →
attached_email_domains); every other field is dropped with a comment saying so, and secrets
stay in the database. Rendering the imported files gives back the documents on every field
the registry owns.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..registry.layout import REGISTRY_DIR, YAML_SUFFIX
from ..registry.models import ENCRYPTION_PAIRS, FOLDER_BY_KIND, IDENTITY_PROVIDER, SERVICE_PROVIDER
from ..validation.coreconformance import is_resource_server
from .roundtrip import dump_new

# Fields the core or the admin app manage, never the registry: no comment needed.
_MANAGED = {
    "_id",
    "createdAt",
    "updatedAt",
    "updatedBy",
    "secretCreatedAt",
    "secretUpdatedAt",
    "secretUpdatedBy",
    "fedregSealedSecretDigest",
    "__v",
}
_SECRET_NOTE = "client_secret : conservé dans la base, jamais dans le dépôt"
_ENDPOINTS = ("authzURL", "tokenURL", "userInfoURL", "jwksURL")
_ENDPOINT_KEYS = ("authorization_url", "token_url", "userinfo_url", "jwks_url")
ENCRYPTION_FIELDS = tuple(key for pair in ENCRYPTION_PAIRS for key in pair)


@dataclass
class ImportedFile:
    path: str
    text: str
    notes: list[str] = field(default_factory=list)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:63].strip("-")
    return slug if len(slug) >= 2 else f"fournisseur-{slug or 'x'}"


def _nfc(value: Any) -> Any:
    """Text in composed form: an accent typed as a separate combining character (NFD, as some
    tools store it) becomes the accented letter the registry's rules accept."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _text_list(value: Any) -> list[str]:
    return [str(v) for v in value if str(v).strip()] if isinstance(value, list) else []


def _dropped(doc: dict[str, Any], used: set[str]) -> list[str]:
    notes = []
    for key in sorted(set(doc) - used - _MANAGED):
        if key == "client_secret":
            notes.append(_SECRET_NOTE)
        elif "secret" in key.lower():
            notes.append(f"{key} : non repris, valeur non recopiée (secret)")
        else:
            shown = json.dumps(doc[key], ensure_ascii=False, default=str)
            shown = shown if len(shown) <= 80 else shown[:77] + "…"
            notes.append(f"champ non repris : {key} = {shown}")
    return notes


def client_fields(doc: dict[str, Any], owners: list[str]) -> tuple[dict[str, Any], list[str]]:
    contacts = _text_list(doc.get("collaborators"))
    legacy_email = not contacts and isinstance(doc.get("email"), str)
    if legacy_email:
        contacts = [e.strip() for e in doc["email"].splitlines() if e.strip()]
    fields: dict[str, Any] = {
        "kind": SERVICE_PROVIDER,
        "name": _nfc(doc.get("name", "")),
        "network": None,  # set by the caller
        "client_id": doc.get("key", ""),
        "active": doc.get("active", True) is not False,
        "owners": owners,
        "contacts": contacts,
        "redirect_uris": _text_list(doc.get("redirect_uris")),
        "post_logout_redirect_uris": _text_list(doc.get("post_logout_redirect_uris")),
        "scopes": _text_list(doc.get("scopes")),
        "id_token_signed_response_alg": doc.get("id_token_signed_response_alg"),
        "userinfo_signed_response_alg": doc.get("userinfo_signed_response_alg") or None,
        "accepts_private_sector": doc.get("type") == "private",
    }
    if doc.get("introspection_signed_response_alg"):
        fields["introspection_signed_response_alg"] = doc["introspection_signed_response_alg"]
    ranges = _text_list(doc.get("IPServerAddressesAndRanges"))
    if ranges:
        fields["ip_ranges"] = ranges
    used = {
        "name",
        "key",
        "active",
        "collaborators",
        *(["email"] if legacy_email else []),
        "introspection_signed_response_alg",
        "redirect_uris",
        "post_logout_redirect_uris",
        "scopes",
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
        "type",
        "IPServerAddressesAndRanges",
    }
    return fields, _dropped(doc, used)


def provider_fields(doc: dict[str, Any], owners: list[str]) -> tuple[dict[str, Any], list[str]]:
    support = doc.get("supportEmail")
    fields: dict[str, Any] = {
        "kind": IDENTITY_PROVIDER,
        "uid": doc.get("uid", ""),
        "name": _nfc(doc.get("name", "")),
        "title": _nfc(doc.get("title", "")),
        "network": None,
        "active": doc.get("active", True) is not False,
        "owners": owners,
        "contacts": [support] if support else [],
    }
    if doc.get("siret"):
        fields["siret"] = doc["siret"]
    domains = doc.get("attachedEmailDomains")
    discovery = bool(doc.get("discovery"))
    # The core reads only the endpoints of the DTO that `discovery` selects: the others, and
    # `url` beside a discovery URL, are named as not carried.
    endpoints = ["discoveryUrl"] if discovery else ["url", *_ENDPOINTS]
    used = {
        "uid",
        "name",
        "title",
        "active",
        "siret",
        "discovery",
        *endpoints,
        "endSessionURL",
        "clientID",
        "token_endpoint_auth_method",
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
        *ENCRYPTION_FIELDS,
        "supportEmail",
        "attachedEmailDomains",
        *(["fqdns"] if domains is None else []),
        "extraAcceptedEmailDomains",
        "isRoutingEnabled",
        "isBlockingForUnlistedEmailDomainsEnabled",
        "isEntraID",
        "useTheHyyyperbridge",
        "isMfaCompliant",
        "mfaComplianceNote",
    }
    if discovery:
        fields["discovery_url"] = doc.get("discoveryUrl")
    else:
        for source, target in (("url", "issuer"), *zip(_ENDPOINTS, _ENDPOINT_KEYS, strict=True)):
            if doc.get(source):
                fields[target] = doc[source]
    if doc.get("endSessionURL"):
        fields["end_session_url"] = doc["endSessionURL"]
    fields.update(
        {
            "client_id": doc.get("clientID", ""),
            "token_endpoint_auth_method": doc.get(
                "token_endpoint_auth_method", "client_secret_post"
            ),
            "id_token_signed_response_alg": doc.get("id_token_signed_response_alg") or "ES256",
            "userinfo_signed_response_alg": doc.get("userinfo_signed_response_alg") or None,
            "attached_email_domains": _text_list(
                domains if domains is not None else doc.get("fqdns")
            ),
            "extra_accepted_email_domains": _text_list(doc.get("extraAcceptedEmailDomains")),
            "routing_enabled": bool(doc.get("isRoutingEnabled", True)),
            "block_unlisted_email_domains": bool(
                doc.get("isBlockingForUnlistedEmailDomainsEnabled")
            ),
            "entra_id": bool(doc.get("isEntraID")),
            "uses_hybridge": bool(doc.get("useTheHyyyperbridge")),
            "mfa_compliant": bool(doc.get("isMfaCompliant")),
        }
    )
    for key in ENCRYPTION_FIELDS:  # "" in the database means "not encrypted"
        if doc.get(key):
            fields[key] = doc[key]
    if support:
        fields["support_email"] = support
    if doc.get("mfaComplianceNote"):
        fields["mfa_compliance_note"] = doc["mfaComplianceNote"]
    notes = _dropped(doc, used)
    if not support:
        notes.append("contacts : la base n'en connaît aucun (pas de supportEmail), à compléter")
    if not doc.get("id_token_signed_response_alg"):
        notes.append(
            "id_token_signed_response_alg absent de la base : ES256 par défaut, à vérifier"
        )
    return fields, notes


def render_file(fields: dict[str, Any], notes: list[str], source: str) -> str:
    header = [f"Importé depuis {source} par fedreg import : vérifiez owners et contacts."]
    header += [" ".join(note.splitlines()) for note in notes]
    return dump_new(fields, start_comment="\n".join(header))


Identity = tuple[str, str, str, str]  # environment, network, kind, client_id or uid


@dataclass
class ImportResult:
    files: list[ImportedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not for the registry, with the reason
    present: list[str] = field(default_factory=list)  # already in the registry: never twice


def import_documents(
    clients: list[dict[str, Any]],
    providers: list[dict[str, Any]],
    environment: str,
    network: str,
    owners: list[str],
    source: str,
    taken: set[str],
    known: dict[Identity, str] | None = None,
) -> ImportResult:
    """Files for the documents (paths relative to the repository root), what was skipped and
    what the registry already holds. `taken` holds the paths that already exist: they are
    never overwritten. `known` maps the registry's identities to their files: a document
    whose identity is there (or earlier in this import) is reported, never written twice."""
    result = ImportResult()
    known = dict(known or {})
    for kind, docs in ((SERVICE_PROVIDER, clients), (IDENTITY_PROVIDER, providers)):
        identifier_field = "key" if kind == SERVICE_PROVIDER else "uid"
        for doc in sorted(docs, key=lambda d: str(d.get("name", ""))):
            if kind == SERVICE_PROVIDER and is_resource_server(doc):
                result.skipped.append(
                    f"{doc.get('name')} ({doc.get('key')}) : sans redirect_uris, "
                    "c'est un serveur de ressources, hors du registre"
                )
                continue
            identity = (environment, network, kind, str(doc.get(identifier_field, "")))
            if identity in known:
                result.present.append(
                    f"{doc.get('name')} ({identity[3]}) : déjà présent, {known[identity]}"
                )
                continue
            fields, notes = (client_fields if kind == SERVICE_PROVIDER else provider_fields)(
                doc, owners
            )
            fields["network"] = network
            folder = f"{REGISTRY_DIR}/{environment}/{FOLDER_BY_KIND[kind]}"
            slug, suffix = slugify(str(doc.get("name", ""))), 1
            path = f"{folder}/{slug}{YAML_SUFFIX}"
            while path in taken:
                suffix += 1
                path = f"{folder}/{slug}-{suffix}{YAML_SUFFIX}"
            taken.add(path)
            known[identity] = path
            result.files.append(ImportedFile(path, render_file(fields, notes, source), notes))
    return result
