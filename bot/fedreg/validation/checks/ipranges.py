"""IP ranges the provider's servers use to reach the federation (the RIE firewall allow-list)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from netaddr import AddrFormatError, IPNetwork, IPSet
from netaddr.ip import (
    IPV4_NOT_GLOBALLY_REACHABLE,
    IPV4_NOT_GLOBALLY_REACHABLE_EXCEPTIONS,
    IPV6_NOT_GLOBALLY_REACHABLE,
    IPV6_NOT_GLOBALLY_REACHABLE_EXCEPTIONS,
)

from ...diagnostics import Finding
from ...registry.models import IDENTITY_PROVIDER, SERVICE_PROVIDER
from ...registry.policy import Policy
from .context import VALUE_CACHE_SIZE, FileContext, text_items, text_value
from .uris import idp_hosts

# Why an address is not globally routable, for the message: first match wins.
_NON_GLOBAL_REASONS = (
    ("10.0.0.0/8", "adresse privée"),
    ("172.16.0.0/12", "adresse privée"),
    ("192.168.0.0/16", "adresse privée"),
    ("fc00::/7", "adresse privée"),
    ("127.0.0.0/8", "boucle locale"),
    ("::1/128", "boucle locale"),
    ("169.254.0.0/16", "lien local"),
    ("fe80::/10", "lien local"),
    ("100.64.0.0/10", "espace partagé (CGNAT), celui du RIE"),
    ("224.0.0.0/4", "multicast"),
    ("ff00::/8", "multicast"),
    ("192.0.2.0/24", "documentation"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("2001:db8::/32", "documentation"),
)


_NON_GLOBAL_BLOCKS = tuple((IPNetwork(block), reason) for block, reason in _NON_GLOBAL_REASONS)

Span = tuple[int, int]


def _spans(addresses: IPSet) -> tuple[list[int], list[int]]:
    """The (firsts, lasts) of a set's contiguous ranges, sorted: for `_within`."""
    ranges = list(addresses.iter_ipranges())
    return [r.first for r in ranges], [r.last for r in ranges]


def _within(spans: tuple[list[int], list[int]], first: int, last: int) -> bool:
    """Whether [first, last] lies inside one range of `spans` (a bisection, not a walk)."""
    firsts, lasts = spans
    index = bisect_right(firsts, first) - 1
    return index >= 0 and last <= lasts[index]


# netaddr's `IPAddress.is_global` as ranges: an address is global unless it is in these.
_NOT_GLOBAL_BY_VERSION = {
    4: _spans(IPSet(IPV4_NOT_GLOBALLY_REACHABLE) - IPSet(IPV4_NOT_GLOBALLY_REACHABLE_EXCEPTIONS)),
    6: _spans(IPSet(IPV6_NOT_GLOBALLY_REACHABLE) - IPSet(IPV6_NOT_GLOBALLY_REACHABLE_EXCEPTIONS)),
}


def _is_global(version: int, address: int) -> bool:
    return not _within(_NOT_GLOBAL_BY_VERSION[version], address, address)


def _non_global_reason(network: IPNetwork) -> str | None:
    if _is_global(network.version, network.first) and _is_global(network.version, network.last):
        return None
    for block, reason in _NON_GLOBAL_BLOCKS:
        if network[0] in block or network[-1] in block:
            return reason
    return "plage réservée"


@lru_cache(maxsize=16)
def _address_space(blocks: tuple[str, ...]) -> dict[int, tuple[list[int], list[int]]]:
    """A policy's address space as ranges, by IP version."""
    space = IPSet(blocks)
    return {
        version: _spans(IPSet(c for c in space.iter_cidrs() if c.version == version))
        for version in (4, 6)
    }


def _in_space(blocks: Sequence[str], cidr: IPNetwork) -> bool:
    """Whether the whole of `cidr` lies in the address space `blocks`."""
    return _within(_address_space(tuple(blocks))[cidr.version], cidr.first, cidr.last)


