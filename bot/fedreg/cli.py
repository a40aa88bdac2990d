"""The `fedreg` command: parses arguments into an options value, runs one command, exits.

Exit codes: 0 success, 1 the operation found errors or failed, 2 usage error, 3 a bug.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .authoring.scaffold import KIND_BY_COMMAND
from .changes.report import PLAN_RENDERERS_BY_NAME
from .commands.argparse_fr import french_messages
from .commands.common import EXIT_BUG, EXIT_OK
from .commands.extras import missing_extra
from .commands.formrequest import add_request_arguments, request_fields
from .commands.help import HelpFormatter, apply_help, subcommands
from .errors import FedregError, UsageError
from .registry.layout import DEPLOYMENTS, REGISTRY_DIR
from .registry.models import ENVIRONMENTS, NETWORKS
from .registry.policy import POLICY_FILE_NAME
from .registry.workspace import find_root
from .validation.report import RENDERERS_BY_NAME, render_text

if TYPE_CHECKING:
    from .live.fetch import LiveSettings

# Command modules are imported by `dispatch` when their command runs, so that `fedreg validate`
# on one file (at every save in an editor, at every commit) never loads GitHub, MongoDB or
# cryptography libraries.
COMPLETION_SHELLS = ("bash", "zsh", "tcsh")
# The formats of `fedreg check-live` (livereport.LIVE_RENDERERS_BY_NAME, which imports the
# network libraries: a test keeps the two equal).
LIVE_FORMATS = ("github", "json", "markdown", "text")


def _use_colour(choice: str) -> bool:
    """--color, then NO_COLOR (no-color.org), then FORCE_COLOR, then whether stdout is a
    terminal. An empty variable counts as unset, as both conventions say."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


TARGET_HELP = (
    "mongodb://… de ce déploiement, ou file:CHEMIN.json (un export, pour répéter sans serveur)"
)


def _show_progress(output_format: str) -> bool:
    """Progress goes to a terminal only: never into CI logs, files or machine formats."""
    return output_format == "text" and sys.stderr.isatty() and not os.environ.get("CI")


