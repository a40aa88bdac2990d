"""Deploying manifests: from the working tree, a file or any commit, to a deployment's database.

Orchestration only: rendering is `render`, planning `deployplan`, writing `mongostore`.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..adapters.files import read_json
from ..adapters.git import GitError, GitRepository
from ..changes.plan import FieldChange
from ..diagnostics import Diagnostic, count_errors
from ..errors import FedregError, UsageError
from ..manifests.build import Manifest, build_manifests
from ..manifests.release import (
    ENVELOPE_SUFFIX,
    UNSIGNED,
    ReleasePredicate,
    ReleaseRefused,
    public_key,
    verify_release,
)
from ..registry.layout import DEPLOYMENTS, REGISTRY_DIR, RegistryDocument
from ..registry.models import ENVIRONMENTS, NETWORKS, deployment_name, deployment_parts
from ..registry.policy import Policy
from ..registry.snapshot import changes, documents_of_changes, is_git_config, tree_entries
from ..validation.coreconformance import CoreViolation, manifest_violations
from ..validation.engine import (
    build_provider,
    check_document,
    collector_paused,
    locate,
    validate_paths,
)
from ..validation.waivers import (
    WAIVERS_FILE,
    Waivers,
    apply_exceptions,
    read_waivers,
    waivers_in,
)
from .plan import DeployAction, DeployPlan
from .rendering import Manifests, render_entries
from .secrets import AGE_IDENTITY_VARIABLE, SecretError, identity_recipient, open_sealed


class InvalidRegistry(FedregError):
    def __init__(self, diagnostics: list[Diagnostic], file_count: int) -> None:
        super().__init__("registre invalide : aucun manifeste écrit, rien n'est déployé")
        self.diagnostics = diagnostics
        self.file_count = file_count


class NonConformantRecords(FedregError):
    """Rendered records the federation core would exclude at load: nothing is written."""

    def __init__(self, violations: list[tuple[str, CoreViolation]]) -> None:
        lines = "".join(f"\n  {deployment} : {violation}" for deployment, violation in violations)
        super().__init__(
            f"{len(violations)} valeur(s) seraient refusées par le cœur de la fédération, qui "
            "écarterait ces fournisseurs au chargement ; aucun manifeste écrit, rien n'est "
            f"déployé :{lines}"
        )
        self.violations = violations


def check_conformance(manifests: dict[str, Manifest]) -> None:
    """Raise NonConformantRecords when any record breaks one of the core's DTO constraints."""
    violations = [
        (name, violation)
        for name, manifest in manifests.items()
        for violation in manifest_violations(manifest)
    ]
    if violations:
        raise NonConformantRecords(violations)


def _manifests(
    docs: list[RegistryDocument], diagnostics: list[Diagnostic], commit: str | None
) -> dict[str, Manifest]:
    if count_errors(diagnostics):
        raise InvalidRegistry(diagnostics, len(docs))
    with collector_paused():  # a model per file, no cycle: rescanning them was half the time
        manifests = build_manifests([(d.environment, build_provider(d)) for d in docs], commit)
        check_conformance(manifests)
    return manifests


def manifests_from_worktree(
    policy: Policy, commit: str | None, environment: str | None = None
) -> dict[str, Manifest]:
    """The manifests of the files as they are (with the waivers file as it is): the whole
    registry, or one `environment`'s folder alone (the other deployments' manifests are then
    empty: see `deployment_manifest`)."""
    if environment is None:
        result = validate_paths([Path(REGISTRY_DIR)], policy)
    else:
        folder = Path(REGISTRY_DIR) / environment
        # lexists: a link in place of the folder is read (and refused), never taken for no files
        result = validate_paths([folder] if os.path.lexists(folder) else [], policy)
    today = date.today()
    diagnostics = apply_exceptions(
        result.diagnostics,
        waivers_in(Path.cwd(), policy, today),
        policy,
        today,
        checked=_in_folder(environment),
    )
    return _manifests(result.documents, diagnostics, commit)


