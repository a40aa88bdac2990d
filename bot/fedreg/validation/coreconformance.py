"""The federation core's own validation of what it loads, ported: the conformance gate.

The core passes every `client` and `provider` document through `plainToInstance(DTO)` then
class-validator's `validate(dto, { whitelist: true })`, and silently skips a document that
fails (proconnect-core.md §1-4): the provider vanishes and its users' logins fail. Every
rendered record goes through this gate before it is written anywhere, so that nothing the core
would drop can be rendered or deployed.

Sources, in proconnect-gouv/federation @ dffa09e5 (short names used beside each constraint):
- SP-DTO: back/libs/service-provider-adapter-mongo/src/dto/service-provider-adapter-mongo.dto.ts
- SP-SVC: back/libs/service-provider-adapter-mongo/src/service-provider-adapter-mongo.service.ts
- IDP-DTO: back/libs/identity-provider-adapter-mongo/src/dto/identity-provider-adapter-mongo.dto.ts
- IDP-SVC: back/libs/identity-provider-adapter-mongo/src/identity-provider-adapter-mongo.service.ts
- ADMIN: admin/src/service-provider/service-provider.mongodb.entity.ts and
  admin/src/identity-provider/dto/identity-provider.dto.ts (what the admin app writes; the
  registry holds itself to it, so that the admin can still edit what fedreg deployed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# SP-DTO, IDP-DTO: `URL_REGEX = /^https?:\/\/[^/].+$/`, as the core writes it (JavaScript).
URL_REGEX_SOURCE = r"^https?:\/\/[^/].+$"
# The same with JavaScript's semantics in Python: case-sensitive, `.` matches no line
# terminator (\n, \r, U+2028, U+2029) and `$` (no `m` flag) only the very end of the text.
URL_REGEX = re.compile(r"^https?:\/\/[^/][^\n\r\u2028\u2029]+\Z")
# SP-DTO: `@IsIn(["ES256", "RS256", "HS256"])`.
SIGNING_ALGS = ("ES256", "RS256", "HS256")
# ADMIN: the e-mail-domain regex the admin app applies when it writes.
EMAIL_DOMAIN_REGEX = re.compile(r"^([\da-z\.-]+)\.([a-z\.]{2,10})\Z")


def matches_core_url(value: Any) -> bool:
    """Whether the core's `Matches(URL_REGEX)` accepts `value` (a non-text value never)."""
    return isinstance(value, str) and URL_REGEX.match(value) is not None


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


@dataclass(frozen=True)
class Constraint:
    required: bool
    check: Check
    source: str  # where the core (or the admin app) says so


def _string(value: Any) -> str | None:  # @IsString
    return None if isinstance(value, str) else "doit être du texte"


def _boolean(value: Any) -> str | None:  # @IsBoolean: plainToInstance converts nothing
    return None if isinstance(value, bool) else "doit être true ou false"


def _url(value: Any) -> str | None:  # @Matches(URL_REGEX)
    if not matches_core_url(value):
        return f"« {value} » ne correspond pas à l'expression du cœur {URL_REGEX_SOURCE}"
    return None


def _urls(value: Any) -> str | None:  # @IsArray @Matches(URL_REGEX, { each: true })
    if not isinstance(value, list):
        return "doit être une liste"
    return next((problem for item in value if (problem := _url(item))), None)


def _strings(value: Any) -> str | None:  # @IsArray @IsString({ each: true })
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "doit être une liste de textes"
    return None


def _one_of(*allowed: Any) -> Check:  # @IsIn
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


def _siret(value: Any) -> str | None:  # IDP-DTO @IsString; ADMIN: Length(14, 14) when set
    if not isinstance(value, str) or not re.fullmatch(r"|\d{14}", value):
        return "doit être vide ou faire 14 chiffres"
    return None


CLIENT_FIELDS: dict[str, Constraint] = {
    "key": Constraint(True, _string, "SP-DTO @IsString"),
    "name": Constraint(True, _string, "SP-DTO @IsString"),
    "active": Constraint(True, _boolean, "SP-DTO @IsBoolean"),
    "redirect_uris": Constraint(True, _urls, "SP-DTO @IsArray @Matches(URL_REGEX, each)"),
    "post_logout_redirect_uris": Constraint(
        True, _urls, "SP-DTO @IsArray @Matches(URL_REGEX, each)"
    ),
    "scopes": Constraint(True, _strings, "SP-DTO @IsArray @IsString(each)"),
    "id_token_signed_response_alg": Constraint(True, _one_of(*SIGNING_ALGS), "SP-DTO @IsIn"),
    "userinfo_signed_response_alg": Constraint(
        False, _optional(_string), "SP-DTO @IsOptional @IsString, falsy → undefined"
    ),
    "introspection_signed_response_alg": Constraint(
        False, _optional(_string), "SP-DTO @IsOptional @IsString, falsy → undefined"
    ),
    "type": Constraint(True, _one_of("private", "public"), "SP-DTO @IsIn"),
    "response_types": Constraint(False, _optional(_strings), "SP-DTO @IsOptional"),
    "grant_types": Constraint(False, _optional(_strings), "SP-DTO @IsOptional"),
    # Written by the admin app, stripped by the core's whitelist.
    "collaborators": Constraint(False, _strings, "ADMIN collaborators"),
}
# SP-DTO: a falsy value of these becomes undefined before validation (plain-JSON responses).
CLIENT_FALSY_IS_ABSENT = ("userinfo_signed_response_alg", "introspection_signed_response_alg")

