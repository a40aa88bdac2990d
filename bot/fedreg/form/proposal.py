"""A form request as a pull request: its own branch, the French body, opening it once.

The provider is resolved by identity (environment, network, kind, client ID or uid) on the
default branch's tip read at the moment of the request (`MainTip`), never by a path in a
checkout. Each request gets its own branch, created (never moved) from a commit made with the
git data API; no request ever rewrites another's. A new request by the same requester for the
same provider supersedes their own open one, which is closed with a link to the new one. The
body is checked against GitHub's limits before anything is written, every typed value is shown
inside a code span (no link, image, mention or HTML), and a verified requester is sealed for
the exact commit (`prbot.requesterseal`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..adapters.git import GitRepository
from ..adapters.github import GitHubClient
from ..registry.layout import RegistryDocument
from ..registry.models import SERVICE_PROVIDER
from ..registry.policy import Policy
from ..registry.snapshot import documents_at
from .editing import (
    FILE_KEY_BY_KIND,
    KIND_FR,
    ChangeRequest,
    Edit,
    edit_provider,
    find_provider,
    request_diagnostic,
)

BRANCH_PREFIX = "fedreg-formulaire"
FORM_MARKER = "<!-- fedreg:formulaire -->"
MAX_BODY = 65_536  # characters: GitHub refuses a longer pull-request body
MAX_TITLE = 256
SEAL_ROOM = 1_000  # characters kept for the requester's seal, added once the commit exists
FIELD_FR = {
    "redirect_uris": "URL de redirection après connexion",
    "post_logout_redirect_uris": "URL de redirection après déconnexion",
    "ip_ranges": "Plages ou adresses IP (RIE)",
    "email_domains": "Domaines e-mail rattachés",
}
# (repository, commit, e-mail, idp_id) -> the seal line; None: requesters are never sealed.
Sealer = Callable[[str, str, str, str], str]


class Outcome(StrEnum):
    CREATED = "created"  # a new pull request
    EXISTS = "exists"  # the requester's open pull request already carries exactly this change
    REFUSED = "refused"  # the request or its result is invalid: nothing was written


OUTCOME_FR = {
    Outcome.CREATED: "Demande envoyée",
    Outcome.EXISTS: "Cette demande est déjà en cours, inchangée",
    Outcome.REFUSED: "Demande refusée : rien n'a été écrit",
}


@dataclass(frozen=True)
class MainTip:
    """The default branch as it is now: its commit, tree and registry documents."""

    sha: str
    tree: str
    docs: Sequence[RegistryDocument]


def main_ref(base_branch: str) -> str:
    """The private ref the server's clone keeps main's tip in."""
    return f"refs/fedreg/formulaire/{base_branch}"


def fetch_main(
    repo: GitRepository,
    base_branch: str,
    token: str | None,
    remote: str = "origin",
    fetch_timeout: float | None = None,
) -> str:
    """Fetch `base_branch` from `remote` into the clone (objects and one private ref; nothing
    checked out; at most `fetch_timeout` seconds); its tip's commit."""
    local = main_ref(base_branch)
    repo.fetch(remote, [f"+refs/heads/{base_branch}:{local}"], token, fetch_timeout)
    return repo.resolve(local)


def read_main_tip(
    root: Path,
    base_branch: str,
    token: str | None,
    remote: str = "origin",
    fetch_timeout: float | None = None,
) -> MainTip:
    """Main's tip fetched into the clone at `root` (`fetch_main`), and its registry."""
    repo = GitRepository.discover(root)
    sha = fetch_main(repo, base_branch, token, remote, fetch_timeout)
    return MainTip(sha, repo.resolve_tree(sha), documents_at(repo, sha))


@dataclass(frozen=True)
class Proposal:
    outcome: Outcome
    url: str = ""
    number: int = 0
    path: str = ""
    diagnostics: tuple[Any, ...] = ()
    superseded: tuple[int, ...] = ()  # the requester's earlier requests, now closed
    federation_review: str = ""  # why the federation reviews it, known before the bot runs

    @property
    def message(self) -> str:
        text = OUTCOME_FR[self.outcome]
        return f"{text} : {self.url}" if self.url else text


