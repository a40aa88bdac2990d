"""The radar's GitHub issues, pure: one per provider with open findings, and a summary.

An issue is created when a provider's first finding appears, edited in place when its findings
change (never when nothing changed), closed when all are resolved, and reopened if they come
back. Owners are mentioned when the issue opens (or reopens) and when a finding becomes an
error; never on a plain edit (GitHub does not notify the mentions a body already had).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

MARKER = "<!-- fedreg:radar={key} -->"
MARKER_PATTERN = re.compile(r"\A<!-- fedreg:radar=(?P<key>[^\s<>]+) -->")
SUMMARY_MARKER = "<!-- fedreg:radar-synthese -->"
SUMMARY_TITLE = "Radar : synthèse de la fédération"
RADAR_LABEL = "radar"
BODY_LIMIT = 50_000
SEVERITY_LABELS = {"error": "radar:erreur", "warning": "radar:avertissement"}
SEVERITY_FR = {"error": "erreur", "warning": "avertissement"}
KIND_FR = {"ServiceProvider": "FS", "IdentityProvider": "FI"}


@dataclass(frozen=True)
class IssueAction:
    """One GitHub write. `number` is None for a creation."""

    action: str  # create | edit | close | comment
    key: str
    number: int | None = None
    title: str = ""
    body: str = ""
    labels: tuple[str, ...] = ()


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def _date(iso: str) -> str:
    return f"{date.fromisoformat(iso[:10]):%d/%m/%Y}"


def labels_for(entry: Mapping[str, Any]) -> tuple[str, ...]:
    environment, _, network = str(entry["deployment"]).partition("-")
    severities = {f["severity"] for f in entry["findings"].values()}
    severity = "error" if "error" in severities else "warning"
    return (RADAR_LABEL, SEVERITY_LABELS[severity], f"env:{environment}", f"réseau:{network}")


def title_for(entry: Mapping[str, Any]) -> str:
    kind = KIND_FR.get(entry["kind"], entry["kind"])
    return f"Radar : {kind} « {entry['name']} » ({entry['deployment']})"


def _mentions(owners: list[str]) -> str:
    return " ".join(owners) if owners else "(aucun propriétaire dans le fichier)"


def body_for(key: str, entry: Mapping[str, Any]) -> str:
    """The issue's body: the findings by severity, each with its date and what to do. It holds
    no date of its own, so that a day without change edits nothing."""
    lines = [
        MARKER.format(key=key),
        f"Le radar de la fédération a trouvé ce qui va casser pour `{entry['path']}` "
        f"({entry['deployment']}).",
        "",
        f"Propriétaires : {_mentions(list(entry.get('owners', [])))}",
        "",
    ]
    findings = sorted(
        entry["findings"].values(),
        key=lambda f: (f["severity"] != "error", f["code"], f["subject"]),
    )
    for index, finding in enumerate(findings):
        if sum(map(len, lines)) > BODY_LIMIT:  # GitHub refuses a body over 65,536 characters
            lines.append(f"- … et {len(findings) - index} autre(s) constat(s) (fedreg watch)")
            break
        lines.append(
            f"- **{SEVERITY_FR[finding['severity']]}** `{finding['code']}` "
            f"(`{finding['field']}`, depuis le {_date(finding['since'])}) : {finding['message']}"
        )
        if finding["hint"]:
            lines.append(f"  - À faire : {finding['hint']}")
    lines += [
        "",
        "Le radar passe chaque jour ouvré : il met cette issue à jour et la ferme quand tout "
        "est résolu. Chaque code est expliqué par « fedreg rules CODE » et dans le guide de "
        "votre fournisseur.",
    ]
    return "\n".join(lines)


def closing_body(key: str, entry: Mapping[str, Any], today: str) -> str:
    return "\n".join(
        [
            MARKER.format(key=key),
            f"Résolu le {_date(today)} : le radar ne trouve plus rien pour `{entry['path']}` "
            f"({entry['deployment']}).",
        ]
    )


def plan_issues(
    providers: Mapping[str, dict[str, Any]],
    previous: Mapping[str, Mapping[str, Any]],
    today: str,
) -> list[IssueAction]:
    """The writes that bring each provider's issue in line with its findings. Reads the
    issue's number, state and digest from `providers` (this pass's entries) and what was
    an error from `previous` (the last pass's entries)."""
    actions = []
    for key in sorted(providers):
        entry = providers[key]
        number, is_open = entry.get("issue"), bool(entry.get("issue_open"))
        findings = entry.get("findings", {})
        if not findings:
            if number is not None and is_open:
                body = closing_body(key, entry, today)
                actions.append(IssueAction("close", key, number, title_for(entry), body))
            continue
        title, labels = title_for(entry), labels_for(entry)
        body = body_for(key, entry)
        if digest(title, body, *labels) == entry.get("issue_digest") and is_open:
            continue
        if number is None:
            actions.append(IssueAction("create", key, None, title, body, labels))
            continue
        actions.append(IssueAction("edit", key, number, title, body, labels))
        before = previous.get(key, {}).get("findings", {})
        was_error = {i for i, f in before.items() if f["severity"] == "error"}
        new_errors = sorted(
            f["message"]
            for i, f in findings.items()
            if f["severity"] == "error" and (i not in was_error or not is_open)
        )
        if not is_open or new_errors:
            actions.append(
                IssueAction("comment", key, number, body=_escalation(entry, new_errors, is_open))
            )
    return actions


def _escalation(entry: Mapping[str, Any], errors: list[str], was_open: bool) -> str:
    head = "Le radar signale de nouveau un problème" if not was_open else "Nouvelle erreur"
    lines = [f"{_mentions(list(entry.get('owners', [])))} : {head}."]
    lines += [f"- {message}" for message in errors]
    return "\n".join(lines)


def summary_body(providers: Mapping[str, Mapping[str, Any]], today: str) -> str:
    """The federation-wide summary: providers with errors first, then warnings."""
    rows: dict[str, list[str]] = {"error": [], "warning": []}
    for key in sorted(providers, key=lambda k: (providers[k]["deployment"], providers[k]["path"])):
        entry = providers[key]
        findings = entry.get("findings", {})
        if not findings:
            continue
        severity = (
            "error" if any(f["severity"] == "error" for f in findings.values()) else "warning"
        )
        issue = f"#{entry['issue']}" if entry.get("issue") else "-"
        codes = ", ".join(sorted({f["code"] for f in findings.values()}))
        rows[severity].append(
            f"| {entry['deployment']} | `{entry['path']}` | {len(findings)} | {codes} | {issue} |"
        )
    lines = [SUMMARY_MARKER, f"Passage du {_date(today)}.", ""]
    room = BODY_LIMIT  # GitHub refuses a body over 65,536 characters: errors take room first
    for severity, title in (("error", "Erreurs"), ("warning", "Avertissements")):
        lines.append(f"### {title} ({len(rows[severity])} fournisseurs)")
        lines.append("")
        if rows[severity]:
            lines += [
                "| Déploiement | Fichier | Constats | Codes | Issue |",
                "|---|---|---|---|---|",
            ]
            for index, row in enumerate(rows[severity]):
                room -= len(row) + 1
                if room < 0:
                    left = len(rows[severity]) - index
                    lines.append(f"| … | et {left} autre(s) : voir leurs issues | | | |")
                    break
                lines.append(row)
        else:
            lines.append("Aucun.")
        lines.append("")
    return "\n".join(lines)


def summary_digest(providers: Mapping[str, Mapping[str, Any]]) -> str:
    """What the summary shows, without its date: an unchanged federation is not re-edited."""
    return digest(summary_body(providers, "2000-01-01"))
