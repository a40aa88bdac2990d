"""The live checks stay on the public internet: a registry file cannot make the checker connect
to loopback, a private network or the cloud metadata service, nor learn from its answers what
listens there. The tests' loopback servers are reached only through the test-only opening
(`TEST_OPENING_VARIABLE`), which no workflow sets."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
from collections.abc import Iterator

import pytest
from netaddr import IPAddress, IPNetwork

from conftest import BASE_IDENTITY_PROVIDER, REPO_ROOT, edited
from fedreg.live.addresspolicy import (
    TEST_OPENING_VARIABLE,
    AddressPolicy,
    RefusedAddress,
    checked_address,
    non_public_reason,
)
from fedreg.live.check import FetchError, PeerCertificate
from fedreg.live.fetch import LiveFetcher, LiveSettings
from liveservers import DISCOVERY


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "0.0.0.0",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "::1",
        "::",
        "fe80::1",
        "fc00::1",  # unique-local
        "fd12:3456::1",
        "ff02::1",  # multicast
        "ff0e::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::1",  # 6to4
        "2001:db8::1",  # documentation
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert non_public_reason(IPAddress(address)) is not None
    assert AddressPolicy().refusal(IPAddress(address), 443) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "145.242.17.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass_on_port_443_only(address: str) -> None:
    policy = AddressPolicy()
    assert policy.refusal(IPAddress(address), 443) is None
    assert policy.refusal(IPAddress(address), 8443) == "port 8443 non autorisé"
    assert AddressPolicy(ports=frozenset({443, 8443})).refusal(IPAddress(address), 8443) is None


def test_the_test_opening_is_explicit_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEST_OPENING_VARIABLE, raising=False)
    assert AddressPolicy.from_environment() == AddressPolicy()
    monkeypatch.setenv(TEST_OPENING_VARIABLE, "127.0.0.0/8")
    opened = AddressPolicy.from_environment()
    assert opened.refusal(IPAddress("127.0.0.1"), 4321) is None
    assert opened.refusal(IPAddress("10.0.0.1"), 443) is not None
    monkeypatch.setenv(TEST_OPENING_VARIABLE, "pas-un-réseau")
    with pytest.raises(ValueError, match=TEST_OPENING_VARIABLE):
        AddressPolicy.from_environment()


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    """`localhost` resolves to loopback: refused whole, before any connection."""
    with pytest.raises(RefusedAddress, match="localhost"):
        asyncio.run(checked_address("localhost", 443, AddressPolicy()))
    with pytest.raises(RefusedAddress, match=r"::ffff:10\.0\.0\.1"):
        asyncio.run(checked_address("::ffff:10.0.0.1", 443, AddressPolicy()))
    opened = AddressPolicy(test_networks=(IPNetwork("127.0.0.0/8"),))
    assert asyncio.run(checked_address("127.0.0.1", 8443, opened)) == "127.0.0.1"


def test_no_workflow_sets_the_test_opening() -> None:
    workflows = sorted((REPO_ROOT / ".github/workflows").glob("*.yml"))
    assert workflows
    for workflow in [*workflows, REPO_ROOT / "action.yml"]:
        assert TEST_OPENING_VARIABLE not in workflow.read_text(encoding="utf-8"), workflow


# -- through the real CLI, without the opening ------------------------------------------------


class Listener:
    """A loopback TCP listener that records every connection it accepts, and optionally
    answers it (plain HTTP, so that a TLS client fails in its own way)."""

    def __init__(self, answer: bytes | None, host: str = "127.0.0.1") -> None:
        self.socket = socket.create_server((host, 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._answer = answer
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            with connection:
                if self._answer is not None:
                    connection.sendall(self._answer)

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would leave it
        # holding the listening socket, whose descriptor a later server may reuse.
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()
        self._thread.join(timeout=5)


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    made: list[Listener] = []
    yield made
    for listener in made:
        listener.close()


def _fi_on(workspace, url: str, slug: str) -> None:
    text = edited(
        BASE_IDENTITY_PROVIDER,
        [
            (
                "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration",
                f"discovery_url: {url}{DISCOVERY}",
            ),
            ("attached_email_domains:\n  - demo.gouv.fr\n", "attached_email_domains: []\n"),
        ],
    )
    workspace.provider("idp", text, env="integration", slug=slug)


def _closed_port() -> int:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return int(port)


def test_a_loopback_listener_gets_no_connection_without_the_opening(
    workspace, cli, listeners, monkeypatch
) -> None:
    monkeypatch.delenv(TEST_OPENING_VARIABLE, raising=False)
    listener = Listener(answer=None)
    listeners.append(listener)
    for slug, host in (("par-nom", "localhost"), ("par-ip", "127.0.0.1"), ("v6", "[::1]")):
        _fi_on(workspace, f"https://{host}:{listener.port}", slug)
    result = cli("check-live", "--format", "json", "--timeout", "2", "registry")
    assert result.exit_code == 0, result.stderr
    assert listener.accepted == 0
    report = result.json()
    assert {d["code"] for d in report["diagnostics"]} == {"V006"}
    assert all(p["checks"][0]["status"] == "unverified" for p in report["providers"])


def test_closed_plain_and_tls_services_read_the_same(
    workspace, cli, listeners, live_servers, monkeypatch
) -> None:
    """The oracle is gone: nothing in the report tells a closed port from a plain TCP service
    from a TLS one, so a pull request cannot map the runner's network."""
    monkeypatch.delenv(TEST_OPENING_VARIABLE, raising=False)
    plain = Listener(answer=b"HTTP/1.0 200 OK\r\n\r\n{}")
    listeners.append(plain)
    targets = {
        "ferme": f"https://127.0.0.1:{_closed_port()}",
        "clair": f"https://127.0.0.1:{plain.port}",
        "tls": f"https://localhost:{live_servers.https.port}/good",
        "metadonnees": "https://169.254.169.254",
    }
    for slug, url in targets.items():
        _fi_on(workspace, url, slug)
    hits_before = sum(live_servers.https.hits.values())
    result = cli("check-live", "--format", "markdown", *live_servers.options(), "registry")
    assert result.exit_code == 0, result.stderr
    assert plain.accepted == 0 and sum(live_servers.https.hits.values()) == hits_before
    masked = result.stdout.replace("\u2060", "")  # the word joiner that breaks autolinks
    for url in targets.values():
        masked = masked.replace(url, "URL")
    for slug in targets:
        masked = masked.replace(slug, "SLUG")
    messages = set(re.findall(r"\*\*V0\d\d\*\* .*", masked))
    assert len(messages) == 1, messages
    [message] = messages
    assert "V006" in message and "non vérifié" in message
    assert not re.search(r"refus|TLS|SSL|certificat|version|Errno|timed out", message, re.I)