def _policy_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        type=Path,
        default=None,
        help=f"fichier de politique (par défaut : {POLICY_FILE_NAME} à la racine du dépôt ; "
        "les valeurs intégrées s'il n'existe pas)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fedreg",
        description="Registre de configuration de la fédération ProConnect.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"fedreg {__version__}",
        help="afficher la version de fedreg et quitter",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", title="commandes"
    )

    validate = commands.add_parser("validate", help="vérifier les fichiers du registre")
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"fichiers ou dossiers (par défaut : {REGISTRY_DIR}/)",
    )
    validate.add_argument(
        "--format",
        choices=sorted(RENDERERS_BY_NAME),
        default="text",
        help="text pour vous, json pour un programme, github pour les annotations d'une "
        "action, sarif pour l'analyse de code",
    )
    validate.add_argument(
        "--strict", action="store_true", help="les avertissements font aussi échouer"
    )
    validate.add_argument(
        "--cross-check",
        action="store_true",
        help="lire tout le registre pour les règles entre fichiers, mais ne signaler que les "
        "fichiers donnés et les conflits entre fichiers (pour pre-commit)",
    )
    _policy_argument(validate)
    validate.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="couleurs : auto suit NO_COLOR, FORCE_COLOR et le terminal",
    )
    validate.add_argument(
        "--base",
        metavar="REF",
        help="révision git de départ (ex. origin/main) : les fournisseurs absents de son "
        "registre sont nouveaux, et ce que le déploiement exige d'eux est vérifié",
    )

    lsp = commands.add_parser(
        "lsp", help="serveur de langage pour votre éditeur (diagnostics de validate en direct)"
    )
    lsp.add_argument(
        "--base",
        metavar="REF",
        help="révision git de départ des règles de déploiement (par défaut : la branche par "
        "défaut du dépôt, origin/HEAD, main ou master, quand git la connaît)",
    )

    fmt = commands.add_parser("fmt", help="mettre les fichiers du registre au format commun")
    fmt.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"fichiers ou dossiers (par défaut : {REGISTRY_DIR}/)",
    )
    fmt.add_argument(
        "--check",
        action="store_true",
        help="ne rien écrire ; échouer si un fichier n'est pas au format (pour la CI)",
    )

    new = commands.add_parser("new", help="créer le squelette d'un nouveau fournisseur")
    new.add_argument(
        "kind",
        choices=sorted(KIND_BY_COMMAND),
        help="FS (service-provider) ou FI (identity-provider)",
    )
    new.add_argument("slug", metavar="SLUG", help="nom du fichier, sans .yaml (ex. mon-service)")
    new.add_argument("--env", required=True, choices=ENVIRONMENTS, help="environnement")
    new.add_argument("--network", required=True, choices=NETWORKS, help="réseau")
    new.add_argument("--name", help="nom affiché (par défaut : tiré du SLUG)")
    new.add_argument(
        "--owner", action="append", default=[], help="@compte ou @org/équipe GitHub (répétable)"
    )
    new.add_argument(
        "--contact", action="append", default=[], help="adresse e-mail de l'équipe (répétable)"
    )
    new.add_argument(
        "--root", type=Path, help="racine du dépôt (par défaut : trouvée depuis le dossier courant)"
    )

    schema = commands.add_parser("schema", help="écrire les schémas JSON publiés")
    schema.add_argument("--out", type=Path, default=Path("schemas"), help="dossier de sortie")
    schema.add_argument(
        "--check",
        action="store_true",
        help="échouer si les schémas écrits sont périmés, sans écrire",
    )

    rules = commands.add_parser("rules", help="afficher la référence des règles (Markdown)")
    rules.add_argument(
        "codes", nargs="*", metavar="CODE", help="seulement ces règles (ex. U005) ; toutes sinon"
    )
    _policy_argument(rules)

    completion = commands.add_parser("completion", help="script de complétion pour votre shell")
    completion.add_argument("shell", choices=COMPLETION_SHELLS, help="votre shell")

    diff = commands.add_parser("diff", help="plan de changement entre deux révisions git")
    diff.add_argument("--base", required=True, help="révision de départ (ex. origin/main)")
    diff.add_argument("--head", help="révision d'arrivée (par défaut : l'arbre de travail)")
    diff.add_argument(
        "--format",
        choices=sorted(PLAN_RENDERERS_BY_NAME),
        default="text",
        help="text, json, ou markdown (le commentaire de la demande de fusion)",
    )
    _policy_argument(diff)

    render = commands.add_parser("render", help="écrire les manifestes de déploiement")
    render.add_argument(
        "--out", type=Path, default=Path("build/manifests"), help="dossier des manifestes"
    )
    render.add_argument(
        "--sign",
        action="store_true",
        help="signer chaque manifeste (enveloppe DSSE à côté) avec la clé Ed25519 PEM de "
        "FEDREG_RELEASE_SIGNING_KEY",
    )
    render.add_argument(
        "--deployment",
        choices=DEPLOYMENTS,
        help="ce seul déploiement (lit seulement le dossier de son environnement)",
    )
    _policy_argument(render)

    verify_release = commands.add_parser(
        "verify-release", help="vérifier la signature d'un manifeste, comme deploy"
    )
    verify_release.add_argument(
        "manifest", type=Path, metavar="MANIFESTE", help="le manifeste (MANIFESTE.dsse.json à côté)"
    )
    verify_release.add_argument(
        "--public-key",
        type=Path,
        metavar="PEM",
        help="clé publique de confiance (par défaut : celles de la politique pour son "
        "environnement)",
    )
    _policy_argument(verify_release)

    bot = commands.add_parser("bot", help="le robot des demandes de fusion et des déploiements")
    bot_commands = bot.add_subparsers(
        dest="bot_command", required=True, metavar="COMMANDE", title="commandes"
    )
    pr = bot_commands.add_parser("pr", help="décider du verdict d'une demande de fusion")
    pr.add_argument("--event", type=Path, help="charge utile de l'événement (GITHUB_EVENT_PATH)")
    pr.add_argument(
        "--out",
        type=Path,
        default=Path("build/fedreg-result.json"),
        help="où écrire le verdict à publier",
    )
    pr.add_argument(
        "--dry-run",
        action="store_true",
        help="en local, sans GitHub : afficher ce qui serait publié",
    )
    pr.add_argument("--base", help="avec --dry-run : révision de départ (origin/main, sinon main)")
    pr.add_argument("--author", help="avec --dry-run : votre identifiant GitHub")
    _policy_argument(pr)
    pr.add_argument(
        "--live",
        action="store_true",
        help="lancer aussi les vérifications en ligne des fournisseurs modifiés (découverte, "
        "clés, preuves DNS ; FEDREG_CA_BUNDLE, FEDREG_NAMESERVER, FEDREG_DNS_PORT)",
    )
    pr.add_argument(
        "--radar-state",
        type=Path,
        help="dernier état du radar (fedreg watch) : une preuve DNS absente depuis trop "
        "longtemps envoie les changements de domaines du FI à la fédération",
    )
    pr.add_argument(
        "--remote",
        default=os.environ.get("FEDREG_GIT_REMOTE", "origin"),
        help="dépôt git d'où récupérer la tête de la demande (refs/pull/N/head) ; "
        "défaut : FEDREG_GIT_REMOTE, sinon origin",
    )
    pr.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="fichier des résultats réutilisés d'une exécution à l'autre (par identifiant de "
        "blob git) ; défaut : $XDG_CACHE_HOME/fedreg/index.sqlite",
    )
    rejudge = bot_commands.add_parser(
        "rejudge",
        help="après un push sur la branche par défaut : juger à nouveau les demandes ouvertes "
        "et retirer les approbations qui ne tiennent plus",
    )
    rejudge.add_argument(
        "--event", type=Path, required=True, help="charge utile du push (GITHUB_EVENT_PATH)"
    )
    _policy_argument(rejudge)
    rejudge.add_argument(
        "--remote",
        default=os.environ.get("FEDREG_GIT_REMOTE", "origin"),
        help="dépôt git d'où récupérer les demandes (refs/pull/N/head) ; "
        "défaut : FEDREG_GIT_REMOTE, sinon origin",
    )
    rejudge.add_argument("--cache", type=Path, default=None, help="comme pour « fedreg bot pr »")
    rejudge.add_argument(
        "--live",
        action="store_true",
        help="comme pour « fedreg bot pr » : sans elles, un domaine prouvé en ligne ne l'est plus",
    )
    publish = bot_commands.add_parser("publish", help="publier un verdict sur GitHub")
    publish.add_argument(
        "result", type=Path, metavar="RESULT", help="le verdict écrit par « fedreg bot pr »"
    )

    def target_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "deployment",
            choices=DEPLOYMENTS,
            metavar="DEPLOYMENT",
            help="déploiement : " + ", ".join(DEPLOYMENTS),
        )
        command.add_argument("--target", required=True, help=TARGET_HELP)
        _policy_argument(command)

    def format_argument(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="json : un objet décrit par docs/schemas/ (pour l'outillage et les alertes)",
        )

    def apply_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument("--dry-run", action="store_true", help="afficher le plan seulement")
        command.add_argument("--yes", action="store_true", help="appliquer sans confirmation")
        large_change_argument(command)
        secrets_out_argument(command)
        command.add_argument(
            "--break-lock",
            action="store_true",
            help="forcer le verrou d'une exécution morte avant son expiration (tracé)",
        )

    def large_change_argument(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--allow-large-change",
            action="store_true",
            help="appliquer un plan qui dépasse les limites de policy.yaml (tracé)",
        )

    def secrets_out_argument(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--secrets-out",
            type=Path,
            default=Path("build/secrets"),
            help="où écrire les secrets scellés (age), un dossier par déploiement",
        )

    bot_deploy = bot_commands.add_parser("deploy", help="déployer et rendre compte à GitHub")
    target_arguments(bot_deploy)
    bot_deploy.add_argument(
        "--manifest", type=Path, help="manifeste signé (par défaut : rendu du registre)"
    )
    large_change_argument(bot_deploy)
    secrets_out_argument(bot_deploy)
    changed = commands.add_parser(
        "changed-deployments", help="déploiements dont le manifeste change (JSON)"
    )
    changed.add_argument("--base", required=True, help="révision de départ")
    changed.add_argument("--head", help="révision d'arrivée (par défaut : l'arbre de travail)")
    _policy_argument(changed)
    deploy = commands.add_parser("deploy", help="déployer un manifeste dans sa base")
    target_arguments(deploy)
    apply_arguments(deploy)
    format_argument(deploy)
    deploy.add_argument("--manifest", type=Path, help="par défaut : rendu du registre")
    deploy.add_argument(
        "--init",
        action="store_true",
        help="marquer une fois la base comme celle de DEPLOYMENT (confirmation demandée)",
    )
    deploy.add_argument(
        "--adopt",
        action="store_true",
        help="faire gérer par le registre les documents importés qu'il nomme (confirmation)",
    )
    rollback = commands.add_parser("rollback", help="redéployer la configuration d'un commit")
    target_arguments(rollback)
    apply_arguments(rollback)
    format_argument(rollback)
    rollback.add_argument(
        "--to", required=True, metavar="COMMIT", help="le commit dont redéployer le registre"
    )
    rollback.add_argument(
        "--manifest", type=Path, help="manifeste signé de ce commit (là où la signature est exigée)"
    )
    drift = commands.add_parser("drift", help="écarts entre la base et le registre")
    target_arguments(drift)
    drift.add_argument("--manifest", type=Path, help="par défaut : rendu du registre")
    format_argument(drift)
    history_command = commands.add_parser(
        "history", help="déploiements enregistrés, ou la vie d'un fournisseur (--provider)"
    )
    history_command.add_argument(
        "deployment",
        nargs="?",
        choices=DEPLOYMENTS,
        metavar="DEPLOYMENT",
        help="déploiement : " + ", ".join(DEPLOYMENTS),
    )
    history_command.add_argument(
        "--target", help=TARGET_HELP + " ; avec --provider : ses déploiements et secrets"
    )
    _policy_argument(history_command)
    history_command.add_argument(
        "--provider", metavar="FICHIER-OU-ID", help="un fournisseur : son fichier, client_id ou uid"
    )
    history_command.add_argument(
        "--radar-state", type=Path, help="avec --provider : état du radar (fedreg watch)"
    )
    format_argument(history_command)
    importer = commands.add_parser("import", help="importer les documents de la base")
    importer.add_argument(
        "--from", dest="source", help="mongodb://… d'un déploiement, ou file:CHEMIN.json"
    )
    importer.add_argument("--from-json", type=Path, help="export mongoexport --jsonArray")
    importer.add_argument("--env", required=True, choices=ENVIRONMENTS, help="environnement")
    importer.add_argument("--network", required=True, choices=NETWORKS, help="réseau")
    importer.add_argument(
        "--owner",
        action="append",
        required=True,
        help="@compte ou @org/équipe propriétaire des fichiers (répétable)",
    )
    importer.add_argument(
        "--only-foreign",
        action="store_true",
        help="seulement les documents que `fedreg drift` dit hors du registre",
    )
    _policy_argument(importer)
    secret = commands.add_parser("secret", help="secrets clients")
    secret_commands = secret.add_subparsers(
        dest="secret_command", required=True, metavar="COMMANDE", title="commandes"
    )
    rotate = secret_commands.add_parser("rotate", help="renouveler le secret d'un FS")
    rotate.add_argument("client_id", metavar="CLIENT_ID", help="le client_id du FS")
    rotate.add_argument(
        "--deployment", required=True, choices=DEPLOYMENTS, help="déploiement du FS"
    )
    rotate.add_argument("--target", required=True, help=TARGET_HELP)
    rotate.add_argument(
        "--dry-run", action="store_true", help="afficher ce que ferait la rotation seulement"
    )
    rotate.add_argument("--yes", action="store_true", help="renouveler sans confirmation")
    rotate.add_argument(
        "--include-inactive",
        action="store_true",
        help="renouveler aussi le secret d'un FS désactivé",
    )
    rotate.add_argument(
        "--publish",
        action="store_true",
        help="remettre le nouveau secret (publication GitHub, variables GITHUB_*) avant qu'il "
        "remplace l'ancien",
    )
    secrets_out_argument(rotate)
    _policy_argument(rotate)
    pending = secret_commands.add_parser(
        "pending", help="secrets chiffrés pas encore remis : les lister, les écrire, les remettre"
    )
    pending.add_argument(
        "deployment",
        choices=DEPLOYMENTS,
        metavar="DEPLOYMENT",
        help="déploiement : " + ", ".join(DEPLOYMENTS),
    )
    pending.add_argument("--target", required=True, help=TARGET_HELP)
    secrets_out_argument(pending)
    pending.add_argument(
        "--publish",
        action="store_true",
        help="les joindre à une publication GitHub (variables GITHUB_*) et les marquer remis",
    )

    edit = commands.add_parser(
        "edit", help="appliquer le formulaire de modification à un fichier du registre"
    )
    add_request_arguments(edit)
    _policy_argument(edit)

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
    propose.add_argument(
        "--requester-idp",
        default="",
        help="uid du fournisseur d'identité qui a authentifié l'e-mail (claim idp_id), auquel "
        "son domaine est rattaché : sans lui, le robot ne reconnaît pas le demandeur comme "
        "contact",
    )
    propose.add_argument("--siret", default="", help="SIRET de l'établissement du demandeur")
    propose.add_argument("--organisation", default="", help="dénomination de l'établissement")
    propose.add_argument("--base", default="main", help="branche visée (par défaut : main)")
    _policy_argument(propose)

    serve = commands.add_parser(
        "serve",
        help="servir l'espace partenaires (connexion ProConnect, formulaires, API signée)",
        description="Variables d'environnement : FEDREG_OIDC_ISSUER, FEDREG_OIDC_CLIENT_ID, "
        "FEDREG_OIDC_CLIENT_SECRET (le client OIDC de l'espace auprès de ProConnect), "
        "FEDREG_SESSION_SECRET (32 caractères au moins), FEDREG_PUBLIC_URL (adresse publique "
        "en https ; le retour de connexion est <FEDREG_PUBLIC_URL>/connexion/retour), "
        "FEDREG_OIDC_DEPLOYMENT (le déploiement par lequel les agents se connectent, par "
        "exemple production-internet), FEDREG_OIDC_ANY_DOMAIN_IDPS (uid, séparés par des "
        "virgules, des fournisseurs d'identité qui peuvent attester une adresse de tout "
        "domaine : ProConnect Identité ; une adresse ne compte comme celle d'un contact que si "
        "son domaine est rattaché au FI qui l'a authentifiée, ou si ce FI est l'un de ceux-là), "
        "FEDREG_REQUESTER_SIGNING_KEY (clé privée Ed25519, PEM, qui scelle le demandeur), "
        "FEDREG_PARTNER_SPACE_SECRET (secret de l'API signée), GITHUB_TOKEN, "
        "GITHUB_REPOSITORY, FEDREG_TRUSTED_PROXIES (adresses du mandataire inverse).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute")
    serve.add_argument("--port", type=int, default=8080, help="port d'écoute")
    serve.add_argument("--root", type=Path, default=Path("."), help="racine du dépôt (lue)")
    serve.add_argument("--base", default="main", help="branche visée (par défaut : main)")
    _policy_argument(serve)
    _add_check_live(commands)
    _add_watch(commands)
    apply_help(parser)
    return parser


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError(f"nombre de secondes attendu : « {text} »")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"port invalide : « {text} »")
    return int(text)


