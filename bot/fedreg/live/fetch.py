"""The live checks' network side: https documents and DNS answers, fetched politely.

Bounded on every axis: a strict timeout per request, a total time budget for the run, a size
limit per body, a concurrency limit per host (and for DNS), no redirect ever followed, the
certificate always verified, each URL and name asked once, and no retry. A failure on our side
(network, resolver, time) is recorded as such; `livecheck` reports it as "non vérifié".
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpx

from ..errors import UsageError
from .addresspolicy import AddressPolicy, PublicOnlyTransport
from .check import DnsAnswer, DnsOutcome, Evidence, Fetched, FetchError, PeerCertificate

USER_AGENT = "fedreg-check-live/0.1 (federation ProConnect)"
T = TypeVar("T")


@dataclass(frozen=True)
class LiveSettings:
    """How far and how hard the live checks may go, and where (`addresses`: the public
    internet only). Tests point `ca_bundle` at their test CA, `nameserver`/`dns_port` at their
    loopback DNS server, and open loopback through `addresses` (never set by a workflow)."""

    timeout: float = 5.0
    budget: float = 120.0
    max_bytes: int = 256 * 1024
    per_host: int = 2
    dns_concurrency: int = 8
    ca_bundle: Path | None = None
    nameserver: str | None = None
    dns_port: int = 53
    addresses: AddressPolicy = field(default_factory=AddressPolicy)

    @classmethod
    def from_environment(cls) -> LiveSettings:
        """FEDREG_CA_BUNDLE, FEDREG_NAMESERVER and FEDREG_DNS_PORT, when set, and the tests'
        opening of the address policy (`addresspolicy.TEST_OPENING_VARIABLE`)."""
        bundle = os.environ.get("FEDREG_CA_BUNDLE")
        port = os.environ.get("FEDREG_DNS_PORT", "53")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError(f"FEDREG_DNS_PORT invalide : « {port} »")
        try:
            addresses = AddressPolicy.from_environment()
        except ValueError as error:
            raise UsageError(str(error)) from error
        return cls(
            ca_bundle=Path(bundle) if bundle else None,
            nameserver=os.environ.get("FEDREG_NAMESERVER") or None,
            dns_port=int(port),
            addresses=addresses,
        )


def _tls_problem(error: BaseException) -> str | None:
    """The certificate verification failure behind an httpx error, if that is what it is."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return str(seen.verify_message or seen.reason or "certificat invalide")
        seen = seen.__cause__ or seen.__context__
    return None


