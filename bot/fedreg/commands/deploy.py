"""`fedreg deploy` (and `--init`, `--adopt`), `rollback`, `drift`, `history`, `secret rotate`,
`secret pending`, `bot deploy` and `changed-deployments`: options, confirmation, printing.
The sequences themselves are in `deploy/sequence.py`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..adapters.git import GitRepository
from ..deploy.mongostore import AUDIT_COLLECTION, SecretKeys, history
from ..deploy.orchestration import (
    actor,
    changed_deployments,
    commit_to_ship,
    deployment_at_commit,
    deployment_manifest,
    discover_repository,
    load_manifest,
    registry_mismatch,
    render_deploy_plan,
    run_id,
)
from ..deploy.plan import DeployPlan
from ..deploy.redaction import redact_text
from ..deploy.secrets import AGE_IDENTITY_VARIABLE, CIPHER_KEY_VARIABLE, cipher_key
from ..deploy.sequence import (
    DeployRequest,
    DeployResult,
    RotationPlan,
    apply_adoption,
    collection_sizes,
    deliver_pending,
    deploy,
    deploy_commit,
    drift,
    is_marked,
    manifest_refusals,
    mark,
    plan_adoption,
    plan_rotation,
    rotate,
    write_pending,
)
from ..deploy.state import check_marker
from ..deploy.store import FILE_SCHEME, MODE_TEXT, Store, check_target, open_store
from ..errors import FedregError
from ..manifests.build import Manifest
from ..manifests.release import UNSIGNED, ReleaseRefused
from ..manifests.verify import manifest_problems
from ..registry.models import deployment_parts
from ..registry.policy import Policy
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail, source_commit
from .deployjson import deploy_json, drift_json, history_json
from .progress import TerminalProgress

if TYPE_CHECKING:  # PyGithub takes a second to import: only `bot deploy` and delivery need it
    from ..adapters.github import GitHubClient

EXIT_DRIFT = 4  # drift: like terraform plan -detailed-exitcode, a code of its own
STATUS_TEXT = {"applied": "appliqué", "failed": "échoué"}
KIND_TEXT = {
    "deploy": "déploiement",
    "rollback": "retour-arrière",
    "init": "initialisation",
    "adopt": "adoption",
    "break-lock": "verrou-forcé",
    "secret-rotation": "rotation-secret",
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
    output_format: str = "text"
    progress: bool = False  # a progress line on stderr (a terminal, text output)


def _secret_keys(secrets_out: Path) -> SecretKeys:
    key = cipher_key() if os.environ.get(CIPHER_KEY_VARIABLE) else None
    return SecretKeys(
        cipher_key=key, age_identity=os.environ.get(AGE_IDENTITY_VARIABLE), sealed_out=secrets_out
    )


@contextmanager
def open_target(target: str, read_only: bool = False) -> Iterator[Store]:
    """The target's store (`read_only`: a dry run's, never saved); whatever error escapes
    names it as host:port only."""
    check_target(target)
    try:
        with open_store(target, read_only) as store:
            yield store
    except FedregError as error:
        if target.startswith(FILE_SCHEME):
            raise  # a path, no credential: said as it is
        cleaned = redact_text(str(error), target)
        if cleaned == str(error):
            raise
        replacement = FedregError(cleaned)
        replacement.exit_code = error.exit_code
        raise replacement from None


def _summary(plan: DeployPlan) -> str:
    return ", ".join(
        f"{count} {SUMMARY_TEXT[action]}" for action, count in plan.summary.items() if count
    )


def _outcome_summary(result: DeployResult) -> str:
    """One line for the GitHub Deployment's status."""
    if result.status == "refused":
        return f"refusé : {result.refusals[0] if result.refusals else 'manifeste invalide'}"
    if result.status == "up-to-date":
        return "déjà à jour"
    assert result.plan is not None
    if result.status == "failed":
        return f"échec : {result.error}"
    prefix = "simulation : " if result.status == "planned" else ""
    return prefix + _summary(result.plan)