def manifests_at_commit(
    repo: GitRepository, ref: str, policy: Policy, environment: str | None = None
) -> Mapping[str, Manifest]:
    """The manifests rendered from the registry as it was at `ref`, with its waivers (or
    from one `environment`'s folder alone, as `manifests_from_worktree`): every file checked
    and every record checked against the core's constraints first (InvalidRegistry,
    NonConformantRecords), each manifest then assembled when asked for."""
    commit = repo.resolve(ref)
    rendered = render_entries(repo, tree_entries(repo, commit, _folder(environment)), policy)
    today = date.today()
    diagnostics = apply_exceptions(
        rendered.diagnostics,
        waivers_at(repo, commit, policy, today),
        policy,
        today,
        checked=_in_folder(environment),
    )
    if count_errors(diagnostics):
        raise InvalidRegistry(diagnostics, len(rendered.entries))
    if rendered.unbuilt:
        rendered.build_unbuilt(repo)
    violations = rendered.core_violations()
    if violations:
        raise NonConformantRecords(violations)
    return Manifests(rendered, commit)


def deployment_at_commit(
    repo: GitRepository, ref: str, policy: Policy, deployment: str
) -> Manifest:
    """One deployment's manifest at `ref`, rendered from its environment's folder alone: every
    rule across files holds within one environment."""
    environment, _ = deployment_parts(deployment)
    return manifests_at_commit(repo, ref, policy, environment)[deployment]


def waivers_at(repo: GitRepository, commit: str | None, policy: Policy, today: date) -> Waivers:
    """The waivers file of `commit`, read as a blob (None: the working tree's)."""
    if commit is None:
        return waivers_in(repo.root, policy, today)
    try:
        raw: bytes | None = repo.git("cat-file", "blob", f"{commit}:{WAIVERS_FILE}")
    except GitError:
        raw = None
    return read_waivers(raw, policy, today)


def _folder(environment: str | None) -> str:
    return REGISTRY_DIR if environment is None else f"{REGISTRY_DIR}/{environment}"


def _in_folder(environment: str | None) -> Callable[[str], bool]:
    """Whether a waiver's file was read (an unused waiver is reported only then)."""
    folder = _folder(environment)
    return lambda file: environment is None or file.startswith(f"{folder}/")


class UncommittedRegistry(FedregError):
    pass


def manifests_to_ship(
    policy: Policy,
    ref: str | None = None,
    *,
    uncommitted: str = "refuse",
    deployment: str | None = None,
) -> Mapping[str, Manifest]:
    """What render and deploy ship: the registry of commit `ref` (default: the checked-out
    commit) read from its blobs by the one reader, so that no attribute, filter or encoding of
    a checkout changes what is deployed. Uncommitted changes under registry/ are refused
    (`uncommitted="refuse"`) or left out with a warning on stderr (`"warn"`). Outside a git
    repository (or before its first commit) the files are read as they are, with no commit.
    With `deployment`, that deployment's manifest alone, from its environment's folder alone
    (every rule across files holds within one environment)."""
    if deployment is None:
        return _to_ship(policy, ref, uncommitted, None)
    environment, _ = deployment_parts(deployment)
    return {deployment: _to_ship(policy, ref, uncommitted, environment)[deployment]}


def deployment_manifest(policy: Policy, deployment: str, ref: str | None = None) -> Manifest:
    """One deployment's manifest, shipped as `manifests_to_ship` ships them (commit blobs,
    uncommitted changes of its environment refused), reading only its environment's folder:
    every rule across files holds within one environment, so its files' verdict is the
    whole registry's, at the cost of that environment alone."""
    return manifests_to_ship(policy, ref, deployment=deployment)[deployment]


def _to_ship(
    policy: Policy, ref: str | None, uncommitted: str, environment: str | None
) -> Mapping[str, Manifest]:
    shipped = commit_to_ship(ref, uncommitted, environment)
    if shipped is None:
        return manifests_from_worktree(policy, None, environment)
    repo, commit = shipped
    return manifests_at_commit(repo, commit, policy, environment)


def commit_to_ship(
    ref: str | None, uncommitted: str, environment: str | None
) -> tuple[GitRepository, str] | None:
    """The repository and the commit render and deploy ship (`manifests_to_ship`), after
    the check of uncommitted changes; None outside a git repository (or before its first
    commit), where the files are read as they are."""
    repo = discover_repository()
    if repo is None or repo.head_commit() is None:
        if ref is not None:
            raise UsageError(f"pas de dépôt git ici : impossible de lire le commit {ref}")
        return None
    folder = _folder(environment)
    if ref is None and repo.is_dirty(folder):
        message = (
            f"{folder}/ a des modifications non validées : fedreg ne rend et ne déploie "
            "que des commits"
        )
        if uncommitted == "refuse":
            raise UncommittedRegistry(
                f"{message}. Validez-les (git commit) ou mettez-les de côté (git stash)."
            )
        print(f"fedreg : {message} ; rendu du commit HEAD, sans elles.", file=sys.stderr)
    return repo, repo.resolve(ref or "HEAD")


