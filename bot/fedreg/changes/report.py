"""A change plan rendered as text (terminal), JSON (programs) or Markdown (the PR comment)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from ..registry.models import KIND_SHORT_FR
from .plan import Action, Change, FieldChange, Plan, Risk

GITHUB_COMMENT_LIMIT = 65_536
_ACTION_FR = {
    Action.CREATE: "créé",
    Action.DELETE: "retiré",
    Action.UPDATE: "modifié",
    Action.RENAME: "renommé",
    Action.MOVE: "déplacé",
}
_ACTION_SIGN = {
    Action.CREATE: "+",
    Action.DELETE: "-",
    Action.UPDATE: "~",
    Action.RENAME: ">",
    Action.MOVE: ">",
}


# What makes a link, an image, HTML, an entity, code or a table cell of prose; "@" is
# handled apart (mentions).
_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]<>&|])")
# A word joiner after "@": GitHub no longer sees a mention, a reader sees the same text.
_UNMENTION = "@\u2060"


def markdown_text(text: str) -> str:
    """Prose of the pull-request comment that may quote a partner's values: shown as written,
    never read as a link, an image, HTML or a mention."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ").replace("@", _UNMENTION)


def code_span(text: str) -> str:
    """A partner's value (a path, a domain) as inline code it cannot close."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _value(value: Any) -> str:
    if value is None:
        return "(vide)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def summary_sentence(plan: Plan) -> str:
    if not plan.changes:
        return "Aucun changement pour la fédération."
    count = len(plan.changes)
    noun = "fournisseur concerné" if count == 1 else "fournisseurs concernés"
    return (
        f"{count} {noun} ({', '.join(plan.deployments)}). "
        f"Risque le plus élevé : {plan.highest_risk.label}."
    )


# -- text ----------------------------------------------------------------------------------


def _field_lines(change: FieldChange, created: bool) -> list[str]:
    if change.is_list:
        return [f"{change.field}: + {value}" for value in change.added] + [
            f"{change.field}: - {value}" for value in change.removed
        ]
    if created:
        return [f"{change.field}: {_value(change.after)}"]
    return [f"{change.field}: {_value(change.before)} → {_value(change.after)}"]


def render_text(plan: Plan) -> str:
    lines = [summary_sentence(plan)]
    for change in plan.changes:
        moved = f" (depuis {change.previous_path})" if change.previous_path else ""
        lines.append(
            f"{_ACTION_SIGN[change.action]} {change.deployment}  "
            f"{KIND_SHORT_FR.get(change.kind, change.kind)} « {change.name} » "
            f"{_ACTION_FR[change.action]}  {change.path}{moved}  "
            f"[risque {change.risk.label}]"
        )
        for field_change in change.fields:
            lines.extend(
                f"    {line}" for line in _field_lines(field_change, change.action is Action.CREATE)
            )
        lines.extend(
            f"    ! {r.level.label} : {r.reason}" for r in change.risks if r.level > Risk.LOW
        )
    for d in plan.diagnostics:
        lines.append(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}")
    return "\n".join(lines) + "\n"


# -- json ----------------------------------------------------------------------------------


def _field_json(change: FieldChange) -> dict[str, Any]:
    if change.is_list:
        return {"field": change.field, "added": list(change.added), "removed": list(change.removed)}
    return {"field": change.field, "before": change.before, "after": change.after}


def change_json(change: Change) -> dict[str, Any]:
    return {
        "action": change.action.key,
        "kind": change.kind,
        "deployment": change.deployment,
        "environment": change.environment,
        "network": change.network,
        "path": change.path,
        "previous_path": change.previous_path,
        "identifier": change.identifier,
        "name": change.name,
        "risk": change.risk.key,
        "risks": [{"level": r.level.key, "reason": r.reason} for r in change.risks],
        "fields": [_field_json(f) for f in change.fields],
    }


def render_json(plan: Plan) -> str:
    return (
        json.dumps(
            {
                "changes": [change_json(c) for c in plan.changes],
                "highest_risk": plan.highest_risk.key,
                "deployments": list(plan.deployments),
                "diagnostics": [d.as_dict() for d in plan.diagnostics],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


# -- markdown ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    text = _value(value).replace("\n", " ").replace("|", "\\|").replace("`", "'")
    return f"`{text}`" if text else ""


def _cells(values: tuple[str, ...]) -> str:
    return "<br>".join(_cell(v) for v in values)


def _section_head(change: Change) -> str:
    moved = f" ← {code_span(change.previous_path)}" if change.previous_path else ""
    name = html.escape(change.name).replace("@", _UNMENTION)
    return (
        f"<details><summary><b>{name}</b> "
        f"({KIND_SHORT_FR.get(change.kind, change.kind)}) — {_ACTION_FR[change.action]} · "
        f"{change.deployment} · risque {change.risk.label}</summary>\n\n"
        f"{code_span(change.path)}{moved}\n"
    )


def _table(header: str, rows: list[str]) -> str:
    columns = header.count("|") - 1
    return f"{header}\n|{'---|' * columns}\n" + "\n".join(rows) + "\n"


def _section(change: Change) -> str:
    parts = [_section_head(change)]
    risks = [r for r in change.risks if r.level > Risk.LOW]
    if risks:
        parts.append(
            "\n".join(f"- **{r.level.label}** : {markdown_text(r.reason)}" for r in risks) + "\n"
        )
    scalars = [f for f in change.fields if not f.is_list]
    lists = [f for f in change.fields if f.is_list]
    if scalars and change.action is Action.CREATE:
        parts.append(
            _table(
                "| Champ | Valeur |",
                [f"| {markdown_text(f.field)} | {_cell(f.after)} |" for f in scalars],
            )
        )
    elif scalars:
        parts.append(
            _table(
                "| Champ | Avant | Après |",
                [
                    f"| {markdown_text(f.field)} | {_cell(f.before)} | {_cell(f.after)} |"
                    for f in scalars
                ],
            )
        )
    if lists:
        parts.append(
            _table(
                "| Liste | Ajouté | Retiré |",
                [
                    f"| {markdown_text(f.field)} | {_cells(f.added)} | {_cells(f.removed)} |"
                    for f in lists
                ],
            )
        )
    return "\n".join(parts) + "\n</details>\n"


def _collapsed(change: Change) -> str:
    count = sum(len(f.added) + len(f.removed) or 1 for f in change.fields)
    return (
        _section_head(change) + f"\n_Détail abrégé ({count} changements de champ) pour "
        "tenir dans un commentaire GitHub : lancez `fedreg diff` pour le voir._\n"
        "\n</details>\n"
    )


def render_markdown(plan: Plan, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The plan as a PR comment body, within `limit` characters: the longest sections are
    collapsed first, then trailing ones dropped, and the comment says what was cut."""
    head = f"**Plan de changement** — {summary_sentence(plan)}\n\n"
    sections = [_section(c) for c in plan.changes]
    collapsed = 0
    note = ""

    def total() -> int:
        return len(head) + sum(len(s) + 1 for s in sections) + len(note) + 200

    by_length = sorted(range(len(sections)), key=lambda i: -len(sections[i]))
    for index in by_length:
        if total() <= limit:
            break
        sections[index] = _collapsed(plan.changes[index])
        collapsed += 1
    if collapsed:
        note = (
            f"\n_{collapsed} section(s) abrégée(s) pour respecter la limite de "
            f"{limit} caractères d'un commentaire GitHub._\n"
        )
    dropped = 0
    while sections and total() > limit:
        sections.pop()
        dropped += 1
    if dropped:
        note += (
            f"\n_{dropped} changement(s) de plus non affiché(s) : lancez `fedreg diff` "
            "pour le plan complet._\n"
        )
    return head + "\n".join(sections) + note


PLAN_RENDERERS_BY_NAME: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
