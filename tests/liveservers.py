"""Real servers on loopback for the live checks: an https server with a test certificate
authority (trustme) serving discovery documents and key sets, good and broken, and a DNS server
(dnslib) answering TXT and address records. Nothing here listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from dnslib import AAAA, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, RSAKey

from conftest import BASE_IDENTITY_PROVIDER, edited
from fedreg.live.addresspolicy import TEST_OPENING_VARIABLE

LOOPBACK = "127.0.0.1"
LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128"
DISCOVERY = "/.well-known/openid-configuration"
UID = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"  # BASE_IDENTITY_PROVIDER's uid
PROOF = f"proconnect-identity-provider-{UID}"
SLOW_SECONDS = 4.0


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class HttpsServer:
    """A threaded https server on loopback; `routes` maps a path to what it answers, and every
    request is counted and logged with its start and end times."""

    def __init__(self, ca: trustme.CA, not_after: datetime | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                start = time.monotonic()
                with server._lock:
                    server.hits[self.path] += 1
                try:
                    route = server.routes.get(self.path, Route(404, b"introuvable"))
                    time.sleep(route.delay)
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except OSError:  # the client gave up (timeout, size limit): expected
                    pass
                finally:
                    with server._lock:
                        server.log.append((start, time.monotonic(), self.path))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost", LOOPBACK, not_after=not_after).configure_cert(context)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def max_in_flight(self, prefix: str) -> int:
        """The most requests for paths starting with `prefix` served at the same time."""
        events = sorted(
            (moment, step)
            for start, end, path in self.log
            if path.startswith(prefix)
            for moment, step in ((start, 1), (end, -1))
        )
        current = highest = 0
        for _, step in events:
            current += step
            highest = max(highest, current)
        return highest

    def url(self, path: str) -> str:
        return f"https://localhost:{self.port}{path}"

    def serve_json(self, path: str, document: Any, **route: Any) -> None:
        body = json.dumps(document).encode()
        self.routes[path] = Route(body=body, headers={"Content-Type": "application/json"}, **route)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Zone(BaseResolver):  # type: ignore[misc]
    """Answers from a dict of (name, type) -> values; a name with no entry at all is NXDOMAIN,
    a name listed in `failing` gets SERVFAIL."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.failing: set[str] = set()
        self.queries: Counter[tuple[str, str]] = Counter()

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        rdtype = QTYPE[request.q.qtype]
        self.queries[(name, rdtype)] += 1
        if name in self.failing:
            reply.header.rcode = RCODE.SERVFAIL
        elif not any(n == name for n, _ in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
        for value in self.records.get((name, rdtype), []):
            rdata = {"TXT": TXT, "A": A, "AAAA": AAAA}[rdtype](value)
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=60))
        return reply


class DnsServer:
    def __init__(self) -> None:
        self.zone = Zone()
        logger = DNSLogger(logf=lambda text: None)
        self.server = DNSServer(self.zone, address=LOOPBACK, port=0, logger=logger)
        self.port = self.server.server.server_address[1]

    def start(self) -> None:
        self.server.start_thread()

    def stop(self) -> None:
        self.server.stop()
        self.server.server.server_close()


def _keys() -> dict[str, dict[str, Any]]:
    """Public JWKs (and one private) generated once for the session."""
    ec = ECKey.generate_key("P-256", {"kid": "ec-1", "use": "sig"}, private=True)
    rsa = RSAKey.generate_key(2048, {"kid": "rsa-1", "use": "sig"}, private=True)
    with warnings.catch_warnings():  # joserfc rightly warns about the weak key we want
        warnings.simplefilter("ignore", SecurityWarning)
        small = RSAKey.generate_key(1024, {"kid": "rsa-small", "use": "sig"}, private=True)
    return {
        "ec": ec.as_dict(private=False),
        "ec_private": ec.as_dict(private=True),
        "rsa": rsa.as_dict(private=False),
        "rsa_small": small.as_dict(private=False),
    }


