"""Which addresses a live fetch may connect to: the public internet only.

A registry file names URLs that the bot fetches from inside the federation's runners; without
this policy any pull-request author could make it connect to loopback, the cloud metadata
service or a private network, and read the answers' differences back in the comment. Every
fetch therefore resolves the name once, refuses the connection unless every address is public
and the port allowed, and connects to the address it checked (no second resolution, so a name
that answers differently the second time gains nothing).

`PublicOnlyTransport` is the httpx transport that applies it (redirects are the client's
business: fedreg's clients never follow them); `checked_address` is the same check for callers
that open their own connections.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx
from netaddr import AddrFormatError, IPAddress, IPNetwork

# The one environment variable that opens networks to live fetches, for the tests' loopback
# servers. No workflow sets it; it is read only by `AddressPolicy.from_environment`.
TEST_OPENING_VARIABLE = "FEDREG_TEST_ONLY_OPEN_NETWORKS"
HTTPS_PORT = 443

# IPv6 forms that carry an IPv4 address: judged by the address they carry.
_IPV4_CARRIERS = (
    IPNetwork("::ffff:0:0/96"),  # IPv4-mapped
    IPNetwork("::/96"),  # IPv4-compatible (deprecated)
    IPNetwork("64:ff9b::/96"),  # NAT64, well-known prefix
    IPNetwork("64:ff9b:1::/48"),  # NAT64, local use
)


class RefusedAddress(Exception):
    """A fetch the policy refuses. Its text is for logs and tests only: what a partner sees
    is one generic "non vérifié" sentence, whatever the reason."""


def non_public_reason(address: IPAddress) -> str | None:
    """Why `address` is not on the public internet (None: it is). Loopback, private,
    link-local, carrier-grade NAT, multicast, reserved, documentation, unique-local, and the
    IPv6 forms of any of them (IPv4-mapped, NAT64, 6to4) are refused."""
    if address.version == 6:
        for carrier in _IPV4_CARRIERS:
            if address in carrier:
                carried = IPAddress(int(address) & 0xFFFFFFFF, 4)
                inner = non_public_reason(carried)
                return None if inner is None else f"{inner} (forme IPv6 de {carried})"
    if address.is_multicast():
        return "multidiffusion"
    if not address.is_global():  # IANA's special-purpose registries, both families
        return "adresse non publique"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """What live fetches may reach: public addresses on `ports`. `test_networks` opens more,
    on any port, for the tests' loopback servers only (see `TEST_OPENING_VARIABLE`)."""

    ports: frozenset[int] = frozenset({HTTPS_PORT})
    test_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_environment(cls) -> AddressPolicy:
        opened = os.environ.get(TEST_OPENING_VARIABLE, "")
        try:
            networks = tuple(IPNetwork(part.strip()) for part in opened.split(",") if part.strip())
        except (AddrFormatError, ValueError) as error:
            raise ValueError(f"{TEST_OPENING_VARIABLE} invalide : « {opened} »") from error
        return cls(test_networks=networks)

    def refusal(self, address: IPAddress, port: int) -> str | None:
        """Why a connection to (`address`, `port`) is refused (None: allowed)."""
        if any(address in network for network in self.test_networks):
            return None
        if port not in self.ports:
            return f"port {port} non autorisé"
        return non_public_reason(address)


async def checked_address(host: str, port: int, policy: AddressPolicy) -> str:
    """The address to connect to for `host`: resolved once, every answer checked (a name with
    one private answer among public ones is refused whole). Raises `RefusedAddress`."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as error:
        raise RefusedAddress(f"{host} : résolution impossible") from error
    addresses = _unique(IPAddress(str(info[4][0]).split("%", 1)[0]) for info in infos)
    if not addresses:
        raise RefusedAddress(f"{host} : aucune adresse")
    for address in addresses:
        reason = policy.refusal(address, port)
        if reason is not None:
            raise RefusedAddress(f"{host} ({address}) : {reason}")
    return str(addresses[0])


def _unique(addresses: Iterable[IPAddress]) -> list[IPAddress]:
    return list(dict.fromkeys(addresses))


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only where `policy` allows: it resolves the URL's
    host, checks every address, and sends the request to the checked address, with the
    original name for the `Host` header, TLS's SNI and the certificate's verification.
    Connections are not kept alive, so one checked for a name never carries another's
    request. A refusal raises `httpx.ConnectError` (caused by `RefusedAddress`)."""

    def __init__(
        self, policy: AddressPolicy, ssl_context: ssl.SSLContext, max_connections: int = 32
    ) -> None:
        self.policy = policy
        self._inner = httpx.AsyncHTTPTransport(
            verify=ssl_context,
            trust_env=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=0),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or {"https": HTTPS_PORT, "http": 80}.get(request.url.scheme, 0)
        try:
            address = await checked_address(host, port, self.policy)
        except RefusedAddress as error:
            raise httpx.ConnectError(str(error), request=request) from error
        request.url = request.url.copy_with(host=address)
        request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