def changed_deployments(
    repo: GitRepository, base: str, head: str | None, policy: Policy
) -> list[str]:
    """The deployments whose manifest content differs between `base` and `head` (None: the
    working tree): what a push to main must deploy. No database is read.

    A change of registry files only costs what it touches: a deployment's manifest is the
    set of its files' records, so the records of the changed files, before and after,
    differ exactly where the deployments do (a file that moves between deployments changes
    both). The changed files must validate (the deploy job then validates the whole
    registry). A change outside the registry (code, schemas, the policy) or of a file git
    reads as configuration (.gitattributes…) may change any render: both commits are
    rendered whole."""
    found = changes(repo, repo.resolve(base), None if head is None else repo.resolve(head))
    if any(not c.path.startswith(f"{REGISTRY_DIR}/") or is_git_config(c.path) for c in found):
        return _changed_by_rendering(repo, base, head, policy)
    before, after = documents_of_changes(repo, found)
    today = date.today()  # the waivers (unchanged: waivers.yaml is outside registry/)
    waivers = waivers_at(repo, None if head is None else repo.resolve(head), policy, today)
    based = Waivers(doc=None, active=waivers_at(repo, repo.resolve(base), policy, today).active)
    with collector_paused():
        diagnostics = _file_diagnostics(after, policy, waivers, today)
        if count_errors(diagnostics):
            raise InvalidRegistry(diagnostics, len(after))
        new = build_manifests([(d.environment, build_provider(d)) for d in after], None)
        check_conformance(new)
        unbuildable = [
            d for d in before if count_errors(_file_diagnostics([d], policy, based, today))
        ]
        old = build_manifests(
            [(d.environment, build_provider(d)) for d in before if d not in unbuildable], None
        )
    touched = {name for doc in unbuildable for name in _possible_deployments(doc)}
    return [
        name
        for name in DEPLOYMENTS
        if name in touched or old[name]["digest"] != new[name]["digest"]
    ]


def _file_diagnostics(
    docs: list[RegistryDocument], policy: Policy, waivers: Waivers, today: date
) -> list[Diagnostic]:
    """The per-file diagnostics of `docs` (their layout findings included), located, at
    their level of `today` and with `waivers` applied, as a whole render has them."""
    for doc in docs:
        check_document(doc, policy)
    located = [d for doc in docs for d in locate(doc)]
    return apply_exceptions(located, waivers, policy, today, checked=lambda file: False)


def _possible_deployments(doc: RegistryDocument) -> list[str]:
    """The deployments a file that did not render may have been part of: its network's, else
    every network of its environment, else all of them."""
    network = (doc.data or {}).get("network")
    if doc.environment in ENVIRONMENTS and network in NETWORKS:
        return [deployment_name(doc.environment, network)]
    mine = [name for name in DEPLOYMENTS if deployment_parts(name)[0] == doc.environment]
    return mine or list(DEPLOYMENTS)


def _changed_by_rendering(
    repo: GitRepository, base: str, head: str | None, policy: Policy
) -> list[str]:
    """`changed_deployments` by rendering both commits whole."""
    after = (
        manifests_at_commit(repo, head, policy)
        if head is not None
        else manifests_from_worktree(policy, None)
    )
    try:
        before = manifests_at_commit(repo, base, policy)
    except (InvalidRegistry, NonConformantRecords):
        return list(DEPLOYMENTS)  # the base did not render: deploy everything from the head
    return [name for name in DEPLOYMENTS if before[name]["digest"] != after[name]["digest"]]


def sealed_secret_problems(plan: DeployPlan, policy: Policy, identity: str | None) -> list[str]:
    """Why the identity providers' sealed secrets could not be opened by this deploy, checked
    before anything is written: the identity must be the deployment's own environment key
    (policy), and every secret to store must open with it."""
    environment, _ = deployment_parts(plan.deployment)
    sealed = [c for c in plan.changes if c.sealed_secret is not None]
    expected = policy.age_recipient(environment)
    if identity is None:
        return []  # no secret can be opened: apply says so if one is needed
    actual = identity_recipient(identity)
    if expected is not None and actual != expected:
        return [
            f"{AGE_IDENTITY_VARIABLE} est la clé {actual}, pas celle de l'environnement "
            f"{environment} ({expected}) : chaque environnement de déploiement ne doit détenir "
            "que sa propre clé"
        ]
    problems = []
    for change in sealed:
        assert change.sealed_secret is not None
        try:
            open_sealed(change.sealed_secret, identity)
        except SecretError:
            problems.append(
                f"le secret du FI « {change.name} » ({change.key}) ne s'ouvre pas avec la clé "
                f"de {environment} : a-t-il été chiffré pour un autre environnement ?"
            )
    return problems


