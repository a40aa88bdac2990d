"""One deploy, top-down: check the manifest, check the target, lock, plan, apply, record, and
release. Also the other operations that write a target under the same guards: marking a
database (`--init`), adopting imported documents (`--adopt`), rotating a client secret, and
handing sealed secrets over. Each returns what happened; printing is the command's job.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..adapters.files import write_atomic_bytes
from ..adapters.git import GitRepository
from ..errors import FedregError
from ..manifests.build import Manifest, manifest_documents
from ..manifests.release import UNSIGNED, ReleaseRefused
from ..manifests.verify import manifest_problems
from ..registry.policy import Policy
from ..validation.coreconformance import is_resource_server
from .delta import DeploymentChange, FullPath, delta_mismatch, deployment_change
from .mongostore import (
    DeployFailed,
    Provenance,
    SecretKeys,
    adopt,
    apply_plan,
    incremental_base,
    issued_dates,
    last_deployed_commit,
    live_documents,
    live_documents_of,
    managed_count,
    record,
    rotate_secret,
)
from .orchestration import (
    deployment_at_commit,
    ordering_problem,
    plain_commit,
    registry_mismatch,
    rollback_problem,
    sealed_secret_problems,
    verified_release,
)
from .plan import (
    COLLECTIONS,
    PROVENANCE_FIELD,
    ChangeLimits,
    DeployPlan,
    is_managed,
    plan_deploy,
    unmanaged_documents,
)
from .state import (
    Lease,
    acquire_lock,
    check_marker,
    mark_delivered,
    pending_secrets,
    read_marker,
    release_lock,
    renew_lock,
    write_marker,
)
from .store import Store


@dataclass(frozen=True, kw_only=True)
class DeployRequest:
    """What the operator asked: which deployment, and whether to write."""

    deployment: str
    kind: str = "deploy"  # or "rollback"
    apply: bool  # --yes without --dry-run
    allow_large_change: bool = False
    break_lock: bool = False
    keys: SecretKeys
    actor: str
    run_id: str
    progress: Callable[[int, int], None] | None = None  # (writes done, writes in all)
    # The --manifest file whose signed release is verified first; None: rendered here (then
    # deployable only where the policy lists no release signing key).
    manifest_file: Path | None = None
    # Whether that file is still to be compared with the registry at its commit: with the
    # change's files when the deploy goes on from the last one, else with the deployment
    # rendered whole (`registry_mismatch`).
    registry_check: bool = False


@dataclass
class DeployResult:
    """What a deploy did. `status`: refused, up-to-date, planned (nothing written), applied,
    failed (apply stopped midway: `applied` says what was written, `error` why)."""

    deployment: str
    kind: str
    status: str
    plan: DeployPlan | None = None
    refusals: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)  # limits passed, --allow-large-change
    over_limits: bool = False  # refused for its size alone: --allow-large-change would pass
    lock_taken_over: Lease | None = None
    lock_broken: bool = False
    mode: str = ""
    applied: list[str] = field(default_factory=list)
    sealed_files: list[Path] = field(default_factory=list)
    error: str = ""
    release: str = UNSIGNED  # what the release check proved (« signé (clé …) », « non signé »)
    # An incremental deploy: the commit it went on from, and how many files changed since
    incremental_base: str | None = None
    changed_files: int = 0
    full_path: str = ""  # why a deploy of a commit read the whole registry (French)


def change_limits(policy: Policy) -> ChangeLimits:
    return ChangeLimits(
        max_updates=policy.max_updates_per_deploy,
        max_deactivations=policy.max_deactivations_per_deploy,
        max_share=policy.max_change_share,
        min_records_for_share=policy.min_records_for_change_share,
    )


def manifest_refusals(
    manifest: Manifest,
    deployment: str,
    policy: Policy | None = None,
    manifest_file: Path | None = None,
) -> tuple[list[str], str]:
    """Why this manifest must not be deployed, checked before the target is even read, and
    what its release check proved. First the release (with a `policy`): signed by one of the
    environment's keys when the policy lists any (manifests/release.py), and vouching for
    this very manifest; then its shape, its deployment and its digest."""
    release = UNSIGNED
    if policy is not None:
        try:
            release, vouched = verified_release(
                manifest_file, deployment, policy, datetime.now(UTC)
            )
        except ReleaseRefused as refused:
            return [str(refused)], release
        if vouched is not None and (
            manifest.get("digest") != vouched.content_digest
            or manifest.get("source_commit") != vouched.source_commit
        ):
            changed = ReleaseRefused("content", "le manifeste a changé pendant sa vérification")
            return [str(changed)], release
    return [f"manifeste refusé : {p}" for p in manifest_problems(manifest, deployment)], release


def deploy(
    store: Store,
    manifest: Manifest,
    request: DeployRequest,
    policy: Policy,
    repo: GitRepository | None,
) -> DeployResult:
    """The whole sequence. Raises only for a target refused (marker) or a lock held."""
    result = DeployResult(request.deployment, request.kind, "refused")
    result.refusals, result.release = manifest_refusals(
        manifest, request.deployment, policy, request.manifest_file
    )
    if result.refusals:
        return result
    check_marker(store.db, request.deployment, store.place)
    if request.apply:
        _lock(store, request, policy, result)
    try:
        return _plan_and_apply(store, manifest, request, policy, repo, result)
    finally:
        if request.apply:
            release_lock(store.db, request.deployment, request.run_id)


def _lock(store: Store, request: DeployRequest, policy: Policy, result: DeployResult) -> None:
    previous = acquire_lock(
        store.db,
        request.deployment,
        request.run_id,
        request.actor,
        datetime.now(UTC),
        policy.deploy_lock_minutes,
        request.break_lock,
    )
    result.lock_taken_over = previous
    if previous is None or not request.break_lock:
        return
    result.lock_broken = True
    record(
        store.db,
        None,
        Provenance(
            None, "", request.actor, kind="break-lock", run_id=request.run_id, target=store.place
        ),
        "applied",
        [],
        datetime.now(UTC),
        deployment=request.deployment,
        details={
            "brokenLock": {
                "holder": previous.holder,
                "actor": previous.actor,
                "since": previous.since,
                "expires": previous.expires,
            }
        },
    )


def _order_refusal(
    store: Store, manifest: Manifest, request: DeployRequest, repo: GitRepository | None
) -> str | None:
    commit = manifest.get("source_commit")
    if request.kind == "rollback":
        furthest = last_deployed_commit(store.db, request.deployment, kinds=("deploy", None))
        return rollback_problem(repo, furthest, commit)
    return ordering_problem(repo, last_deployed_commit(store.db, request.deployment), commit)


def deploy_commit(
    store: Store,
    commit: str,
    render: Callable[[], Manifest],
    request: DeployRequest,
    policy: Policy,
    repo: GitRepository,
) -> DeployResult:
    """The sequence for a commit of the registry rather than a manifest file: the release
    check, the target, the lock, then the change since the store's last deploy when it can be
    told from the changed files alone (`delta.py`: their records are all it writes), else
    the whole deployment `render()`ed and deployed as `deploy` does. Raises as `deploy`."""
    result = DeployResult(request.deployment, request.kind, "refused")
    try:
        result.release, _ = verified_release(None, request.deployment, policy, datetime.now(UTC))
    except ReleaseRefused as refused:
        result.refusals = [str(refused)]
        return result
    check_marker(store.db, request.deployment, store.place)
    if request.apply:
        _lock(store, request, policy, result)
    try:
        refusal = ordering_problem(repo, last_deployed_commit(store.db, request.deployment), commit)
        if refusal is not None:
            result.refusals = [refusal]
            return result
        try:
            change, plan = _incremental_plan(store, commit, request, policy, repo, result)
        except FullPath as reason:
            result.full_path = str(reason)
            manifest = render()
            result.refusals = [
                f"manifeste refusé : {p}" for p in manifest_problems(manifest, request.deployment)
            ]
            if result.refusals:
                return result
            return _plan_and_apply(store, manifest, request, policy, repo, result)
        return _check_and_apply(store, change.manifest, plan, request, policy, result)
    finally:
        if request.apply:
            release_lock(store.db, request.deployment, request.run_id)


def _incremental_plan(
    store: Store,
    commit: str,
    request: DeployRequest,
    policy: Policy,
    repo: GitRepository,
    result: DeployResult,
) -> tuple[DeploymentChange, DeployPlan]:
    """The change since the last deploy and its plan: the changed files' records against
    the live documents of their identities, the share limits counted on every managed
    document (FullPath when the change cannot decide every write)."""
    change = _change_since_last_deploy(store, commit, request, policy, repo)
    live = live_documents_of(store.db, change.keys)
    _refuse_taken_identities(change, live, request.deployment)
    plan = replace(
        plan_deploy(change.manifest, live),
        live_records=managed_count(store.db, request.deployment),
    )
    result.incremental_base, result.changed_files = change.base, change.files
    return change, plan


def _change_since_last_deploy(
    store: Store, commit: str, request: DeployRequest, policy: Policy, repo: GitRepository
) -> DeploymentChange:
    """The change since the commit the store was last wholly deployed from (FullPath when
    there is none to go on from)."""
    if request.kind != "deploy":
        raise FullPath("un retour arrière se déploie toujours en entier")
    base = incremental_base(store.db, request.deployment)
    if base is None:
        raise FullPath(
            "le dernier déploiement enregistré n'a pas été appliqué en entier (ou une "
            "adoption l'a suivi, ou il n'y en a pas)"
        )
    if base == commit:
        raise FullPath(f"{commit[:12]} est déjà déployé : tout est comparé à nouveau")
    if not repo.is_ancestor(base, commit):
        raise FullPath(f"{commit[:12]} ne descend pas du dernier commit déployé {base[:12]}")
    return deployment_change(repo, base, commit, request.deployment, policy)


def _refuse_taken_identities(
    change: DeploymentChange, live: dict[str, list[dict[str, Any]]], deployment: str
) -> None:
    """FullPath when a changed file now holds an identity that a managed document has but no
    changed file held at the base: another file holds it (the full path reports the clash,
    located), or the database was changed outside git (the full path compares everything)."""
    for collection, key_field in COLLECTIONS:
        now = change.keys[collection] - change.before[collection]
        for doc in live[collection]:
            if doc.get(key_field) in now and is_managed(doc, deployment):
                raise FullPath(
                    f"l'identifiant {doc[key_field]} est déjà celui d'un fournisseur déployé "
                    "qu'aucun fichier changé ne tenait"
                )


def _plan_and_apply(
    store: Store,
    manifest: Manifest,
    request: DeployRequest,
    policy: Policy,
    repo: GitRepository | None,
    result: DeployResult,
) -> DeployResult:
    refusal = _order_refusal(store, manifest, request, repo)
    if refusal is not None:
        result.refusals = [refusal]
        return result
    if request.registry_check:
        return _checked_against_registry(store, manifest, request, policy, repo, result)
    plan = plan_deploy(manifest, live_documents(store.db))
    return _check_and_apply(store, manifest, plan, request, policy, result)


def _checked_against_registry(
    store: Store,
    manifest: Manifest,
    request: DeployRequest,
    policy: Policy,
    repo: GitRepository | None,
    result: DeployResult,
) -> DeployResult:
    """A manifest file deployed once it is the registry's at its commit: for the identities
    of the change since the last deploy (whose records alone are then planned and written),
    else whole."""
    commit = manifest.get("source_commit")
    try:
        if repo is None or not isinstance(commit, str) or commit != plain_commit(commit):
            raise FullPath("ce manifeste ne vient pas d'un commit de ce dépôt")
        change, plan = _incremental_plan(store, commit, request, policy, repo, result)
    except FullPath as reason:
        result.full_path = str(reason)
        mismatch = registry_mismatch(repo, dict(manifest), policy)
        if mismatch is not None:
            result.refusals = [f"manifeste refusé : {mismatch}"]
            return result
        plan = plan_deploy(manifest, live_documents(store.db))
        return _check_and_apply(store, manifest, plan, request, policy, result)
    mismatch = delta_mismatch(change, manifest)
    if mismatch is not None:
        result.incremental_base = None
        result.refusals = [f"manifeste refusé : {mismatch}"]
        return result
    return _check_and_apply(store, manifest, plan, request, policy, result)


def _check_and_apply(
    store: Store,
    manifest: Manifest,
    plan: DeployPlan,
    request: DeployRequest,
    policy: Policy,
    result: DeployResult,
) -> DeployResult:
    result.plan = plan
    result.refusals = plan.problems() + sealed_secret_problems(
        plan, policy, request.keys.age_identity
    )
    if result.refusals:
        return result
    if not plan.effective:
        result.status = "up-to-date"
        return result
    breaches = plan.threshold_breaches(change_limits(policy))
    if breaches and not request.allow_large_change:
        result.refusals, result.over_limits = breaches, True
        return result
    result.overrides = breaches
    if not request.apply:
        result.status = "planned"
        return result
    provenance = Provenance(
        commit=manifest.get("source_commit"),
        digest=manifest["digest"],
        actor=request.actor,
        kind=request.kind,
        run_id=request.run_id,
        target=store.place,
        overrides=tuple(breaches),
        release=result.release,
        incremental_base=result.incremental_base,
    )
    minutes, done = policy.deploy_lock_minutes, 0
    result.mode = store.mode

    def after_each(_: object) -> None:
        nonlocal done
        renew_lock(store.db, request.deployment, request.run_id, datetime.now(UTC), minutes)
        done += 1
        if request.progress is not None:
            request.progress(done, len(plan.effective))

    try:
        report = apply_plan(store, plan, provenance, request.keys, after_each=after_each)
    except DeployFailed as error:
        result.status, result.error = "failed", str(error)
        return result
    finally:
        store.save()
    result.status = "applied"
    result.applied, result.sealed_files = report.applied, report.sealed_files
    return result


# -- drift ----------------------------------------------------------------------------------


@dataclass
class DriftReport:
    """What drift found. `status`: in-sync, not-deployed (the registry has commits not yet
    deployed, the database matches the last one), drift (changed outside git)."""

    deployment: str
    status: str
    last_deployed: str | None
    plan: DeployPlan  # what a deploy of the registry would do
    outside_git: DeployPlan | None  # the changes made outside git, when they can be told
    foreign: list[tuple[str, str, str]]
    explained: bool  # whether the last deployed commit could be compared


def drift(
    store: Store, manifest: Manifest, policy: Policy, repo: GitRepository | None
) -> DriftReport:
    """Compare the live collections with the registry, and tell a commit not yet deployed
    from a change made outside git (the registry as it was at the last deployed commit)."""
    deployment = manifest["deployment"]
    check_marker(store.db, deployment, store.place)
    live = live_documents(store.db)
    last = last_deployed_commit(store.db, deployment)
    plan = plan_deploy(manifest, live)
    foreign = unmanaged_documents(deployment, live)
    report = DriftReport(deployment, "in-sync", last, plan, None, foreign, False)
    if plan.effective:
        deployed: DeployPlan | None = None
        if last is not None and last == manifest.get("source_commit"):
            deployed = plan
        elif last is not None and repo is not None:
            with suppress(FedregError):
                deployed = plan_deploy(deployment_at_commit(repo, last, policy, deployment), live)
        report.explained = deployed is not None
        if deployed is not None and not deployed.effective:
            report.status = "not-deployed"
        else:
            report.status, report.outside_git = "drift", deployed or plan
    if foreign:
        report.status = "drift"
    return report


# -- marking a database, adopting imported documents --------------------------------------


def mark(store: Store, deployment: str, actor: str, run_id: str) -> None:
    """Write the marker that makes this database `deployment`'s, and audit it."""
    now = datetime.now(UTC)
    write_marker(store.db, deployment, actor, now)
    record(
        store.db,
        None,
        Provenance(None, "", actor, kind="init", run_id=run_id, target=store.place),
        "applied",
        [],
        now,
        deployment=deployment,
    )