def test_static_url_errors_are_not_fetched(workspace, cli, live_servers) -> None:
    """A production FI on loopback fails U012: the checker does not fetch it, even with the
    test opening."""
    hits_before = live_servers.https.hits[f"/good{DISCOVERY}"]
    text = live_servers.identity_provider("good")
    workspace.provider("idp", text, env="production")
    result = cli("check-live", "--format", "json", *live_servers.options(), "registry")
    assert result.exit_code == 0, result.stderr
    assert live_servers.https.hits[f"/good{DISCOVERY}"] == hits_before
    [provider] = result.json()["providers"]
    assert "non vérifié" in provider["note"] and provider["checks"] == []


def test_the_opening_reaches_only_what_it_names(workspace, cli, live_servers) -> None:
    """With the tests' opening, the loopback server answers: the policy is what refused it."""
    workspace.provider("idp", live_servers.identity_provider("good"), env="integration")
    result = cli("check-live", "--format", "json", *live_servers.options(), "registry")
    assert (result.exit_code, result.json()["diagnostics"]) == (0, [])


def test_a_key_set_a_discovery_document_names_is_held_to_the_same_policy(
    workspace, cli, live_servers, monkeypatch
) -> None:
    """The discovery document (reachable through the tests' opening of 127.0.0.1) names a
    `jwks_uri` on another loopback address: the checker never connects there, and says only
    "non vérifié"."""
    from liveservers import discovery

    monkeypatch.setenv(TEST_OPENING_VARIABLE, "127.0.0.1/32")
    hidden = Listener(answer=None, host="127.0.0.2")
    try:
        base = live_servers.https.url("/jwks-ailleurs")
        live_servers.https.serve_json(
            f"/jwks-ailleurs{DISCOVERY}",
            discovery(base, jwks_uri=f"https://127.0.0.2:{hidden.port}/jwks"),
        )
        workspace.provider(
            "idp", live_servers.identity_provider("jwks-ailleurs"), env="integration"
        )
        result = cli("check-live", "--format", "json", *live_servers.options(), "registry")
        assert result.exit_code == 0, result.stderr
        assert hidden.accepted == 0
        checks = {c["check"]: c for c in result.json()["providers"][0]["checks"]}
        assert checks["discovery"]["status"] == "passed"
        assert checks["jwks"]["status"] == "unverified" and checks["jwks"]["codes"] == ["V006"]
    finally:
        hidden.close()


def test_the_radar_s_certificate_fetch_is_held_to_the_same_policy(listeners) -> None:
    """`fedreg watch` reads certificates through the fetcher's one client: a loopback origin
    gets no connection without the opening, as every other fetch."""
    listener = Listener(answer=None)
    listeners.append(listener)

    async def fetch() -> object:
        async with LiveFetcher(LiveSettings(timeout=2.0)) as fetcher:
            return await fetcher.certificate(f"https://127.0.0.1:{listener.port}")

    got = asyncio.run(fetch())
    assert listener.accepted == 0
    assert isinstance(got, PeerCertificate)
    assert got.not_after is None and got.error is FetchError.NETWORK
