"""Deploy-readiness: what `fedreg deploy` will require of a provider, checked before the merge.

Three kinds of rules. Placeholders written by `fedreg new` (an error in production, a warning
in integration). An identity provider's sealed secret: declared for its own environment's
federation key, sealed for that one key only. And what a provider that is new to its
deployment needs (a service provider's `secret_recipients`, an identity provider's
`client_secret_age`): "new" is relative to known identities (the base revision in `diff` and
the bot, `validate --base`), since only a comparison says what a deploy will create.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Any

from ...diagnostics import Finding
from ...registry.models import (
    AGE_ARMOR_HEADER,
    IDENTITY_PROVIDER,
    SERVICE_PROVIDER,
    deployment_name,
)
from .context import FileContext, text_items, text_value
from .uris import IDP_URL_KEYS, url_host

# Every value `fedreg new` writes as an example carries this label in its host or domain,
# except the RIE range, which must stay inside the RIE and is recognised by its exact value.
PLACEHOLDER_LABEL = "a-remplacer"
PLACEHOLDER_DOMAIN = f"{PLACEHOLDER_LABEL}.example.fr"
PLACEHOLDER_RIE_RANGE = "100.127.255.240/28"
PLACEHOLDER_RECIPIENT = f"age1-{PLACEHOLDER_LABEL}"  # where the team's age public key goes
_URL_KEYS = ("redirect_uris", "post_logout_redirect_uris")
_DOMAIN_KEYS = ("attached_email_domains", "extra_accepted_email_domains")
_UNKNOWN_KEY = "<clé demandée à l'équipe de la fédération>"

# (environment, network, kind, client_id or uid): a provider as a deployment knows it.
Identity = tuple[str, str, str, str]


def is_placeholder_host(host: str | None) -> bool:
    return host is not None and PLACEHOLDER_LABEL in host.split(".")


def _may_name_placeholder(uri: str) -> bool:
    """False when the URL's host cannot hold the placeholder label: the host is part of the
    URL, lower-cased, once tabs and line breaks are removed (as `urlsplit` does)."""
    return PLACEHOLDER_LABEL in uri.lower() or "\t" in uri or "\r" in uri or "\n" in uri


def _placeholder_fields(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for key in _URL_KEYS:
        for index, uri in text_items(data, key):
            if _may_name_placeholder(uri) and is_placeholder_host(url_host(uri)):
                yield (key, index), uri
    for key in IDP_URL_KEYS:
        value = text_value(data, key)
        if (
            value is not None
            and _may_name_placeholder(value)
            and is_placeholder_host(url_host(value))
        ):
            yield (key,), value
    for key in _DOMAIN_KEYS:
        for index, domain in text_items(data, key):
            if is_placeholder_host(domain.lower()):
                yield (key, index), domain
    for index, text in text_items(data, "ip_ranges"):
        if text == PLACEHOLDER_RIE_RANGE:
            yield ("ip_ranges", index), text
    for index, text in text_items(data, "secret_recipients"):
        if text == PLACEHOLDER_RECIPIENT:
            yield ("secret_recipients", index), text
    if text_value(data, "client_secret_age_recipient") == PLACEHOLDER_RECIPIENT:
        yield ("client_secret_age_recipient",), PLACEHOLDER_RECIPIENT


def check_placeholders(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    code = "I012" if ctx.environment == "production" else "I013"
    for field, value in _placeholder_fields(data):
        yield Finding(code, field, {"value": value, "range": PLACEHOLDER_RIE_RANGE})


def age_stanzas(armored: str) -> list[str] | None:
    """The recipient stanza types of an armored age message's header (["X25519"] for one
    X25519 recipient), or None when it cannot be read. The header names no recipient: a
    stanza holds an ephemeral share, not the key it was made for."""
    lines = [line.strip() for line in armored.strip().splitlines()]
    if not lines or lines[0] != AGE_ARMOR_HEADER:
        return None
    body = "".join(line for line in lines[1:] if line and not line.startswith("-----END"))
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    header, found, _ = raw.partition(b"\n---")
    text = header.decode("ascii", errors="replace").split("\n")
    if not found or text[0] != "age-encryption.org/v1":
        return None
    types = [line[3:].split(" ", 1)[0] for line in text[1:] if line.startswith("-> ")]
    # rage adds a random "…-grease" stanza that no key opens (anti-ossification): not a
    # recipient.
    return [kind for kind in types if not kind.endswith("-grease")]


def check_sealed_secret(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    if ctx.kind != IDENTITY_PROVIDER:
        return
    sealed = text_value(data, "client_secret_age")
    if sealed is None or not sealed.strip().startswith(AGE_ARMOR_HEADER):
        return  # absent, or I009
    expected = ctx.policy.age_recipient(ctx.environment)
    params = {"environment": ctx.environment, "recipient": expected or _UNKNOWN_KEY}
    stanzas = age_stanzas(sealed)  # None: unreadable, the deploy's opening reports it
    if stanzas is not None and stanzas != ["X25519"]:
        kinds = ", ".join(stanzas) or "aucun"
        problem = f"est chiffré pour {len(stanzas)} destinataire(s) ({kinds}), pas pour une clé"
        yield Finding("I016", ("client_secret_age",), {**params, "problem": problem})
    if expected is None:
        return  # the policy names no key for this environment: nothing to compare with
    declared = text_value(data, "client_secret_age_recipient")
    if declared is None:
        yield Finding("I014", ("client_secret_age",), params)
    elif declared != expected:
        others = [
            env
            for env, key in ctx.policy.federation_age_recipients.items()
            if key == declared and env != ctx.environment
        ]
        detail = f" : c'est celle de l'environnement {others[0]}" if others else ""
        yield Finding(
            "I015",
            ("client_secret_age_recipient",),
            {**params, "value": declared, "detail": detail},
        )


def identity_of(environment: str, kind: str, data: dict[str, Any] | None) -> Identity | None:
    if not data:
        return None
    network = text_value(data, "network")
    identifier = text_value(data, "client_id" if kind == SERVICE_PROVIDER else "uid")
    if not (environment and kind and network and identifier):
        return None
    return (environment, network, kind, identifier)


def known_identities(documents: Iterable[tuple[str, str, dict[str, Any] | None]]) -> set[Identity]:
    """The identities of (environment, kind, data) documents: what a deployment holds."""
    found = set()
    for environment, kind, data in documents:
        identity = identity_of(environment, kind, data)
        if identity is not None:
            found.add(identity)
    return found


def new_provider_findings(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    """What deploy requires of a provider it will create in its deployment."""
    deployment = deployment_name(ctx.environment, text_value(data, "network"))
    if ctx.kind == SERVICE_PROVIDER:
        recipients = [text for _, text in text_items(data, "secret_recipients")]
        if PLACEHOLDER_RECIPIENT in recipients:
            # Deploy cannot seal the new secret for `fedreg new`'s example recipient.
            where: tuple[str | int, ...] = (
                "secret_recipients",
                recipients.index(PLACEHOLDER_RECIPIENT),
            )
            yield Finding("I010", where, {"deployment": deployment})
        elif not data.get("secret_recipients"):
            where = ("secret_recipients",) if "secret_recipients" in data else ("client_id",)
            yield Finding("I010", where, {"deployment": deployment})
    if ctx.kind == IDENTITY_PROVIDER and not text_value(data, "client_secret_age"):
        where = ("client_secret_age",) if "client_secret_age" in data else ("uid",)
        recipient = ctx.policy.age_recipient(ctx.environment) or _UNKNOWN_KEY
        yield Finding(
            "I011",
            where,
            {"deployment": deployment, "environment": ctx.environment, "recipient": recipient},
        )