def code(text: str, limit: int = 2_100) -> str:
    """A typed value shown in Markdown as inert text: a code span (no link, image, mention or
    HTML is rendered inside one) that neither a backtick nor a table pipe can break."""
    flat = re.sub(r"[`|\\\x00-\x1f\x7f]", " ", text)[:limit].strip()
    return f"`{flat}`" if flat else "—"


def requester_key(email: str, idp_id: str = "", bound: bool = True) -> str:
    """The requester in branch names, without writing their address there. An e-mail that
    ProConnect passed on from an FI it is not bound to (form.identity) is another requester:
    its requests never supersede, nor show as, those of the address's owner."""
    who = email.lower() if bound else f"{email.lower()}\nnon rattachée à\n{idp_id}"
    return hashlib.sha256(who.encode()).hexdigest()[:10]


def request_prefix(edit: Edit, request: ChangeRequest) -> str:
    """Branches of one requester's requests for one provider (kind and slug included: an FS
    and an FI may share a slug)."""
    slug = edit.path.rsplit("/", 1)[-1].removesuffix(".yaml")
    kind = "fs" if edit.kind == SERVICE_PROVIDER else "fi"
    requester = request.requester
    who = (
        requester_key(requester.email, requester.idp_id, not requester.untrusted)
        if requester
        else "anonyme"
    )
    return f"{BRANCH_PREFIX}-{request.environment}-{request.network}-{kind}-{slug}-{who}-"


def list_changes(
    target: RegistryDocument, request: ChangeRequest
) -> list[tuple[str, list[str], list[str]]]:
    """(request field, added, removed) for each list the request replaces."""
    data = target.data or {}
    keys = FILE_KEY_BY_KIND.get(target.kind, {})
    found = []
    for name, values in request.lists.items():
        current = data.get(keys.get(name, name))
        old = [v for v in current if isinstance(v, str)] if isinstance(current, list) else []
        found.append(
            (name, [v for v in values if v not in old], [v for v in old if v not in values])
        )
    return found


def contacts_of(doc: RegistryDocument) -> set[str]:
    contacts = (doc.data or {}).get("contacts")
    if not isinstance(contacts, list):
        return set()
    return {c.lower() for c in contacts if isinstance(c, str)}


def federation_reason(target: RegistryDocument, request: ChangeRequest) -> str:
    """Why the federation will review the request whatever it changes, or ""."""
    requester = request.requester
    if requester is None or not requester.verified:
        return "l'adresse du demandeur n'est pas vérifiée par ProConnect"
    if requester.untrusted:
        return (
            "l'adresse du demandeur n'est pas rattachée au fournisseur d'identité qui l'a "
            f"authentifiée ({requester.untrusted})"
        )
    if requester.email not in contacts_of(target):
        return f"le demandeur ({requester.email}) n'est pas parmi les contacts de ce fournisseur"
    return ""


def pull_title(edit: Edit, request: ChangeRequest) -> str:
    name = re.sub(r"[\x00-\x1f\x7f]", " ", edit.name)[:120]
    return f"Formulaire : {name} ({request.environment}, {request.network})"