def _add_check_live(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    live = commands.add_parser(
        "check-live",
        help="recette en ligne : découverte et clés des FI, preuves DNS des domaines, hôtes des "
        "FS (extra « live »)",
    )
    live.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"fichiers ou dossiers (par défaut : {REGISTRY_DIR}/)",
    )
    live.add_argument(
        "--format",
        choices=LIVE_FORMATS,
        default="text",
        help="text pour vous, json pour un programme, markdown pour un compte rendu, github "
        "pour les annotations d'une action",
    )
    _policy_argument(live)
    live.add_argument(
        "--timeout", type=_positive, default=5.0, help="délai par requête, en secondes (5)"
    )
    live.add_argument(
        "--budget", type=_positive, default=120.0, help="durée totale maximale, en secondes (120)"
    )
    live.add_argument(
        "--ca-bundle",
        type=Path,
        help="autorités de certification à utiliser au lieu de celles du système "
        "(ou FEDREG_CA_BUNDLE)",
    )
    live.add_argument(
        "--nameserver", help="adresse IP du résolveur DNS à interroger (ou FEDREG_NAMESERVER)"
    )
    live.add_argument(
        "--dns-port", type=_port, help="port du résolveur DNS (53, ou FEDREG_DNS_PORT)"
    )
    live.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="couleurs : auto suit NO_COLOR, FORCE_COLOR et le terminal",
    )


