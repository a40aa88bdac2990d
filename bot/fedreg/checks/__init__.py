"""Per-file rules, each a function of (raw document, context) yielding findings."""

from __future__ import annotations

from .context import FileCheck, FileContext
from .domains import check_email_domains
from .identifiers import check_identifiers
from .ipranges import check_ip_ranges
from .oidc import check_algorithms, check_scopes
from .uris import check_identity_provider_urls, check_service_provider_uris

FILE_CHECKS: tuple[FileCheck, ...] = (
    check_identifiers,
    check_service_provider_uris,
    check_identity_provider_urls,
    check_ip_ranges,
    check_email_domains,
    check_scopes,
    check_algorithms,
)

__all__ = ["FILE_CHECKS", "FileCheck", "FileContext"]
