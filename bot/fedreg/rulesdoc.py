"""The rules reference: every diagnostic code, what it rejects and how to fix it."""

from __future__ import annotations

import re

from .diagnostics import Severity
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
    "F": "Formulaire de modification",
}
_SEVERITY_FR = {Severity.ERROR: "erreur", Severity.WARNING: "avertissement"}


def _template(text: str) -> str:
    """Show template fields as `…` so that the reference reads as prose."""
    return re.sub(r"\{[a-z_]+\}", "…", text)


def _block(yaml_text: str) -> str:
    return "```yaml\n" + yaml_text + "\n```"


def _rule_section(rule: Rule) -> str:
    return "\n\n".join(
        [
            f"### {rule.code} — {rule.title} ({_SEVERITY_FR[rule.severity]})",
            f"Message : {_template(rule.message)}",
            f"Correction : {_template(rule.hint)}",
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
    ]
    for prefix, title in _GROUPS.items():
        parts.append(f"## {prefix} — {title}")
        parts.append("")
        for rule in RULES_BY_CODE.values():
            if rule.code.startswith(prefix):
                parts.append(_rule_section(rule))
                parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