def _path_text(result: DeployResult) -> str:
    if result.incremental_base is not None:
        return (
            f"Déploiement incrémental : {result.changed_files} fichier(s) changé(s) depuis le "
            f"dernier commit déployé ({result.incremental_base[:12]}) ; seuls leurs "
            "enregistrements sont comparés."
        )
    if result.full_path:
        return f"Déploiement complet : {result.full_path}."
    return "Déploiement complet."


def _print_result(result: DeployResult, output_format: str) -> int:
    """Print what the deploy did, in text or JSON; its exit code."""
    exit_code = EXIT_OK if result.status in ("up-to-date", "planned", "applied") else EXIT_FAILED
    if output_format == "json":
        print(json.dumps(deploy_json(result), ensure_ascii=False, indent=2))
        if result.error:
            print(f"fedreg : {result.error}", file=sys.stderr)
        return exit_code
    if result.lock_taken_over is not None:
        held = result.lock_taken_over.describe()
        if result.lock_broken:
            print(f"Verrou forcé (--break-lock) : il était tenu par {held}.")
        else:
            print(f"Verrou expiré repris : il était tenu par {held}.")
    if result.plan is not None:
        print(f"Manifeste : {result.release}.")
        print(_path_text(result))
        sys.stdout.write(render_deploy_plan(result.plan))
    for refusal in result.refusals:
        print(f"fedreg : {refusal}", file=sys.stderr)
    if result.status == "refused":
        if result.over_limits:
            print(
                "fedreg : relancez avec --allow-large-change si c'est voulu (ce sera tracé).",
                file=sys.stderr,
            )
        return exit_code
    if result.status == "up-to-date":
        print("Rien à faire : le déploiement est déjà à jour.")
        return exit_code
    for breach in result.overrides:
        print(f"Limite dépassée, autorisée par --allow-large-change (tracé) : {breach}.")
    if result.status == "planned":
        print("Simulation : rien n'est écrit. Relancez avec --yes pour appliquer.")
        return exit_code
    print(f"Mode : {MODE_TEXT[result.mode]}.")
    if result.status == "failed":
        print(f"fedreg : {result.error}", file=sys.stderr)
        return exit_code
    print(f"Appliqué : {len(result.applied)} écriture(s), enregistré dans {AUDIT_COLLECTION}.")
    for sealed in result.sealed_files:
        print(f"Secret chiffré pour ses destinataires : {sealed}")
    return exit_code


def _request(
    options: DeployOptions, kind: str = "deploy", manifest_file: Path | None = None
) -> DeployRequest:
    progress = (
        TerminalProgress(sys.stderr, min_files=1, label="Écriture", unit="écritures", delay=2.0)
        if options.progress
        else None
    )
    return DeployRequest(
        deployment=options.deployment,
        kind=kind,
        apply=options.yes and not options.dry_run,
        allow_large_change=options.allow_large_change,
        break_lock=options.break_lock,
        keys=_secret_keys(options.secrets_out),
        actor=actor(),
        run_id=run_id(),
        progress=progress,
        manifest_file=manifest_file,
        registry_check=manifest_file is not None and kind == "deploy",
    )


def _deploy(
    manifest: Manifest,
    options: DeployOptions,
    policy: Policy,
    kind: str = "deploy",
    manifest_file: Path | None = None,
) -> DeployResult:
    """The deploy sequence; its first step verifies the release of `manifest_file` (None:
    rendered here, deployable only where the policy lists no signing key)."""
    request = _request(options, kind, manifest_file)
    with open_target(options.target, read_only=not request.apply) as store:
        try:
            return deploy(store, manifest, request, policy, discover_repository())
        finally:
            if isinstance(request.progress, TerminalProgress):
                request.progress.close()


