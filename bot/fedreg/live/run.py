"""Live checks of registry documents: gather the evidence, evaluate each provider, locate.

The glue between the fetcher (`livefetch`, I/O) and the verdicts (`livecheck`, pure): used by
`fedreg check-live` and by the pull-request bot for the providers a change touches.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from ..diagnostics import Diagnostic, Severity
from ..registry.layout import RegistryDocument
from ..registry.models import MODEL_BY_KIND, IdentityProvider, Provider
from ..registry.policy import Policy
from ..validation.engine import check_document, locate
from ..validation.rules import RULES_BY_CODE
from .check import (
    CheckStatus,
    Evidence,
    LiveCheck,
    asymmetric_algorithms,
    evaluate_identity_provider,
    evaluate_service_provider,
    jwks_url_of,
    proven_domains,
    redirect_hosts,
    resolvable,
)
from .fetch import LiveFetcher, LiveSettings


@dataclass(frozen=True)
class ProviderRecette:
    """The recette of one provider file."""

    path: str
    kind: str
    name: str
    deployment: str
    checks: tuple[LiveCheck, ...] = ()
    proven_domains: frozenset[str] = frozenset()
    note: str = ""


@dataclass(frozen=True)
class LiveReport:
    providers: tuple[ProviderRecette, ...]
    diagnostics: tuple[Diagnostic, ...]

    def count(self, status: CheckStatus) -> int:
        return sum(1 for p in self.providers for c in p.checks if c.status is status)

    @property
    def unverified(self) -> tuple[str, ...]:
        """The files with a check that could not conclude."""
        return tuple(
            p.path
            for p in self.providers
            if p.note or any(c.status is CheckStatus.UNVERIFIED for c in p.checks)
        )

    @property
    def proven(self) -> dict[str, frozenset[str]]:
        """Proven e-mail domains by file path."""
        return {p.path: p.proven_domains for p in self.providers}


def url_refused(doc: RegistryDocument, policy: Policy) -> bool:
    """Whether the file fails a static rule of a URL (U codes): such a file is never fetched,
    whatever its URLs name (a production file on loopback is U012)."""
    probe = dataclasses.replace(doc, findings=[])
    check_document(probe, policy)
    return any(
        f.code.startswith("U") and RULES_BY_CODE[f.code].severity is Severity.ERROR
        for f in probe.findings
    )


def _provider(doc: RegistryDocument) -> Provider | None:
    model = MODEL_BY_KIND.get(str((doc.data or {}).get("kind")))
    if doc.data is None or model is None:
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError:
        return None


async def gather_evidence(
    providers: Sequence[Provider], policy: Policy, settings: LiveSettings
) -> Evidence:
    """Fetch everything the providers' checks read, concurrently, within the settings."""
    async with LiveFetcher(settings) as fetcher:

        async def identity_provider(idp: IdentityProvider) -> None:
            discovery = await fetcher.fetch(idp.discovery_url) if idp.discovery_url else None
            url = jwks_url_of(idp, discovery)
            if url and asymmetric_algorithms(idp):
                await fetcher.fetch(url)

        jobs: list[Awaitable[object]] = []
        for provider in providers:
            if isinstance(provider, IdentityProvider):
                jobs.append(identity_provider(provider))
                jobs += [fetcher.txt(domain) for domain in provider.attached_email_domains]
            else:
                jobs += [
                    fetcher.addresses(host)
                    for host in redirect_hosts(provider)
                    if resolvable(host, provider.network, policy) is None
                ]
        await asyncio.gather(*jobs)
        return fetcher.evidence()


def evaluate_documents(
    docs: Sequence[RegistryDocument],
    policy: Policy,
    evidence: Evidence,
    new_domains: Mapping[str, frozenset[str]] | None = None,
) -> LiveReport:
    """The recettes and located diagnostics of `docs` given the evidence (pure)."""
    recettes, diagnostics = [], []
    for doc in docs:
        provider = None if url_refused(doc, policy) else _provider(doc)
        if provider is None:
            recettes.append(
                ProviderRecette(
                    doc.display_path,
                    doc.kind,
                    doc.slug,
                    doc.deployment,
                    note="fichier invalide, non vérifié : lancez « fedreg validate »",
                )
            )
            continue
        if isinstance(provider, IdentityProvider):
            new = None if new_domains is None else new_domains.get(doc.display_path, frozenset())
            checks = evaluate_identity_provider(provider, doc.environment, policy, evidence, new)
            proven = proven_domains(provider, evidence)
            name = provider.title
        else:
            checks = evaluate_service_provider(provider, doc.environment, policy, evidence)
            proven, name = frozenset(), provider.name
        findings = [finding for check in checks for finding in check.findings]
        diagnostics += locate(dataclasses.replace(doc, findings=findings))
        recettes.append(
            ProviderRecette(doc.display_path, provider.kind, name, doc.deployment, checks, proven)
        )
    return LiveReport(tuple(recettes), tuple(sorted(diagnostics)))


def live_check_documents(
    docs: Sequence[RegistryDocument],
    policy: Policy,
    settings: LiveSettings,
    new_domains: Mapping[str, frozenset[str]] | None = None,
) -> LiveReport:
    """Fetch, then evaluate. `new_domains` maps an FI's path to the attached domains the
    change adds (None: every domain counts as new, as in a recette before going live)."""
    providers = [
        p for doc in docs if not url_refused(doc, policy) and (p := _provider(doc)) is not None
    ]
    evidence = asyncio.run(gather_evidence(providers, policy, settings))
    return evaluate_documents(docs, policy, evidence, new_domains)