def parse_ip_range(text: str) -> IPNetwork | None:
    try:
        return IPNetwork(text)
    except (AddrFormatError, ValueError, TypeError, IndexError):
        return None


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def inspect_ip_range(
    text: str, network_name: str, max_v4: int, max_v6: int, rie_space: tuple[str, ...]
) -> tuple[tuple[tuple[str, dict[str, Any]], ...], Span | None]:
    """The problems of one entry, and its (first, last) addresses when it parses."""
    network = parse_ip_range(text)
    if network is None or ("/" in text and not text.split("/")[-1].isdigit()):
        return (("N001", {}),), None
    cidr = network.cidr
    span = (cidr.first, cidr.last)
    problems: list[tuple[str, dict[str, Any]]] = []
    if network.value != network.first:  # the address is not the range's first
        problems.append(("N002", {"network": str(cidr), "address": str(network.ip)}))
    limit = max_v4 if network.version == 4 else max_v6
    if network.prefixlen == 0:
        return (*problems, ("N003", {})), span
    if network.prefixlen < limit:
        problems.append(("N004", {"limit": limit}))
    if network_name == "internet":
        reason = _non_global_reason(cidr)
        if reason:
            problems.append(("N005", {"reason": reason}))
    elif network_name == "rie" and not _in_space(rie_space, cidr):
        problems.append(("N006", {"rie": ", ".join(rie_space)}))
    return tuple(problems), span


def _ranges_required(data: dict[str, Any], ctx: FileContext) -> str | None:
    if text_value(data, "network") != "rie":
        return None
    if ctx.kind == SERVICE_PROVIDER:
        return "un FS sur le RIE doit déclarer ses adresses"
    if ctx.kind == IDENTITY_PROVIDER:
        outside = sorted(
            host
            for host in idp_hosts(data)
            if not any(
                host == suffix or host.endswith("." + suffix)
                for suffix in ctx.policy.rie_host_suffixes
            )
        )
        if outside:
            return f"l'hôte {outside[0]} n'est pas sous " + " ni ".join(
                ctx.policy.rie_host_suffixes
            )
    return None


def check_ip_ranges(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    items = list(text_items(data, "ip_ranges"))
    reason = _ranges_required(data, ctx)
    if reason and not data.get("ip_ranges"):
        where = ("ip_ranges",) if "ip_ranges" in data else ("network",)
        yield Finding("N008", where, {"reason": reason})
    network_name = text_value(data, "network") or ""
    policy = ctx.policy
    clean: list[tuple[int, str, Span]] = []
    for index, text in items:
        problems, span = inspect_ip_range(
            text,
            network_name,
            policy.max_prefix_ipv4,
            policy.max_prefix_ipv6,
            policy.rie_address_space,
        )
        for code, params in problems:
            yield Finding(code, ("ip_ranges", index), {"value": text, **params})
        if span is not None and not problems:
            clean.append((index, text, span))
    yield from _total_findings([(text, span) for _, text, span in clean], policy)
    for position, (index, text, (first, last)) in enumerate(clean):
        for _, other_text, (other_first, other_last) in clean[:position]:
            if first <= other_last and other_first <= last:
                yield Finding("N007", ("ip_ranges", index), {"value": text, "other": other_text})
                break


IPV6_48_BLOCK = 2**80  # addresses in an IPv6 /48


def _total_findings(ranges: list[tuple[str, Span]], policy: Policy) -> Iterator[Finding]:
    """The whole file's opening, entries together: many narrow ranges can add up to a wide
    one (policy: max_ipv4_addresses_per_file, max_ipv6_48_blocks_per_file)."""
    v4_bound = sum(last - first + 1 for text, (first, last) in ranges if ":" not in text)
    v6_bound = sum(
        -(-(last - first + 1) // IPV6_48_BLOCK) for text, (first, last) in ranges if ":" in text
    )
    if (
        v4_bound <= policy.max_ipv4_addresses_per_file
        and v6_bound <= policy.max_ipv6_48_blocks_per_file
    ):
        return  # the sum of the entries bounds their union: the common case stops here
    networks = [n.cidr for text, _ in ranges if (n := parse_ip_range(text)) is not None]
    opened = IPSet(networks)
    v4 = sum(cidr.size for cidr in opened.iter_cidrs() if cidr.version == 4)
    v6 = sum(cidr.size for cidr in opened.iter_cidrs() if cidr.version == 6)
    measures = (
        (v4, policy.max_ipv4_addresses_per_file, "adresses IPv4", "max_ipv4_addresses_per_file"),
        (
            -(-v6 // IPV6_48_BLOCK),
            policy.max_ipv6_48_blocks_per_file,
            "blocs IPv6 /48",
            "max_ipv6_48_blocks_per_file",
        ),
    )
    for total, limit, unit, key in measures:
        if total > limit:
            params = {"total": f"{total} {unit}", "limit": f"{limit} {unit}", "key": key}
            yield Finding("N009", ("ip_ranges",), params, on_key=True)