def _deploy_commit(
    repo: GitRepository, commit: str, options: DeployOptions, policy: Policy
) -> DeployResult:
    """The deploy sequence for a commit: the change since the last deploy, or the whole
    deployment rendered when it must (`deploy_commit`)."""
    request = _request(options)
    with open_target(options.target, read_only=not request.apply) as store:
        try:
            return deploy_commit(
                store,
                commit,
                lambda: deployment_at_commit(repo, commit, policy, request.deployment),
                request,
                policy,
                repo,
            )
        finally:
            if isinstance(request.progress, TerminalProgress):
                request.progress.close()


def _github() -> GitHubClient:
    """The GitHub client, PyGithub imported here: the other commands do without it."""
    from ..adapters.github import GitHubClient

    return GitHubClient.from_environment()


def _deployment_recorder(client: GitHubClient) -> GitHubClient:
    """Who records the deployment on GitHub: the fedreg App (`FEDREG_DEPLOYMENT_TOKEN`, its
    token in deploy.yml), whose records alone the partner space believes; else `client`."""
    from ..adapters.github import GitHubClient

    token = os.environ.get("FEDREG_DEPLOYMENT_TOKEN")
    if not token:
        return client
    api_url = os.environ.get("GITHUB_API_URL", "https://api.github.com")
    return GitHubClient(token, api_url, client.repository)


def _publisher(client: GitHubClient, deployment: str, label: str) -> Any:
    def publish(files: list[Path]) -> str:
        now = datetime.now(UTC)
        return client.attach_files(
            f"secrets-{deployment}-{label}-{now:%Y%m%d%H%M%S}",
            f"Secrets chiffrés (age) — {deployment} @ {label}",
            files,
        )

    return publish


def _deliver_pending(client: GitHubClient, options: DeployOptions, label: str) -> tuple[str, int]:
    with open_target(options.target) as store:
        check_marker(store.db, options.deployment, store.place)
        return deliver_pending(
            store,
            options.deployment,
            options.secrets_out,
            _publisher(client, options.deployment, label),
        )


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
    client = _github()
    run_url = (
        "{}/{}/actions/runs/{}".format(
            os.environ.get("GITHUB_SERVER_URL", "https://github.com"),
            client.repository,
            os.environ.get("GITHUB_RUN_ID", ""),
        )
        if os.environ.get("GITHUB_RUN_ID")
        else ""
    )
    recorder = _deployment_recorder(client)
    deployment = recorder.deployment_for(sha, options.deployment, new=recorder is not client)
    recorder.deployment_status(deployment, "in_progress", "fedreg déploie", log_url=run_url)
    try:
        if manifest_file is not None:
            manifest = _given_manifest(
                manifest_file, options.deployment, policy, checked_by_deploy=True
            )
        else:
            manifest = deployment_manifest(policy, options.deployment, os.environ.get("GITHUB_SHA"))
        result = _deploy(manifest, options, policy, manifest_file=manifest_file)
    except FedregError as error:
        message = redact_text(str(error), options.target)
        with suppress(FedregError):  # a run that failed midway may have stored secrets
            _deliver_pending(client, options, sha[:12])
        recorder.deployment_status(
            deployment, "failure", _github_text(f"échec : {message}", ""), log_url=run_url
        )
        raise
    exit_code = _print_result(result, options.output_format)
    attachments, delivered = _deliver_pending(client, options, sha[:12])
    if delivered:
        print(f"{delivered} secret(s) chiffré(s) remis : {attachments}")
    recorder.deployment_status(
        deployment,
        "success" if exit_code == EXIT_OK else "failure",
        _github_text(_outcome_summary(result), options.target),
        log_url=run_url,
        environment_url=attachments,
    )
    return exit_code


