"""The per-value checks' fast paths say exactly what the general paths they skip would say."""

from __future__ import annotations

from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st
from netaddr import IPAddress, IPNetwork, IPSet

from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.validation.checks.ipranges import _in_space, _non_global_reason
from fedreg.validation.checks.readiness import _may_name_placeholder, is_placeholder_host
from fedreg.validation.checks.uris import (
    _PLAIN_HTTPS_URL,
    inspect_parsed_uri,
    inspect_uri,
    url_host,
)

FEDERATION = DEFAULT_POLICY.federation_hosts
_LABEL = st.text("abcz09-", min_size=1, max_size=8)
_HOST = st.lists(_LABEL, min_size=1, max_size=4).map(".".join)
_TAIL = st.text("/?#*@:%.-_~AZaz09 \t[]\\", max_size=12)


def _agree(uri: str) -> None:
    for environment in ("production", "integration"):
        for check_federation in (True, False):
            args = (uri, environment, FEDERATION, check_federation)
            assert inspect_uri.__wrapped__(*args) == inspect_parsed_uri(*args), args


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "https:/", "https://user@", ""]),
    _HOST,
    st.sampled_from(["", ":443", ":x", ".", ".fr", "A"]),
    _TAIL,
)
def test_plain_url_fast_path_agrees(scheme: str, host: str, port: str, tail: str) -> None:
    _agree(scheme + host + port + tail)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_agrees(uri: str) -> None:
    _agree(uri)


def test_the_fast_path_takes_the_common_urls() -> None:
    for uri in (
        "https://service.ministere.gouv.fr/auth/callback",
        "https://a.gouv.fr/?next=/x&y=1",
        "https://auth.agentconnect.gouv.fr/api/v2/callback",  # a federation host: U009 still
    ):
        assert _PLAIN_HTTPS_URL.fullmatch(uri)
        _agree(uri)
    assert inspect_uri.__wrapped__(
        "https://fca.integ01.dev-agentconnect.fr/cb", "production", FEDERATION
    )[1][-1][0] == ("U009")
    long = "https://a.gouv.fr/" + "x" * 2048
    assert _PLAIN_HTTPS_URL.fullmatch(long)
    assert inspect_uri.__wrapped__(long, "production", FEDERATION)[1][0][0] == "U006"


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("aAeErRmMpPlLcC-.\t\r\n/:xhtps"), max_size=30))
def test_placeholder_pre_check_misses_nothing(uri: str) -> None:
    if is_placeholder_host(url_host(uri)):
        assert _may_name_placeholder(uri)
    assert _may_name_placeholder("https://A-REMPLACER.example.fr/")
    assert _may_name_placeholder("https://a-rem\tplacer.example.fr/")


_V4 = st.integers(0, 2**32 - 1)
_V6 = st.integers(0, 2**128 - 1)


def _reference_non_global(network: IPNetwork) -> bool:
    return not (network[0].is_global() and network[-1].is_global())


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.tuples(st.just(4), _V4, st.integers(0, 32)),
        st.tuples(st.just(6), _V6, st.integers(0, 128)),
        # near the special ranges, where the answer changes
        st.tuples(
            st.just(4),
            st.sampled_from(
                [IPNetwork(b).first for b in ("10.0.0.0/8", "192.0.0.0/24", "100.64.0.0/10")]
            ),
            st.integers(0, 32),
        ),
        st.tuples(
            st.just(6),
            st.sampled_from(
                [IPNetwork(b).first for b in ("2001::/23", "2001:db8::/32", "64:ff9b:1::/48")]
            ),
            st.integers(0, 128),
        ),
    )
)
def test_global_ranges_agree_with_netaddr(case: tuple[Literal[4, 6], int, int]) -> None:
    version, address, prefix = case
    network = IPNetwork(f"{IPAddress(address, version)}/{prefix}").cidr
    assert (_non_global_reason(network) is not None) == _reference_non_global(network)
    for space in (("100.64.0.0/10",), ("10.0.0.0/9", "10.128.0.0/9", "2001:db8::/32")):
        assert _in_space(space, network) == (network in IPSet(space))