def _add_watch(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watch = commands.add_parser(
        "watch",
        help="radar : ce qui va casser (certificats, clés, preuves DNS, secrets, propriétaires)",
    )
    watch.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help=f"par défaut : {REGISTRY_DIR}/"
    )
    watch.add_argument(
        "--deployment", action="append", choices=DEPLOYMENTS, default=[], help="répétable"
    )
    watch.add_argument("--state", type=Path, help="état du radar (JSON), lu puis réécrit")
    watch.add_argument(
        "--records",
        action="append",
        default=[],
        metavar="DEPLOIEMENT=URI",
        help="base d'un déploiement (lecture seule) pour l'âge des secrets ; répétable",
    )
    watch.add_argument(
        "--github", action="store_true", help="tenir les issues (GITHUB_TOKEN, GITHUB_REPOSITORY)"
    )
    watch.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text pour vous, json pour un programme",
    )
    _policy_argument(watch)
    watch.add_argument("--timeout", type=_positive, default=5.0, help="délai par requête (5 s)")
    watch.add_argument("--budget", type=_positive, default=600.0, help="durée maximale (600 s)")
    watch.add_argument("--ca-bundle", type=Path, help="autorités (ou FEDREG_CA_BUNDLE)")
    watch.add_argument("--nameserver", help="résolveur DNS (ou FEDREG_NAMESERVER)")
    watch.add_argument("--dns-port", type=_port, help="port du résolveur (ou FEDREG_DNS_PORT)")


