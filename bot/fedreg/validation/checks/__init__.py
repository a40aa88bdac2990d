"""Per-file rules, each a function of (raw document, context) yielding findings."""

from __future__ import annotations

from .context import FileCheck, FileContext
from .domains import check_email_domains, domain_problem, public_suffix_list
from .identifiers import check_identifiers, email_domain_problem, siret_problem
from .ipranges import check_ip_ranges, inspect_ip_range
from .oidc import check_algorithms, check_encryption, check_scopes
from .readiness import check_placeholders, check_sealed_secret
from .uris import check_identity_provider_urls, check_service_provider_uris, inspect_uri, url_host

FILE_CHECKS: tuple[FileCheck, ...] = (
    check_identifiers,
    check_service_provider_uris,
    check_identity_provider_urls,
    check_ip_ranges,
    check_email_domains,
    check_scopes,
    check_algorithms,
    check_encryption,
    check_placeholders,
    check_sealed_secret,
)

# Per-value results are cached: values repeat across files (contacts, hosts, ranges).
_CACHED = (
    domain_problem,
    email_domain_problem,
    siret_problem,
    inspect_ip_range,
    inspect_uri,
    url_host,
)


def load_lazy_data() -> None:
    """Load what the checks otherwise load on first use (the Public Suffix List), so that
    workers forked afterwards share it instead of each loading its own."""
    public_suffix_list()


def clear_caches() -> None:
    """Forget cached per-value results (benchmarks measure cold runs with this)."""
    for function in _CACHED:
        function.cache_clear()


__all__ = ["FILE_CHECKS", "FileCheck", "FileContext", "clear_caches", "load_lazy_data"]