PROVIDER_FIELDS: dict[str, Constraint] = {
    "uid": Constraint(True, _string, "IDP-DTO @IsString"),
    "name": Constraint(True, _string, "IDP-DTO @IsString"),
    "title": Constraint(True, _string, "IDP-DTO @IsString"),
    "active": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    "discovery": Constraint(True, _boolean, "IDP-DTO @IsBoolean; selects the DTO"),
    "url": Constraint(False, _optional(_url), "IDP-DTO @IsOptional @Matches(URL_REGEX)"),
    "endSessionURL": Constraint(False, _optional(_url), "IDP-DTO @IsOptional @Matches(URL_REGEX)"),
    "clientID": Constraint(True, _string, "IDP-DTO @IsString"),
    "token_endpoint_auth_method": Constraint(
        True, _one_of("client_secret_post"), "IDP-DTO @IsString; ADMIN client_secret_post"
    ),
    "id_token_signed_response_alg": Constraint(
        False, _optional(_one_of("", *SIGNING_ALGS)), "IDP-DTO @IsOptional; ADMIN values"
    ),
    "userinfo_signed_response_alg": Constraint(
        False, _optional(_one_of("", *SIGNING_ALGS)), "IDP-DTO @IsOptional; ADMIN values"
    ),
    "id_token_encrypted_response_alg": Constraint(
        False, _optional(_string), "IDP-DTO @IsOptional @IsString"
    ),
    "id_token_encrypted_response_enc": Constraint(
        False, _optional(_string), "IDP-DTO @IsOptional @IsString"
    ),
    "userinfo_encrypted_response_alg": Constraint(
        False, _optional(_string), "IDP-DTO @IsOptional @IsString"
    ),
    "userinfo_encrypted_response_enc": Constraint(
        False, _optional(_string), "IDP-DTO @IsOptional @IsString"
    ),
    "siret": Constraint(True, _siret, "IDP-DTO @IsString; ADMIN Length(14, 14)"),
    "supportEmail": Constraint(False, _optional(_string), "IDP-DTO @IsOptional @IsString"),
    "attachedEmailDomains": Constraint(
        False, _optional(_email_domains), "IDP-DTO @IsOptional string[]; ADMIN regex"
    ),
    "extraAcceptedEmailDomains": Constraint(
        False, _optional(_strings), "IDP-DTO @IsOptional string[]"
    ),
    "isRoutingEnabled": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    "isBlockingForUnlistedEmailDomainsEnabled": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    "isEntraID": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    "useTheHyyyperbridge": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    "isMfaCompliant": Constraint(True, _boolean, "IDP-DTO @IsBoolean"),
    # Written by the admin app, stripped by the core's whitelist.
    "mfaComplianceNote": Constraint(False, _optional(_string), "ADMIN mfaComplianceNote"),
}
# IDP-SVC: `discovery` picks DiscoveryIdpAdapterMongoDTO or NoDiscoveryIdpAdapterMongoDTO.
DISCOVERY_FIELDS: dict[str, Constraint] = {
    "discoveryUrl": Constraint(True, _url, "IDP-DTO Discovery @Matches(URL_REGEX)"),
}
NO_DISCOVERY_FIELDS: dict[str, Constraint] = {
    "authzURL": Constraint(True, _url, "IDP-DTO NoDiscovery @Matches(URL_REGEX)"),
    "tokenURL": Constraint(True, _url, "IDP-DTO NoDiscovery @Matches(URL_REGEX)"),
    "userInfoURL": Constraint(True, _url, "IDP-DTO NoDiscovery @Matches(URL_REGEX)"),
    "jwksURL": Constraint(False, _optional(_url), "IDP-DTO NoDiscovery @IsOptional url"),
}

FIELDS_BY_COLLECTION = {"client": CLIENT_FIELDS, "provider": PROVIDER_FIELDS}
IDENTIFIER_BY_COLLECTION = {"client": "key", "provider": "uid"}


def is_resource_server(document: Mapping[str, Any]) -> bool:
    """A resource server shares the `client` collection but has no redirect URI
    (proconnect-core.md §1): the registry does not model it, so fedreg never touches it."""
    return document.get("redirect_uris") == []


def core_view(collection: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as the core validates it, after its transforms: `plainToInstance` keeps
    JSON types as they are (no implicit conversion), and a falsy optional SP value is
    undefined."""
    view = dict(document)
    if collection == "client":
        for field in CLIENT_FALSY_IS_ABSENT:
            if field in view and not view[field]:
                del view[field]
    return view


def _constraints(collection: str, document: Mapping[str, Any]) -> dict[str, Constraint]:
    if collection == "client":
        return CLIENT_FIELDS
    # The core tests `discovery` for truth, as JavaScript does.
    chosen = DISCOVERY_FIELDS if document.get("discovery") else NO_DISCOVERY_FIELDS
    return {**PROVIDER_FIELDS, **chosen}


def document_violations(collection: str, document: Mapping[str, Any]) -> list[CoreViolation]:
    """Every core constraint that one rendered document breaks (none: the core loads it)."""
    identifier = str(document.get(IDENTIFIER_BY_COLLECTION[collection], "?"))
    view = core_view(collection, document)
    constraints = _constraints(collection, view)
    known = set(FIELDS_BY_COLLECTION[collection])
    if collection == "provider":
        known |= set(DISCOVERY_FIELDS) | set(NO_DISCOVERY_FIELDS)
    found: list[CoreViolation] = []

    def refuse(field: str, message: str) -> None:
        found.append(CoreViolation(collection, identifier, field, message))

    if "client_secret" in document:
        refuse("client_secret", "un manifeste ne porte jamais de secret")
    for field in sorted(set(document) - known - {"client_secret"}):
        refuse(field, "champ inconnu du cœur")
    for field, constraint in constraints.items():
        if field not in view:
            if constraint.required:
                refuse(field, "champ obligatoire absent")
            continue
        if problem := constraint.check(view[field]):
            refuse(field, problem)
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