def _live_settings(args: argparse.Namespace) -> LiveSettings:
    from .live.fetch import LiveSettings

    from_env = LiveSettings.from_environment()
    return LiveSettings(
        timeout=args.timeout,
        budget=args.budget,
        ca_bundle=args.ca_bundle or from_env.ca_bundle,
        nameserver=args.nameserver or from_env.nameserver,
        dns_port=args.dns_port or from_env.dns_port,
        addresses=from_env.addresses,
    )


def dispatch(args: argparse.Namespace, root: Path) -> int:
    """Run the command. Validation runs from the current folder (its paths are relative to
    it); every other command runs at the repository's root."""
    if args.command == "validate":
        from .commands.validate import ValidateOptions, run_validate

        return run_validate(
            ValidateOptions(
                paths=tuple(args.paths) or (root / REGISTRY_DIR,),
                output_format=args.format,
                strict=args.strict,
                policy_file=args.policy,
                colour=_use_colour(args.color),
                cross_check=args.cross_check,
                registry=root / REGISTRY_DIR,
                progress=_show_progress(args.format),
                base=args.base,
            )
        )
    if args.command == "history" and args.provider:
        from .commands.providerhistory import run_provider_history

        return run_provider_history(
            root=root,
            wanted=args.provider,
            target=args.target,
            radar_state=args.radar_state,
            output_format=args.format,
        )
    if args.command == "watch":
        from .commands.watch import WatchOptions, run_watch

        return run_watch(
            WatchOptions(
                paths=tuple(args.paths) or (root / REGISTRY_DIR,),
                deployments=tuple(args.deployment),
                state_file=args.state,
                records=tuple(args.records),
                github=args.github,
                output_format=args.format,
                policy_file=args.policy,
                settings=_live_settings(args),
            )
        )
    if args.command == "check-live":
        from .commands.checklive import CheckLiveOptions, run_check_live

        return run_check_live(
            CheckLiveOptions(
                paths=tuple(args.paths) or (root / REGISTRY_DIR,),
                output_format=args.format,
                policy_file=args.policy,
                settings=_live_settings(args),
                colour=_use_colour(args.color),
            )
        )
    if args.command == "lsp":
        from .commands.lsp import run_lsp

        return run_lsp(args.base)
    if args.command == "fmt":
        from .commands.fmt import run_fmt

        return run_fmt(tuple(args.paths) or (root / REGISTRY_DIR,), check=args.check)
    if args.command == "rules":
        from .commands.rules import run_rules

        return run_rules(args.codes, policy_file=args.policy)
    if args.command == "completion":
        import shtab

        sys.stdout.write(shtab.complete(build_parser(), args.shell))
        return EXIT_OK
    with _working_directory(root):
        return _dispatch_at_root(args)


