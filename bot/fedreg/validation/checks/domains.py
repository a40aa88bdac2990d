"""E-mail domains routed to (or accepted from) an identity provider."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import idna
from publicsuffixlist import PublicSuffixList

from ...diagnostics import Finding
from ...registry.models import IDENTITY_PROVIDER
from ..coreconformance import EMAIL_DOMAIN_REGEX
from .context import VALUE_CACHE_SIZE, FileContext, text_items

DOMAIN_KEYS = ("attached_email_domains", "extra_accepted_email_domains")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")  # one DNS label, already lowercased


@cache
def public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List snapshot bundled with the package: no network, ever."""
    return PublicSuffixList(accept_unknown=False)


def _syntax_problem(domain: str) -> tuple[str, str] | None:
    """(reason, how to fix) when `domain` is not a lower-case A-label domain name."""
    if "@" in domain:
        part = domain.rsplit("@", 1)[-1]
        return "c'est une adresse e-mail", f"Gardez seulement le domaine : {part}."
    if "*" in domain:
        return "les jokers ne sont pas acceptés", "Listez chaque domaine en entier."
    if domain.endswith("."):
        return "point final", f"Écrivez {domain.rstrip('.')}."
    if not domain.isascii():
        try:
            ascii_form = idna.encode(domain.lower()).decode("ascii")
        except idna.IDNAError:
            return "caractères non acceptés", "Vérifiez l'orthographe du domaine."
        return (
            "il contient des caractères non ASCII",
            f"Écrivez sa forme ASCII (IDNA) : {ascii_form}.",
        )
    if domain != domain.lower():
        return "il contient des majuscules", f"Écrivez-le en minuscules : {domain.lower()}."
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253 or not all(HOST_LABEL.match(part) for part in labels):
        return (
            "forme incorrecte",
            "Un domaine est fait de lettres, chiffres et tirets séparés "
            "par des points, comme ministere.gouv.fr.",
        )
    for label in labels:
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                return f"« {label} » n'est pas un label IDNA valide", "Vérifiez sa forme ASCII."
    return None


@lru_cache(maxsize=VALUE_CACHE_SIZE)
def domain_problem(domain: str, webmail: tuple[str, ...]) -> tuple[str, dict[str, str]] | None:
    syntax = _syntax_problem(domain)
    if syntax:
        return "D001", {"reason": syntax[0], "detail": syntax[1]}
    psl = public_suffix_list()
    if psl.is_public(domain):
        return "D002", {"reason": "est un suffixe public : il couvre d'autres organisations"}
    registrable = psl.privatesuffix(domain)
    if registrable is None:
        return "D002", {"reason": "n'est sous aucune extension publique connue"}
    if domain in webmail or registrable in webmail:
        return "D003", {}
    return None


def check_email_domains(data: dict[str, Any], ctx: FileContext) -> Iterator[Finding]:
    if ctx.kind != IDENTITY_PROVIDER:
        return
    seen: set[str] = set()
    for key in DOMAIN_KEYS:
        for index, domain in text_items(data, key):
            problem = domain_problem(domain, ctx.policy.webmail_domains)
            if problem:
                yield Finding(problem[0], (key, index), {"value": domain, **problem[1]})
            elif key == "attached_email_domains" and not EMAIL_DOMAIN_REGEX.match(domain):
                yield Finding("D008", (key, index), {"value": domain})
            if domain in seen:
                # Twice among the routed domains is an error; an overlap with the accepted ones
                # only a warning.
                code = "D007" if key == "attached_email_domains" else "D005"
                yield Finding(code, (key, index), {"value": domain})
            seen.add(domain)
