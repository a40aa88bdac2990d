"""The `fedreg` command: parses arguments into an options value, runs one command, exits.

Exit codes: 0 success, 1 the operation found errors or failed, 2 usage error, 3 a bug.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .commands.bot import run_bot_pr, run_bot_publish
from .commands.common import EXIT_BUG, EXIT_OK
from .commands.deploy import (
    DeployOptions,
    run_bot_deploy,
    run_changed_deployments,
    run_deploy,
    run_drift,
    run_history,
    run_rollback,
    run_rotate,
)
from .commands.diff import run_diff
from .commands.edit import add_request_arguments, request_fields, run_edit
from .commands.importing import run_import
from .commands.new import run_new
from .commands.propose import run_propose
from .commands.render import run_render
from .commands.schema import run_schema
from .commands.serve import run_serve
from .commands.validate import ValidateOptions, run_validate
from .deployment import InvalidRegistry
from .errors import FedregError, UsageError
from .layout import DEPLOYMENTS, REGISTRY_DIR
from .models import ENVIRONMENTS, NETWORKS
from .planreport import PLAN_RENDERERS_BY_NAME
from .policy import POLICY_FILE_NAME
from .report import RENDERERS_BY_NAME, render_text
from .rulesdoc import render_rules_markdown
from .scaffold import KIND_BY_COMMAND, NewProvider


def _use_colour(choice: str) -> bool:
    if choice == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return choice == "always"


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

    edit = commands.add_parser(
        "edit", help="appliquer le formulaire de modification à un fichier du registre"
    )
    add_request_arguments(edit)
    edit.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))

    propose = commands.add_parser(
        "propose", help="ouvrir une demande de fusion pour le formulaire de modification"
    )
    add_request_arguments(propose)
    propose.add_argument("--requester", required=True, help="e-mail du demandeur")
    propose.add_argument(
        "--requester-verified",
        action="store_true",
        help="l'e-mail vient d'une connexion ProConnect (à n'utiliser que par l'espace "
        "partenaires : le robot ne le reconnaît que sur ses demandes)",
    )
    propose.add_argument("--siret", default="", help="SIRET de l'établissement du demandeur")
    propose.add_argument("--organisation", default="", help="dénomination de l'établissement")
    propose.add_argument("--base", default="main", help="branche visée (par défaut : main)")
    propose.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))

    serve = commands.add_parser(
        "serve",
        help="servir le formulaire de modification (API de l'espace partenaires et page web)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute")
    serve.add_argument("--port", type=int, default=8080, help="port d'écoute")
    serve.add_argument("--root", type=Path, default=Path("."), help="racine du dépôt (lue)")
    serve.add_argument("--base", default="main", help="branche visée (par défaut : main)")
    serve.add_argument("--policy", type=Path, default=Path(POLICY_FILE_NAME))
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
    if args.command == "edit":
        return run_edit(request_fields(args), args.root, args.format, args.policy)
    if args.command == "propose":
        requester = {"email": args.requester, "siret": args.siret}
        if args.organisation:
            requester["organisation"] = args.organisation
        return run_propose(
            request_fields(args),
            requester,
            args.requester_verified,
            args.root,
            args.base,
            args.format,
            args.policy,
        )
    if args.command == "serve":
        return run_serve(args.host, args.port, args.root, args.base, args.policy)
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except InvalidRegistry as error:
        sys.stdout.write(render_text(error.diagnostics, error.file_count))
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
