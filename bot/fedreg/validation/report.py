"""Diagnostics rendered for people (text), programs (json) and GitHub Actions (annotations)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ..diagnostics import SEVERITY_FR, Diagnostic, Severity, count_errors, count_waived

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _waiver_label(d: Diagnostic) -> str:
    """`erreur`, or `erreur · dérogation jusqu'au …` for a waived diagnostic."""
    label = SEVERITY_FR[d.severity]
    return f"{label} · {d.waiver.describe()}" if d.waiver is not None else label


def summary_line(diagnostics: Sequence[Diagnostic], file_count: int) -> str:
    errors = count_errors(diagnostics)
    waived = count_waived(diagnostics)
    files = len({d.path for d in diagnostics})
    return (
        f"{_plural(errors, 'erreur')}, "
        f"{_plural(len(diagnostics) - errors - waived, 'avertissement')}"
        + (f", {waived} sous dérogation" if waived else "")
        + f" dans {_plural(files, 'fichier')} ({_plural(file_count, 'fichier')} "
        f"{'vérifiés' if file_count > 1 else 'vérifié'})."
    )


def render_text(diagnostics: Sequence[Diagnostic], file_count: int, colour: bool = False) -> str:
    """`path:line:col: CODE message`, then the hint; nothing at all when there is nothing."""
    if not diagnostics:
        return ""
    lines = []
    for d in diagnostics:
        label = _waiver_label(d)
        if colour:
            head = (
                f"{_BOLD}{d.path}:{d.line}:{d.column}:{_RESET} "
                f"{_COLOURS[d.severity]}{d.code}{_RESET} {d.message}"
            )
            lines.append(head)
            lines.append(f"    {_DIM}{label} · {d.hint}{_RESET}")
        else:
            lines.append(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}")
            lines.append(f"    {label} · {d.hint}")
    lines.append(summary_line(diagnostics, file_count))
    return "\n".join(lines) + "\n"


def render_json(diagnostics: Sequence[Diagnostic], file_count: int, colour: bool = False) -> str:
    errors = count_errors(diagnostics)
    waived = count_waived(diagnostics)
    return (
        json.dumps(
            {
                "diagnostics": [d.as_dict() for d in diagnostics],
                "summary": {
                    "files": file_count,
                    "errors": errors,
                    "warnings": len(diagnostics) - errors - waived,
                    "waived": waived,
                },
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], file_count: int, colour: bool = False) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    lines = []
    for d in diagnostics:
        command = "error" if d.severity is Severity.ERROR else "warning"
        if d.waiver is not None:
            command = "notice"
        properties = (
            f"file={_escape_property(d.path)},line={d.line},col={d.column},"
            f"title={_escape_property(d.code)}"
        )
        text = d.message + chr(10) + (f"{_waiver_label(d)} · " if d.waiver else "") + d.hint
        lines.append(f"::{command} {properties}::{_escape_data(text)}")
    if diagnostics:
        lines.append(summary_line(diagnostics, file_count))
    return "\n".join(lines) + ("\n" if lines else "")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def render_sarif(diagnostics: Sequence[Diagnostic], file_count: int, colour: bool = False) -> str:
    """A SARIF 2.1.0 log (GitHub code scanning): one run, the rules met, one result each.

    Paths are relative to the current directory, which GitHub resolves against the
    repository's root (`%SRCROOT%`): run it from the root in CI.
    """
    from .. import __version__
    from .rules import RULES_BY_CODE
    from .rulesdoc import HINTS_IN_REFERENCE

    codes = sorted({d.code for d in diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = RULES_BY_CODE[code]
        hint = HINTS_IN_REFERENCE.get(code, rule.hint)
        rules.append(
            {
                "id": code,
                "name": code,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.message},
                "help": {"text": f"{hint} (référence : docs/rules.md, « fedreg rules {code} »)"},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            }
        )
    results = [
        {
            **_suppressions(d),
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": f"{d.message}\n{d.hint}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }
                }
            ],
        }
        for d in diagnostics
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fedreg",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _suppressions(d: Diagnostic) -> dict[str, Any]:
    """A waived result's SARIF `suppressions`: accepted by the federation, with why and until."""
    if d.waiver is None:
        return {}
    justification = d.waiver.describe()
    return {
        "suppressions": [{"kind": "external", "status": "accepted", "justification": justification}]
    }


Renderer = Callable[[Sequence[Diagnostic], int, bool], str]
RENDERERS_BY_NAME: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