def run_changed_deployments(*, base: str, head: str | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    print(json.dumps(changed_deployments(repo, base, head, policy)))
    return EXIT_OK


def _given_manifest(
    manifest_file: Path, deployment: str, policy: Policy, *, checked_by_deploy: bool = False
) -> Manifest:
    """A manifest from a file, refused unless it is what the registry renders at its commit
    (checked before anything else reads it; or, `checked_by_deploy`, by the deploy sequence
    once it knows the target's last deploy: DeployRequest.registry_check)."""
    manifest = load_manifest(manifest_file, deployment)
    problems = manifest_problems(manifest, deployment)
    if not problems and not checked_by_deploy:
        mismatch = registry_mismatch(discover_repository(), manifest, policy)
        problems = [mismatch] if mismatch else []
    if problems:
        for problem in problems:
            print(f"fedreg : manifeste refusé : {problem}", file=sys.stderr)
        raise FedregError(f"{manifest_file} refusé : rien n'est écrit")
    return cast(Manifest, manifest)  # manifest_problems checked its shape and digest


def _manifest(manifest_file: Path | None, deployment: str, policy: Policy) -> Manifest:
    if manifest_file is not None:
        return _given_manifest(manifest_file, deployment, policy)
    return deployment_manifest(policy, deployment)


def run_deploy(options: DeployOptions, *, manifest_file: Path | None, policy_file: Path) -> int:
    check_target(options.target)
    policy = policy_or_fail(policy_file)
    environment, _ = deployment_parts(options.deployment)
    shipped = None if manifest_file else commit_to_ship(None, "refuse", environment)
    if shipped is not None:
        return _print_result(_deploy_commit(*shipped, options, policy), options.output_format)
    if manifest_file is None:
        manifest = deployment_manifest(policy, options.deployment)
    else:
        manifest = _given_manifest(
            manifest_file, options.deployment, policy, checked_by_deploy=True
        )
    result = _deploy(manifest, options, policy, manifest_file=manifest_file)
    return _print_result(result, options.output_format)


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
    check_target(options.target)
    policy = policy_or_fail(policy_file)
    with open_target(options.target) as store:
        who, holder = actor(), run_id()
        if init and not is_marked(store):
            counts = collection_sizes(store)
            print(
                f"La base {store.place} sera marquée comme celle de {options.deployment} "
                f"(elle contient {counts['client']} document(s) client et "
                f"{counts['provider']} provider)."
            )
            if not _confirmed(options, "Marquer cette base ?"):
                print("Simulation : rien n'est écrit. Relancez avec --yes pour marquer la base.")
                return EXIT_OK
            mark(store, options.deployment, who, holder)
            print(f"Base marquée : {store.place} est désormais celle de {options.deployment}.")
        elif init:
            check_marker(store.db, options.deployment, store.place)
            print(f"La base {store.place} est déjà marquée comme celle de {options.deployment}.")
        if not adopt_documents:
            return EXIT_OK
        check_marker(store.db, options.deployment, store.place)
        manifest = _manifest(manifest_file, options.deployment, policy)
        return _adopt(store, manifest, options, who, holder)


def _adopt(store: Store, manifest: Manifest, options: DeployOptions, who: str, holder: str) -> int:
    refusals, _ = manifest_refusals(manifest, options.deployment)
    for refusal in refusals:
        print(f"fedreg : {refusal}", file=sys.stderr)
    if refusals:
        return EXIT_FAILED
    adoption = plan_adoption(store, manifest, options.deployment)
    for reason in adoption.refused:
        print(f"fedreg : adoption refusée : {reason}", file=sys.stderr)
    if adoption.refused:
        return EXIT_FAILED
    if not adoption.names:
        print("Rien à adopter : chaque document nommé par le registre est déjà géré.")
        return EXIT_OK
    print(f"Documents que le registre de {options.deployment} gérera désormais :")
    for name in adoption.names:
        print(f"  {name}")
    if not _confirmed(options, "Adopter ces documents ?"):
        print("Simulation : rien n'est écrit. Relancez avec --yes pour les adopter.")
        return EXIT_OK
    adopted = apply_adoption(store, manifest, options.deployment, adoption, who, holder)
    print(f"Adopté(s) : {len(adopted)} document(s). Le prochain déploiement les alignera.")
    return EXIT_OK


def run_rollback(
    options: DeployOptions, *, to: str, policy_file: Path, manifest_file: Path | None = None
) -> int:
    """Redeploy the registry of commit `to`: rendered here, or, where releases are signed,
    the signed manifest of that commit (its release verified first, as for a deploy)."""
    check_target(options.target)
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    if manifest_file is None:
        manifest = deployment_at_commit(repo, to, policy, options.deployment)
    else:
        manifest = _given_manifest(manifest_file, options.deployment, policy)
        if manifest["source_commit"] != repo.resolve(to):
            raise ReleaseRefused(
                "rollback", f"{manifest_file} n'est pas le manifeste du commit {to}"
            )
    if options.output_format == "text":
        print(
            f"Retour arrière de {options.deployment} à la configuration de "
            f"{manifest['source_commit']} (tracé comme retour arrière)."
        )
    result = _deploy(manifest, options, policy, kind="rollback", manifest_file=manifest_file)
    return _print_result(result, options.output_format)


def run_drift(
    *,
    deployment: str,
    target: str,
    manifest_file: Path | None,
    policy_file: Path,
    output_format: str = "text",
) -> int:
    check_target(target)
    policy = policy_or_fail(policy_file)
    manifest = _manifest(manifest_file, deployment, policy)
    with open_target(target) as store:
        report = drift(store, manifest, policy, discover_repository())
    exit_code = EXIT_DRIFT if report.status == "drift" else EXIT_OK
    if output_format == "json":
        print(json.dumps(drift_json(report), ensure_ascii=False, indent=2))
        return exit_code
    last = report.last_deployed[:12] if report.last_deployed else "-"
    if report.status == "not-deployed":
        print(
            f"Pas de dérive hors de git : {deployment} correspond au dernier commit déployé "
            f"({last}) ; le registre a des changements pas encore déployés :"
        )
        sys.stdout.write(render_deploy_plan(report.plan))
    elif report.outside_git is not None and report.explained:
        print(
            f"Dérive : la base de {deployment} a été modifiée hors de git depuis le "
            f"déploiement de {last} :"
        )
        sys.stdout.write(render_deploy_plan(report.outside_git))
    elif report.outside_git is not None:
        print(
            f"Dérive : la base de {deployment} diffère du registre (aucun déploiement connu "
            "pour distinguer un commit pas encore déployé d'une modification hors de git) :"
        )
        sys.stdout.write(render_deploy_plan(report.plan))
    elif not report.plan.effective:
        print(f"Aucune dérive : {deployment} correspond au registre.")
    if report.foreign:
        print("Dérive : documents hors du registre (sans sa provenance, écrits hors de git) :")
        for collection, key, name in report.foreign:
            print(f"  ? {collection} {key} « {name} »")
    return exit_code


def run_history(*, deployment: str, target: str, output_format: str = "text") -> int:
    check_target(target)
    with open_target(target) as store:
        check_marker(store.db, deployment, store.place)
        entries = history(store.db, deployment)
    if output_format == "json":
        print(json.dumps(history_json(deployment, entries), ensure_ascii=False, indent=2))
        return EXIT_OK
    for entry in entries:
        summary = ", ".join(
            f"{v} {SUMMARY_TEXT.get(k, k)}" for k, v in entry.get("summary", {}).items() if v
        )
        kind = entry.get("kind", "deploy")
        notes = []
        if entry.get("rotated"):
            notes.append(f"secret de {entry['rotated']} renouvelé")
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
            f"{KIND_TEXT.get(kind, kind):15s}  "
            f"{(entry['commit'] or '-')[:12]:12s}  {(entry['digest'] or '-')[:12]:12s}  "
            f"{entry['actor']}  {'  '.join([summary, *notes]).strip()}".rstrip()
        )
    return EXIT_OK