def _dispatch_at_root(args: argparse.Namespace) -> int:
    if args.command == "new":
        from .authoring.scaffold import NewProvider
        from .commands.new import run_new

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
            root=args.root or Path.cwd(),
        )
    if args.command == "schema":
        from .commands.schema import run_schema

        return run_schema(out=args.out, check=args.check)
    if args.command == "diff":
        from .commands.diff import run_diff

        return run_diff(
            base=args.base, head=args.head, output_format=args.format, policy_file=args.policy
        )
    if args.command == "render":
        from .commands.render import run_render

        return run_render(
            out=args.out, policy_file=args.policy, sign=args.sign, deployment=args.deployment
        )
    if args.command == "verify-release":
        from .commands.release import run_verify_release

        return run_verify_release(
            manifest=args.manifest, public_key_file=args.public_key, policy_file=args.policy
        )
    if args.command == "bot":
        return _dispatch_bot(args)
    if args.command == "import":
        from .commands.importing import run_import

        return run_import(
            source=args.source,
            export=args.from_json,
            environment=args.env,
            network=args.network,
            owners=args.owner,
            only_foreign=args.only_foreign,
            policy_file=args.policy,
        )
    if args.command in ("edit", "propose", "serve"):
        return _dispatch_form(args)
    return _dispatch_deploy(args)


