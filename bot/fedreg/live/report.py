"""Live-check results as text, json, Markdown (the recette) and GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from ..changes.report import code_span, markdown_text
from ..diagnostics import SEVERITY_FR, count_errors
from ..registry.models import KIND_SHORT_FR
from ..validation.report import render_github, render_text
from .check import CheckStatus
from .run import LiveReport, ProviderRecette

SYMBOL = {
    CheckStatus.PASSED: "✓",
    CheckStatus.WARNING: "!",
    CheckStatus.FAILED: "✗",
    CheckStatus.UNVERIFIED: "?",
    CheckStatus.NOT_APPLICABLE: "-",
}
MARKDOWN_STATUS = {
    CheckStatus.PASSED: "✅ réussi",
    CheckStatus.WARNING: "⚠️ avertissement",
    CheckStatus.FAILED: "❌ échoué",
    CheckStatus.UNVERIFIED: "❔ non vérifié",
    CheckStatus.NOT_APPLICABLE: "➖ sans objet",
}


def summary_line(report: LiveReport) -> str:
    counts = [
        (CheckStatus.PASSED, "réussie(s)"),
        (CheckStatus.FAILED, "échouée(s)"),
        (CheckStatus.WARNING, "avec avertissement"),
        (CheckStatus.UNVERIFIED, "non vérifiée(s)"),
    ]
    parts = [f"{report.count(status)} {word}" for status, word in counts]
    return f"Recette : {len(report.providers)} fournisseur(s), vérifications : " + ", ".join(parts)


def _heading(recette: ProviderRecette) -> str:
    kind = KIND_SHORT_FR.get(recette.kind, "fichier")
    return f"{kind} « {recette.name} » — {recette.path} ({recette.deployment})"


def remote_markdown(text: str) -> str:
    """Text that may quote the other side (an issuer, a `Location`), as Markdown prose: no
    link, image, HTML or mention (`markdown_text`), and no bare URL GitHub would turn into
    a link (a word joiner after the scheme)."""
    return markdown_text(text).replace("://", ":\u2060//")


def _detail(codes: list[str], note: str) -> str:
    return " ; ".join(part for part in (", ".join(codes), note) if part)


def recette_text(report: LiveReport) -> str:
    """One line per check, provider by provider: the technical part of the video call."""
    lines = []
    for recette in report.providers:
        lines.append(_heading(recette))
        if recette.note:
            lines.append(f"  ? {recette.note}")
        for check in recette.checks:
            detail = _detail([f.code for f in check.findings], check.note)
            lines.append(
                f"  {SYMBOL[check.status]} {check.status.label:<13} {check.label}"
                + (f" ({detail})" if detail else "")
            )
        if recette.proven_domains:
            lines.append("  Domaines prouvés : " + ", ".join(sorted(recette.proven_domains)))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_live_text(report: LiveReport, colour: bool = False) -> str:
    return render_text(report.diagnostics, len(report.providers), colour) + recette_text(report)


def render_live_github(report: LiveReport, colour: bool = False) -> str:
    return render_github(report.diagnostics, len(report.providers)) + recette_text(report)


def render_live_json(report: LiveReport, colour: bool = False) -> str:
    errors = count_errors(report.diagnostics)
    document = {
        "providers": [
            {
                "path": r.path,
                "kind": r.kind,
                "name": r.name,
                "deployment": r.deployment,
                "note": r.note,
                "proven_domains": sorted(r.proven_domains),
                "checks": [
                    {
                        "check": c.key,
                        "label": c.label,
                        "status": str(c.status),
                        "codes": [f.code for f in c.findings],
                        "note": c.note,
                    }
                    for c in r.checks
                ],
            }
            for r in report.providers
        ],
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "summary": {
            "providers": len(report.providers),
            **{str(status): report.count(status) for status in CheckStatus},
            "errors": errors,
            "warnings": len(report.diagnostics) - errors,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def recette_markdown(recettes: tuple[ProviderRecette, ...], level: str = "###") -> list[str]:
    """The recette as Markdown tables, one per provider."""
    lines: list[str] = []
    for recette in recettes:
        # Names, domains and notes quote the partner's file: text, never Markdown.
        lines += [f"{level} {markdown_text(_heading(recette))}", ""]
        if recette.note:
            lines += [f"_{markdown_text(recette.note)}_", ""]
            continue
        lines += ["| Vérification | Résultat | Détail |", "|---|---|---|"]
        for check in recette.checks:
            codes = [f"`{f.code}`" for f in check.findings]
            detail = _detail(codes, remote_markdown(check.note) if check.note else "")
            label = markdown_text(check.label)
            lines.append(f"| {label} | {MARKDOWN_STATUS[check.status]} | {detail} |")
        if recette.proven_domains:
            proven = ", ".join(code_span(d) for d in sorted(recette.proven_domains))
            lines += ["", f"Domaines prouvés par DNS : {proven}"]
        lines.append("")
    return lines


def render_live_markdown(report: LiveReport, colour: bool = False) -> str:
    lines = [f"## {summary_line(report)}", "", *recette_markdown(report.providers)]
    if report.diagnostics:
        lines += ["### Problèmes", ""]
        for d in report.diagnostics:
            label = SEVERITY_FR[d.severity]
            where = code_span(f"{d.path}:{d.line}:{d.column}")
            message, hint = remote_markdown(d.message), remote_markdown(d.hint)
            lines.append(f"- {where} **{d.code}** ({label}) {message} — _{hint}_")
    return "\n".join(lines).rstrip("\n") + "\n"


LIVE_RENDERERS_BY_NAME: dict[str, Callable[[LiveReport, bool], str]] = {
    "text": render_live_text,
    "json": render_live_json,
    "markdown": render_live_markdown,
    "github": render_live_github,
}
