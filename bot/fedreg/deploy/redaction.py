"""Connection URIs shown as host:port only: what errors, logs, statuses and the audit may say."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


# One host of a URI's host list, as the hosts are shown: a name or an IP literal, a port.
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._%-]+)(?::\d+)?")


def _userinfo_and_hosts(uri: str) -> tuple[str, str]:
    """The credentials and the host list of a URI. The credentials end at the last "@": an
    operator may leave "/", "?" or "#" unescaped in a password, which the driver then refuses
    or misreads, and whatever precedes that "@" must never be shown."""
    rest = _SCHEME.sub("", uri.strip(), count=1)
    userinfo, _, after = rest.rpartition("@")
    return userinfo, re.split(r"[/?#]", after, maxsplit=1)[0]


def redact_uri(uri: str) -> str:
    """`mongodb://user:password@h1:27017,h2/db?authSource=x` -> `h1:27017,h2:27017`.

    Everything but the hosts goes: credentials, database, options (which may carry secrets,
    e.g. `tlsCertificateKeyFilePassword`). A host that does not look like one is shown "?"."""
    _, hosts = _userinfo_and_hosts(uri)
    shown = []
    for host in hosts.split(","):
        if not host:
            continue
        if not _HOST.fullmatch(host):
            shown.append("?")
            continue
        has_port = re.search(r":\d+$", host) is not None
        srv = uri.startswith("mongodb+srv://")
        shown.append(host if has_port or srv else f"{host}:27017")
    return ",".join(shown) or "?"


def redact_text(text: str, uri: str) -> str:
    """`text` with the URI, and any credential it carries, replaced by host:port."""
    if not uri:
        return text
    text = text.replace(uri, redact_uri(uri))
    userinfo, _ = _userinfo_and_hosts(uri)
    for secret in {userinfo, *userinfo.split(":")} if userinfo else ():
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