@dataclass(frozen=True, kw_only=True)
class RotateOptions:
    client_id: str
    deployment: str
    target: str
    secrets_out: Path
    dry_run: bool = False
    yes: bool = False
    include_inactive: bool = False
    publish: bool = False


def _print_rotation(rotation: RotationPlan, options: RotateOptions) -> None:
    state = "" if rotation.active else " (désactivé)"
    print(
        f"Rotation du secret du FS « {rotation.name} »{state} ({rotation.client_id}) "
        f"dans {rotation.deployment} :"
    )
    print(
        f"  - un nouveau secret est généré, chiffré (age) pour {len(rotation.recipients)} "
        "destinataire(s) du fichier (secret_recipients) :"
    )
    for recipient in rotation.recipients:
        print(f"      {recipient}")
    folder = options.secrets_out
    if options.publish:
        print(
            "  - il est remis (publication GitHub) AVANT de remplacer l'ancien secret, puis "
            "marqué remis"
        )
    else:
        print(
            f"  - il est écrit dans {folder}/{rotation.client_id}.age et enregistré pour remise "
            f"(`fedreg secret pending {rotation.deployment} --target … --publish`)"
        )
    print(
        "  - l'ancien secret cesse de fonctionner dès le remplacement, à la fin de cette "
        "commande : prévenez le partenaire, qui installe le nouveau aussitôt"
    )
    print("  - la rotation est tracée dans l'historique (`fedreg history`).")


