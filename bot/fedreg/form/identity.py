"""Whose contact a signed-in agent may be: the e-mail bound to the FI that asserted it (pure).

ProConnect passes on the e-mail that the agent's identity provider (FI) asserts, and names that
FI in the `idp_id` claim. An FI of the federation can assert any address, so the e-mail counts
as a provider contact's only when its domain (lower-cased, IDNA A-labels, as the registry
writes domains) is among the `attached_email_domains` of the asserting FI in the deployment
the partner space signs in through, read from main's tip (the domains whose DNS proof the
federation checks), or when that FI is one the operator declared able to assert any domain
(ProConnect Identité, the core's default FI). Otherwise the agent is signed in but nobody's
contact: their requests go to the federation's review, which says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import idna

from ..registry.layout import RegistryDocument
from ..registry.models import IDENTITY_PROVIDER, deployment_name


@dataclass(frozen=True)
class IdentityTrust:
    """The operator's settings: the deployment the partner space signs in through, and the FIs
    (uids) that may assert an e-mail of any domain."""

    environment: str
    network: str
    any_domain_idps: frozenset[str]

    @property
    def deployment(self) -> str:
        return deployment_name(self.environment, self.network)


@dataclass(frozen=True)
class Binding:
    """An e-mail and the FI that asserted it; `problem` says (in French) why the e-mail is not
    bound to that FI, "" when it is."""

    idp_id: str
    problem: str = ""

    @property
    def bound(self) -> bool:
        return not self.problem


def email_domain(email: str) -> str:
    """The e-mail's domain as the registry writes domains (lower case, A-labels); "" when it
    is no domain."""
    _, at, domain = email.rpartition("@")
    domain = domain.strip().rstrip(".").lower() if at else ""
    try:
        return idna.encode(domain, uts46=True).decode("ascii") if domain else ""
    except idna.IDNAError:
        return ""


def _identity_providers(
    docs: Iterable[RegistryDocument], trust: IdentityTrust
) -> Iterator[tuple[str, RegistryDocument]]:
    """(uid, document) of each FI of the trusted deployment."""
    for doc in docs:
        if doc.kind == IDENTITY_PROVIDER and doc.deployment == trust.deployment:
            uid = (doc.data or {}).get("uid")
            if uid:
                yield str(uid), doc


def identity_providers(docs: Iterable[RegistryDocument], trust: IdentityTrust) -> set[str]:
    """The uids of the FIs of the trusted deployment."""
    return {uid for uid, _ in _identity_providers(docs, trust)}


def bind(
    email: str, idp_id: str, docs: Iterable[RegistryDocument], trust: IdentityTrust
) -> Binding:
    """Whether `email`, asserted by the FI `idp_id`, is bound to it on the registry `docs`."""
    if not idp_id:
        return Binding(
            "", "ProConnect n'a pas indiqué quel fournisseur d'identité vous a authentifié"
        )
    doc = next((d for uid, d in _identity_providers(docs, trust) if uid == idp_id), None)
    if doc is None:
        return Binding(
            idp_id,
            "le fournisseur d'identité qui vous a authentifié n'est pas dans le registre de "
            f"ce déploiement ({trust.deployment})",
        )
    if idp_id in trust.any_domain_idps:
        return Binding(idp_id)
    data = doc.data or {}
    domain = email_domain(email)
    attached = data.get("attached_email_domains")
    domains = (
        {d.lower() for d in attached if isinstance(d, str)} if isinstance(attached, list) else set()
    )
    if domain and domain in domains:
        return Binding(idp_id)
    title = str(data.get("title") or doc.slug)
    return Binding(
        idp_id,
        f"le domaine de votre adresse ({domain or '?'}) n'est pas rattaché au fournisseur "
        f"d'identité qui vous a authentifié ({title})",
    )
