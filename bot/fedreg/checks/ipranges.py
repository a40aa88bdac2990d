"""IP ranges the provider's servers use to reach the federation (the RIE firewall allow-list)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from netaddr import AddrFormatError, IPNetwork, IPSet

from ..diagnostics import Finding
from ..models import IDENTITY_PROVIDER, SERVICE_PROVIDER
from .context import FileContext, text_items, text_value
from .uris import idp_hosts

# Why an address is not globally routable, for the message: first match wins.
_NON_GLOBAL_REASONS = (
    ("10.0.0.0/8", "adresse privée"), ("172.16.0.0/12", "adresse privée"),
    ("192.168.0.0/16", "adresse privée"), ("fc00::/7", "adresse privée"),
    ("127.0.0.0/8", "boucle locale"), ("::1/128", "boucle locale"),
    ("169.254.0.0/16", "lien local"), ("fe80::/10", "lien local"),
    ("100.64.0.0/10", "espace partagé (CGNAT), celui du RIE"),
    ("224.0.0.0/4", "multicast"), ("ff00::/8", "multicast"),
    ("192.0.2.0/24", "documentation"), ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"), ("2001:db8::/32", "documentation"),
)


def _non_global_reason(network: IPNetwork) -> str | None:
    if network[0].is_global() and network[-1].is_global():
        return None
    for block, reason in _NON_GLOBAL_REASONS:
        if network[0] in IPNetwork(block) or network[-1] in IPNetwork(block):
            return reason
    return "plage réservée"


def parse_ip_range(text: str) -> IPNetwork | None:
    try:
        return IPNetwork(text)
    except (AddrFormatError, ValueError, TypeError, IndexError):
        return None


@lru_cache(maxsize=65536)
def ip_range_problems(text: str, network_name: str, max_v4: int, max_v6: int,
                      rie_space: tuple[str, ...]) -> tuple[tuple[str, dict[str, Any]], ...]:
    network = parse_ip_range(text)
    if network is None or "/" in text and not text.split("/")[-1].isdigit():
        return (("N001", {}),)
    problems: list[tuple[str, dict[str, Any]]] = []
    if network.ip != network.network:
        problems.append(("N002", {"network": str(network.cidr), "address": str(network.ip)}))
    limit = max_v4 if network.version == 4 else max_v6
    if network.prefixlen == 0:
        return (*problems, ("N003", {}))
    if network.prefixlen < limit:
        problems.append(("N004", {"limit": limit}))
    cidr = network.cidr
    if network_name == "internet":
        reason = _non_global_reason(cidr)
        if reason:
            problems.append(("N005", {"reason": reason}))
    elif network_name == "rie" and not IPSet([cidr]).issubset(IPSet(rie_space)):
        problems.append(("N006", {"rie": ", ".join(rie_space)}))
    return tuple(problems)


def _ranges_required(data: dict[str, Any], ctx: FileContext) -> str | None:
    if text_value(data, "network") != "rie":
        return None
    if ctx.kind == SERVICE_PROVIDER:
        return "un FS sur le RIE doit déclarer ses adresses"
    if ctx.kind == IDENTITY_PROVIDER:
        outside = sorted(host for host in idp_hosts(data) if not any(
            host == suffix or host.endswith("." + suffix)
            for suffix in ctx.policy.rie_host_suffixes))
        if outside:
            return (f"l'hôte {outside[0]} n'est pas sous "
                    + " ni ".join(ctx.policy.rie_host_suffixes))
    return None


def check_ip_ranges(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    items = list(text_items(data, "ip_ranges"))
    reason = _ranges_required(data, ctx)
    if reason and not data.get("ip_ranges"):
        where = ("ip_ranges",) if "ip_ranges" in data else ("network",)
        yield Finding("N008", where, {"reason": reason})
    network_name = text_value(data, "network") or ""
    policy = ctx.policy
    parsed: list[tuple[int, str, IPNetwork]] = []
    for index, text in items:
        problems = ip_range_problems(text, network_name, policy.max_prefix_ipv4,
                                     policy.max_prefix_ipv6, policy.rie_address_space)
        for code, params in problems:
            yield Finding(code, ("ip_ranges", index), {"value": text, **params})
        network = parse_ip_range(text)
        if network is not None and not problems:
            parsed.append((index, text, network.cidr))
    for position, (index, text, network) in enumerate(parsed):
        for _, other_text, other in parsed[:position]:
            if network.first <= other.last and other.first <= network.last:
                yield Finding("N007", ("ip_ranges", index), {"value": text, "other": other_text})
                break