def _dispatch_form(args: argparse.Namespace) -> int:
    from .commands.edit import run_edit
    from .commands.propose import run_propose
    from .commands.serve import run_serve

    if args.command == "edit":
        return run_edit(
            fields=request_fields(args),
            root=args.root,
            output_format=args.format,
            policy_file=args.policy,
        )
    if args.command == "propose":
        requester = {"email": args.requester, "siret": args.siret, "idp_id": args.requester_idp}
        if args.organisation:
            requester["organisation"] = args.organisation
        return run_propose(
            fields=request_fields(args),
            requester=requester,
            verified=args.requester_verified,
            root=args.root,
            base_branch=args.base,
            output_format=args.format,
            policy_file=args.policy,
        )
    if args.command == "serve":
        return run_serve(
            host=args.host,
            port=args.port,
            root=args.root,
            base_branch=args.base,
            policy_file=args.policy,
        )
    raise AssertionError(args.command)


def _dispatch_bot(args: argparse.Namespace) -> int:
    from .commands.bot import default_cache, run_bot_pr, run_bot_publish, run_bot_rejudge

    if args.bot_command == "pr":
        return run_bot_pr(
            event_path=args.event,
            out=args.out,
            dry_run=args.dry_run,
            base=args.base,
            author=args.author,
            policy_file=args.policy,
            live=args.live,
            remote=args.remote,
            cache=args.cache or default_cache(),
            radar_state=args.radar_state,
        )
    if args.bot_command == "publish":
        return run_bot_publish(args.result)
    if args.bot_command == "rejudge":
        return run_bot_rejudge(
            event_path=args.event,
            policy_file=args.policy,
            remote=args.remote,
            cache=args.cache or default_cache(),
            live=args.live,
        )
    return _dispatch_deploy(args)