def load_manifest(path: Path, deployment: str) -> dict[str, Any]:
    manifest = read_json(path, "manifeste")
    if not isinstance(manifest, dict):
        raise UsageError(f"{path} n'est pas un manifeste (objet JSON attendu)")
    if manifest.get("deployment") != deployment:
        raise UsageError(
            f"{path} est le manifeste de {manifest.get('deployment')}, pas de {deployment}"
        )
    return manifest


def actor() -> str:
    """Who runs fedreg: the GitHub actor in a workflow, else the local account."""
    if os.environ.get("GITHUB_ACTOR"):
        return os.environ["GITHUB_ACTOR"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (bare containers)
        return f"uid {os.getuid()}"


def run_id() -> str:
    """This run, as the lock and the audit name it: the GitHub run, else a local one."""
    if os.environ.get("GITHUB_RUN_ID"):
        attempt = os.environ.get("GITHUB_RUN_ATTEMPT", "1")
        return f"github-{os.environ['GITHUB_RUN_ID']}-{attempt}"
    return f"local-{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def plain_commit(commit: str | None) -> str | None:
    """The commit a manifest was rendered from, without the `+modifications` of a dirty tree."""
    return commit.partition("+")[0] if commit else None


def ordering_problem(
    repo: GitRepository | None, last: str | None, commit: str | None
) -> str | None:
    """Why deploying `commit` would go back in time after `last` (None: it does not).
    Only `rollback` may go back, and is audited as such."""
    if last is None:
        return None
    head = plain_commit(commit)
    if head is None:
        return (
            f"le dernier déploiement vient de {last[:12]} et ce manifeste ne dit pas de quel "
            "commit il vient : impossible de vérifier qu'il ne revient pas en arrière"
        )
    if repo is None:
        return "pas de dépôt git ici : impossible de vérifier l'ordre des déploiements"
    descends = repo.is_ancestor(last, head)
    if descends is None:
        return (
            f"le dernier commit déployé ({last[:12]}) ou {head[:12]} est inconnu de ce dépôt : "
            "récupérez tout l'historique (git fetch --unshallow, ou fetch-depth: 0)"
        )
    if not descends:
        return (
            f"{head[:12]} ne descend pas du dernier commit déployé ({last[:12]}) : ce "
            "déploiement reviendrait en arrière. Pour revenir volontairement à une "
            "configuration antérieure, utilisez `fedreg rollback --to COMMIT`"
        )
    return None


def rollback_problem(
    repo: GitRepository | None, furthest: str | None, commit: str | None
) -> str | None:
    """Why rolling back to `commit` is not going back along what the deployment went through
    (None: it is): `commit` must be on the first-parent history of the latest commit deployed
    forward, `furthest` (main's own commits, each deployed in turn). A branch never merged, or
    a commit that was only ever on a merged pull request's branch (reachable through a merge's
    second parent, never deployed on its own), is refused."""
    if furthest is None:
        return "aucun déploiement enregistré pour ce déploiement : rien à quoi revenir"
    target = plain_commit(commit)
    if repo is None or target is None:
        return "pas de dépôt git ici : impossible de vérifier que ce commit a été déployé"
    precedes = repo.on_first_parent_history(target, furthest)
    if precedes is None:
        return (
            f"{target[:12]} ou le dernier commit déployé ({furthest[:12]}) est inconnu de ce "
            "dépôt : récupérez tout l'historique (git fetch --unshallow, ou fetch-depth: 0)"
        )
    if not precedes:
        return (
            f"{target[:12]} ne précède pas le dernier commit déployé ({furthest[:12]}) : ce "
            "n'est pas une configuration par laquelle ce déploiement est passé (une branche "
            "jamais fusionnée ?). Un retour arrière ne revient qu'à un commit antérieur de la "
            "branche déployée"
        )
    return None


def registry_mismatch(
    repo: GitRepository | None, manifest: dict[str, Any], policy: Policy
) -> str | None:
    """Why a given manifest is not what the registry renders at its source commit (None:
    it is). A manifest that cannot be traced to a commit of this repository (no commit, or a
    working tree's `+modifications`) is refused for every deployment: its content was never
    reviewed."""
    commit = manifest.get("source_commit")
    if not isinstance(commit, str) or commit != plain_commit(commit):
        return (
            "un manifeste doit venir d'un commit de ce dépôt, sans modification non validée "
            f"(source_commit : {commit!r}) : rendez-le depuis un commit du registre"
        )
    if repo is None:
        return "pas de dépôt git ici : impossible de comparer le manifeste au registre"
    assert repo is not None and isinstance(commit, str)
    try:
        rendered = deployment_at_commit(repo, commit, policy, manifest["deployment"])
    except (GitError, UsageError):
        return f"le commit {commit[:12]} du manifeste est inconnu de ce dépôt"
    if rendered["digest"] != manifest.get("digest"):
        return (
            f"ce manifeste n'est pas celui que le registre donne au commit {commit[:12]} "
            f"(empreinte {rendered['digest'][:12]} attendue)"
        )
    return None


MAIN_BRANCHES = ("refs/heads/main", "refs/remotes/origin/main")


def on_main(repo: GitRepository | None, commit: str) -> bool:
    """Whether `commit` is on main's first-parent history (the local branch, else the
    remote-tracking one)."""
    if repo is None:
        return False
    for branch in MAIN_BRANCHES:
        found = repo.on_first_parent_history(commit, branch)
        if found is not None:
            return found
    return False


def verified_release(
    manifest_file: Path | None, deployment: str, policy: Policy, now: datetime
) -> tuple[str, ReleasePredicate | None]:
    """The release check every deploy runs first: (what the audit says of the release, what
    its signed statement vouches for). An environment whose policy lists signing keys deploys
    only a manifest file signed by one of them (ReleaseRefused otherwise); one that lists
    none deploys unsigned manifests, said « non signé »."""
    environment = deployment_parts(deployment)[0]
    keys = [public_key(pem) for pem in policy.release_signing_keys.get(environment, ())]
    if not keys:
        return UNSIGNED, None
    if manifest_file is None:
        raise ReleaseRefused(
            "unsigned",
            f"l'environnement {environment} n'accepte que des manifestes signés : passez "
            f"--manifest FICHIER, rendu par « fedreg render --sign » (FICHIER{ENVELOPE_SUFFIX} "
            "à côté)",
        )
    envelope_file = manifest_file.with_name(manifest_file.name + ENVELOPE_SUFFIX)
    if not envelope_file.is_file():
        raise ReleaseRefused(
            "unsigned",
            f"manifeste non signé : {envelope_file} est absent, et l'environnement "
            f"{environment} n'accepte que des manifestes signés",
        )
    others = [
        public_key(pem)
        for name, pems in policy.release_signing_keys.items()
        if name != environment
        for pem in pems
    ]
    repo = discover_repository()
    release = verify_release(
        manifest_file.read_bytes(),
        envelope_file.read_bytes(),
        deployment=deployment,
        trusted=keys,
        other_environment=others,
        now=now,
        on_main=lambda commit: on_main(repo, commit),
    )
    return release.describe(), release.predicate


def discover_repository() -> GitRepository | None:
    try:
        return GitRepository.discover(Path.cwd())
    except GitError:
        return None


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value, ensure_ascii=False, default=str)