class LiveFetcher:
    """One run's fetches, cached by URL and DNS name, within one time budget."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self._deadline = 0.0
        self._tasks: dict[tuple[str, str], asyncio.Task[object]] = {}
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._dns = asyncio.Semaphore(settings.dns_concurrency)
        self._client: httpx.AsyncClient | None = None
        self._resolver = dns.asyncresolver.Resolver(configure=settings.nameserver is None)
        if settings.nameserver:
            self._resolver.nameservers = [settings.nameserver]
        self._resolver.port = settings.dns_port
        self._resolver.timeout = settings.timeout  # one attempt per query: no retry

    async def __aenter__(self) -> LiveFetcher:
        if self.settings.ca_bundle is not None:
            try:
                context = ssl.create_default_context(cafile=str(self.settings.ca_bundle))
            except (OSError, ssl.SSLError) as error:
                raise UsageError(
                    f"autorités de certification illisibles : {self.settings.ca_bundle} ({error})"
                ) from error
        else:
            context = ssl.create_default_context()
        self._client = httpx.AsyncClient(
            transport=PublicOnlyTransport(self.settings.addresses, context),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.settings.timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self._deadline = asyncio.get_running_loop().time() + self.settings.budget
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _remaining(self) -> float:
        return self._deadline - asyncio.get_running_loop().time()

    async def _once(self, key: tuple[str, str], make: Callable[[], Awaitable[T]]) -> T:
        if key not in self._tasks:
            self._tasks[key] = asyncio.ensure_future(make())
        return await self._tasks[key]  # type: ignore[return-value]

    def fetch(self, url: str) -> Awaitable[Fetched]:
        """GET an https URL (anything else is refused before any connection)."""
        return self._once(("GET", url), lambda: self._fetch(url))

    async def _fetch(self, url: str) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return Fetched(url, error=FetchError.NETWORK)
        host = f"{parts.hostname}:{parts.port or 443}"
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with semaphore:
            remaining = self._remaining()
            if remaining <= 0:
                return Fetched(url, error=FetchError.BUDGET)
            limit = min(self.settings.timeout, remaining)
            try:
                async with asyncio.timeout(limit):
                    return await self._get(url)
            except TimeoutError:
                error = FetchError.TIMEOUT if limit == self.settings.timeout else FetchError.BUDGET
                return Fetched(url, error=error, timeout=self.settings.timeout)
            except httpx.TimeoutException:
                return Fetched(url, error=FetchError.TIMEOUT, timeout=self.settings.timeout)
            except httpx.HTTPError as exc:
                problem = _tls_problem(exc)
                if problem is not None:
                    return Fetched(url, error=FetchError.TLS, detail=problem)
                # Refused by the address policy, refused by the port, not TLS: one answer,
                # so that the comment maps nothing of the runner's network.
                return Fetched(url, error=FetchError.NETWORK)

    async def _get(self, url: str) -> Fetched:
        assert self._client is not None, "use LiveFetcher as an async context manager"
        limit = self.settings.max_bytes
        async with self._client.stream("GET", url) as response:
            if response.is_redirect:
                location = response.headers.get("location", "(sans Location)")
                return Fetched(url, response.status_code, location=location)
            if response.status_code != 200:
                return Fetched(url, response.status_code)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return Fetched(url, error=FetchError.TOO_LARGE, limit=limit)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    return Fetched(url, error=FetchError.TOO_LARGE, limit=limit)
            return Fetched(url, 200, bytes(body))

    def certificate(self, origin: str) -> Awaitable[PeerCertificate]:
        """The verified certificate an https origin (`https://host[:port]`) presents: one GET
        of `/` through the same client as every fetch (its limits, its transport), whose
        answer is not read."""
        return self._once(("TLS", origin), lambda: self._certificate(origin))

    async def _certificate(self, origin: str) -> PeerCertificate:
        assert self._client is not None, "use LiveFetcher as an async context manager"
        parts = urlsplit(origin)
        if parts.scheme != "https" or not parts.hostname:
            return PeerCertificate(origin, error=FetchError.NETWORK)
        host = f"{parts.hostname}:{parts.port or 443}"
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with semaphore:
            remaining = self._remaining()
            if remaining <= 0:
                return PeerCertificate(origin, error=FetchError.BUDGET)
            limit = min(self.settings.timeout, remaining)
            try:
                async with asyncio.timeout(limit), self._client.stream("GET", origin + "/") as got:
                    stream = got.extensions.get("network_stream")
                    tls = stream.get_extra_info("ssl_object") if stream is not None else None
                    peer = tls.getpeercert() if tls is not None else None
            except TimeoutError:
                error = FetchError.TIMEOUT if limit == self.settings.timeout else FetchError.BUDGET
                return PeerCertificate(origin, error=error)
            except httpx.HTTPError as exc:
                problem = _tls_problem(exc)
                if problem is not None:
                    return PeerCertificate(origin, error=FetchError.TLS, detail=problem)
                return PeerCertificate(origin, error=FetchError.NETWORK)
        not_after = (peer or {}).get("notAfter")
        if not isinstance(not_after, str):
            return PeerCertificate(origin, error=FetchError.NETWORK)
        moment = datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)
        return PeerCertificate(origin, not_after=moment)

    def mail_exchange(self, name: str) -> Awaitable[DnsAnswer]:
        """Whether mail for `name` has somewhere to go: MX, else an address (RFC 5321 §5.1)."""
        return self._once(("MX", name), lambda: self._query(name, ("MX", "A", "AAAA")))

    def evidence(self) -> Evidence:
        """Everything fetched so far, by URL and DNS name."""
        done = {key: task.result() for key, task in self._tasks.items() if task.done()}
        return Evidence(
            documents={
                k[1]: v for k, v in done.items() if k[0] == "GET" and isinstance(v, Fetched)
            },
            txt={k[1]: v for k, v in done.items() if k[0] == "TXT" and isinstance(v, DnsAnswer)},
            addresses={
                k[1]: v for k, v in done.items() if k[0] == "A" and isinstance(v, DnsAnswer)
            },
            certificates={
                k[1]: v for k, v in done.items() if k[0] == "TLS" and isinstance(v, PeerCertificate)
            },
            mail={k[1]: v for k, v in done.items() if k[0] == "MX" and isinstance(v, DnsAnswer)},
        )

    def txt(self, name: str) -> Awaitable[DnsAnswer]:
        return self._once(("TXT", name), lambda: self._query(name, ("TXT",)))

    def addresses(self, name: str) -> Awaitable[DnsAnswer]:
        return self._once(("A", name), lambda: self._query(name, ("A", "AAAA")))

    async def _query(self, name: str, types: tuple[str, ...]) -> DnsAnswer:
        """The first of `types` with records; NXDOMAIN stops at once."""
        async with self._dns:
            outcome = DnsOutcome.NO_ANSWER
            for rdtype in types:
                remaining = self._remaining()
                if remaining <= 0:
                    return DnsAnswer(name, DnsOutcome.BUDGET)
                lifetime = min(self.settings.timeout, remaining)
                try:
                    answer = await self._resolver.resolve(
                        name, rdtype, search=False, raise_on_no_answer=False, lifetime=lifetime
                    )
                except dns.resolver.NXDOMAIN:
                    return DnsAnswer(name, DnsOutcome.NXDOMAIN)
                except dns.exception.Timeout:
                    return DnsAnswer(
                        name, DnsOutcome.ERROR, detail=f"pas de réponse en {lifetime:g} s"
                    )
                except dns.exception.DNSException as error:
                    return DnsAnswer(
                        name, DnsOutcome.ERROR, detail=str(error) or type(error).__name__
                    )
                if answer.rrset is not None:
                    return DnsAnswer(name, DnsOutcome.ANSWER, tuple(_record_texts(answer.rrset)))
            return DnsAnswer(name, outcome)


def _record_texts(rrset: Iterable[object]) -> Iterable[str]:
    for rdata in rrset:
        strings = getattr(rdata, "strings", None)
        if strings is not None:  # TXT: character-strings concatenated (RFC 7208 §3.3)
            yield b"".join(strings).decode("utf-8", "replace")
        else:
            yield str(rdata)