def _dispatch_deploy(args: argparse.Namespace) -> int:
    from .commands.deploy import (
        DeployOptions,
        RotateOptions,
        run_bot_deploy,
        run_changed_deployments,
        run_deploy,
        run_drift,
        run_history,
        run_init,
        run_pending,
        run_rollback,
        run_rotate,
    )

    if args.command == "bot" and args.bot_command == "deploy":
        return run_bot_deploy(
            DeployOptions(
                deployment=args.deployment,
                target=args.target,
                dry_run=False,
                yes=True,
                allow_large_change=args.allow_large_change,
                secrets_out=args.secrets_out / args.deployment,
            ),
            policy_file=args.policy,
            manifest_file=args.manifest,
        )
    if args.command == "changed-deployments":
        return run_changed_deployments(base=args.base, head=args.head, policy_file=args.policy)
    if args.command in ("deploy", "rollback"):
        options = DeployOptions(
            deployment=args.deployment,
            target=args.target,
            dry_run=args.dry_run,
            yes=args.yes,
            allow_large_change=args.allow_large_change,
            secrets_out=args.secrets_out / args.deployment,
            break_lock=args.break_lock,
            output_format=args.format,
            progress=_show_progress(args.format),
        )
        if args.command == "deploy" and (args.init or args.adopt):
            return run_init(
                options,
                init=args.init,
                adopt_documents=args.adopt,
                manifest_file=args.manifest,
                policy_file=args.policy,
            )
        if args.command == "deploy":
            return run_deploy(options, manifest_file=args.manifest, policy_file=args.policy)
        return run_rollback(
            options, to=args.to, policy_file=args.policy, manifest_file=args.manifest
        )
    if args.command == "drift":
        return run_drift(
            deployment=args.deployment,
            target=args.target,
            manifest_file=args.manifest,
            policy_file=args.policy,
            output_format=args.format,
        )
    if args.command == "history":
        if args.deployment is None or args.target is None:
            raise UsageError("history : donnez DEPLOYMENT et --target, ou --provider")
        if args.radar_state is not None:
            raise UsageError("history : --radar-state va avec --provider")
        return run_history(
            deployment=args.deployment, target=args.target, output_format=args.format
        )
    if args.command == "secret" and args.secret_command == "pending":
        return run_pending(
            DeployOptions(
                deployment=args.deployment,
                target=args.target,
                dry_run=False,
                yes=True,
                allow_large_change=False,
                secrets_out=args.secrets_out / args.deployment,
            ),
            publish=args.publish,
        )
    if args.command == "secret":
        return run_rotate(
            RotateOptions(
                client_id=args.client_id,
                deployment=args.deployment,
                target=args.target,
                secrets_out=args.secrets_out / args.deployment,
                dry_run=args.dry_run,
                yes=args.yes,
                include_inactive=args.include_inactive,
                publish=args.publish,
            ),
            policy_file=args.policy,
        )
    raise AssertionError(args.command)


@contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _path_defaults(parser: argparse.ArgumentParser) -> set[int]:
    """The identities of the Path defaults of every command (argparse stores a default as is)."""
    parsers = [parser, *(child for _, child in subcommands(parser))]
    return {id(a.default) for p in parsers for a in p._actions if isinstance(a.default, Path)}


def resolve_paths(args: argparse.Namespace, defaults: AbstractSet[int] = frozenset()) -> Path:
    """Find the repository root from the current folder; make every path the user typed
    absolute (so that it keeps meaning what they typed, wherever the command runs), leave the
    defaults relative to the root, and resolve the policy file. Returns the root (the current
    folder when none is found)."""
    cwd = Path.cwd()
    root = find_root(cwd) or cwd
    for name, value in vars(args).items():
        if isinstance(value, Path) and id(value) not in defaults:
            setattr(args, name, Path(os.path.abspath(value)))
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            setattr(args, name, [Path(os.path.abspath(v)) for v in value])
    if "policy" in vars(args):
        if args.policy is None:
            args.policy = root / POLICY_FILE_NAME
        elif not args.policy.is_file():
            raise UsageError(f"fichier de politique introuvable : {args.policy}")
    return root


def _dispatch_installed(args: argparse.Namespace, root: Path) -> int:
    """Dispatch; a library of an uninstalled extra is a user error naming the extra."""
    try:
        return dispatch(args, root)
    except ModuleNotFoundError as error:
        missing = missing_extra(error, args)
        if missing is None:
            raise
        raise missing from error


def main(argv: Sequence[str] | None = None) -> int:
    with french_messages():
        parser = build_parser()
        args = parser.parse_args(argv)
    try:
        root = resolve_paths(args, _path_defaults(parser))
        return _dispatch_installed(args, root)
    except FedregError as error:
        diagnostics = getattr(error, "diagnostics", None)  # deployment.InvalidRegistry
        if diagnostics is not None:
            sys.stdout.write(render_text(diagnostics, getattr(error, "file_count", 0)))
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