def run_rotate(options: RotateOptions, *, policy_file: Path) -> int:
    check_target(options.target)
    policy = policy_or_fail(policy_file)
    manifest = deployment_manifest(policy, options.deployment)
    with open_target(options.target) as store:
        rotation = plan_rotation(store, manifest, options.client_id, options.include_inactive)
        _print_rotation(rotation, options)
        for refusal in rotation.refusals:
            print(f"fedreg : {refusal}", file=sys.stderr)
        if rotation.refusals:
            return EXIT_FAILED
        confirm = DeployOptions(
            deployment=options.deployment,
            target=options.target,
            dry_run=options.dry_run,
            yes=options.yes,
            allow_large_change=False,
            secrets_out=options.secrets_out,
        )
        if not _confirmed(confirm, "Renouveler ce secret ?"):
            print("Simulation : rien n'est écrit. Relancez avec --yes pour renouveler le secret.")
            return EXIT_OK
        publish = _publisher(_github(), options.deployment, "rotation") if options.publish else None
        sealed, delivered = rotate(
            store,
            manifest,
            rotation,
            _secret_keys(options.secrets_out),
            actor(),
            run_id(),
            policy.deploy_lock_minutes,
            publish,
        )
    print(
        f"Nouveau secret de {options.client_id} enregistré ; chiffré pour ses destinataires : "
        f"{sealed}"
    )
    if delivered:
        print(f"Remis avant le remplacement : {delivered}")
    else:
        print(
            f"Il reste à remettre : `fedreg secret pending {options.deployment} --target … "
            "--publish`."
        )
    return EXIT_OK


def run_pending(options: DeployOptions, *, publish: bool) -> int:
    """`fedreg secret pending`: list (and write) every sealed secret not yet delivered;
    `--publish` attaches them to a release and marks them delivered."""
    check_target(options.target)
    if publish:
        url, count = _deliver_pending(_github(), options, "remise")
        print(
            f"{count} secret(s) chiffré(s) remis : {url}" if count else "Aucun secret en attente."
        )
        return EXIT_OK
    with open_target(options.target) as store:
        check_marker(store.db, options.deployment, store.place)
        written = write_pending(store, options.deployment, options.secrets_out)
    if not written:
        print(f"Aucun secret en attente de remise pour {options.deployment}.")
        return EXIT_OK
    print(f"{len(written)} secret(s) chiffré(s) pas encore remis pour {options.deployment} :")
    for secret, path in written:
        print(
            f"  {secret.client_id}  enregistré le {secret.created_at:%Y-%m-%d %H:%M:%S}  → {path}"
        )
    print("Remettez-les avec --publish (publication GitHub), puis ils seront marqués remis.")
    return EXIT_OK
