"""OIDC settings: scopes and signing algorithms."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from ..diagnostics import Finding
from ..models import SERVICE_PROVIDER
from .context import FileContext, duplicate_findings, text_items

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
