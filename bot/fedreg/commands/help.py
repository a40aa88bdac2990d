"""The command line's help: examples and exit codes per command, and the help layout.

Every command's `--help` ends with its examples and its exit codes, taken from the tables
below by the command's name as typed (`validate`, `bot pr`). A new command needs only an entry
in `EXAMPLES` (and in `EXIT_CODES` when its codes mean something else than the defaults); a
test fails on a command without examples or an option without help text.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

DEFAULT_EXIT_CODES = {
    0: "succès",
    1: "l'opération a échoué ou a trouvé des erreurs",
    2: "erreur d'utilisation (option, chemin ou fichier de politique introuvable)",
    3: "bug de fedreg : la trace est à joindre à un ticket",
}

EXIT_CODES: dict[str, dict[int, str]] = {
    "validate": {
        0: "aucune erreur (les avertissements sont permis, sauf avec --strict)",
        1: "au moins une erreur, ou un avertissement avec --strict",
    },
    "diff": {
        0: "plan affiché, que quelque chose change ou non",
        1: "un fichier modifié est invalide (le plan lisible est affiché quand même)",
    },
    "bot pr": {0: "verdict favorable", 1: "verdict défavorable (ou échec)"},
    "edit": {1: "demande refusée ou résultat invalide : rien n'est écrit"},
    "propose": {1: "demande refusée ou résultat invalide : aucune demande de fusion ouverte"},
    "check-live": {
        0: "rien à corriger (les « non vérifié » sont des avertissements)",
        1: "au moins une erreur à corriger côté fournisseur",
    },
    "drift": {
        0: "la base correspond au registre, ou au dernier commit déployé (commits à déployer)",
        1: "échec (base injoignable ou non marquée, registre invalide)",
        4: "dérive trouvée : base modifiée hors de git, ou documents hors du registre",
    },
    "deploy": {
        0: "plan affiché (simulation), déjà à jour, ou appliqué",
        1: "refusé (rien n'est écrit) ou interrompu (le relancer le termine)",
    },
    "secret rotate": {
        0: "rotation faite, ou simulée (--dry-run, pas de --yes)",
        1: "refusée (FS désactivé, sans destinataires, verrou tenu) : rien n'est écrit",
    },
    "render": {1: "registre invalide : rien n'est écrit"},
    "schema": {1: "avec --check : schémas périmés"},
    "fmt": {1: "avec --check : un fichier n'est pas au format ; ou un fichier illisible"},
    "lsp": {0: "l'éditeur a arrêté le serveur"},
    "rules": {2: "code inconnu"},
    "watch": {
        0: "passage fait, quels que soient ses constats (ils vont dans les issues)",
        1: "passage impossible (état illisible, base d'un autre déploiement, GitHub en échec)",
    },
    "verify-release": {
        0: "manifeste signé, valide et déployable",
        1: "refusé (la raison dit quel contrôle)",
    },
}

EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "": (
        ("fedreg validate", "vérifier le registre"),
        ("fedreg validate --help", "l'aide d'une commande, avec ses exemples"),
        ("fedreg rules U005", "expliquer un code de diagnostic"),
    ),
    "validate": (
        ("fedreg validate", "tout le registre, depuis n'importe quel dossier du dépôt"),
        ("fedreg validate mon-service.yaml", "un seul fichier (chemin relatif au dossier courant)"),
        (
            "fedreg validate --cross-check registry/integration/service-providers/a.yaml",
            "ce fichier, avec les règles entre fichiers sur tout le registre (pre-commit)",
        ),
        ("fedreg validate --format sarif > fedreg.sarif", "pour l'analyse de code de GitHub"),
        ("fedreg validate --strict", "les avertissements font aussi échouer"),
    ),
    "new": (
        (
            "fedreg new service-provider mon-service --env integration --network internet "
            "--owner @mon-org/mon-equipe --contact equipe@ministere.gouv.fr",
            "le squelette d'un FS en intégration, avec un client_id neuf",
        ),
        (
            "fedreg new identity-provider mon-fi --env integration --network rie "
            "--owner @mon-org/mon-equipe --contact support@ministere.gouv.fr",
            "le squelette d'un FI sur le RIE, avec un uid neuf",
        ),
    ),
    "lsp": (
        ("fedreg lsp", "lancé par votre éditeur (VS Code, Neovim, Helix, Emacs), jamais à la main"),
        ("fedreg lsp --base origin/main", "les règles de déploiement par rapport à origin/main"),
    ),
    "fmt": (
        ("fedreg fmt", "mettre tout le registre au format commun"),
        ("fedreg fmt --check", "vérifier sans écrire (CI) : échoue si un fichier change"),
        ("fedreg fmt registry/production/service-providers/mon-service.yaml", "un seul fichier"),
    ),
    "schema": (
        ("fedreg schema", "réécrire schemas/*.schema.json"),
        ("fedreg schema --check", "vérifier qu'ils sont à jour, sans écrire"),
    ),
    "rules": (
        ("fedreg rules", "la référence complète (docs/rules.md)"),
        ("fedreg rules U005", "une seule règle : message, correction, exemples"),
    ),
    "completion": (
        ("fedreg completion bash > ~/.local/share/bash-completion/completions/fedreg", "bash"),
        ('fedreg completion zsh > "${fpath[1]}/_fedreg"', "zsh"),
    ),
    "diff": (
        (
            "fedreg diff --base origin/main",
            "ce que votre branche change, fournisseur par fournisseur",
        ),
        ("fedreg diff --base v1 --head v2 --format json", "entre deux révisions, en JSON"),
    ),
    "render": (
        ("fedreg render", "écrire build/manifests/<déploiement>.json"),
        ("fedreg render --out /tmp/manifestes", "ailleurs"),
        ("fedreg render --sign", "et les signer (clé de FEDREG_RELEASE_SIGNING_KEY)"),
    ),
    "verify-release": (
        (
            "fedreg verify-release build/manifests/production-internet.json",
            "les contrôles du déploiement, avec les clés de la politique",
        ),
        (
            "fedreg verify-release m.json --public-key cle-production.pem",
            "avec une clé donnée",
        ),
    ),
    "bot": (
        ("fedreg bot pr --dry-run", "ce que le robot dirait de votre branche, sans GitHub"),
        ("fedreg bot publish build/fedreg-result.json", "publier un verdict (CI)"),
    ),
    "bot pr": (
        ("fedreg bot pr --dry-run", "avant d'ouvrir la demande de fusion : verdict, annotations"),
        (
            "fedreg bot pr --dry-run --base origin/main --author mon-login",
            "en précisant la base et votre identifiant GitHub",
        ),
        ('fedreg bot pr --event "$GITHUB_EVENT_PATH"', "en CI, depuis l'événement GitHub"),
    ),
    "bot publish": (("fedreg bot publish build/fedreg-result.json", "en CI, avec GITHUB_TOKEN"),),
    "bot rejudge": (
        (
            'fedreg bot rejudge --event "$GITHUB_EVENT_PATH"',
            "en CI, après un push sur main : les verdicts qui ne tiennent plus",
        ),
    ),
    "bot deploy": (
        (
            'fedreg bot deploy production-internet --target "$MONGODB_URI"',
            "en CI : déployer et rendre compte au déploiement GitHub",
        ),
        (
            'fedreg bot deploy integration-internet --target "$MONGODB_URI"',
            "avec FEDREG_DEPLOYMENT_TOKEN (jeton de l'App fedreg) : le déploiement GitHub à "
            "son nom, le seul que l'espace partenaires croit",
        ),
    ),
    "changed-deployments": (
        (
            "fedreg changed-deployments --base HEAD~1",
            "les déploiements dont le manifeste change (JSON)",
        ),
    ),
    "deploy": (
        (
            'fedreg deploy integration-internet --target "$MONGODB_URI" --dry-run',
            "le plan seulement",
        ),
        ('fedreg deploy integration-internet --target "$MONGODB_URI" --yes', "appliquer"),
        (
            "fedreg deploy integration-internet --target file:export.json --yes",
            "répéter sur un export (mongoexport) avant de toucher le serveur",
        ),
        (
            'fedreg deploy integration-internet --target "$MONGODB_URI" --format json',
            "le plan en JSON (docs/schemas/deploy.schema.json)",
        ),
        (
            'fedreg deploy integration-internet --target "$MONGODB_URI" --init --adopt',
            "marquer une base neuve ou importée comme celle de ce déploiement",
        ),
    ),
    "rollback": (
        (
            'fedreg rollback production-rie --to 3f1c2ab --target "$MONGODB_URI" --yes',
            "redéployer la configuration d'un commit",
        ),
    ),
    "drift": (
        (
            'fedreg drift production-internet --target "$MONGODB_READONLY_URI"',
            "les écarts entre la base et le registre",
        ),
        (
            "fedreg drift production-internet --target file:export.json --format json",
            "sur un export, en JSON (docs/schemas/drift.schema.json)",
        ),
    ),
    "watch": (
        (
            "fedreg watch --state radar.json",
            "un passage du radar sur tout le registre, sans rien écrire sur GitHub",
        ),
        (
            "fedreg watch --deployment production-internet --format json",
            "un déploiement, en JSON",
        ),
        (
            'fedreg watch --state radar.json --github --records "production-internet=$URI"',
            "ce que fait radar.yml : issues tenues à jour, âge des secrets lu dans la base",
        ),
    ),
    "check-live": (
        (
            "fedreg check-live registry/production/identity-providers/fi-ecologie.yaml",
            "la recette technique d'un FI : découverte, clés, preuves DNS des domaines",
        ),
        (
            "fedreg check-live --format markdown > recette.md",
            "le compte rendu de tout le registre, une ligne par vérification",
        ),
    ),
    "edit": (
        (
            "fedreg edit --env integration --network internet --client-id 70b6…8e5d "
            "--redirect-uri https://egapro.travail.gouv.fr/api/auth/callback/proconnect",
            "remplacer toute la liste des URL de redirection, comme le formulaire",
        ),
    ),
    "propose": (
        (
            "fedreg propose --env production --network internet --client-id 70b6…8e5d "
            "--post-logout-uri https://egapro.travail.gouv.fr/ --requester moi@travail.gouv.fr",
            "la même modification, en demande de fusion ouverte par l'API GitHub",
        ),
    ),
    "serve": (
        (
            "fedreg serve --host 127.0.0.1 --port 8080",
            "l'espace partenaires derrière un mandataire inverse (voir les variables "
            "d'environnement ci-dessus)",
        ),
    ),
    "history": (
        ('fedreg history production-internet --target "$MONGODB_URI"', "les déploiements"),
        (
            'fedreg history production-internet --target "$MONGODB_URI" --format json',
            "en JSON (docs/schemas/history.schema.json), rotations de secret comprises",
        ),
        (
            "fedreg history --provider registry/production/service-providers/egapro.yaml",
            "la vie d'un fournisseur : création, modifications fusionnées (qui, demande, champs)",
        ),
        (
            'fedreg history --provider CLIENT_ID --target "$MONGODB_URI" --format json',
            "avec ses déploiements et secrets, en JSON (docs/schemas/provider-history.schema.json)",
        ),
    ),
    "import": (
        (
            "fedreg import --from-json export.json --env production --network internet "
            "--owner @proconnect-gouv/federation",
            "un export mongoexport --jsonArray en fichiers du registre",
        ),
        (
            'fedreg import --from "$MONGODB_URI" --only-foreign --env production '
            "--network internet --owner @proconnect-gouv/federation",
            "seulement les documents que drift dit hors du registre (les autres : déjà présents)",
        ),
    ),
    "secret": (
        (
            'fedreg secret rotate CLIENT_ID --deployment integration-internet --target "$URI"',
            "renouveler le secret d'un FS",
        ),
    ),
    "secret rotate": (
        (
            'fedreg secret rotate 70b6…8e5d --deployment production-internet --target "$URI"',
            "afficher la rotation, puis la confirmer en tapant le nom du déploiement",
        ),
        (
            'fedreg secret rotate 70b6…8e5d --deployment production-internet --target "$URI" '
            "--yes --publish",
            "renouveler, en remettant le nouveau secret avant qu'il remplace l'ancien",
        ),
    ),
    "secret pending": (
        (
            'fedreg secret pending production-internet --target "$URI"',
            "les secrets scellés pas encore remis",
        ),
        (
            'fedreg secret pending production-internet --target "$URI" --publish',
            "en CI : les joindre à la publication et les marquer remis",
        ),
    ),
}


# `fedreg --help` lists the commands by who runs them, and the extra each group needs beyond the
# light install (pyproject.toml). A command missing here is listed under OTHER_COMMANDS (and a
# test fails); names not (yet) registered are left out.
COMMAND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "pour les partenaires (fournisseurs de service et d'identité)",
        ("validate", "new", "rules", "schema", "diff", "fmt", "lsp", "check-live", "completion"),
    ),
    (
        "pour les opérateurs de la fédération (extra « federation »)",
        (
            *("render", "verify-release", "deploy", "rollback", "drift", "history"),
            *("import", "secret"),
            *("edit", "propose", "serve", "watch"),
        ),
    ),
    ("pour le robot et la CI (extra « federation »)", ("bot", "changed-deployments")),
)
OTHER_COMMANDS = "autres commandes"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and names each option's default, in French."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        default = action.default
        if (
            default is None
            or default is False
            or default == []
            or default is argparse.SUPPRESS
            or action.option_strings == []
            or "par défaut" in help_text
        ):
            return help_text
        return help_text + " (par défaut : %(default)s)"


class GroupedCommandsHelpFormatter(HelpFormatter):
    """The top-level help: the commands under the headings of COMMAND_GROUPS."""

    def _format_action(self, action: argparse.Action) -> str:
        if not isinstance(action, argparse._SubParsersAction):
            return super()._format_action(action)
        listed = {choice.dest: choice for choice in action._get_subactions()}
        groups = [
            (title, [listed.pop(name) for name in names if name in listed])
            for title, names in COMMAND_GROUPS
        ]
        groups.append((OTHER_COMMANDS, list(listed.values())))
        parts = []
        for title, choices in groups:
            if not choices:
                continue
            parts.append(f"{' ' * self._current_indent}{title} :\n")
            self._indent()
            for choice in choices:
                parts.append(super()._format_action(choice))
            self._dedent()
        return "".join(parts)


def epilog(command: str) -> str:
    lines = []
    examples = EXAMPLES.get(command, ())
    if examples:
        lines.append("exemples :")
        for line, meaning in examples:
            lines.append(f"  {line}")
            lines.append(f"      {meaning}")
        lines.append("")
    lines.append("codes de sortie :")
    for code, meaning in {**DEFAULT_EXIT_CODES, **EXIT_CODES.get(command, {})}.items():
        lines.append(f"  {code}  {meaning}")
    return "\n".join(lines)


def subcommands(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every (command name as typed, parser) below `parser`, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                command = f"{prefix}{name}"
                yield command, child
                yield from subcommands(child, f"{command} ")


def apply_help(parser: argparse.ArgumentParser) -> None:
    """Give every command the shared layout, its examples and its exit codes."""
    parser.formatter_class = GroupedCommandsHelpFormatter
    parser.epilog = epilog("")
    for command, child in subcommands(parser):
        child.formatter_class = HelpFormatter
        child.epilog = epilog(command)
