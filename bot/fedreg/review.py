"""Who may make a change, and who must approve it: the pull-request bot's decision, pure.

The owners that count are those of the base version of a file, so that nobody adds themself
in the same pull request. What a change does (its situations) maps, through the policy's
review rules, to the federation team's review or to self-service, where the bot approves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
    "file_type_change": "type ou mode d'un fichier du registre modifié (exécutable, lien, "
    "sous-module)",
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
    type_changes: Iterable[str] = (),
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
    situations = situations_of(plan, base_owners, others)
    if list(type_changes):
        situations = tuple(sorted({*situations, "file_type_change"}))
    return Review(
        author=author,
        situations=situations,
        accesses=accesses,
        valid=not errors,
        federation_team=policy.federation_team,
        rules=dict(policy.review_rules),
    )


def is_registry_path(path: str) -> bool:
    return path.startswith(f"{REGISTRY_DIR}/") and ".." not in path.split("/")
