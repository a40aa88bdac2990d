"""The federation core's own validation of what it loads, ported: the conformance gate.

The core passes every `client` and `provider` document through class-validator DTOs with
`whitelist: true` and silently skips a document that fails (proconnect-core.md §1-4): the
provider vanishes and its users' logins fail. Every rendered record goes through this gate
before it is written anywhere, so that nothing the core would drop can be rendered or deployed.

Sources, in proconnect-gouv/federation @ dffa09e5:
- client: back/libs/service-provider-adapter-mongo/src/dto/service-provider-adapter-mongo.dto.ts
- provider: back/libs/identity-provider-adapter-mongo/src/dto/identity-provider-adapter-mongo.dto.ts
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The core's URL_REGEX, exactly as written: case-sensitive, so `HTTPS://` is refused.
URL_REGEX = re.compile(r"^https?:\/\/[^/].+$")
SIGNING_ALGS = ("ES256", "RS256", "HS256")
# The admin's e-mail-domain regex, applied by the admin app when it writes.
EMAIL_DOMAIN_REGEX = re.compile(r"^([\da-z\.-]+)\.([a-z\.]{2,10})$")


@dataclass(frozen=True)
class CoreViolation:
    """One constraint of the core that a rendered document breaks."""

    collection: str  # "client" or "provider"
    identifier: str  # the client's key or the provider's uid
    field: str
    message: str  # French, for operators and partners

    def __str__(self) -> str:
        return f"{self.collection} {self.identifier} : {self.field} : {self.message}"


Check = Callable[[Any], str | None]


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "doit être du texte"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "doit être true ou false"


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or not URL_REGEX.match(value):
        return f"« {value} » ne correspond pas à l'expression du cœur ^https?://[^/].+$"
    return None


def _urls(value: Any) -> str | None:
    if not isinstance(value, list):
        return "doit être une liste"
    return next((problem for item in value if (problem := _url(item))), None)


def _strings(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "doit être une liste de textes"
    return None


def _one_of(*allowed: Any) -> Check:
    def check(value: Any) -> str | None:
        if value in allowed:
            return None
        return f"« {value} » n'est pas une valeur acceptée ({', '.join(map(repr, allowed))})"

    return check


def _optional(check: Check) -> Check:
    # class-validator's @IsOptional: null and undefined skip the other validators.
    return lambda value: None if value is None else check(value)


def _email_domains(value: Any) -> str | None:
    if problem := _strings(value):
        return problem
    bad = [domain for domain in value if not EMAIL_DOMAIN_REGEX.match(domain)]
    return f"domaine refusé par l'administration du cœur : {bad[0]}" if bad else None


def _siret(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"|\d{14}", value):
        return "doit être vide ou faire 14 chiffres"
    return None


CLIENT_FIELDS: dict[str, tuple[bool, Check]] = {
    # field: (required, check)
    "key": (True, _string),
    "name": (True, _string),
    "active": (True, _boolean),
    "redirect_uris": (True, _urls),
    "post_logout_redirect_uris": (True, _urls),
    "scopes": (True, _strings),
    "id_token_signed_response_alg": (True, _one_of(*SIGNING_ALGS)),
    "userinfo_signed_response_alg": (False, _optional(_string)),
    "type": (True, _one_of("private", "public")),
    "collaborators": (False, _strings),
}

PROVIDER_FIELDS: dict[str, tuple[bool, Check]] = {
    "uid": (True, _string),
    "name": (True, _string),
    "title": (True, _string),
    "active": (True, _boolean),
    "discovery": (True, _boolean),
    "url": (False, _optional(_url)),
    "discoveryUrl": (False, _url),
    "authzURL": (False, _url),
    "tokenURL": (False, _url),
    "userInfoURL": (False, _url),
    "jwksURL": (False, _optional(_url)),
    "endSessionURL": (False, _optional(_url)),
    "clientID": (True, _string),
    "token_endpoint_auth_method": (True, _one_of("client_secret_post")),
    "id_token_signed_response_alg": (False, _optional(_one_of(*SIGNING_ALGS))),
    "userinfo_signed_response_alg": (False, _optional(_one_of("", *SIGNING_ALGS))),
    "siret": (True, _siret),
    "supportEmail": (False, _optional(_string)),
    "attachedEmailDomains": (False, _optional(_email_domains)),
    "extraAcceptedEmailDomains": (False, _optional(_strings)),
    "isRoutingEnabled": (True, _boolean),
    "isBlockingForUnlistedEmailDomainsEnabled": (True, _boolean),
    "isEntraID": (True, _boolean),
    "useTheHyyyperbridge": (True, _boolean),
    "isMfaCompliant": (True, _boolean),
    "mfaComplianceNote": (False, _optional(_string)),
}

FIELDS_BY_COLLECTION = {"client": CLIENT_FIELDS, "provider": PROVIDER_FIELDS}
IDENTIFIER_BY_COLLECTION = {"client": "key", "provider": "uid"}


def document_violations(collection: str, document: Mapping[str, Any]) -> list[CoreViolation]:
    """Every core constraint that one rendered document breaks (none: the core loads it)."""
    fields = FIELDS_BY_COLLECTION[collection]
    identifier = str(document.get(IDENTIFIER_BY_COLLECTION[collection], "?"))
    found: list[CoreViolation] = []

    def refuse(field: str, message: str) -> None:
        found.append(CoreViolation(collection, identifier, field, message))

    if "client_secret" in document:
        refuse("client_secret", "un manifeste ne porte jamais de secret")
    for field in sorted(set(document) - set(fields) - {"client_secret"}):
        refuse(field, "champ inconnu du cœur")
    for field, (required, check) in fields.items():
        if field not in document:
            if required:
                refuse(field, "champ obligatoire absent")
            continue
        if problem := check(document[field]):
            refuse(field, problem)
    if collection == "provider":
        needed = ["discoveryUrl"] if document.get("discovery") else ["authzURL", "tokenURL"]
        needed += [] if document.get("discovery") else ["userInfoURL"]
        for field in needed:
            if field not in document:
                refuse(field, "champ obligatoire absent")
    return found


def manifest_violations(manifest: Mapping[str, Any]) -> list[CoreViolation]:
    """Every core constraint broken by any document of a deployment manifest."""
    found: list[CoreViolation] = []
    for collection in FIELDS_BY_COLLECTION:
        documents = manifest.get(collection, [])
        if not isinstance(documents, list):
            found.append(CoreViolation(collection, "?", collection, "doit être une liste"))
            continue
        for document in documents:
            if not isinstance(document, Mapping):
                found.append(CoreViolation(collection, "?", collection, "document invalide"))
                continue
            found.extend(document_violations(collection, document))
    return found