def is_marked(store: Store) -> bool:
    return read_marker(store.db) is not None


def collection_sizes(store: Store) -> dict[str, int]:
    return {name: store.db[name].count_documents({}) for name, _ in COLLECTIONS}


@dataclass
class Adoption:
    """The live documents the registry names but does not manage yet (collection -> keys),
    and the ones it may never manage (resource servers)."""

    wanted: dict[str, list[str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [f"{c} {k}" for c, keys in self.wanted.items() for k in keys]


def plan_adoption(store: Store, manifest: Manifest, deployment: str) -> Adoption:
    check_marker(store.db, deployment, store.place)
    live = live_documents(store.db)
    adoption = Adoption()
    for collection, key_field in COLLECTIONS:
        named = {doc[key_field] for doc in manifest_documents(manifest, collection)}
        for doc in live[collection]:
            if doc.get(key_field) not in named or is_managed(doc, deployment):
                continue
            if collection == "client" and is_resource_server(doc):
                adoption.refused.append(
                    f"{collection} {doc[key_field]} est un serveur de ressources"
                )
            else:
                adoption.wanted.setdefault(collection, []).append(doc[key_field])
    return adoption


def apply_adoption(
    store: Store,
    manifest: Manifest,
    deployment: str,
    adoption: Adoption,
    actor: str,
    run_id: str,
) -> list[str]:
    provenance = Provenance(
        manifest.get("source_commit"),
        manifest["digest"],
        actor,
        kind="adopt",
        run_id=run_id,
        target=store.place,
    )
    adopted = adopt(store.db, deployment, adoption.wanted, provenance)
    record(store.db, None, provenance, "applied", adopted, datetime.now(UTC), deployment=deployment)
    store.save()
    return adopted


# -- secret rotation ------------------------------------------------------------------------


@dataclass(frozen=True)
class RotationPlan:
    """What `secret rotate` will do, shown before anything is written."""

    deployment: str
    client_id: str
    name: str
    recipients: tuple[str, ...]
    active: bool
    refusals: tuple[str, ...]


def plan_rotation(
    store: Store, manifest: Manifest, client_id: str, allow_inactive: bool
) -> RotationPlan:
    deployment = manifest["deployment"]
    check_marker(store.db, deployment, store.place)
    recipients = tuple(manifest["secret_recipients"].get(client_id, []))
    live = store.db["client"].find_one({"key": client_id, PROVENANCE_FIELD: deployment})
    wanted = {d["key"]: d for d in manifest_documents(manifest, "client")}.get(client_id)
    refusals = []
    if live is None:
        refusals.append(f"aucun FS {client_id} géré par le registre dans {deployment}")
    if not recipients:
        refusals.append(
            f"{client_id} n'a pas de secret_recipients dans le registre : personne ne "
            "recevrait le nouveau secret"
        )
    active = bool(live and live.get("active") is not False) and bool(
        wanted is None or wanted.get("active") is not False
    )
    if live is not None and not active and not allow_inactive:
        refusals.append(
            f"le FS {client_id} est désactivé : un nouveau secret ne servirait à rien tant "
            "qu'il l'est (relancez avec --include-inactive si c'est voulu)"
        )
    name = str((wanted or live or {}).get("name", client_id))
    return RotationPlan(deployment, client_id, name, recipients, active, tuple(refusals))


def rotate(
    store: Store,
    manifest: Manifest,
    rotation: RotationPlan,
    keys: SecretKeys,
    actor: str,
    run_id: str,
    lock_minutes: int,
    publish: Callable[[list[Path]], str] | None,
) -> tuple[Path, str]:
    """Seal a new secret to the recipients, record it for delivery, hand it over (`publish`,
    when given) and only then replace the live secret; audit it. Returns the sealed file and
    where it was delivered ("" when it waits for `secret pending --publish`)."""
    deployment = rotation.deployment
    provenance = Provenance(
        commit=manifest.get("source_commit"),
        digest=manifest["digest"],
        actor=actor,
        kind="secret-rotation",
        run_id=run_id,
        target=store.place,
    )
    acquire_lock(store.db, deployment, run_id, actor, datetime.now(UTC), lock_minutes)
    delivered = ""
    try:

        def deliver(sealed_file: Path) -> None:
            nonlocal delivered
            if publish is not None:
                delivered = publish([sealed_file])

        sealed = rotate_secret(
            store.db,
            deployment,
            rotation.client_id,
            list(rotation.recipients),
            provenance,
            keys,
            before_replacing=deliver,
        )
        if delivered:
            mark_delivered(
                store.db,
                [
                    secret.record_id
                    for secret in pending_secrets(store.db, deployment)
                    if secret.client_id == rotation.client_id
                ],
                delivered,
                datetime.now(UTC),
            )
        record(
            store.db,
            None,
            provenance,
            "applied",
            [f"secret client {rotation.client_id}"],
            datetime.now(UTC),
            deployment=deployment,
            details={"rotated": rotation.client_id, "recipients": len(rotation.recipients)},
        )
    finally:
        release_lock(store.db, deployment, run_id)
        store.save()
    return sealed, delivered


# -- delivery of sealed secrets -------------------------------------------------------------


def write_pending(store: Store, deployment: str, folder: Path) -> list[tuple[Any, Path]]:
    """Every sealed secret not yet delivered, written to `folder`: (record, file)."""
    written = []
    for secret in pending_secrets(store.db, deployment):
        path = folder / f"{secret.client_id}.age"
        write_atomic_bytes(path, secret.sealed)
        written.append((secret, path))
    store.save()
    return written


def deliver_pending(
    store: Store, deployment: str, folder: Path, publish: Callable[[list[Path]], str]
) -> tuple[str, int]:
    """Hand every sealed secret not yet delivered to `publish` (which returns where they
    went), then mark them delivered: (where, how many). Nothing pending: ("", 0)."""
    written = write_pending(store, deployment, folder)
    if not written:
        return "", 0
    where = publish([path for _, path in written])
    mark_delivered(store.db, [secret.record_id for secret, _ in written], where, datetime.now(UTC))
    store.save()
    return where, len(written)


# -- what the radar reads -------------------------------------------------------------------


def secret_dates(store: Store, deployment: str) -> dict[str, datetime]:
    """When each managed client's current secret was issued, by client_id (the deployment's
    marker checked first): what the radar reads for secret ages. Never the secret itself."""
    check_marker(store.db, deployment, store.place)
    return issued_dates(store.db, deployment)
