"""`fedreg deploy` (and `--init`, `--adopt`), `rollback`, `drift`, `history`, `secret rotate`,
`secret pending`, `bot deploy` and `changed-deployments`: the federation's databases."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pymongo.database import Database

from ..adapters.files import write_atomic_bytes
from ..adapters.git import GitRepository
from ..adapters.github import GitHubClient
from ..deploy.mongostore import (
    AUDIT_COLLECTION,
    MODE_TEXT,
    Provenance,
    SecretKeys,
    adopt,
    apply_plan,
    history,
    last_deployed_commit,
    live_documents,
    record,
    rotate_secret,
)
from ..deploy.orchestration import (
    actor,
    changed_deployments,
    connect,
    discover_repository,
    load_manifest,
    manifests_at_commit,
    manifests_from_worktree,
    ordering_problem,
    registry_mismatch,
    render_deploy_plan,
    rollback_problem,
    run_id,
    sealed_secret_problems,
    verified_release,
    where,
)
from ..deploy.plan import (
    COLLECTIONS,
    ChangeLimits,
    DeployPlan,
    is_managed,
    plan_deploy,
    unmanaged_documents,
)
from ..deploy.redaction import redact_text
from ..deploy.secrets import AGE_IDENTITY_VARIABLE, CIPHER_KEY_VARIABLE, cipher_key
from ..deploy.state import (
    acquire_lock,
    check_marker,
    mark_delivered,
    pending_secrets,
    read_marker,
    release_lock,
    renew_lock,
    write_marker,
)
from ..errors import FedregError
from ..manifests.build import Manifest, manifest_documents
from ..manifests.release import UNSIGNED, ReleaseRefused
from ..manifests.verify import manifest_problems
from ..registry.policy import Policy
from ..validation.coreconformance import is_resource_server
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail, source_commit

STATUS_TEXT = {"applied": "appliqué", "failed": "échoué"}
KIND_TEXT = {
    "deploy": "déploiement",
    "rollback": "retour-arrière",
    "init": "initialisation",
    "adopt": "adoption",
    "break-lock": "verrou-forcé",
}
SUMMARY_TEXT = {
    "create": "créé(s)",
    "update": "mis à jour",
    "deactivate": "désactivé(s)",
    "unchanged": "inchangé(s)",
}
GITHUB_DESCRIPTION_LIMIT = 140


@dataclass(frozen=True, kw_only=True)
class DeployOptions:
    deployment: str
    target: str
    dry_run: bool
    yes: bool
    allow_large_change: bool
    secrets_out: Path
    break_lock: bool = False


def _secret_keys(secrets_out: Path) -> SecretKeys:
    key = cipher_key() if os.environ.get(CIPHER_KEY_VARIABLE) else None
    return SecretKeys(
        cipher_key=key, age_identity=os.environ.get(AGE_IDENTITY_VARIABLE), sealed_out=secrets_out
    )


@contextmanager
def _redacted(target: str) -> Iterator[None]:
    """Whatever error escapes names the target as host:port only."""
    try:
        yield
    except FedregError as error:
        cleaned = redact_text(str(error), target)
        if cleaned == str(error):
            raise
        replacement = FedregError(cleaned)
        replacement.exit_code = error.exit_code
        raise replacement from None


def _open(target: str, deployment: str) -> tuple[Database[dict[str, Any]], str]:
    """The deployment's database, once its marker says it is that deployment's."""
    db = connect(target)
    place = where(target, db)
    check_marker(db, deployment, place)
    return db, place


def _limits(policy: Policy) -> ChangeLimits:
    return ChangeLimits(
        max_updates=policy.max_updates_per_deploy,
        max_deactivations=policy.max_deactivations_per_deploy,
        max_share=policy.max_change_share,
        min_records_for_share=policy.min_records_for_change_share,
    )


def _refuse(reasons: list[str], title: str) -> DeployOutcome:
    for reason in reasons:
        print(f"fedreg : {reason}", file=sys.stderr)
    return DeployOutcome(EXIT_FAILED, f"refusé : {title}", [])


def _summary(plan: DeployPlan) -> str:
    return ", ".join(
        f"{count} {SUMMARY_TEXT[action]}" for action, count in plan.summary.items() if count
    )


@dataclass
class DeployOutcome:
    exit_code: int
    summary: str
    sealed_files: list[Path]


def _deploy(
    manifest: Manifest,
    options: DeployOptions,
    policy: Policy,
    kind: str = "deploy",
    release: str = UNSIGNED,
) -> int:
    with _redacted(options.target):
        return _deploy_outcome(manifest, options, policy, kind, release).exit_code


def _deploy_outcome(
    manifest: Manifest,
    options: DeployOptions,
    policy: Policy,
    kind: str = "deploy",
    release: str = UNSIGNED,
) -> DeployOutcome:
    """Check the manifest and the target, plan, and apply under the deployment's lock.
    `release`: what the release check (`_released`, run first) proved."""
    problems = manifest_problems(manifest, options.deployment)
    if problems:
        return _refuse(
            [f"manifeste refusé : {p}" for p in problems],
            f"manifeste invalide ({len(problems)} problème(s))",
        )
    db, place = _open(options.target, options.deployment)
    applying = options.yes and not options.dry_run
    holder, who = run_id(), actor()
    if applying:
        previous = acquire_lock(
            db,
            options.deployment,
            holder,
            who,
            datetime.now(UTC),
            policy.deploy_lock_minutes,
            options.break_lock,
        )
        if previous is not None:
            _report_taken_lock(db, options, previous, holder, who, place)
    try:
        return _plan_and_apply(db, place, manifest, options, policy, kind, holder, who, release)
    finally:
        if applying:
            release_lock(db, options.deployment, holder)


def _report_taken_lock(
    db: Database[dict[str, Any]],
    options: DeployOptions,
    previous: Any,
    holder: str,
    who: str,
    place: str,
) -> None:
    if options.break_lock:
        print(f"Verrou forcé (--break-lock) : il était tenu par {previous.describe()}.")
        record(
            db,
            None,
            Provenance(None, "", who, kind="break-lock", run_id=holder, target=place),
            "applied",
            [],
            datetime.now(UTC),
            deployment=options.deployment,
            details={
                "brokenLock": {
                    "holder": previous.holder,
                    "actor": previous.actor,
                    "since": previous.since,
                    "expires": previous.expires,
                }
            },
        )
    else:
        print(f"Verrou expiré repris : il était tenu par {previous.describe()}.")


def _plan_and_apply(
    db: Database[dict[str, Any]],
    place: str,
    manifest: Manifest,
    options: DeployOptions,
    policy: Policy,
    kind: str,
    holder: str,
    who: str,
    release: str,
) -> DeployOutcome:
    if kind == "deploy":
        last = last_deployed_commit(db, options.deployment)
        problem = ordering_problem(discover_repository(), last, manifest.get("source_commit"))
        if problem is not None:
            return _refuse([problem], "retour en arrière refusé")
    if kind == "rollback":
        furthest = last_deployed_commit(db, options.deployment, kinds=("deploy", None))
        problem = rollback_problem(discover_repository(), furthest, manifest.get("source_commit"))
        if problem is not None:
            return _refuse([problem], "retour arrière refusé")
    plan = plan_deploy(manifest, live_documents(db))
    print(f"Manifeste : {release}.")
    sys.stdout.write(render_deploy_plan(plan))
    problems = plan.problems() + sealed_secret_problems(
        plan, policy, os.environ.get(AGE_IDENTITY_VARIABLE)
    )
    if problems:
        return _refuse(problems, problems[0])
    if not plan.effective:
        print("Rien à faire : le déploiement est déjà à jour.")
        return DeployOutcome(EXIT_OK, "déjà à jour", [])
    breaches = plan.threshold_breaches(_limits(policy))
    if breaches and not options.allow_large_change:
        outcome = _refuse(breaches, breaches[0])
        print(
            "fedreg : relancez avec --allow-large-change si c'est voulu (ce sera tracé).",
            file=sys.stderr,
        )
        return outcome
    for breach in breaches:
        print(f"Limite dépassée, autorisée par --allow-large-change (tracé) : {breach}.")
    summary = _summary(plan)
    if options.dry_run or not options.yes:
        print("Simulation : rien n'est écrit. Relancez avec --yes pour appliquer.")
        return DeployOutcome(EXIT_OK, "simulation : " + summary, [])
    provenance = Provenance(
        commit=manifest.get("source_commit"),
        digest=manifest["digest"],
        actor=who,
        kind=kind,
        run_id=holder,
        target=place,
        overrides=tuple(breaches),
        release=release,
    )
    minutes = policy.deploy_lock_minutes
    report = apply_plan(
        db,
        plan,
        provenance,
        _secret_keys(options.secrets_out),
        after_each=lambda _: renew_lock(db, options.deployment, holder, datetime.now(UTC), minutes),
    )
    print(f"Mode : {MODE_TEXT[report.mode]}.")
    print(f"Appliqué : {len(report.applied)} écriture(s), enregistré dans {AUDIT_COLLECTION}.")
    for sealed in report.sealed_files:
        print(f"Secret chiffré pour ses destinataires : {sealed}")
    return DeployOutcome(EXIT_OK, summary, report.sealed_files)


def _deliver_pending(client: GitHubClient, options: DeployOptions, label: str) -> tuple[str, int]:
    """Attach every sealed secret not yet delivered to a new release, then mark them
    delivered: (the release's URL, how many). Nothing pending: ("", 0)."""
    db, _ = _open(options.target, options.deployment)
    pending = pending_secrets(db, options.deployment)
    if not pending:
        return "", 0
    folder = options.secrets_out
    files = []
    for secret in pending:
        path = folder / f"{secret.client_id}.age"
        write_atomic_bytes(path, secret.sealed)
        files.append(path)
    now = datetime.now(UTC)
    url = client.attach_files(
        f"secrets-{options.deployment}-{label}-{now:%Y%m%d%H%M%S}",
        f"Secrets chiffrés (age) — {options.deployment} @ {label}",
        files,
    )
    mark_delivered(db, [s.record_id for s in pending], url, now)
    return url, len(pending)


def _github_text(text: str, target: str) -> str:
    text = redact_text(text, target)
    if len(text) <= GITHUB_DESCRIPTION_LIMIT:
        return text
    return text[: GITHUB_DESCRIPTION_LIMIT - 1] + "…"


def run_bot_deploy(
    options: DeployOptions, *, policy_file: Path, manifest_file: Path | None = None
) -> int:
    """The deploy job of a push to main: deploy, deliver every sealed secret still pending,
    and report on the GitHub Deployment."""
    policy = policy_or_fail(policy_file)
    sha = os.environ.get("GITHUB_SHA") or source_commit() or ""
    client = GitHubClient.from_environment()
    run_url = (
        "{}/{}/actions/runs/{}".format(
            os.environ.get("GITHUB_SERVER_URL", "https://github.com"),
            client.repository,
            os.environ.get("GITHUB_RUN_ID", ""),
        )
        if os.environ.get("GITHUB_RUN_ID")
        else ""
    )
    deployment = client.deployment_for(sha, options.deployment)
    client.deployment_status(deployment, "in_progress", "fedreg déploie", log_url=run_url)
    with _redacted(options.target):
        try:
            manifest, release = _released(manifest_file, options.deployment, policy, sha)
            outcome = _deploy_outcome(manifest, options, policy, release=release)
        except FedregError as error:
            message = redact_text(str(error), options.target)
            # A run that failed midway may have stored secrets: deliver them now.
            with suppress(FedregError):
                _deliver_pending(client, options, sha[:12])
            client.deployment_status(
                deployment, "failure", _github_text(f"échec : {message}", ""), log_url=run_url
            )
            raise
        attachments, delivered = _deliver_pending(client, options, sha[:12])
    if delivered:
        print(f"{delivered} secret(s) chiffré(s) remis : {attachments}")
    state = "success" if outcome.exit_code == EXIT_OK else "failure"
    client.deployment_status(
        deployment,
        state,
        _github_text(outcome.summary, options.target),
        log_url=run_url,
        environment_url=attachments,
    )
    return outcome.exit_code


def run_changed_deployments(*, base: str, head: str | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    print(json.dumps(changed_deployments(repo, base, head, policy)))
    return EXIT_OK


def _given_manifest(manifest_file: Path, deployment: str, policy: Policy) -> Manifest:
    """A manifest from a file, refused unless it is what the registry renders at its commit
    (checked before anything else reads it)."""
    manifest = load_manifest(manifest_file, deployment)
    problems = manifest_problems(manifest, deployment)
    if not problems:
        mismatch = registry_mismatch(discover_repository(), manifest, policy)
        problems = [mismatch] if mismatch else []
    if problems:
        for problem in problems:
            print(f"fedreg : manifeste refusé : {problem}", file=sys.stderr)
        raise FedregError(f"{manifest_file} refusé : rien n'est écrit")
    return cast(Manifest, manifest)  # manifest_problems checked its shape and digest


def _released(
    manifest_file: Path | None, deployment: str, policy: Policy, commit: str | None
) -> tuple[Manifest, str]:
    """The manifest to deploy and what its release check proved, checked before anything
    else: signed by the environment's key when its policy lists any (manifests/release.py),
    then verified as a manifest; without a file, the registry rendered at `commit`."""
    release, vouched = verified_release(manifest_file, deployment, policy, datetime.now(UTC))
    if manifest_file is None:
        return manifests_from_worktree(policy, commit)[deployment], release
    manifest = _given_manifest(manifest_file, deployment, policy)
    if vouched is not None and (
        manifest["digest"] != vouched.content_digest
        or manifest["source_commit"] != vouched.source_commit
    ):
        raise ReleaseRefused("content", "le manifeste a changé pendant sa vérification")
    return manifest, release


def run_deploy(options: DeployOptions, *, manifest_file: Path | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    manifest, release = _released(manifest_file, options.deployment, policy, source_commit())
    return _deploy(manifest, options, policy, release=release)


def _confirmed(options: DeployOptions, question: str) -> bool:
    """--yes, or the operator types the deployment's name on a terminal."""
    if options.dry_run:
        return False
    if options.yes:
        return True
    if not sys.stdin.isatty():
        return False
    answer = input(f"{question} Tapez « {options.deployment} » pour confirmer : ")
    return answer.strip() == options.deployment


def run_init(
    options: DeployOptions,
    *,
    init: bool,
    adopt_documents: bool,
    manifest_file: Path | None,
    policy_file: Path,
) -> int:
    """`deploy --init`: mark a database as the deployment's, once; `--adopt`: give the
    registry's provenance to the documents the registry names (after `fedreg import`)."""
    policy = policy_or_fail(policy_file)
    with _redacted(options.target):
        db = connect(options.target)
        place = where(options.target, db)
        who, holder = actor(), run_id()
        marker = read_marker(db)
        if init and marker is None:
            counts = {name: db[name].count_documents({}) for name, _ in COLLECTIONS}
            print(
                f"La base {place} sera marquée comme celle de {options.deployment} "
                f"(elle contient {counts['client']} document(s) client et "
                f"{counts['provider']} provider)."
            )
            if not _confirmed(options, "Marquer cette base ?"):
                print("Simulation : rien n'est écrit. Relancez avec --yes pour marquer la base.")
                return EXIT_OK
            now = datetime.now(UTC)
            write_marker(db, options.deployment, who, now)
            record(
                db,
                None,
                Provenance(None, "", who, kind="init", run_id=holder, target=place),
                "applied",
                [],
                now,
                deployment=options.deployment,
            )
            print(f"Base marquée : {place} est désormais celle de {options.deployment}.")
        elif init:
            check_marker(db, options.deployment, place)
            print(f"La base {place} est déjà marquée comme celle de {options.deployment}.")
        if not adopt_documents:
            return EXIT_OK
        check_marker(db, options.deployment, place)
        manifest = (
            _given_manifest(manifest_file, options.deployment, policy)
            if manifest_file is not None
            else manifests_from_worktree(policy, source_commit())[options.deployment]
        )
        return _adopt(db, place, manifest, options, who, holder)


def _adopt(
    db: Database[dict[str, Any]],
    place: str,
    manifest: Manifest,
    options: DeployOptions,
    who: str,
    holder: str,
) -> int:
    problems = manifest_problems(manifest, options.deployment)
    if problems:
        for problem in problems:
            print(f"fedreg : manifeste refusé : {problem}", file=sys.stderr)
        return EXIT_FAILED
    live = live_documents(db)
    wanted: dict[str, list[str]] = {}
    refused = []
    for collection, key_field in COLLECTIONS:
        named = {doc[key_field] for doc in manifest_documents(manifest, collection)}
        for doc in live[collection]:
            if doc.get(key_field) not in named or is_managed(doc, options.deployment):
                continue
            if collection == "client" and is_resource_server(doc):
                refused.append(f"{collection} {doc[key_field]} est un serveur de ressources")
            else:
                wanted.setdefault(collection, []).append(doc[key_field])
    for reason in refused:
        print(f"fedreg : adoption refusée : {reason}", file=sys.stderr)
    if refused:
        return EXIT_FAILED
    names = [f"{c} {k}" for c, keys in wanted.items() for k in keys]
    if not names:
        print("Rien à adopter : chaque document nommé par le registre est déjà géré.")
        return EXIT_OK
    print(f"Documents que le registre de {options.deployment} gérera désormais :")
    for name in names:
        print(f"  {name}")
    if not _confirmed(options, "Adopter ces documents ?"):
        print("Simulation : rien n'est écrit. Relancez avec --yes pour les adopter.")
        return EXIT_OK
    provenance = Provenance(
        manifest.get("source_commit"),
        manifest["digest"],
        who,
        kind="adopt",
        run_id=holder,
        target=place,
    )
    adopted = adopt(db, options.deployment, wanted, provenance)
    record(
        db, None, provenance, "applied", adopted, datetime.now(UTC), deployment=options.deployment
    )
    print(f"Adopté(s) : {len(adopted)} document(s). Le prochain déploiement les alignera.")
    return EXIT_OK


def run_rollback(
    options: DeployOptions, *, to: str, policy_file: Path, manifest_file: Path | None = None
) -> int:
    """Redeploy the registry of commit `to`: rendered here, or, where releases are signed,
    the signed manifest of that commit (rendered and signed again by the render job)."""
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    if manifest_file is None:
        release, _ = verified_release(None, options.deployment, policy, datetime.now(UTC))
        manifest = manifests_at_commit(repo, to, policy)[options.deployment]
    else:
        manifest, release = _released(manifest_file, options.deployment, policy, None)
        if manifest["source_commit"] != repo.resolve(to):
            raise ReleaseRefused(
                "rollback", f"{manifest_file} n'est pas le manifeste du commit {to}"
            )
    print(
        f"Retour arrière de {options.deployment} à la configuration de "
        f"{manifest['source_commit']} (tracé comme retour arrière)."
    )
    return _deploy(manifest, options, policy, kind="rollback", release=release)


def run_drift(
    *, deployment: str, target: str, manifest_file: Path | None, policy_file: Path
) -> int:
    policy = policy_or_fail(policy_file)
    manifest = (
        _given_manifest(manifest_file, deployment, policy)
        if manifest_file is not None
        else manifests_from_worktree(policy, source_commit())[deployment]
    )
    with _redacted(target):
        db, _ = _open(target, deployment)
        live = live_documents(db)
        last = last_deployed_commit(db, deployment)
    plan = plan_deploy(manifest, live)
    foreign = unmanaged_documents(deployment, live)
    exit_code = EXIT_OK
    if not plan.effective:
        print(f"Aucune dérive : {deployment} correspond au registre.")
    else:
        exit_code = _report_drift(deployment, plan, manifest, live, last, policy)
    if foreign:
        print("Dérive : documents hors du registre (sans sa provenance, écrits hors de git) :")
        for collection, key, name in foreign:
            print(f"  ? {collection} {key} « {name} »")
        exit_code = EXIT_FAILED
    return exit_code


def _report_drift(
    deployment: str,
    plan: DeployPlan,
    manifest: Manifest,
    live: dict[str, list[dict[str, Any]]],
    last: str | None,
    policy: Policy,
) -> int:
    """Tell a commit not yet deployed from a change made outside git: compare the database
    with the registry as it was at the last deployed commit."""
    repo = discover_repository()
    deployed: DeployPlan | None = None
    if last is not None and repo is not None and last != manifest.get("source_commit"):
        try:
            deployed = plan_deploy(manifests_at_commit(repo, last, policy)[deployment], live)
        except FedregError:
            deployed = None
    elif last is not None and last == manifest.get("source_commit"):
        deployed = plan
    if deployed is not None and not deployed.effective:
        print(
            f"Pas de dérive hors de git : {deployment} correspond au dernier commit déployé "
            f"({last[:12] if last else '-'}) ; le registre a des changements pas encore "
            "déployés :"
        )
        sys.stdout.write(render_deploy_plan(plan))
        return EXIT_OK
    if deployed is not None:
        print(
            f"Dérive : la base de {deployment} a été modifiée hors de git depuis le déploiement "
            f"de {last[:12] if last else '-'} :"
        )
        sys.stdout.write(render_deploy_plan(deployed))
        return EXIT_FAILED
    print(
        f"Dérive : la base de {deployment} diffère du registre (aucun déploiement connu pour "
        "distinguer un commit pas encore déployé d'une modification hors de git) :"
    )
    sys.stdout.write(render_deploy_plan(plan))
    return EXIT_FAILED


def run_history(*, deployment: str, target: str) -> int:
    with _redacted(target):
        db, _ = _open(target, deployment)
        entries = history(db, deployment)
    for entry in entries:
        summary = ", ".join(
            f"{v} {SUMMARY_TEXT.get(k, k)}" for k, v in entry.get("summary", {}).items() if v
        )
        kind = entry.get("kind", "deploy")
        notes = []
        if entry.get("overrides"):
            notes.append("limites dépassées autorisées (--allow-large-change)")
        if entry.get("brokenLock"):
            notes.append(f"verrou de {entry['brokenLock']['holder']} forcé")
        if entry.get("error"):
            notes.append(f"erreur : {entry['error']}")
        if kind in ("deploy", "rollback"):
            notes.append(f"manifeste {entry.get('release', UNSIGNED)}")
        print(
            f"{entry['at']:%Y-%m-%d %H:%M:%S}  "
            f"{STATUS_TEXT.get(entry['status'], entry['status']):8s}  "
            f"{KIND_TEXT.get(kind, kind):14s}  "
            f"{(entry['commit'] or '-')[:12]:12s}  {(entry['digest'] or '-')[:12]:12s}  "
            f"{entry['actor']}  {'  '.join([summary, *notes]).strip()}".rstrip()
        )
    return EXIT_OK


def run_rotate(
    *, client_id: str, deployment: str, target: str, secrets_out: Path, policy_file: Path
) -> int:
    policy = policy_or_fail(policy_file)
    manifest = manifests_from_worktree(policy, source_commit())[deployment]
    recipients = manifest["secret_recipients"].get(client_id, [])
    with _redacted(target):
        db, place = _open(target, deployment)
        provenance = Provenance(
            commit=manifest["source_commit"],
            digest=manifest["digest"],
            actor=actor(),
            run_id=run_id(),
            target=place,
        )
        # A rotation writes a client document: it waits for no deploy, it fails fast.
        now = datetime.now(UTC)
        acquire_lock(
            db, deployment, provenance.run_id, provenance.actor, now, policy.deploy_lock_minutes
        )
        try:
            sealed = rotate_secret(
                db, deployment, client_id, recipients, provenance, _secret_keys(secrets_out)
            )
        finally:
            release_lock(db, deployment, provenance.run_id)
    print(f"Nouveau secret de {client_id} enregistré ; chiffré pour ses destinataires : {sealed}")
    print(f"Il reste à remettre : `fedreg secret pending {deployment} --target … --publish`.")
    return EXIT_OK


def run_pending(options: DeployOptions, *, publish: bool) -> int:
    """`fedreg secret pending`: list (and write) every sealed secret not yet delivered;
    `--publish` attaches them to a release and marks them delivered."""
    with _redacted(options.target):
        if publish:
            url, count = _deliver_pending(GitHubClient.from_environment(), options, "remise")
            print(
                f"{count} secret(s) chiffré(s) remis : {url}"
                if count
                else "Aucun secret en attente."
            )
            return EXIT_OK
        db, _ = _open(options.target, options.deployment)
        pending = pending_secrets(db, options.deployment)
    if not pending:
        print(f"Aucun secret en attente de remise pour {options.deployment}.")
        return EXIT_OK
    print(f"{len(pending)} secret(s) chiffré(s) pas encore remis pour {options.deployment} :")
    for secret in pending:
        path = options.secrets_out / f"{secret.client_id}.age"
        write_atomic_bytes(path, secret.sealed)
        print(
            f"  {secret.client_id}  enregistré le {secret.created_at:%Y-%m-%d %H:%M:%S}  → {path}"
        )
    print("Remettez-les avec --publish (publication GitHub), puis ils seront marqués remis.")
    return EXIT_OK
