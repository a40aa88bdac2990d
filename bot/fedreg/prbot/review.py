"""Who may make a change, and who must approve it: the pull-request bot's decision, pure.

The owners that count are those of the base version of a file, so that nobody adds themself
in the same pull request. What a change does (its situations) maps, through the policy's
review rules, to the federation team's review or to self-service, where the bot approves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..changes.plan import IDENTIFIER_BY_KIND, Action, Change, Plan
from ..diagnostics import count_errors
from ..registry.layout import REGISTRY_DIR
from ..registry.models import IDENTITY_PROVIDER
from ..registry.policy import ALWAYS_FEDERATION, Policy
from ..validation.waivers import WAIVERS_FILE
from .requesterseal import check_seal

SITUATION_FR = {
    "outside_registry": "changement hors du registre (code, schémas, workflows ou politique)",
    "waivers_change": "dérogations modifiées (waivers.yaml) : seule la fédération les accorde",
    "new_provider": "nouveau fournisseur",
    "deleted_provider": "fournisseur retiré",
    "identifier_change": "client_id ou uid modifié",
    "moved_or_renamed": "fichier renommé ou déplacé",
    "production_change": "changement en production",
    "integration_change": "changement en intégration",
    "cosmetic_change": "mise en forme ou commentaires seulement",
    "shared_email_domain": "domaine déjà rattaché à un autre FI : ses agents devront choisir "
    "leur fournisseur d'identité",
    "new_file": "nouveau fichier dans le registre : il n'a pas encore de propriétaires "
    "en qui avoir confiance",
    "network_change": "changement de réseau (internet ↔ rie) : c'est un déplacement, un "
    "nouveau client avec un nouveau secret dans un autre déploiement",
    "sensitive_scope": "scope accordé par la fédération seulement sur demande",
    "new_email_domain": "nouveau domaine e-mail routé vers un FI : ce FI recevra tous les "
    "agents de ce domaine",
    "live_checks_not_verified": "vérifications en ligne non abouties (non vérifié)",
    "file_type_change": "type ou mode d'un fichier du registre modifié (exécutable, lien, "
    "sous-module)",
    "pushed_by_other": "commit poussé par un autre compte que l'auteur de la demande : "
    "les droits de l'auteur ne valent pas pour lui",
    "git_config_change": "fichier de configuration de git modifié (il peut changer ce que "
    "contient une copie du dépôt : encodage, filtres, sous-modules)",
    "partner_space_requester_not_contact": "demande de l'espace partenaires par une personne "
    "qui n'est pas contact du fichier",
    "radar_lapsed_dns_proof": "preuve DNS d'un domaine de ce FI absente depuis plus que le délai "
    "de grâce (radar, R010) : ses changements de domaines passent par la fédération jusqu'au "
    "rétablissement de la preuve",
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
    details: Mapping[str, str] = field(default_factory=dict)  # situation -> what, in French
    requester_note: str = ""  # what the bot made of a partner-space requester claim

    @property
    def refused(self) -> tuple[FileAccess, ...]:
        return tuple(a for a in self.accesses if a.access is Access.REFUSED)

    @property
    def unchecked(self) -> bool:
        return any(a.access is Access.UNCHECKED for a in self.accesses)

    @property
    def federation_reasons(self) -> tuple[str, ...]:
        return tuple(
            s
            for s in self.situations
            if s in ALWAYS_FEDERATION or self.rules.get(s) != "self_service"
        )

    def reason_text(self, situation: str) -> str:
        """A situation as the comment states it, in French, with what it concerns."""
        text = SITUATION_FR.get(situation, situation)
        detail = self.details.get(situation)
        return f"{text} ({detail})" if detail else text

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


def network_changed(change: Change) -> bool:
    """A provider that changes network leaves one deployment for another: a move."""
    return change.action is not Action.CREATE and any(f.field == "network" for f in change.fields)


def is_sensitive_scope(scope: str, sensitive: Iterable[str]) -> bool:
    return any(scope == s or scope.startswith(f"{s}:") for s in sensitive)


def sensitive_scopes_added(change: Change, sensitive: Iterable[str]) -> tuple[str, ...]:
    listed = tuple(sensitive)
    return tuple(
        scope
        for f in change.fields
        if f.field == "scopes"
        for scope in f.added
        if is_sensitive_scope(scope, listed)
    )


def new_email_domains(change: Change) -> tuple[str, ...]:
    """E-mail domains a change newly routes to an identity provider."""
    if change.kind != IDENTITY_PROVIDER:
        return ()
    return tuple(d for f in change.fields if f.field == "attached_email_domains" for d in f.added)


def routing_switched_on(change: Change) -> bool:
    """An existing identity provider activated, or its routing by e-mail domain enabled: every
    attached domain is newly routed to it (conservative: the other flag may still be off)."""
    return (
        change.kind == IDENTITY_PROVIDER
        and change.action is not Action.CREATE
        and any(f.field in ("active", "routing_enabled") and f.after is True for f in change.fields)
    )


def situation_details(plan: Plan, sensitive: Iterable[str]) -> dict[str, str]:
    """What the situations that name values concern: the scopes and domains added."""
    listed = tuple(sensitive)
    scopes = sorted({s for c in plan.changes for s in sensitive_scopes_added(c, listed)})
    domains = sorted({d for c in plan.changes for d in new_email_domains(c)})
    if any(routing_switched_on(c) for c in plan.changes):
        domains.append("routage d'un FI activé : tous ses domaines")
    details = {}
    if scopes:
        details["sensitive_scope"] = ", ".join(scopes)
    if domains:
        details["new_email_domain"] = ", ".join(domains)
    return details


def situations_of(
    plan: Plan,
    registry_paths: Iterable[str],
    other_paths: Iterable[str],
    sensitive_scopes: Iterable[str] = (),
) -> tuple[str, ...]:
    found: set[str] = set(situation_details(plan, sensitive_scopes))
    other_paths = list(other_paths)
    if other_paths:
        found.add("outside_registry")
    if WAIVERS_FILE in other_paths:
        found.add("waivers_change")
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
            if network_changed(change):
                found.add("network_change")
    if any(path not in planned for path in registry_paths):
        found.add("cosmetic_change")
    found.update(shared_domain_situations(plan))
    return tuple(sorted(found))


def shared_domain_situations(plan: Plan) -> set[str]:
    """Attaching an e-mail domain that another FI already routes: its agents will be asked to
    choose between the two, which only the federation may decide."""
    return {"shared_email_domain"} if any(c.shared_domains for c in plan.changes) else set()


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
    type_changes: Iterable[str] = (),
    git_config: Iterable[str] = (),
) -> Review:
    """The decision for a change by `author`: `base_owners` maps each changed registry path
    to its base version's owners (None for a new file); `other_paths` are changed paths
    outside the registry; `git_config` the changed files git reads as configuration
    (anywhere, named in the comment, always for the federation)."""
    others = sorted(other_paths)
    configs = sorted(git_config)
    accesses = tuple(
        file_access(path, owners, author, policy.federation_team, matches)
        for path, owners in sorted(base_owners.items())
    )
    errors = count_errors(plan.diagnostics) > 0
    situations = situations_of(plan, base_owners, others, policy.sensitive_scopes)
    if any(owners is None for owners in base_owners.values()):
        situations = tuple(sorted({*situations, "new_file"}))
    if list(type_changes):
        situations = tuple(sorted({*situations, "file_type_change"}))
    details = situation_details(plan, policy.sensitive_scopes)
    if configs:
        situations = tuple(sorted({*situations, "git_config_change"}))
        details["git_config_change"] = ", ".join(configs)
    return Review(
        author=author,
        situations=situations,
        accesses=accesses,
        valid=not errors,
        federation_team=policy.federation_team,
        rules=dict(policy.review_rules),
        details=details,
    )


def is_registry_path(path: str) -> bool:
    return path.startswith(f"{REGISTRY_DIR}/") and ".." not in path.split("/")


# -- e-mail domains routed to identity providers, and their live DNS proof ----------------------


def added_email_domains(plan: Plan) -> dict[str, frozenset[str]]:
    """The e-mail domains each FI file of the change newly routes (created FIs: all of them)."""
    return {
        change.path: frozenset(domains)
        for change in plan.changes
        if change.action is not Action.DELETE and (domains := new_email_domains(change))
    }


def review_email_domains(
    review: Review, plan: Plan, proven_live: Mapping[str, frozenset[str]]
) -> Review:
    """A new e-mail domain routed to an FI needs the federation (`new_email_domain`), unless
    every domain the change adds had its DNS proof verified live (`proven_live`: proven domains
    by file path) and the change is in integration: then the proof is the review. An FI
    switched on routes all its domains at once and stays for the federation, as does a domain
    another FI already routes (`shared_email_domain`). A domain whose proof is known to be
    missing is an error, reported by the live checks."""
    added = added_email_domains(plan)
    if not added or any(routing_switched_on(change) for change in plan.changes):
        return review
    environments = {change.path: change.environment for change in plan.changes}
    if not all(
        environments[path] == "integration" and domains <= proven_live.get(path, frozenset())
        for path, domains in added.items()
    ):
        return review
    return replace(
        review,
        situations=tuple(s for s in review.situations if s != "new_email_domain"),
        details={k: v for k, v in review.details.items() if k != "new_email_domain"},
    )


DOMAIN_FIELDS = ("attached_email_domains", "extra_accepted_email_domains")


def review_lapsed_proofs(review: Review, plan: Plan, lapsed: Mapping[str, Iterable[str]]) -> Review:
    """An FI whose DNS proof the radar found missing past the grace period (`lapsed`: the
    radar's last state, domains by file path) changes its e-mail domains only through the
    federation, until the proof is back."""
    hit = {
        change.path: sorted(lapsed[change.path])
        for change in plan.changes
        if change.path in lapsed and any(f.field in DOMAIN_FIELDS for f in change.fields)
    }
    if not hit:
        return review
    what = "; ".join(f"{path} : {', '.join(domains)}" for path, domains in sorted(hit.items()))
    return replace(
        review,
        situations=tuple(sorted({*review.situations, "radar_lapsed_dns_proof"})),
        details={**review.details, "radar_lapsed_dns_proof": what},
    )


def review_unverified_live_checks(review: Review, unverified_paths: Iterable[str]) -> Review:
    """A live check that could not conclude (our network, our resolver, our time) never fails
    the change; the federation reviews it instead."""
    if not list(unverified_paths):
        return review
    situations = tuple(sorted({*review.situations, "live_checks_not_verified"}))
    return replace(review, situations=situations)


# -- requests from the partner space (the modification form) -------------------------------

NOT_CONTACT_SITUATION = "partner_space_requester_not_contact"


def partner_space_review(
    review: Review,
    body: str,
    app: str | None,
    base_contacts: Mapping[str, tuple[str, ...]],
    *,
    key: str | None = None,
    repository: str = "",
    commit: str = "",
) -> Review:
    """Who may self-serve through the partner space: on a pull request authored by its GitHub
    App (`app`), the requester sealed in `body` for this `commit` (requesterseal, verified with
    the policy's `key`) counts as an owner of each file whose base version lists it among
    `contacts`; any other file needs the federation. A seal from any other author, for another
    commit, or that does not verify is ignored, and the review says so."""
    check = check_seal(body, key, repository, commit)
    claim = check.email or None
    if app is None or review.author.lower() != app.lower():
        if claim is None and not check.problem:
            return review
        note = (
            "Demandeur déclaré ignoré : seule l'application de l'espace "
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
        why = f" ({check.problem})" if check.problem else ""
        note = (
            f"Demande de l'espace partenaires sans demandeur vérifié{why} : revue de la fédération."
        )
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


def review_pushers(review: Review, pushers: Iterable[str]) -> Review:
    """Whoever may push to the branch of an owner's pull request is not the owner: a commit
    pushed (or a run re-run) by another account than the author's is never self-service."""
    others = sorted({p for p in pushers if p.lower() != review.author.lower()})
    if not others:
        return review
    return replace(
        review,
        situations=tuple(sorted({*review.situations, "pushed_by_other"})),
        details={
            **review.details,
            "pushed_by_other": "poussé par " + ", ".join(f"@{p}" for p in others),
        },
    )
