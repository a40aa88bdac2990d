"""Redirect, post-logout and identity-provider endpoint URLs."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ...diagnostics import Finding
from ...registry.models import IDENTITY_PROVIDER, SERVICE_PROVIDER
from ..coreconformance import matches_core_url
from .context import VALUE_CACHE_SIZE, FileContext, text_items, text_value
from .domains import HOST_LABEL, public_suffix_list

MAX_URI_LENGTH = 2048
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Special-use and internal names that never resolve publicly (RFC 2606, 6761, 6762, 8375, ...).
RESERVED_TLDS = frozenset(
    {
        "local",
        "localhost",
        "test",
        "example",
        "invalid",
        "internal",
        "lan",
        "intranet",
        "corp",
        "home",
        "localdomain",
        "onion",
        "alt",
    }
)
RESERVED_SUFFIXES = ("home.arpa",)
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
IDP_ENDPOINT_KEYS = ("issuer", "authorization_url", "token_url", "userinfo_url")
IDP_URL_KEYS = ("discovery_url", *IDP_ENDPOINT_KEYS, "jwks_url", "end_session_url")

Problem = tuple[str, dict[str, Any]]
_ASCII_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def has_invisible(text: str) -> bool:
    """A space, or any control, format or unassigned character."""
    if text.isascii():
        return _ASCII_INVISIBLE.search(text) is not None
    return any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text)


def _is_invisible(c: str) -> bool:
    if c.isascii():
        return _ASCII_INVISIBLE.match(c) is not None
    return c.isspace() or unicodedata.category(c)[0] == "C"


_CHAR_NAMES_FR = {" ": "une espace", "\t": "une tabulation", "\n": "un saut de ligne"}


def invisible_char_params(text: str) -> dict[str, Any]:
    """U002's params: the first invisible character of `text`, named, and where it is."""
    offset = next(i for i, c in enumerate(text) if _is_invisible(c))
    char = text[offset]
    code_point = f"U+{ord(char):04X}"
    name = _CHAR_NAMES_FR.get(char) or "le caractère invisible " + unicodedata.name(char, "")
    shown = "".join(f"⟨U+{ord(c):04X}⟩" if _is_invisible(c) else c for c in text)
    return {
        "char": f"{name.rstrip()} ({code_point})",
        "shown": shown,
        "position": offset + 1,
        "offset": offset,
    }


def is_valid_hostname(host: str) -> bool:
    labels = host.split(".")
    return (
        len(host) <= 253 and len(labels) >= 1 and all(HOST_LABEL.match(label) for label in labels)
    )


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not (host[:1].isdigit() or ":" in host):  # a DNS name: skip the costly parse attempt
        return None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _not_public_reason(host: str, is_ip: bool) -> str | None:
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return "adresse locale"
    if is_ip:
        return "adresse IP au lieu d'un nom de domaine"
    tld = host.rsplit(".", 1)[-1]
    if "." not in host:
        return "nom sans domaine"
    if tld in RESERVED_TLDS or host.endswith(RESERVED_SUFFIXES) or host in RESERVED_SUFFIXES:
        return f"extension .{tld} réservée à un usage interne"
    if public_suffix_list().publicsuffix(host) is None:
        return f"extension .{tld} inconnue"
    return None


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def url_host(uri: str) -> str | None:
    """The lower-case host of an absolute URL, or None."""
    try:
        return urlsplit(uri).hostname or None
    except ValueError:
        return None


# The common case, a lower-case https URL with a dotted lower-case host, no port, user,
# fragment, wildcard or unusual character: `urlsplit` would give it this host and the URL
# itself no problem, so only its host is checked (tests/validation/test_fast_paths.py).
_PLAIN_HTTPS_URL = re.compile(
    r"https://([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?:[/?][!$%&'()+,\-./0-9:;=?A-Z_a-z~]*)?"
)


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def inspect_uri(
    uri: str, environment: str, federation_hosts: tuple[str, ...], check_federation: bool = True
) -> tuple[str | None, tuple[Problem, ...]]:
    """The host of one URL and every problem it has, most fundamental first. Cached: values
    repeat across files and checks."""
    plain = _PLAIN_HTTPS_URL.fullmatch(uri)
    if plain is not None and len(uri) <= MAX_URI_LENGTH:
        host = plain.group(1)
        return host, _host_problems(host, environment, federation_hosts, check_federation)
    return inspect_parsed_uri(uri, environment, federation_hosts, check_federation)


