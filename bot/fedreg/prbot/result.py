"""What the pull-request bot publishes, computed once: check run, comment, labels, review.

Pure: built from a plan and a review, serialised to JSON between `fedreg bot pr` (which
decides) and `fedreg bot publish` (which only talks to GitHub).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..changes.plan import Plan, Risk
from ..changes.report import GITHUB_COMMENT_LIMIT, code_span, markdown_text, render_markdown
from ..diagnostics import SEVERITY_FR, Diagnostic, Severity, count_errors
from ..live.check import proof_record
from ..live.report import recette_markdown, summary_line
from ..live.run import LiveReport
from ..registry.models import NETWORKS
from .review import Access, Review

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
REFUSED_SHOWN = 50  # files of other owners listed in "Et ensuite ?"
ACCESS_RESERVE = 2_000  # what the authorisations keep at least, before the plan
PLAN_FLOOR = 2_000  # the plan's summary line and cut notes always fit
CUT_NOTE_RESERVE = 300
PROBLEMS_BUDGET = 20_000  # partner-controlled values appear in messages: bounded
SELF_SERVICE_LABEL = "libre-service"
FEDERATION_LABEL = "revue-fédération-requise"
MANAGED_LABEL_PREFIXES = ("env:", "réseau:", "risque:")
MANAGED_LABELS = (SELF_SERVICE_LABEL, FEDERATION_LABEL)
APPROVAL_BODY = "Changement en libre-service validé par fedreg."


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
    base_sha: str = ""  # the base the verdict was decided on: publishing checks it still is
    # A merge queue's verdict: only a check run on the queue's commit (no pull request to
    # comment on, label or approve).
    merge_group: bool = False

    @property
    def verdict(self) -> str:
        return "passed" if self.passed else "failed"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


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
        "annotation_level": (
            "notice"
            if d.waiver is not None
            else "failure"
            if d.severity is Severity.ERROR
            else "warning"
        ),
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
    labels |= {f"réseau:{c.network}" for c in plan.changes if c.network in NETWORKS}
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
        for access in review.refused[:REFUSED_SHOWN]:
            owners = ", ".join(access.owners) or "(aucun)"
            lines.append(f"- {code_span(access.path)} — propriétaires : {owners}")
        hidden = len(review.refused) - REFUSED_SHOWN
        if hidden > 0:
            lines.append(f"- … et {hidden} autre(s) fichier(s) d'autres propriétaires.")
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
        reasons = "".join(f"\n- {review.reason_text(s)}" for s in review.federation_reasons)
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


def _access_lines(review: Review, budget: int) -> list[str]:
    """The per-file authorisations within `budget` characters: the lowest priority of the
    comment, so it is cut first, and says how many files it leaves out."""
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
    used = sum(len(line) + 1 for line in lines) + CUT_NOTE_RESERVE
    for shown, access in enumerate(review.accesses):
        detail = text[access.access].format(matched=access.matched, owners=", ".join(access.owners))
        line = f"- {code_span(access.path)} : {detail}"
        if used + len(line) + 1 > budget:
            hidden = len(review.accesses) - shown
            lines.append(
                f"- … et {hidden} autre(s) fichier(s) non listé(s) ici, pour laisser la place "
                "au verdict et au plan : `fedreg bot pr --dry-run` les liste tous."
            )
            break
        lines.append(line)
        used += len(line) + 1
    return lines


def _waived_lines(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    """The comment's "Dérogations": waived diagnostics, each with its expiry and who granted
    it (they do not fail the check)."""
    waived = [d for d in diagnostics if d.waiver is not None]
    if not waived:
        return []
    lines = ["#### Dérogations", ""]
    for d in waived[:COMMENT_DIAGNOSTICS_SHOWN]:
        assert d.waiver is not None
        where = code_span(f"{d.path}:{d.line}:{d.column}")
        lines.append(
            f"- {where} **{d.code}** ({SEVERITY_FR[d.severity]}) {markdown_text(d.message)} — "
            f"{markdown_text(d.waiver.describe())}"
        )
    if len(waived) > COMMENT_DIAGNOSTICS_SHOWN:
        lines.append(f"- … et {len(waived) - COMMENT_DIAGNOSTICS_SHOWN} autre(s).")
    return ["", *lines]


def _problem_lines(diagnostics: tuple[Diagnostic, ...], budget: int) -> list[str]:
    """The first diagnostics not waived, within `budget` characters; the rest are counted."""
    diagnostics = tuple(d for d in diagnostics if d.waiver is None)
    if not diagnostics:
        return []
    lines = ["#### Problèmes", ""]
    used = CUT_NOTE_RESERVE
    shown = 0
    for d in diagnostics[:COMMENT_DIAGNOSTICS_SHOWN]:
        label = SEVERITY_FR[d.severity]
        where = code_span(f"{d.path}:{d.line}:{d.column}")
        message, hint = markdown_text(d.message), markdown_text(d.hint)
        line = f"- {where} **{d.code}** ({label}) {message} — _{hint}_"
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    hidden = len(diagnostics) - shown
    if hidden > 0:
        lines.append(
            f"- … et {hidden} autre(s) : voyez les annotations du check "
            f"« {CHECK_NAME} » sur les fichiers."
        )
    return lines


def live_checks_section(
    report: LiveReport | None,
    added_domains: Mapping[str, frozenset[str]],
    uids: Mapping[str, str],
) -> list[str]:
    """The comment's "Vérifications en ligne": the recette of each provider the change creates
    or modifies, proven domains shown as such; or, when the live checks did not run, the
    records the new domains need. `uids` maps an FI file's path to its uid."""
    if report is None and not added_domains:
        return []
    lines = ["#### Vérifications en ligne", ""]
    if report is None:
        lines += [
            "_Non vérifié : les vérifications en ligne n'ont pas tourné pour cette demande. "
            "Les nouveaux domaines e-mail passent donc par la revue de la fédération._",
            "",
        ]
    else:
        lines += [summary_line(report), "", *recette_markdown(report.providers, "#####")]
    for path, domains in sorted(added_domains.items()):
        proven = report.proven.get(path, frozenset()) if report is not None else frozenset()
        for domain in sorted(domains):
            if domain in proven:
                lines.append(f"- {code_span(domain)} : ✅ domaine prouvé par DNS")
            elif path in uids:
                record = code_span(f'{domain}. IN TXT "{proof_record(uids[path])}"')
                lines.append(f"- {code_span(domain)} : preuve DNS à publier : {record}")
    return [*lines, ""]


