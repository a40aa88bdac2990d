"""The `fedreg` command: parses arguments into an options value, runs one command, exits.

Exit codes: 0 success, 1 the operation found errors or failed, 2 usage error, 3 a bug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson import json_util

from .botresult import BotResult
from .clientsecrets import AGE_IDENTITY_VARIABLE, CIPHER_KEY_VARIABLE, cipher_key
from .deployment import (
    InvalidRegistry,
    actor,
    changed_deployments,
    connect,
    load_manifest,
    manifests_at_commit,
    manifests_from_worktree,
    render_deploy_plan,
)
from .deployplan import plan_deploy
from .diagnostics import count_errors
from .diffing import diff_revisions
from .errors import FedregError, UsageError
from .files import write_all_atomic, write_atomic
from .githubapi import GitHubClient
from .gitrepo import GitError, GitRepository
from .importer import import_documents
from .layout import DEPLOYMENTS, REGISTRY_DIR, classify
from .models import ENVIRONMENTS, NETWORKS
from .mongostore import (
    AUDIT_COLLECTION,
    Provenance,
    SecretKeys,
    apply_plan,
    history,
    live_documents,
    rotate_secret,
)
from .plan import Plan
from .planreport import PLAN_RENDERERS_BY_NAME
from .policy import POLICY_FILE_NAME, Policy
from .prbot import compute_from_event, compute_offline
from .render import build_manifests, serialize
from .report import RENDERERS_BY_NAME, render_text
from .rulesdoc import render_rules_markdown
from .scaffold import KIND_BY_COMMAND, NewProvider, relative_path, render_skeleton
from .schemas import render_schemas
from .validate import build_provider, load_policy, validate_paths

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[Path, ...]
    output_format: str
    strict: bool
    policy_file: Path
    colour: bool


def _use_colour(choice: str) -> bool:
    if choice == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return choice == "always"


def run_validate(options: ValidateOptions) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy, policy_diagnostics = load_policy(options.policy_file)
    result = validate_paths(list(options.paths), policy)
    diagnostics = sorted(policy_diagnostics + result.diagnostics)
    render = RENDERERS_BY_NAME[options.output_format]
    sys.stdout.write(render(diagnostics, len(result.documents), options.colour))
    failing = [d for d in diagnostics if options.strict or d.severity == "error"]
    return EXIT_FAILED if failing else EXIT_OK


def run_new(spec: NewProvider, root: Path) -> int:
    _, _, _, layout_findings = classify(root / relative_path(spec))
    if layout_findings:
        raise UsageError(
            f"nom « {spec.slug} » invalide : minuscules, chiffres et tirets, "
            "2 à 63 caractères, en commençant par une lettre ou un chiffre"
        )
    path = root / relative_path(spec)
    try:
        write_atomic(path, render_skeleton(spec), exclusive=True)
    except FileExistsError as error:
        raise FedregError(f"{path} existe déjà : choisissez un autre nom") from error
    print(f"Créé : {relative_path(spec)} — complétez les valeurs marquées « À REMPLACER ».")
    return EXIT_OK


def run_schema(out: Path, check: bool) -> int:
    stale = []
    for name, content in render_schemas().items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        stale.append(path)
        if not check:
            write_atomic(path, content)
            print(f"Écrit : {path}")
    if check and stale:
        print(
            "Schémas périmés, relancez « fedreg schema » : " + ", ".join(map(str, stale)),
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def run_diff(base: str, head: str | None, output_format: str, policy_file: Path) -> int:
    repo = GitRepository.discover(Path.cwd())
    policy, policy_diagnostics = load_policy(policy_file)
    plan = diff_revisions(repo, base, head, policy)
    if policy_diagnostics:
        plan = Plan(plan.changes, tuple(sorted(policy_diagnostics + list(plan.diagnostics))))
    sys.stdout.write(PLAN_RENDERERS_BY_NAME[output_format](plan))
    return EXIT_FAILED if count_errors(plan.diagnostics) else EXIT_OK


def _source_commit() -> str | None:
    try:
        repo = GitRepository.discover(Path.cwd())
    except GitError:
        return None
    commit = repo.head_commit()
    if commit is not None and repo.is_dirty(REGISTRY_DIR):
        commit += "+modifications"
    return commit


def run_render(out: Path, policy_file: Path) -> int:
    policy, policy_diagnostics = load_policy(policy_file)
    result = validate_paths([Path(REGISTRY_DIR)], policy)
    diagnostics = sorted(policy_diagnostics + result.diagnostics)
    if count_errors(diagnostics):
        sys.stdout.write(render_text(diagnostics, len(result.documents)))
        print("fedreg : registre invalide, aucun manifeste écrit.", file=sys.stderr)
        return EXIT_FAILED
    providers = [(doc.environment, build_provider(doc)) for doc in result.documents]
    manifests = build_manifests(providers, _source_commit())
    write_all_atomic({out / f"{name}.json": serialize(m) for name, m in manifests.items()})
    for name, manifest in manifests.items():
        print(
            f"{out / name}.json : {len(manifest['client'])} FS, "
            f"{len(manifest['provider'])} FI, empreinte {manifest['digest'][:12]}"
        )
    return EXIT_OK


def _default_base(repo: GitRepository) -> str:
    for candidate in ("origin/main", "main"):
        try:
            repo.resolve(candidate)
        except UsageError:
            continue
        return candidate
    raise UsageError("ni origin/main ni main n'existent : précisez --base")


def run_bot_pr(
    event_path: Path | None,
    out: Path,
    dry_run: bool,
    base: str | None,
    author: str | None,
    policy_file: Path,
) -> int:
    policy, policy_diagnostics = load_policy(policy_file)
    if policy_diagnostics:
        sys.stdout.write(render_text(policy_diagnostics, 1))
        raise FedregError("politique invalide : le bot ne décide pas sur une politique cassée")
    if dry_run:
        repo = GitRepository.discover(Path.cwd())
        result = compute_offline(repo, base or _default_base(repo), policy, author)
        sys.stdout.write(result.comment.split("\n", 2)[2])  # without the hidden markers
        for item in result.annotations:
            print(
                f"::{'error' if item['annotation_level'] == 'failure' else 'warning'} "
                f"file={item['path']},line={item['start_line']},col={item['start_column']},"
                f"title={item['title']}::{item['message']}"
            )
        return EXIT_OK if result.passed else EXIT_FAILED
    if event_path is None:
        raise UsageError("--event est obligatoire (ou --dry-run)")
    try:
        event = json.loads(event_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"événement illisible : {event_path} ({error})") from error
    result = compute_from_event(event, GitHubClient.from_environment(), policy)
    write_atomic(out, result.to_json())
    print(f"Verdict : {result.title} — écrit dans {out}")
    return EXIT_OK


def run_bot_publish(result_path: Path) -> int:
    try:
        result = BotResult.read(result_path)
    except (OSError, ValueError, TypeError) as error:
        raise UsageError(f"résultat illisible : {result_path} ({error})") from error
    GitHubClient.from_environment().publish(result)
    print(f"Publié sur la demande n° {result.pull_number} : {result.title}")
    return EXIT_OK


@dataclass(frozen=True)
class DeployOptions:
    deployment: str
    target: str
    dry_run: bool
    yes: bool
    allow_large_change: bool
    secrets_out: Path


def _secret_keys(secrets_out: Path) -> SecretKeys:
    key = cipher_key() if os.environ.get(CIPHER_KEY_VARIABLE) else None
    return SecretKeys(
        cipher_key=key, age_identity=os.environ.get(AGE_IDENTITY_VARIABLE), sealed_out=secrets_out
    )


@dataclass
class DeployOutcome:
    exit_code: int
    summary: str
    sealed_files: list[Path]


def _deploy(manifest: dict[str, Any], options: DeployOptions, policy: Policy) -> int:
    return _deploy_outcome(manifest, options, policy).exit_code


def _deploy_outcome(
    manifest: dict[str, Any], options: DeployOptions, policy: Policy
) -> DeployOutcome:
    db = connect(options.target)
    plan = plan_deploy(manifest, live_documents(db))
    sys.stdout.write(render_deploy_plan(plan))
    words = {
        "create": "créé(s)",
        "update": "mis à jour",
        "deactivate": "désactivé(s)",
        "unchanged": "inchangé(s)",
    }
    summary = ", ".join(
        f"{count} {words[action]}" for action, count in plan.summary.items() if count
    )
    problems = plan.problems()
    if problems:
        for problem in problems:
            print(f"fedreg : {problem}", file=sys.stderr)
        return DeployOutcome(EXIT_FAILED, "refusé : " + problems[0], [])
    if not plan.effective:
        print("Rien à faire : le déploiement est déjà à jour.")
        return DeployOutcome(EXIT_OK, "déjà à jour", [])
    share = plan.large_change_share(policy.max_change_share)
    if share is not None and not options.allow_large_change:
        message = (
            f"refusé : ce plan modifie ou désactive {share:.0%} des enregistrements "
            f"de {plan.deployment} (limite : {policy.max_change_share:.0%})"
        )
        print(
            f"fedreg : {message}. Relancez avec --allow-large-change si c'est voulu.",
            file=sys.stderr,
        )
        return DeployOutcome(EXIT_FAILED, message, [])
    if options.dry_run or not options.yes:
        print("Simulation : rien n'est écrit. Relancez avec --yes pour appliquer.")
        return DeployOutcome(EXIT_OK, "simulation : " + summary, [])
    provenance = Provenance(
        commit=manifest.get("source_commit"), digest=manifest["digest"], actor=actor()
    )
    report = apply_plan(db, plan, provenance, _secret_keys(options.secrets_out))
    print(f"Appliqué : {len(report.applied)} écriture(s), enregistré dans {AUDIT_COLLECTION}.")
    for sealed in report.sealed_files:
        print(f"Secret chiffré pour ses destinataires : {sealed}")
    return DeployOutcome(EXIT_OK, summary, report.sealed_files)


def run_bot_deploy(options: DeployOptions, policy_file: Path) -> int:
    """The deploy job of a push to main: deploy, and report on the GitHub Deployment."""
    policy = _policy_or_fail(policy_file)
    sha = os.environ.get("GITHUB_SHA") or _source_commit() or ""
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
    try:
        manifest = manifests_from_worktree(policy, sha)[options.deployment]
        outcome = _deploy_outcome(manifest, options, policy)
    except FedregError as error:
        client.deployment_status(deployment, "failure", f"échec : {error}", log_url=run_url)
        raise
    attachments = ""
    if outcome.sealed_files:
        attachments = client.attach_files(
            f"secrets-{options.deployment}-{sha[:12]}",
            f"Secrets chiffrés (age) — {options.deployment} @ {sha[:12]}",
            outcome.sealed_files,
        )
    state = "success" if outcome.exit_code == EXIT_OK else "failure"
    client.deployment_status(
        deployment, state, outcome.summary, log_url=run_url, environment_url=attachments
    )
    return outcome.exit_code


def run_changed_deployments(base: str, head: str | None, policy_file: Path) -> int:
    policy = _policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    print(json.dumps(changed_deployments(repo, base, head, policy)))
    return EXIT_OK


def run_deploy(options: DeployOptions, manifest_file: Path | None, policy_file: Path) -> int:
    policy = _policy_or_fail(policy_file)
    if manifest_file is not None:
        manifest = load_manifest(manifest_file, options.deployment)
    else:
        manifest = manifests_from_worktree(policy, _source_commit())[options.deployment]
    return _deploy(manifest, options, policy)


def run_rollback(options: DeployOptions, to: str, policy_file: Path) -> int:
    policy = _policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    manifest = manifests_at_commit(repo, to, policy)[options.deployment]
    print(f"Retour de {options.deployment} à la configuration de {manifest['source_commit']}.")
    return _deploy(manifest, options, policy)


def run_drift(deployment: str, target: str, manifest_file: Path | None, policy_file: Path) -> int:
    policy = _policy_or_fail(policy_file)
    manifest = (
        load_manifest(manifest_file, deployment)
        if manifest_file is not None
        else manifests_from_worktree(policy, _source_commit())[deployment]
    )
    plan = plan_deploy(manifest, live_documents(connect(target)))
    if not plan.effective:
        print(f"Aucune dérive : {deployment} correspond au registre.")
        return EXIT_OK
    print(f"Dérive : la base de {deployment} diffère du registre (modifiée hors de git).")
    sys.stdout.write(render_deploy_plan(plan))
    return EXIT_FAILED


def run_history(deployment: str, target: str) -> int:
    for entry in history(connect(target), deployment):
        summary = ", ".join(f"{k} {v}" for k, v in entry["summary"].items() if v)
        print(
            f"{entry['at']:%Y-%m-%d %H:%M:%S}  {entry['status']:8s}  "
            f"{(entry['commit'] or '-')[:12]:12s}  {entry['digest'][:12]}  "
            f"{entry['actor']}  {summary}"
        )
    return EXIT_OK


def run_rotate(
    client_id: str, deployment: str, target: str, secrets_out: Path, policy_file: Path
) -> int:
    policy = _policy_or_fail(policy_file)
    manifest = manifests_from_worktree(policy, _source_commit())[deployment]
    recipients = manifest["secret_recipients"].get(client_id, [])
    provenance = Provenance(
        commit=manifest["source_commit"], digest=manifest["digest"], actor=actor()
    )
    sealed = rotate_secret(
        connect(target), client_id, recipients, provenance, _secret_keys(secrets_out)
    )
    print(f"Nouveau secret de {client_id} enregistré ; chiffré pour ses destinataires : {sealed}")
    return EXIT_OK


def run_import(
    source: str | None,
    export: Path | None,
    environment: str,
    network: str,
    owners: list[str],
    policy_file: Path,
) -> int:
    if (source is None) == (export is None):
        raise UsageError("indiquez soit --from mongodb://…, soit --from-json EXPORT")
    if export is not None:
        try:
            documents = json_util.loads(export.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UsageError(f"export illisible : {export} ({error})") from error
        if not isinstance(documents, list):
            raise UsageError("l'export doit être un tableau JSON (mongoexport --jsonArray)")
        clients = [d for d in documents if "key" in d]
        providers = [d for d in documents if "uid" in d and "key" not in d]
        label = export.name
    else:
        assert source is not None
        live = live_documents(connect(source))
        clients, providers, label = live["client"], live["provider"], "la base"
    root = Path.cwd()
    taken = (
        {p.relative_to(root).as_posix() for p in (root / REGISTRY_DIR).rglob("*") if p.is_file()}
        if (root / REGISTRY_DIR).exists()
        else set()
    )
    files, skipped = import_documents(
        clients, providers, environment, network, owners, label, taken
    )
    write_all_atomic({root / f.path: f.text for f in files})
    for imported in files:
        print(f"Importé : {imported.path} ({len(imported.notes)} champ(s) non repris)")
    for reason in skipped:
        print(f"Ignoré : {reason}")
    policy = _policy_or_fail(policy_file)
    result = validate_paths([root / f.path for f in files], policy)
    sys.stdout.write(render_text(result.diagnostics, len(files)))
    return EXIT_FAILED if result.error_count else EXIT_OK


def _policy_or_fail(policy_file: Path) -> Policy:
    policy, diagnostics = load_policy(policy_file)
    if diagnostics:
        sys.stdout.write(render_text(diagnostics, 1))
        raise FedregError("politique invalide")
    return policy


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fedreg", description="Registre de configuration de la fédération ProConnect."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="vérifier les fichiers du registre")
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"fichiers ou dossiers (par défaut : {REGISTRY_DIR}/)",
    )
    validate.add_argument("--format", choices=sorted(RENDERERS_BY_NAME), default="text")
    validate.add_argument(
        "--strict", action="store_true", help="les avertissements font aussi échouer"
    )
    validate.add_argument(
        "--policy",
        type=Path,
        default=Path(POLICY_FILE_NAME),
        help=f"fichier de politique (par défaut : {POLICY_FILE_NAME})",
    )
    validate.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    new = commands.add_parser("new", help="créer le squelette d'un nouveau fournisseur")
    new.add_argument("kind", choices=sorted(KIND_BY_COMMAND))
    new.add_argument("slug", metavar="SLUG")
    new.add_argument("--env", required=True, choices=ENVIRONMENTS)
    new.add_argument("--network", required=True, choices=NETWORKS)
    new.add_argument("--name", help="nom affiché (par défaut : tiré du SLUG)")
    new.add_argument(
        "--owner", action="append", default=[], help="@compte ou @org/équipe GitHub (répétable)"
    )
    new.add_argument(
        "--contact", action="append", default=[], help="adresse e-mail de l'équipe (répétable)"
    )
    new.add_argument("--root", type=Path, default=Path("."), help="racine du dépôt")

    schema = commands.add_parser("schema", help="écrire les schémas JSON publiés")
    schema.add_argument("--out", type=Path, default=Path("schemas"))
    schema.add_argument(
        "--check",
        action="store_true",
        help="échouer si les schémas écrits sont périmés, sans écrire",
    )

    commands.add_parser("rules", help="afficher la référence des règles (Markdown)")

    diff = commands.add_parser("diff", help="plan de changement entre deux révisions git")
    diff.add_argument("--base", required=True, help="révision de départ (ex. origin/main)")
    diff.add_argument("--head", help="révision d'arrivée (par défaut : l'arbre de travail)")
    diff.add_argument("--format", choices=sorted(PLAN_RENDERERS_BY_NAME), default="text")
    diff.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))

    render = commands.add_parser("render", help="écrire les manifestes de déploiement")
    render.add_argument("--out", type=Path, default=Path("build/manifests"))
    render.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))

    bot = commands.add_parser("bot", help="le robot des demandes de fusion et des déploiements")
    bot_commands = bot.add_subparsers(dest="bot_command", required=True)
    pr = bot_commands.add_parser("pr", help="décider du verdict d'une demande de fusion")
    pr.add_argument("--event", type=Path, help="charge utile de l'événement (GITHUB_EVENT_PATH)")
    pr.add_argument("--out", type=Path, default=Path("build/fedreg-result.json"))
    pr.add_argument(
        "--dry-run",
        action="store_true",
        help="en local, sans GitHub : afficher ce qui serait publié",
    )
    pr.add_argument("--base", help="avec --dry-run : révision de départ (origin/main, sinon main)")
    pr.add_argument("--author", help="avec --dry-run : votre identifiant GitHub")
    pr.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))
    publish = bot_commands.add_parser("publish", help="publier un verdict sur GitHub")
    publish.add_argument("result", type=Path, metavar="RESULT")

    def target_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument("deployment", choices=DEPLOYMENTS, metavar="DEPLOYMENT")
        command.add_argument("--target", required=True, help="mongodb://… de ce déploiement")
        command.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))

    def apply_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument("--dry-run", action="store_true", help="afficher le plan seulement")
        command.add_argument("--yes", action="store_true", help="appliquer sans confirmation")
        command.add_argument("--allow-large-change", action="store_true")
        command.add_argument("--secrets-out", type=Path, default=Path("build/secrets"))

    bot_deploy = bot_commands.add_parser("deploy", help="déployer et rendre compte à GitHub")
    target_arguments(bot_deploy)
    bot_deploy.add_argument("--allow-large-change", action="store_true")
    bot_deploy.add_argument("--secrets-out", type=Path, default=Path("build/secrets"))
    changed = commands.add_parser(
        "changed-deployments", help="déploiements dont le manifeste change (JSON)"
    )
    changed.add_argument("--base", required=True)
    changed.add_argument("--head")
    changed.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))
    deploy = commands.add_parser("deploy", help="déployer un manifeste dans sa base")
    target_arguments(deploy)
    apply_arguments(deploy)
    deploy.add_argument("--manifest", type=Path, help="par défaut : rendu du registre")
    rollback = commands.add_parser("rollback", help="redéployer la configuration d'un commit")
    target_arguments(rollback)
    apply_arguments(rollback)
    rollback.add_argument("--to", required=True, metavar="COMMIT")
    drift = commands.add_parser("drift", help="écarts entre la base et le registre")
    target_arguments(drift)
    drift.add_argument("--manifest", type=Path)
    history_command = commands.add_parser("history", help="déploiements enregistrés")
    target_arguments(history_command)
    importer = commands.add_parser("import", help="importer les documents de la base")
    importer.add_argument("--from", dest="source", help="mongodb://… d'un déploiement")
    importer.add_argument("--from-json", type=Path, help="export mongoexport --jsonArray")
    importer.add_argument("--env", required=True, choices=ENVIRONMENTS)
    importer.add_argument("--network", required=True, choices=NETWORKS)
    importer.add_argument(
        "--owner",
        action="append",
        required=True,
        help="@compte ou @org/équipe propriétaire des fichiers (répétable)",
    )
    importer.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))
    secret = commands.add_parser("secret", help="secrets clients")
    secret_commands = secret.add_subparsers(dest="secret_command", required=True)
    rotate = secret_commands.add_parser("rotate", help="renouveler le secret d'un FS")
    rotate.add_argument("client_id", metavar="CLIENT_ID")
    rotate.add_argument("--deployment", required=True, choices=DEPLOYMENTS)
    rotate.add_argument("--target", required=True)
    rotate.add_argument("--secrets-out", type=Path, default=Path("build/secrets"))
    rotate.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))
    return parser


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return run_validate(
            ValidateOptions(
                paths=tuple(args.paths) or (Path(REGISTRY_DIR),),
                output_format=args.format,
                strict=args.strict,
                policy_file=args.policy,
                colour=_use_colour(args.color),
            )
        )
    if args.command == "new":
        if not args.owner:
            raise UsageError("indiquez au moins un propriétaire : --owner @compte")
        if not args.contact:
            raise UsageError("indiquez au moins un contact : --contact equipe@exemple.gouv.fr")
        return run_new(
            NewProvider(
                kind=KIND_BY_COMMAND[args.kind],
                environment=args.env,
                network=args.network,
                slug=args.slug,
                name=args.name or args.slug.replace("-", " ").capitalize(),
                owners=tuple(args.owner),
                contacts=tuple(args.contact),
            ),
            args.root,
        )
    if args.command == "schema":
        return run_schema(args.out, args.check)
    if args.command == "rules":
        sys.stdout.write(render_rules_markdown())
        return EXIT_OK
    if args.command == "diff":
        return run_diff(args.base, args.head, args.format, args.policy)
    if args.command == "render":
        return run_render(args.out, args.policy)
    if args.command == "bot" and args.bot_command == "pr":
        return run_bot_pr(args.event, args.out, args.dry_run, args.base, args.author, args.policy)
    if args.command == "bot" and args.bot_command == "publish":
        return run_bot_publish(args.result)
    if args.command == "bot" and args.bot_command == "deploy":
        return run_bot_deploy(
            DeployOptions(
                args.deployment,
                args.target,
                False,
                True,
                args.allow_large_change,
                args.secrets_out / args.deployment,
            ),
            args.policy,
        )
    if args.command == "changed-deployments":
        return run_changed_deployments(args.base, args.head, args.policy)
    if args.command in ("deploy", "rollback"):
        options = DeployOptions(
            args.deployment,
            args.target,
            args.dry_run,
            args.yes,
            args.allow_large_change,
            args.secrets_out / args.deployment,
        )
        if args.command == "deploy":
            return run_deploy(options, args.manifest, args.policy)
        return run_rollback(options, args.to, args.policy)
    if args.command == "drift":
        return run_drift(args.deployment, args.target, args.manifest, args.policy)
    if args.command == "history":
        return run_history(args.deployment, args.target)
    if args.command == "import":
        return run_import(
            args.source, args.from_json, args.env, args.network, args.owner, args.policy
        )
    if args.command == "secret":
        return run_rotate(
            args.client_id,
            args.deployment,
            args.target,
            args.secrets_out / args.deployment,
            args.policy,
        )
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except InvalidRegistry as error:
        sys.stdout.write(render_text(error.diagnostics, 0))
        print(f"fedreg : {error}", file=sys.stderr)
        return error.exit_code
    except FedregError as error:
        print(f"fedreg : {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception:
        print(
            "fedreg : erreur interne. C'est un bug : ouvrez un ticket avec ce qui suit.\n"
            + traceback.format_exc(),
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
