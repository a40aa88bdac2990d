"""What the pull-request bot publishes, computed once: check run, comment, labels, review.

Pure: built from a plan and a review, serialised to JSON between `fedreg bot pr` (which
decides) and `fedreg bot publish` (which only talks to GitHub).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity
from .plan import Plan, Risk
from .planreport import GITHUB_COMMENT_LIMIT, render_markdown
from .review import SITUATION_FR, Access, Review

CHECK_NAME = "fedreg"
COMMENT_MARKER = "<!-- fedreg:pr-bot -->"
VERDICT_MARKER = "<!-- fedreg:verdict={verdict} -->"
OUTDATED_NOTE = (
    "> **Commentaire obsolète** : le verdict a changé, voir le commentaire plus "
    "récent de fedreg.\n\n"
)
ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit per check-run update
CHECK_SUMMARY_LIMIT = 65_535
COMMENT_DIAGNOSTICS_SHOWN = 30
SELF_SERVICE_LABEL = "libre-service"
FEDERATION_LABEL = "revue-fédération-requise"
MANAGED_LABEL_PREFIXES = ("env:", "réseau:", "risque:")
MANAGED_LABELS = (SELF_SERVICE_LABEL, FEDERATION_LABEL)


@dataclass(frozen=True)
class BotResult:
    repository: str
    pull_number: int
    head_sha: str
    passed: bool
    title: str
    summary: str
    annotations: list[dict[str, Any]] = field(default_factory=list)
    comment: str = ""
    labels: list[str] = field(default_factory=list)
    approve: bool = False
    approval_body: str = ""
    team_reviewers: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "passed" if self.passed else "failed"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BotResult:
        return cls(**json.loads(text))

    @classmethod
    def read(cls, path: Path) -> BotResult:
        return cls.from_json(path.read_text(encoding="utf-8"))


def is_managed_label(name: str) -> bool:
    return name in MANAGED_LABELS or name.startswith(MANAGED_LABEL_PREFIXES)


def comment_verdict(body: str) -> str | None:
    for verdict in ("passed", "failed"):
        if VERDICT_MARKER.format(verdict=verdict) in body:
            return verdict
    return None


def annotation(d: Diagnostic) -> dict[str, Any]:
    return {
        "path": d.path,
        "start_line": d.line,
        "end_line": d.line,
        "start_column": d.column,
        "end_column": d.column,
        "annotation_level": "failure" if d.severity is Severity.ERROR else "warning",
        "title": d.code,
        "message": d.message,
        "raw_details": d.hint,
    }


def labels_for(plan: Plan, review: Review, registry_paths: list[str]) -> list[str]:
    labels = {f"env:{c.environment}" for c in plan.changes}
    labels |= {
        f"env:{p.split('/')[1]}"
        for p in registry_paths
        if p.split("/")[1:2] in (["integration"], ["production"])
    }
    labels |= {f"réseau:{c.network}" for c in plan.changes if c.network in ("internet", "rie")}
    if plan.highest_risk > Risk.NONE:
        labels.add(f"risque:{plan.highest_risk.label}")
    if review.self_service:
        labels.add(SELF_SERVICE_LABEL)
    if review.federation_reasons:
        labels.add(FEDERATION_LABEL)
    return sorted(labels)


def _headline(review: Review, errors: int) -> tuple[str, str]:
    """(check-run title, comment heading)."""
    if review.refused:
        return "Refusé : fichiers d'autres propriétaires", "⛔ fedreg : modification refusée"
    if errors:
        title = f"{errors} erreur{'s' if errors > 1 else ''} à corriger"
        return title, f"❌ fedreg : {title}"
    if review.self_service:
        return "Valide — libre-service", "✅ fedreg : modification valide, en libre-service"
    if review.federation_reasons:
        return (
            "Valide — revue de la fédération requise",
            "✅ fedreg : modification valide, revue de la fédération requise",
        )
    return "Valide", "✅ fedreg : modification valide"


def _next_steps(review: Review, support: str) -> list[str]:
    lines = ["#### Et ensuite ?", ""]
    if review.refused:
        lines.append(f"@{review.author}, vous n'êtes pas propriétaire de ces fichiers :")
        for access in review.refused:
            owners = ", ".join(access.owners) or "(aucun)"
            lines.append(f"- `{access.path}` — propriétaires : {owners}")
        lines += [
            "",
            "Pour obtenir l'accès, demandez à l'un de ces propriétaires d'ajouter votre "
            "compte (ou votre équipe) à `owners` dans une demande séparée, ou écrivez à "
            f"{support}. Les propriétaires qui comptent sont ceux de la branche "
            "principale : s'ajouter dans cette même demande ne suffit pas.",
        ]
        return lines
    if not review.valid:
        lines.append(
            "Corrigez les problèmes ci-dessous et poussez un nouveau commit : ce "
            "commentaire sera mis à jour."
        )
    elif review.self_service:
        lines.append(
            "Changement en libre-service par un propriétaire des fichiers : fedreg "
            "approuve cette demande. Elle sera déployée dès sa fusion."
        )
    elif review.federation_reasons:
        reasons = "".join(f"\n- {SITUATION_FR.get(s, s)}" for s in review.federation_reasons)
        lines.append(
            f"L'équipe de la fédération ({review.federation_team}) doit approuver "
            f"cette demande, pour ces raisons :{reasons}"
        )
    elif review.situations:
        lines.append(
            "Si vous êtes bien propriétaire des fichiers, ce changement est en libre-service : "
            "fedreg l'approuvera sur la demande de fusion."
        )
    if review.unchecked:
        lines += [
            "",
            "_Propriétaires non vérifiés hors ligne : l'appartenance aux équipes "
            "GitHub se vérifie sur la demande de fusion._",
        ]
    return lines


def _access_lines(review: Review) -> list[str]:
    text = {
        Access.OWNER: "✓ propriétaire ({matched})",
        Access.FEDERATION: "✓ équipe de la fédération ({matched})",
        Access.NEW_FILE: "nouveau fichier : revue de la fédération",
        Access.REFUSED: "⛔ refusé (propriétaires : {owners})",
        Access.UNCHECKED: "non vérifié hors ligne (propriétaires : {owners})",
        Access.CONTACT: "✓ contact du fichier ({matched}), par l'espace partenaires",
        Access.NOT_CONTACT: "demandeur hors des contacts : revue de la fédération",
    }
    lines = ["#### Autorisations", "", f"Auteur : @{review.author}", ""]
    if review.requester_note:
        lines += [review.requester_note, ""]
    for access in review.accesses:
        detail = text[access.access].format(matched=access.matched, owners=", ".join(access.owners))
        lines.append(f"- `{access.path}` : {detail}")
    return lines


def _problem_lines(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    if not diagnostics:
        return []
    lines = ["#### Problèmes", ""]
    for d in diagnostics[:COMMENT_DIAGNOSTICS_SHOWN]:
        label = "erreur" if d.severity is Severity.ERROR else "avertissement"
        lines.append(
            f"- `{d.path}:{d.line}:{d.column}` **{d.code}** ({label}) {d.message} — _{d.hint}_"
        )
    hidden = len(diagnostics) - COMMENT_DIAGNOSTICS_SHOWN
    if hidden > 0:
        lines.append(
            f"- … et {hidden} autre(s) : voyez les annotations du check "
            f"« {CHECK_NAME} » sur les fichiers."
        )
    return lines


def build_result(
    repository: str,
    pull_number: int,
    head_sha: str,
    plan: Plan,
    review: Review,
    registry_paths: list[str],
    support: str,
) -> BotResult:
    errors = sum(1 for d in plan.diagnostics if d.severity is Severity.ERROR)
    title, heading = _headline(review, errors)
    verdict = "passed" if review.passed else "failed"
    body = [
        f"### {heading}",
        "",
        *_next_steps(review, support),
        "",
        *_problem_lines(plan.diagnostics),
        "",
        *_access_lines(review),
        "",
    ]
    summary = "\n".join(body)
    head = f"{COMMENT_MARKER}\n{VERDICT_MARKER.format(verdict=verdict)}\n"
    budget = GITHUB_COMMENT_LIMIT - len(head) - len(summary) - 100
    comment = head + summary + "\n#### Plan\n\n" + render_markdown(plan, limit=max(budget, 2000))
    team = review.federation_team.split("/", 1)[-1] if "/" in review.federation_team else ""
    return BotResult(
        repository=repository,
        pull_number=pull_number,
        head_sha=head_sha,
        passed=review.passed,
        title=title,
        summary=summary[:CHECK_SUMMARY_LIMIT],
        annotations=[annotation(d) for d in plan.diagnostics],
        comment=comment[:GITHUB_COMMENT_LIMIT],
        labels=labels_for(plan, review, registry_paths),
        approve=review.self_service,
        approval_body="Changement en libre-service validé par fedreg."
        if review.self_service
        else "",
        team_reviewers=[team] if review.passed and review.federation_reasons and team else [],
    )