def refusal_result(
    repository: str, pull_number: int, head_sha: str, base_sha: str, title: str, text: str
) -> BotResult:
    """A failing verdict decided before any file is read (wrong base branch, merge
    conflicts): a check failure and a comment saying why; nothing is approved."""
    summary = f"### ❌ fedreg : {title}\n\n#### Et ensuite ?\n\n{text}\n"
    head = f"{COMMENT_MARKER}\n{VERDICT_MARKER.format(verdict='failed')}\n"
    return BotResult(
        repository=repository,
        pull_number=pull_number,
        head_sha=head_sha,
        passed=False,
        title=title,
        summary=summary,
        comment=head + summary,
        base_sha=base_sha,
    )


def merge_group_result(
    repository: str,
    head_sha: str,
    main_sha: str,
    queued: str,
    plan: Plan | None,
    conflicts: Sequence[str] = (),
) -> BotResult:
    """The verdict on a merge queue's commit (main's tip and the queued pull requests): the
    registry it would leave, validated whole-state (`plan`), or the paths in conflict with
    main's tip; a check run only."""
    diagnostics = plan.diagnostics if plan is not None else ()
    errors = count_errors(diagnostics)
    passed = errors == 0 and not conflicts
    title = "file de fusion valide" if passed else f"{errors} erreur(s) dans la file de fusion"
    if conflicts:
        title = "conflits entre la file de fusion et main"
    lines = [
        f"### {'✅' if passed else '❌'} fedreg : {title}",
        "",
        f"Le registre tel que cette fusion le laisserait ({markdown_text(queued)}, sur "
        f"`main` à {code_span(main_sha[:12])}), vérifié en entier avec les mêmes règles que "
        "chaque demande.",
        "",
    ]
    if conflicts:
        lines += ["Fichiers en conflit :", *(f"- {code_span(path)}" for path in conflicts), ""]
    elif not passed:
        lines += [
            "Ces demandes sont valides une à une mais pas ensemble : retirez l'une d'elles de "
            "la file, mettez-la à jour avec `main` et corrigez-la.",
            "",
        ]
    lines += _problem_lines(tuple(diagnostics), PROBLEMS_BUDGET)
    return BotResult(
        repository=repository,
        pull_number=0,
        head_sha=head_sha,
        passed=passed,
        title=title,
        summary="\n".join(lines) + "\n",
        annotations=[annotation(d) for d in diagnostics],
        base_sha=main_sha,
        merge_group=True,
    )


