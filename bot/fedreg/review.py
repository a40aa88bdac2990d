"""Who may make a change, and who must approve it: the pull-request bot's decision, pure.

The owners that count are those of the base version of a file, so that nobody adds themself
in the same pull request. What a change does (its situations) maps, through the policy's
review rules, to the federation team's review or to self-service, where the bot approves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from .layout import REGISTRY_DIR
from .plan import IDENTIFIER_BY_KIND, Action, Plan
from .policy import Policy

SITUATION_FR = {
    "outside_registry": "changement hors du registre (code, schémas, workflows ou politique)",
    "new_provider": "nouveau fournisseur",
    "deleted_provider": "fournisseur retiré",
    "identifier_change": "client_id ou uid modifié",
    "moved_or_renamed": "fichier renommé ou déplacé",
    "production_change": "changement en production",
    "integration_change": "changement en intégration",
    "cosmetic_change": "mise en forme ou commentaires seulement",
}

# Whether the author matches an owner entry ("@login" or "@org/team"); None: not checked
# (offline dry run).
OwnerMatcher = Callable[[str], bool | None]


class Access(StrEnum):
    OWNER = "owner"  # the author is one of the base version's owners
    FEDERATION = "federation"  # the author belongs to the federation team
    NEW_FILE = "new_file"  # no base version: anyone may propose, the federation reviews
    REFUSED = "refused"
    UNCHECKED = "unchecked"  # offline: team membership cannot be known
    CONTACT = "contact"  # partner space request by a verified e-mail among the file's contacts
    NOT_CONTACT = "not_contact"  # partner space request by anyone else: the federation reviews


@dataclass(frozen=True)
class FileAccess:
    path: str
    owners: tuple[str, ...]
    access: Access
    matched: str = ""


@dataclass(frozen=True)
class Review:
    author: str
    situations: tuple[str, ...]
    accesses: tuple[FileAccess, ...]
    valid: bool
    federation_team: str
    rules: Mapping[str, str]
    requester_note: str = ""  # what the bot made of a partner-space requester claim

    @property
    def refused(self) -> tuple[FileAccess, ...]:
        return tuple(a for a in self.accesses if a.access is Access.REFUSED)

    @property
    def unchecked(self) -> bool:
        return any(a.access is Access.UNCHECKED for a in self.accesses)

    @property
    def federation_reasons(self) -> tuple[str, ...]:
        return tuple(s for s in self.situations if self.rules.get(s) != "self_service")

    @property
    def passed(self) -> bool:
        """The verdict: the change validates and the author may make it."""
        return self.valid and not self.refused

    @property
    def self_service(self) -> bool:
        """The bot approves: valid, authorised (and checked), nothing for the federation."""
        return (
            self.passed
            and not self.unchecked
            and bool(self.situations)
            and not self.federation_reasons
        )


def situations_of(
    plan: Plan, registry_paths: Iterable[str], other_paths: Iterable[str]
) -> tuple[str, ...]:
    found: set[str] = set()
    if list(other_paths):
        found.add("outside_registry")
    planned = set()
    for change in plan.changes:
        planned.update({change.path, change.previous_path or change.path})
        where = (
            "production_change" if change.environment == "production" else ("integration_change")
        )
        if change.action is Action.CREATE:
            found.add("new_provider")
        elif change.action is Action.DELETE:
            found.add("deleted_provider")
        else:
            found.add(where)
            if change.action in (Action.RENAME, Action.MOVE):
                found.add("moved_or_renamed")
            identifier = IDENTIFIER_BY_KIND.get(change.kind)
            if any(f.field == identifier for f in change.fields):
                found.add("identifier_change")
    if any(path not in planned for path in registry_paths):
        found.add("cosmetic_change")
    return tuple(sorted(found))


def file_access(
    path: str,
    base_owners: tuple[str, ...] | None,
    author: str,
    federation_team: str,
    matches: OwnerMatcher,
) -> FileAccess:
    """Whether `author` may change the file at `path`, whose base version lists `base_owners`
    (None: the file is new)."""
    if base_owners is None:
        return FileAccess(path, (), Access.NEW_FILE)
    unknown = False
    for owner in base_owners:
        match = matches(owner)
        if match:
            return FileAccess(path, base_owners, Access.OWNER, owner)
        unknown = unknown or match is None
    federation = matches(federation_team)
    if federation:
        return FileAccess(path, base_owners, Access.FEDERATION, federation_team)
    if unknown or federation is None:
        return FileAccess(path, base_owners, Access.UNCHECKED)
    return FileAccess(path, base_owners, Access.REFUSED)


def review_change(
    plan: Plan,
    base_owners: Mapping[str, tuple[str, ...] | None],
    other_paths: Iterable[str],
    author: str,
    policy: Policy,
    matches: OwnerMatcher,
) -> Review:
    """The decision for a change by `author`: `base_owners` maps each changed registry path
    to its base version's owners (None for a new file); `other_paths` are changed paths
    outside the registry."""
    others = sorted(other_paths)
    accesses = tuple(
        file_access(path, owners, author, policy.federation_team, matches)
        for path, owners in sorted(base_owners.items())
    )
    errors = any(d.severity == "error" for d in plan.diagnostics)
    return Review(
        author=author,
        situations=situations_of(plan, base_owners, others),
        accesses=accesses,
        valid=not errors,
        federation_team=policy.federation_team,
        rules=dict(policy.review_rules),
    )


def is_registry_path(path: str) -> bool:
    return path.startswith(f"{REGISTRY_DIR}/") and ".." not in path.split("/")


# -- requests from the partner space (the modification form) -------------------------------

# First line of the body of a pull request opened by the partner space's GitHub App: the
# requester's e-mail, verified by their ProConnect login (written by proposal.pull_body).
REQUESTER_CLAIM = re.compile(r"\A<!-- fedreg:demandeur=(?P<email>[^\s<>]+) -->\r?\n")
NOT_CONTACT_SITUATION = "partner_space_requester_not_contact"
SITUATION_FR[NOT_CONTACT_SITUATION] = (
    "demande de l'espace partenaires par une personne qui n'est pas contact du fichier"
)


def requester_claim(body: str) -> str | None:
    """The e-mail a pull request's body claims for its requester, if it carries one."""
    match = REQUESTER_CLAIM.match(body or "")
    return match.group("email").lower() if match else None


