"""Identifiers and contacts: client_id, uid, SIRET, names, owners, e-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as stdnum_siret

from ...diagnostics import Finding
from ...registry.models import (
    AGE_ARMOR_HEADER,
    AGE_RECIPIENT_PATTERN,
    CLIENT_ID_PATTERN,
    IDENTITY_PROVIDER,
    NAME_PATTERN,
    OWNER_PATTERN,
    SERVICE_PROVIDER,
    SIRET_PATTERN,
    UUID_PATTERN,
)
from .context import VALUE_CACHE_SIZE, FileContext, duplicate_findings, text_items, text_value
from .readiness import PLACEHOLDER_RECIPIENT
from .uris import has_invisible

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
_UUID = re.compile(UUID_PATTERN)
_NAME = re.compile(NAME_PATTERN)
_NAME_CHAR = re.compile(NAME_PATTERN.replace("]+$", "]").replace("^", "", 1))
_OWNER = re.compile(OWNER_PATTERN)
_SIRET = re.compile(SIRET_PATTERN)
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
_AGE_RECIPIENT = re.compile(AGE_RECIPIENT_PATTERN)


def is_age_recipient(text: str) -> bool:
    """Whether `text` is an age X25519 public key (age1…)."""
    return _AGE_RECIPIENT.match(text) is not None


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def siret_problem(siret: str) -> str | None:
    """Why `siret` is not a valid SIRET, or None (python-stdnum knows La Poste's exception)."""
    if not _SIRET.match(siret):
        if siret.replace(" ", "").isdigit() and len(siret.replace(" ", "")) == 14:
            return "écrivez les 14 chiffres sans espaces"
        return f"14 chiffres attendus, {len(siret)} caractères trouvés"
    if not stdnum_siret.is_valid(siret):
        return "la clé de contrôle (Luhn) ne correspond pas"
    return None


# RFC 5322 dot-atom: what a mailbox's local part may be without quoting.
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def email_domain_problem(domain: str) -> str | None:
    """Domain validation is email-validator's (IDNA, special-use names): done once per domain,
    since contacts of one organisation share it."""
    try:
        validate_email(f"contact@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return f"le domaine « {domain} » n'est pas valide"
    return None


def email_problem(address: str) -> str | None:
    if "@" not in address:
        return "il manque « @ »"
    if has_invisible(address):
        return "elle contient un espace ou un caractère invisible"
    local, _, domain = address.rpartition("@")
    if len(address) > 254 or len(local) > 64 or not _LOCAL_PART.match(local):
        return "la partie avant « @ » n'est pas valide"
    return email_domain_problem(domain)


def _name_findings(data: dict[str, Any], key: str) -> Iterator[Finding]:
    value = text_value(data, key)
    if value and not _NAME.match(value):
        bad = next(c for c in value if not _NAME_CHAR.match(c))
        yield Finding("I004", (key,), {"field": key, "char": bad})


def check_identifiers(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    client_id = text_value(data, "client_id")
    if client_id is not None:
        if ctx.kind == SERVICE_PROVIDER and not _CLIENT_ID.match(client_id):
            expected = "64 caractères hexadécimaux en minuscules ou un UUID sont attendus"
            if _CLIENT_ID.match(client_id.lower()):
                expected = "écrivez-le en minuscules"
            yield Finding("I001", ("client_id",), {"value": client_id, "expected": expected})
        elif ctx.kind == IDENTITY_PROVIDER and client_id and not _VISIBLE_ASCII.match(client_id):
            yield Finding(
                "I001",
                ("client_id",),
                {"value": client_id, "expected": "caractères ASCII visibles, sans espace"},
            )
    uid = text_value(data, "uid")
    if ctx.kind == IDENTITY_PROVIDER and uid is not None and not _UUID.match(uid):
        yield Finding("I002", ("uid",), {"value": uid})
    siret = text_value(data, "siret")
    if siret is not None:
        reason = siret_problem(siret)
        if reason:
            yield Finding("I003", ("siret",), {"value": siret, "reason": reason})
    yield from _name_findings(data, "name")
    if ctx.kind == IDENTITY_PROVIDER:
        yield from _name_findings(data, "title")
    for index, owner in text_items(data, "owners"):
        if not _OWNER.match(owner):
            yield Finding("I005", ("owners", index), {"value": owner})
    yield from duplicate_findings(data, "owners")
    for index, address in text_items(data, "contacts"):
        reason = email_problem(address)
        if reason:
            yield Finding("I006", ("contacts", index), {"value": address, "reason": reason})
    yield from duplicate_findings(data, "contacts")
    support = text_value(data, "support_email")
    if ctx.kind == IDENTITY_PROVIDER and support is not None:
        reason = email_problem(support)
        if reason:
            yield Finding("I006", ("support_email",), {"value": support, "reason": reason})
    if ctx.kind == IDENTITY_PROVIDER and data.get("support_email") is None:
        # Optional in the core (a seed FI has none), but agents then have nowhere to write.
        yield Finding("S008", ("support_email",) if "support_email" in data else ())
    for index, recipient in text_items(data, "secret_recipients"):
        if not _AGE_RECIPIENT.match(recipient) and recipient != PLACEHOLDER_RECIPIENT:
            yield Finding("I008", ("secret_recipients", index), {"value": recipient})
    declared = text_value(data, "client_secret_age_recipient")
    if (
        declared is not None
        and not _AGE_RECIPIENT.match(declared)
        and declared != PLACEHOLDER_RECIPIENT
    ):
        yield Finding("I008", ("client_secret_age_recipient",), {"value": declared})
    sealed = text_value(data, "client_secret_age")
    if sealed is not None and not sealed.strip().startswith(AGE_ARMOR_HEADER):
        recipient = ctx.policy.age_recipient(ctx.environment) or "<clé demandée à l'équipe>"
        yield Finding("I009", ("client_secret_age",), {"recipient": recipient})
