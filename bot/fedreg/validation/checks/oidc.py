"""OIDC settings: scopes and signing algorithms."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from ...diagnostics import Finding
from ...registry.models import (
    ENCRYPTION_ALGS,
    ENCRYPTION_ENCS,
    ENCRYPTION_PAIRS,
    IDENTITY_PROVIDER,
    SERVICE_PROVIDER,
)
from .context import FileContext, duplicate_findings, text_items, text_value

# The keys of the core's `claims` (oidc-provider-config.service.ts), see proconnect-core.md §2.
KNOWN_SCOPES = (
    "openid",
    "uid",
    "given_name",
    "usual_name",
    "email",
    "phone",
    "organizational_unit",
    "siren",
    "siret",
    "belonging_population",
    "chorusdt",
    "idp_id",
    "idp_acr",
    "roles",
    "organization_label",
    "groups",
    "custom",
    "amr",
    "lasuite_visio",
)
_PARAMETRISED_SCOPE = re.compile(r"^lasuite_visio:rooms:[A-Za-z0-9*_.-]+$")


def is_known_scope(scope: str) -> bool:
    return scope in KNOWN_SCOPES or bool(_PARAMETRISED_SCOPE.match(scope))


def check_scopes(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    if ctx.kind != SERVICE_PROVIDER:
        return
    items = list(text_items(data, "scopes"))
    if (
        isinstance(data.get("scopes"), list)
        and data["scopes"]
        and "openid" not in dict(items).values()
    ):
        yield Finding("O001", ("scopes",))
    for index, scope in items:
        if scope == "profile":
            yield Finding("O003", ("scopes", index))
        elif not is_known_scope(scope):
            close = difflib.get_close_matches(scope, KNOWN_SCOPES, n=1, cutoff=0.6)
            detail = (
                f"Vouliez-vous dire « {close[0]} » ?"
                if close
                else "Scopes disponibles : " + ", ".join(KNOWN_SCOPES) + "."
            )
            yield Finding("O002", ("scopes", index), {"value": scope, "detail": detail})
    yield from duplicate_findings(data, "scopes")


def check_algorithms(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    for key in ("id_token_signed_response_alg", "userinfo_signed_response_alg"):
        if data.get(key) == "HS256":
            yield Finding("O004", (key,), {"field": key})
    if data.get("userinfo_signed_response_alg") is None:
        yield Finding("O005", ("userinfo_signed_response_alg",))


def check_encryption(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    """An FI's encryption settings: the admin app's values, and each alg with its enc."""
    if ctx.kind != IDENTITY_PROVIDER:
        return
    for alg_key, enc_key in ENCRYPTION_PAIRS:
        for key, allowed in ((alg_key, ENCRYPTION_ALGS), (enc_key, ENCRYPTION_ENCS)):
            value = text_value(data, key)
            if value is not None and value not in allowed:
                yield Finding(
                    "O006", (key,), {"field": key, "value": value, "allowed": ", ".join(allowed)}
                )
        alg, enc = data.get(alg_key), data.get(enc_key)
        if enc is not None and alg is None:
            # The core encrypts nothing without an algorithm: the enc is ignored (the seed's
            # LemonLDAP has one), a warning rather than a refusal.
            yield Finding(
                "O008",
                (enc_key,),
                {"present": enc_key, "missing": alg_key, "algs": ", ".join(ENCRYPTION_ALGS)},
            )
        elif alg is not None and enc is None:
            # Without enc, A128CBC-HS256 would apply, which the federation does not enable.
            detail = f"Ajoutez {enc_key}: A256GCM, le seul chiffrement de contenu accepté."
            yield Finding(
                "O007", (alg_key,), {"present": alg_key, "missing": enc_key, "detail": detail}
            )
