"""A form request as a pull request: the branch, the French body, and opening it once.

The edit is computed on the default branch's current content (read through the API), then
committed with the git data API (blob, tree, commit, ref) on a branch named after the provider,
and proposed as a pull request. The same request twice opens one pull request; a later request
for the same provider replaces the branch's commit and the body of its open pull request. The
local checkout is only read (to find the provider's file and for the rules across files).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..adapters.github import GitHubClient
from ..diagnostics import Diagnostic
from ..registry.layout import RegistryDocument
from ..registry.policy import Policy
from .editing import KIND_FR, ChangeRequest, Edit, edit_provider, find_provider, request_diagnostic

BRANCH_PREFIX = "fedreg-formulaire"
FORM_MARKER = "<!-- fedreg:formulaire -->"
# The requester's verified e-mail, first line of the body: the bot honours it only on a pull
# request authored by the partner space's GitHub App (review.partner_space_review).
REQUESTER_MARKER = "<!-- fedreg:demandeur={email} -->"
FIELD_FR = {
    "redirect_uris": "URLs de redirection après connexion",
    "post_logout_redirect_uris": "URLs de redirection après déconnexion",
    "ip_ranges": "Plages ou adresses IP",
    "email_domains": "Domaines e-mail rattachés",
}
FIELDS_BY_KIND_FR = {
    "ServiceProvider": ("redirect_uris", "post_logout_redirect_uris", "ip_ranges"),
    "IdentityProvider": ("ip_ranges", "email_domains"),
}


class Outcome(StrEnum):
    CREATED = "created"  # a new pull request
    UPDATED = "updated"  # the open pull request for this provider now carries this request
    EXISTS = "exists"  # the open pull request already carries exactly this change
    REFUSED = "refused"  # the request or its result is invalid: nothing was written


OUTCOME_FR = {
    Outcome.CREATED: "Demande de fusion ouverte",
    Outcome.UPDATED: "Demande de fusion existante mise à jour avec cette demande",
    Outcome.EXISTS: "Cette demande existe déjà, inchangée",
    Outcome.REFUSED: "Demande refusée : rien n'a été écrit",
}


@dataclass(frozen=True)
class Proposal:
    outcome: Outcome
    url: str = ""
    number: int = 0
    path: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def message(self) -> str:
        text = OUTCOME_FR[self.outcome]
        return f"{text} : {self.url}" if self.url else text


def branch_name(edit: Edit, request: ChangeRequest) -> str:
    """One branch per provider: `fedreg-formulaire-<environment>-<network>-<slug>`."""
    slug = edit.path.rsplit("/", 1)[-1].removesuffix(".yaml")
    return f"{BRANCH_PREFIX}-{request.environment}-{request.network}-{slug}"


def _plain(text: str) -> str:
    """Free text shown in Markdown as text: no HTML, no code span breaking out."""
    return re.sub(r"[<>`|\r\n]", " ", text).strip()


def pull_title(edit: Edit, request: ChangeRequest) -> str:
    return f"Formulaire : {_plain(edit.name)} ({request.environment}, {request.network})"


def pull_body(edit: Edit, request: ChangeRequest) -> str:
    """The request restated field by field, in French, and who made it."""
    requester = request.requester
    lines = []
    if requester is not None and requester.verified:
        lines.append(REQUESTER_MARKER.format(email=requester.email))
    lines += [FORM_MARKER, "### Demande de modification (formulaire)", ""]
    if requester is None:
        lines.append("**Demandeur** : non indiqué")
    else:
        how = (
            "adresse vérifiée par la connexion ProConnect à l'espace partenaires"
            if requester.verified
            else "adresse déclarée, non vérifiée"
        )
        lines.append(f"**Demandeur** : {_plain(requester.email)} ({how})")
        company = " — ".join(
            _plain(part)
            for part in (
                requester.organisation,
                f"SIRET {requester.siret}" if requester.siret else "",
                requester.legal_form,
            )
            if part
        )
        if company:
            lines.append(f"**Établissement** : {company}")
    lines += [
        f"**Fournisseur** : {_plain(edit.name)} ({KIND_FR.get(edit.kind, edit.kind)}) — "
        f"`{edit.path}`",
        f"**Environnement** : {request.environment} · **Réseau** : {request.network}",
        f"**{request.identifier_key}** : `{_plain(request.identifier)}`",
        "",
        "| Champ | Demande |",
        "|---|---|",
    ]
    for name in FIELDS_BY_KIND_FR.get(edit.kind, ()):
        values = request.lists.get(name)
        if values:
            shown = "<br>".join(f"`{_plain(v)}`" for v in values)
            lines.append(f"| {FIELD_FR[name]} | remplacées par : {shown} |")
        else:
            lines.append(f"| {FIELD_FR[name]} | inchangées (champ laissé vide) |")
    lines += [
        "",
        "Chaque liste remplie remplace l'ancienne en entier ; un champ vide ne change rien. "
        "fedreg vérifie cette demande comme toute autre : son verdict suit en commentaire.",
    ]
    return "\n".join(lines) + "\n"


def propose(
    client: GitHubClient,
    docs: Sequence[RegistryDocument],
    request: ChangeRequest,
    policy: Policy,
    base_branch: str = "main",
) -> Proposal:
    """Open (or update) the pull request carrying `request`; nothing is written when the
    request or its result is invalid."""
    target, problems = find_provider(docs, request, policy.support_contact)
    if target is None:
        return Proposal(Outcome.REFUSED, diagnostics=tuple(problems))
    base_sha, base_tree = client.branch_head(base_branch)
    current = client.read_file(target.display_path, base_sha)
    if current is None:
        missing = request_diagnostic("F014", path=target.display_path, branch=base_branch)
        return Proposal(Outcome.REFUSED, path=target.display_path, diagnostics=(missing,))
    edit = edit_provider(docs, request, policy, current.decode("utf-8", errors="replace"))
    if not edit.ok:
        return Proposal(Outcome.REFUSED, path=edit.path, diagnostics=edit.diagnostics)
    branch = branch_name(edit, request)
    title, body = pull_title(edit, request), pull_body(edit, request)
    existing = client.open_pull_from(branch)
    if existing is not None:
        proposed = client.read_file(edit.path, existing.head.sha)
        if proposed == edit.after.encode("utf-8") and existing.body == body:
            return Proposal(
                Outcome.EXISTS, existing.html_url, existing.number, edit.path, edit.diagnostics
            )
    requester = request.requester.email if request.requester else "non indiqué"
    message = f"{title}\n\nDemandé par {requester} par le formulaire de modification."
    commit = client.commit_file(base_sha, base_tree, edit.path, edit.after, message)
    client.set_branch(branch, commit)
    if existing is not None:
        client.update_pull(existing, title, body)
        return Proposal(
            Outcome.UPDATED, existing.html_url, existing.number, edit.path, edit.diagnostics
        )
    pull = client.create_pull(branch, base_branch, title, body)
    return Proposal(Outcome.CREATED, pull.html_url, pull.number, edit.path, edit.diagnostics)