def pull_body(
    edit: Edit,
    request: ChangeRequest,
    changes: Sequence[tuple[str, list[str], list[str]]],
    reason: str = "",
) -> str:
    """The request restated list by list (what is added and removed), in French, and who made
    it. Every value a requester typed is inside a code span."""
    requester = request.requester
    lines = [FORM_MARKER, "### Demande de modification (espace partenaires)", ""]
    if requester is None:
        lines.append("**Demandeur** : non indiqué")
    else:
        how = (
            "adresse déclarée, non vérifiée"
            if not requester.verified
            else "adresse transmise par ProConnect, non rattachée au fournisseur d'identité "
            "qui l'a authentifiée"
            if requester.untrusted
            else "adresse vérifiée par sa connexion ProConnect"
        )
        lines.append(f"**Demandeur** : {code(requester.email)} ({how})")
        parts = [
            (label, value)
            for label, value in (
                ("Organisation", requester.organisation),
                ("SIRET", requester.siret),
                ("Forme juridique", requester.legal_form),
            )
            if value
        ]
        if parts:
            shown = " · ".join(f"{label} {code(value)}" for label, value in parts)
            lines.append(f"**Établissement** : {shown}")
    lines += [
        f"**Fournisseur** : {code(edit.name)} ({KIND_FR.get(edit.kind, edit.kind)}) — "
        f"{code(edit.path)}",
        f"**Environnement** : {request.environment} · **Réseau** : {request.network}",
        f"**{request.identifier_key}** : {code(request.identifier)}",
        "",
    ]
    if reason:
        lines += [f"**Revue de la fédération** : {reason}.", ""]
    lines += ["| Liste | Ajouté | Retiré |", "|---|---|---|"]
    for name, added, removed in changes:
        plus = "<br>".join(code(v) for v in added) or "—"
        minus = "<br>".join(code(v) for v in removed) or "—"
        lines.append(f"| {FIELD_FR.get(name, name)} | {plus} | {minus} |")
    lines += [
        "",
        "Chaque liste envoyée remplace l'ancienne ; une liste non envoyée ne change pas. "
        "fedreg vérifie cette demande comme toute autre : son verdict suit en commentaire.",
    ]
    return "\n".join(lines) + "\n"


def _too_long(title: str, body: str) -> Proposal | None:
    problem = ""
    if len(body) + SEAL_ROOM > MAX_BODY:
        problem = f"description de {len(body)} caractères, au plus {MAX_BODY - SEAL_ROOM}"
    elif len(title) > MAX_TITLE:
        problem = f"titre de {len(title)} caractères, au plus {MAX_TITLE}"
    if not problem:
        return None
    return Proposal(Outcome.REFUSED, diagnostics=(request_diagnostic("F015", problem=problem),))


def propose(
    client: GitHubClient,
    tip: MainTip,
    request: ChangeRequest,
    policy: Policy,
    base_branch: str = "main",
    sealer: Sealer | None = None,
) -> Proposal:
    """Open the pull request carrying `request` on its own branch; nothing is written when the
    request or its result is invalid, or when it would not fit GitHub's limits."""
    target, problems = find_provider(tip.docs, request, policy.support_contact)
    if target is None:
        return Proposal(Outcome.REFUSED, diagnostics=tuple(problems))
    edit = edit_provider(tip.docs, request, policy)
    if not edit.ok:
        return Proposal(Outcome.REFUSED, path=edit.path, diagnostics=edit.diagnostics)
    reason = federation_reason(target, request)
    title = pull_title(edit, request)
    body = pull_body(edit, request, list_changes(target, request), reason)
    refused = _too_long(title, body)
    if refused is not None:
        return refused
    prefix = request_prefix(edit, request)
    # Only the partner space's own pull requests: a branch someone else named like ours is
    # neither reused nor closed.
    app = (policy.partner_space_app or "").lower()
    own = [p for p in client.open_pulls_under(prefix) if p.user.login.lower() == app]
    wanted = edit.after.encode("utf-8")
    for pull in own:
        if pull.base.sha == tip.sha and client.read_file(edit.path, pull.head.sha) == wanted:
            return Proposal(
                Outcome.EXISTS, pull.html_url, pull.number, edit.path, edit.diagnostics, (), reason
            )
    who = request.requester.email if request.requester else "non indiqué"
    message = f"{title}\n\nDemandé par {who} par le formulaire de modification."
    commit = client.commit_file(tip.sha, tip.tree, edit.path, edit.after, message)
    requester = request.requester
    # Only an e-mail bound to the FI that asserted it is sealed (form.identity).
    if sealer is not None and requester and requester.verified and not requester.untrusted:
        line = sealer(client.repository, commit, requester.email, requester.idp_id)
        body = line + "\n" + body
    client.create_branch(prefix + commit[:12], commit)
    pull = client.create_pull(prefix + commit[:12], base_branch, title, body)
    for old in own:
        client.close_with_comment(
            old,
            f"Remplacée par la demande n° {pull.number} du même demandeur pour ce fournisseur : "
            f"{pull.html_url}",
        )
    return Proposal(
        Outcome.CREATED,
        pull.html_url,
        pull.number,
        edit.path,
        edit.diagnostics,
        tuple(old.number for old in own),
        reason,
    )