def discovery(base: str, **changes: Any) -> dict[str, Any]:
    """A discovery document as ProConnect expects it for an FI at `base`; a change to None
    removes the member."""
    document = {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "userinfo_signing_alg_values_supported": ["ES256", "RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": [
            "openid",
            "uid",
            "given_name",
            "usual_name",
            "email",
            "siren",
            "siret",
            "organizational_unit",
            "belonging_population",
            "phone",
            "chorusdt",
        ],
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


# Variants: name -> (discovery changes, key set). The file's algorithms are ES256 unless a test
# says otherwise.
def install_variants(server: HttpsServer, keys: dict[str, dict[str, Any]]) -> None:
    good_keys = {"keys": [keys["ec"], keys["rsa"]]}

    def fi(
        name: str, keyset: Any = None, route: dict[str, Any] | None = None, **changes: Any
    ) -> None:
        base = server.url(f"/{name}")
        server.serve_json(f"/{name}{DISCOVERY}", discovery(base, **changes), **(route or {}))
        server.serve_json(f"/{name}/jwks", good_keys if keyset is None else keyset)

    fi("good")
    fi("wrong-issuer", issuer=server.url("/ailleurs"))
    fi("http-endpoint", token_endpoint=f"http://localhost:{server.port}/http-endpoint/token")
    fi("missing-alg", id_token_signing_alg_values_supported=["RS256"])
    fi("no-post", token_endpoint_auth_methods_supported=["client_secret_basic"])
    fi("few-scopes", scopes_supported=["openid", "email"])
    fi("no-logout", end_session_endpoint=None)
    fi("rie-host", userinfo_endpoint="https://auth.agriculture.rie.gouv.fr/userinfo")
    fi("no-jwks-uri", jwks_uri=None)
    fi("rsa-1024", {"keys": [keys["rsa_small"]]})
    fi("private-key", {"keys": [keys["ec_private"], keys["rsa"]]})
    fi("duplicate-kid", {"keys": [keys["ec"], {**keys["rsa"], "kid": "ec-1"}]})
    fi("rsa-only", {"keys": [keys["rsa"]]})
    fi("bad-jwks", {"keys": [{"kty": "RSA", "n": "AQAB"}]})
    fi("slow", route={"delay": SLOW_SECONDS})
    for index in range(8):
        fi(f"polite-{index}", route={"delay": 0.2})
    server.routes["/redirect" + DISCOVERY] = Route(
        302, headers={"Location": server.url("/good" + DISCOVERY)}
    )
    server.routes["/oversized" + DISCOVERY] = Route(
        body=b'{"issuer": "' + b"x" * (300 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    server.routes["/html" + DISCOVERY] = Route(body=b"<html>bonjour</html>")
    server.routes["/broken" + DISCOVERY] = Route(500, b"erreur")
    # Hostile answers: nesting that blows a recursive parser, a value written for the comment.
    server.routes["/nested" + DISCOVERY] = Route(body=b"[" * 100_000)
    fi("nested-jwks", None)
    server.routes["/nested-jwks/jwks"] = Route(body=b'{"keys": ' + b"[" * 100_000)
    fi("markdown-issuer", issuer="https://a.fr\n\n@proconnect-gouv/federation <img src=x>")
    fi("link-issuer", issuer="[cliquez ici](https://pieges.example/)")


@dataclass
class LiveServers:
    https: HttpsServer
    untrusted: HttpsServer  # a certificate from an authority the checker does not trust
    dns: DnsServer
    ca_bundle: Path

    def options(self, timeout: float = 2.0) -> list[str]:
        """The check-live options that point it at these servers only."""
        return [
            "--ca-bundle",
            str(self.ca_bundle),
            "--nameserver",
            LOOPBACK,
            "--dns-port",
            str(self.dns.port),
            "--timeout",
            str(timeout),
        ]

    def identity_provider(
        self, name: str, *, alg: str = "ES256", extra: str = "", server: HttpsServer | None = None
    ) -> str:
        """An integration FI file whose discovery is variant `name`."""
        url = (server or self.https).url(f"/{name}{DISCOVERY}")
        text = edited(
            BASE_IDENTITY_PROVIDER,
            [
                (
                    "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration",
                    f"discovery_url: {url}",
                ),
                ("id_token_signed_response_alg: ES256", f"id_token_signed_response_alg: {alg}"),
                ("userinfo_signed_response_alg: ES256", f"userinfo_signed_response_alg: {alg}"),
            ],
        )
        return text + extra


@contextmanager
def running_live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    keys = _keys()
    ca, other_ca = trustme.CA(), trustme.CA()
    bundle = tmp_path_factory.mktemp("ca") / "test-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    https, untrusted, dns = HttpsServer(ca), HttpsServer(other_ca), DnsServer()
    install_variants(https, keys)
    install_variants(untrusted, keys)
    dns.zone.records[("demo.gouv.fr", "TXT")] = ["v=spf1 -all", PROOF]
    dns.zone.records[("autre.gouv.fr", "TXT")] = ["v=spf1 -all"]
    dns.zone.records[("demo.gouv.fr", "A")] = ["192.0.2.10"]
    dns.zone.records[("v6.demo.gouv.fr", "AAAA")] = ["2001:db8::10"]
    dns.zone.failing.add("panne.gouv.fr")
    for server in (https, untrusted, dns):
        server.start()
    # The test-only opening of the live checks' address policy: loopback, on any port.
    previous = os.environ.get(TEST_OPENING_VARIABLE)
    os.environ[TEST_OPENING_VARIABLE] = LOOPBACK_NETWORKS
    try:
        yield LiveServers(https, untrusted, dns, bundle)
    finally:
        if previous is None:
            os.environ.pop(TEST_OPENING_VARIABLE, None)
        else:
            os.environ[TEST_OPENING_VARIABLE] = previous
        for server in (https, untrusted, dns):
            server.stop()