def rejudged(result: BotResult, main_sha: str) -> BotResult:
    """A verdict given again because `main` moved (a push): never an approval (who pushed the
    pull request's head is not known here); the comment says why it changed."""
    note = (
        f"_Verdict revu après l'avancée de `main` (commit {code_span(main_sha[:12])}) : "
        "ce qui y a été fusionné depuis change ce que cette demande ferait. Toute approbation "
        "de fedreg est retirée ; poussez un commit (ou mettez la branche à jour) pour un "
        "nouveau verdict._"
    )

    def with_note(text: str) -> str:
        heading, _, rest = text.partition("\n")
        return f"{heading}\n\n{note}\n{rest}" if heading.startswith("###") else text

    head, marker, body = result.comment.rpartition(
        f"{VERDICT_MARKER.format(verdict=result.verdict)}\n"
    )
    comment = head + marker + with_note(body) if marker else result.comment
    return dataclasses.replace(
        result,
        comment=comment,
        summary=with_note(result.summary),
        approve=False,
        approval_body="",
    )


def build_result(
    repository: str,
    pull_number: int,
    head_sha: str,
    plan: Plan,
    review: Review,
    registry_paths: list[str],
    support: str,
    live_section: Sequence[str] = (),
    base_sha: str = "",
) -> BotResult:
    errors = count_errors(plan.diagnostics)
    title, heading = _headline(review, errors)
    verdict = "passed" if review.passed else "failed"
    # Priority: the verdict and its reasons (live checks included), then the plan, then the
    # per-file authorisations, which take what is left; every cut says what it cut.
    top = "\n".join(
        [
            f"### {heading}",
            "",
            *_next_steps(review, support),
            "",
            *_problem_lines(plan.diagnostics, PROBLEMS_BUDGET),
            *_waived_lines(plan.diagnostics),
            *(["", *live_section] if live_section else []),
        ]
    )
    head = f"{COMMENT_MARKER}\n{VERDICT_MARKER.format(verdict=verdict)}\n"
    plan_title = "\n#### Plan\n\n"
    room = GITHUB_COMMENT_LIMIT - len(head) - len(top) - len(plan_title) - 2 * CUT_NOTE_RESERVE
    plan_text = render_markdown(plan, limit=max(room - ACCESS_RESERVE, PLAN_FLOOR))
    access = "\n".join(_access_lines(review, room - len(plan_text)))
    comment = head + top + "\n\n" + access + "\n" + plan_title + plan_text
    if len(comment) > GITHUB_COMMENT_LIMIT:  # the budgets above make this unreachable
        comment = comment[: GITHUB_COMMENT_LIMIT - CUT_NOTE_RESERVE] + (
            "\n\n_Commentaire coupé ici pour tenir dans la limite de GitHub : "
            "`fedreg bot pr --dry-run` le montre en entier._\n"
        )
    summary_access = _access_lines(review, CHECK_SUMMARY_LIMIT - len(top) - CUT_NOTE_RESERVE)
    summary = top + "\n\n" + "\n".join(summary_access) + "\n"
    team = review.federation_team.split("/", 1)[-1] if "/" in review.federation_team else ""
    return BotResult(
        repository=repository,
        pull_number=pull_number,
        head_sha=head_sha,
        passed=review.passed,
        title=title,
        summary=summary,
        annotations=[annotation(d) for d in plan.diagnostics],
        comment=comment,
        labels=labels_for(plan, review, registry_paths),
        approve=review.self_service,
        approval_body=APPROVAL_BODY if review.self_service else "",
        team_reviewers=[team] if review.passed and review.federation_reasons and team else [],
        base_sha=base_sha,
    )
