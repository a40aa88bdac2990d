"""Connection URIs shown as host:port only: what errors, logs, statuses and the audit may say."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def redact_uri(uri: str) -> str:
    """`mongodb://user:password@h1:27017,h2/db?authSource=x` -> `h1:27017,h2:27017`.

    Everything but the hosts goes: credentials, database, options (which may carry secrets,
    e.g. `tlsCertificateKeyFilePassword`)."""
    rest = _SCHEME.sub("", uri.strip(), count=1)
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    hosts = authority.rpartition("@")[2]
    shown = []
    for host in hosts.split(","):
        if not host:
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
    rest = _SCHEME.sub("", uri.strip(), count=1)
    userinfo = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[0]
    for secret in {userinfo, *userinfo.split(":")} if userinfo else ():
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