def partner_space_review(
    review: Review,
    body: str,
    app: str | None,
    base_contacts: Mapping[str, tuple[str, ...]],
) -> Review:
    """Who may self-serve through the partner space: on a pull request authored by its GitHub
    App (`app`), the requester's verified e-mail claimed in `body` counts as an owner of each
    file whose base version lists it among `contacts`; any other file needs the federation.
    The same claim from any other author is ignored, and the review says so."""
    claim = requester_claim(body)
    if app is None or review.author.lower() != app.lower():
        if claim is None:
            return review
        note = (
            f"Demandeur déclaré ({claim}) ignoré : seule l'application de l'espace "
            f"partenaires ({app or 'aucune configurée'}) peut en porter un. "
            f"@{review.author} est traité comme tout auteur."
        )
        return replace(review, requester_note=note)
    accesses = []
    for access in review.accesses:
        if access.access in (Access.OWNER, Access.FEDERATION, Access.NEW_FILE):
            accesses.append(access)
        elif claim and claim in {c.lower() for c in base_contacts.get(access.path, ())}:
            accesses.append(replace(access, access=Access.CONTACT, matched=claim))
        else:
            accesses.append(replace(access, access=Access.NOT_CONTACT, matched=""))
    outsiders = [a.path for a in accesses if a.access is Access.NOT_CONTACT]
    situations = set(review.situations) | ({NOT_CONTACT_SITUATION} if outsiders else set())
    if claim is None:
        note = "Demande de l'espace partenaires sans demandeur vérifié : revue de la fédération."
    elif outsiders:
        note = (
            f"Demande de l'espace partenaires au nom de {claim} (adresse vérifiée par "
            f"ProConnect), qui n'est pas dans les contacts de "
            f"{', '.join(f'`{p}`' for p in outsiders)} : revue de la fédération."
        )
    else:
        note = (
            f"Demande de l'espace partenaires au nom de {claim} (adresse vérifiée par "
            "ProConnect), contact des fichiers : elle compte comme celle d'un propriétaire."
        )
    return replace(
        review,
        accesses=tuple(accesses),
        situations=tuple(sorted(situations)),
        requester_note=note,
    )