def inspect_parsed_uri(
    uri: str, environment: str, federation_hosts: tuple[str, ...], check_federation: bool = True
) -> tuple[str | None, tuple[Problem, ...]]:
    """`inspect_uri` through `urlsplit`, whatever the URL."""
    if len(uri) > MAX_URI_LENGTH:
        return None, (("U006", {"length": len(uri), "limit": MAX_URI_LENGTH}),)
    if has_invisible(uri):
        return None, (("U002", invisible_char_params(uri)),)
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None, (("U001", {}),)
    if not parts.scheme or not parts.netloc or not host:
        return None, (("U001", {}),)
    problems: list[Problem] = []
    if "*" in uri:
        problems.append(("U005", {}))
    if "@" in parts.netloc:
        problems.append(("U003", {}))
    if "#" in uri:
        problems.append(("U004", {}))
    scheme = parts.scheme.lower()
    written_scheme = uri[: len(scheme)]
    as_core_reads = scheme + uri[len(scheme) :]
    if written_scheme != scheme:
        # The core's URL regex is case-sensitive: it would exclude the whole provider.
        problems.append(("U016", {"scheme": written_scheme, "fixed": as_core_reads}))
    if scheme in ("http", "https") and not matches_core_url(as_core_reads):
        problems.append(("U017", {}))
    loopback = host in LOOPBACK_HOSTS
    if environment == "production" and scheme != "https":
        problems.append(
            (
                "U011",
                {
                    "scheme": scheme,
                    "environment": "production",
                    "detail": "En production, seul https est accepté : écrivez https://.",
                },
            )
        )
    elif environment == "integration" and not (
        scheme == "https" or (scheme == "http" and loopback)
    ):
        problems.append(
            (
                "U011",
                {
                    "scheme": scheme,
                    "environment": "intégration",
                    "detail": "En intégration, https est "
                    "requis ; http n'est accepté que pour localhost, 127.0.0.1 "
                    "et [::1].",
                },
            )
        )
    return host, (*problems, *_host_problems(host, environment, federation_hosts, check_federation))


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def _host_problems(
    host: str, environment: str, federation_hosts: tuple[str, ...], check_federation: bool
) -> tuple[Problem, ...]:
    """`inspect_uri`'s problems of a host, which a provider's URLs share: cached apart."""
    problems: list[Problem] = []
    is_ip = _ip_literal(host) is not None
    if not is_ip and "*" not in host and not is_valid_hostname(host):
        problems.append(("U013", {"host": host}))
    elif environment == "production":
        reason = _not_public_reason(host, is_ip)
        if reason:
            problems.append(("U012", {"host": host, "reason": reason}))
    if check_federation and any(host == h or host.endswith("." + h) for h in federation_hosts):
        problems.append(("U009", {"host": host}))
    return tuple(problems)


def _check_uri_list(
    key: str, data: dict[str, Any], ctx: FileContext, hosts: set[str]
) -> Iterator[Finding]:
    """Findings of one URL list; adds the hosts of its URLs to `hosts`."""
    seen: dict[str, int] = {}
    for index, uri in text_items(data, key):
        host, problems = inspect_uri(uri, ctx.environment, ctx.policy.federation_hosts)
        if host:
            hosts.add(host)
        for code, params in problems:
            yield Finding(code, (key, index), {"value": uri, **params}, offset=params.get("offset"))
        if uri in seen:
            yield Finding("U007", (key, index), {"value": uri, "list": key})
            continue
        twin = uri[:-1] if uri.endswith("/") else uri + "/"
        if twin in seen:
            yield Finding("U008", (key, index), {"value": uri, "other": twin})
        seen[uri] = index


def check_service_provider_uris(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    if ctx.kind != SERVICE_PROVIDER:
        return
    redirect_hosts: set[str] = set()
    yield from _check_uri_list("redirect_uris", data, ctx, redirect_hosts)
    logout_hosts: set[str] = set()
    yield from _check_uri_list("post_logout_redirect_uris", data, ctx, logout_hosts)
    if not redirect_hosts or logout_hosts <= redirect_hosts:
        return
    federation = ctx.policy.federation_hosts
    if any(
        inspect_uri(uri, ctx.environment, federation)[0] is None
        for _, uri in text_items(data, "redirect_uris")
    ):
        return  # an unreadable redirect URI has an unknown host: no U010 guess on top of it
    for index, uri in text_items(data, "post_logout_redirect_uris"):
        host = url_host(uri)
        if host and host not in redirect_hosts:
            yield Finding("U010", ("post_logout_redirect_uris", index), {"host": host})


def check_identity_provider_urls(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    if ctx.kind != IDENTITY_PROVIDER:
        return
    for key in IDP_URL_KEYS:
        uri = text_value(data, key)
        if uri is None:
            continue
        _, problems = inspect_uri(uri, ctx.environment, (), check_federation=False)
        for code, params in problems:
            yield Finding(code, (key,), {"value": uri, **params}, offset=params.get("offset"))
    discovery = text_value(data, "discovery_url")
    if discovery is not None and not discovery.endswith(DISCOVERY_SUFFIX):
        yield Finding("U014", ("discovery_url",))
    endpoints = [key for key in IDP_ENDPOINT_KEYS if data.get(key) is not None]
    if data.get("discovery_url") is not None:
        if endpoints or data.get("jwks_url") is not None:
            extra = endpoints or ["jwks_url"]
            yield Finding(
                "U015",
                (extra[0],),
                {
                    "problem": "Avec discovery_url, les points "
                    "d'accès viennent de la découverte : retirez " + ", ".join(extra) + "."
                },
            )
    elif not endpoints:
        yield Finding(
            "U015",
            (),
            {
                "problem": "Aucun point d'accès : donnez discovery_url, ou "
                "issuer, authorization_url, token_url et userinfo_url."
            },
        )
    else:
        missing = [key for key in IDP_ENDPOINT_KEYS if key not in endpoints]
        if missing:
            yield Finding(
                "U015",
                (endpoints[0],),
                {"problem": "Sans découverte, il manque : " + ", ".join(missing) + "."},
            )


def idp_hosts(data: dict[str, Any]) -> set[str]:
    hosts = {url_host(uri) for key in IDP_URL_KEYS if (uri := text_value(data, key))}
    return {host for host in hosts if host}
