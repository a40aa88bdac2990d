"""The rules reference: every diagnostic code, what it rejects and how to fix it."""

from __future__ import annotations

import re

from ..diagnostics import SEVERITY_FR
from .rules import RULES_BY_CODE, Rule

_GROUPS = {
    "P": "Lecture du fichier",
    "S": "Structure",
    "I": "Identifiants et contacts",
    "L": "Emplacement du fichier",
    "U": "URL",
    "N": "Plages IP",
    "D": "Domaines e-mail",
    "O": "Réglages OpenID Connect",
    "X": "Entre fichiers",
    "Q": "Politique (policy.yaml)",
    "V": "Vérifications en ligne (fedreg check-live)",
    "R": "Radar du cycle de vie (fedreg watch)",
    "F": "Formulaire de modification",
    "W": "Dérogations (waivers.yaml)",
}

# Rules whose hint is computed for each case ("{detail}"): what the reference says instead.
HINTS_IN_REFERENCE = {
    "S001": "Corrigez le nom de la clé (le diagnostic propose la clé connue la plus proche) ou "
    "retirez-la ; la liste des clés est dans le schéma du fichier (schemas/).",
    "S003": "Écrivez la valeur dans le type attendu : true ou false sans guillemets pour un "
    "booléen, une liste « - … » pour une liste, du texte sinon (le diagnostic dit lequel).",
    "S006": "Donnez au moins une valeur : le diagnostic rappelle ce que ce champ contient.",
    "U011": "En production, seul https est accepté. En intégration, https est requis ; http "
    "n'est accepté que pour localhost, 127.0.0.1 et [::1].",
    "D001": "Écrivez le domaine seul, en minuscules, sans « @ », sans espace ni point final "
    "(ex. ministere.gouv.fr) ; le diagnostic dit ce qui ne va pas.",
    "O002": "Utilisez un scope de la fédération (le diagnostic propose le plus proche) : "
    "openid, given_name, usual_name, email, uid, siret, phone, organizational_unit, "
    "belonging_population…",
    "O007": "Renseignez l'algorithme (alg : ECDH-ES, RSA-OAEP ou RSA-OAEP-256) et le chiffrement "
    "du contenu (enc : A256GCM) ensemble, ou retirez les deux.",
}


def _template(text: str) -> str:
    """Show template fields as `…` so that the reference reads as prose."""
    return re.sub(r"\{[a-z_]+\}", "…", text)


def _block(yaml_text: str) -> str:
    return "```yaml\n" + yaml_text + "\n```"


def render_rule(rule: Rule, heading: str = "###") -> str:
    """One rule's section of the reference: code, title, message, hint and examples."""
    if rule.retired:
        return f"{heading} {rule.code} — {rule.title} (retiré)\n\n{rule.retired}"
    hint = HINTS_IN_REFERENCE.get(rule.code) or _template(rule.hint)
    return "\n\n".join(
        [
            f"{heading} {rule.code} — {rule.title} ({SEVERITY_FR[rule.severity]})",
            f"Message : {_template(rule.message)}",
            f"Correction : {hint}",
            "Refusé :\n\n" + _block(rule.rejects),
            "Accepté :\n\n" + _block(rule.accepts),
        ]
    )


def render_rules_markdown() -> str:
    parts = [
        "# Règles de validation du registre",
        "",
        "Généré par `fedreg rules` : ne pas modifier à la main. Chaque diagnostic porte "
        "l'un de ces codes, stables d'une version à l'autre.",
        "",
        "## Dérogations et niveaux",
        "",
        "Une **dérogation** (`waivers.yaml`, à la racine du dépôt) accepte, pour un fichier et "
        "jusqu'à une date, un diagnostic que la fédération tolère : `code`, `file` (le fichier "
        "du registre, depuis la racine), `reason`, `granted_by` (le @login du membre de "
        "l'équipe de la fédération qui l'accorde) et `expires` (au plus un an). Le diagnostic "
        "reste affiché, marqué « dérogation jusqu'au … », et ne fait plus échouer la "
        "vérification. Une dérogation expirée est une erreur (W001), une dérogation qui ne "
        "couvre plus rien un avertissement (W004). Toute modification de `waivers.yaml` passe "
        "par la revue de la fédération, quel qu'en soit l'auteur. Certains codes ne se dérogent "
        "jamais (`unwaivable_codes` de `policy.yaml` : sécurité YAML, secrets, valeurs que le "
        "cœur refuserait).",
        "",
        "Le **niveau** d'un code peut être fixé par `policy.yaml` (`rule_levels`), avec une "
        "date d'effet : une nouvelle règle arrive en avertissement qui annonce « deviendra une "
        "erreur le … », puis devient une erreur ce jour-là, sans nouvelle version. "
        "`fedreg rules CODE` affiche le niveau en vigueur et la date.",
        "",
    ]
    for prefix, title in _GROUPS.items():
        parts.append(f"## {prefix} — {title}")
        parts.append("")
        for rule in RULES_BY_CODE.values():
            if rule.code.startswith(prefix):
                parts.append(render_rule(rule))
                parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


RULE_PAGES_DIR = "regles"


def rule_page_path(code: str) -> str:
    """Where the documentation site shows one rule, or one family (by its letter)."""
    return f"{RULE_PAGES_DIR}/{code}.md"


def render_rule_pages() -> dict[str, str]:
    """The documentation site's rule pages, by path under docs/: one per family, listing its
    rules, and one per rule (a page of its own, to link to from a question or a ticket)."""
    pages = {}
    for prefix, title in _GROUPS.items():
        rules = [rule for code, rule in RULES_BY_CODE.items() if code[0] == prefix]
        family = f"[{prefix} — {title}]({prefix}.md)"
        lines = [f"# {prefix} — {title}", ""]
        for rule in rules:
            state = "retiré" if rule.retired else SEVERITY_FR[rule.severity]
            lines.append(f"- [{rule.code} — {rule.title}]({rule.code}.md) ({state})")
            footer = (
                f"Famille : {family}. Sur votre poste : `fedreg rules {rule.code}`. "
                "[Toutes les règles](../rules.md)."
            )
            pages[rule_page_path(rule.code)] = f"{render_rule(rule, '#')}\n\n{footer}\n"
        pages[rule_page_path(prefix)] = "\n".join(lines) + "\n"
    return pages


def rule_families_nav() -> list[str]:
    """The family pages, in the reference's order, as MkDocs navigation entries."""
    return [rule_page_path(prefix) for prefix in _GROUPS]