def _field_line(change: FieldChange) -> str:
    return f"      {change.field}: {_value(change.before)} → {_value(change.after)}"


def render_deploy_plan(plan: DeployPlan) -> str:
    signs = {DeployAction.CREATE: "+", DeployAction.UPDATE: "~", DeployAction.DEACTIVATE: "-"}
    words = {
        DeployAction.CREATE: "créé",
        DeployAction.UPDATE: "mis à jour",
        DeployAction.DEACTIVATE: "désactivé",
    }
    summary = plan.summary
    lines = [
        f"Déploiement {plan.deployment} : {summary['create']} créé(s), "
        f"{summary['update']} mis à jour, {summary['deactivate']} désactivé(s), "
        f"{summary['unchanged']} inchangé(s)."
    ]
    for change in plan.effective:
        lines.append(
            f"  {signs[change.action]} {change.collection} {change.key} "
            f"« {change.name} » {words[change.action]}"
        )
        if change.action is not DeployAction.CREATE:
            lines.extend(_field_line(f) for f in change.fields)
        if change.sealed_secret is not None:
            lines.append("      client_secret: remplacé par le secret chiffré du dépôt")
        if change.action is DeployAction.CREATE and change.collection == "client":
            lines.append(
                f"      secret généré, remis chiffré à {len(change.recipients)} destinataire(s)"
            )
    return "\n".join(lines) + "\n"
