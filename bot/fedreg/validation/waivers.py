"""Exceptions as code: `waivers.yaml` (accepted, expiring exceptions to a rule for one file)
and the policy's rule levels with their effective dates.

Pure: the waivers file's bytes, the policy and today's date in, diagnostics out. Applied in
one place, `apply_exceptions`, on the diagnostics of every path that reports or gates on them
(validate and all its formats, render and deploy, the pull-request bot).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..diagnostics import Diagnostic, Finding, Severity, Waiver
from ..registry.layout import RegistryDocument, display_path
from ..registry.policy import Policy, RuleLevel
from ..registry.snapshot import parse_document
from .engine import locate, read_bytes
from .rules import RULES_BY_CODE
from .shape import finding_from_error

WAIVERS_FILE = "waivers.yaml"
LOGIN_PATTERN = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"  # a person, not a team
MAX_WAIVER_DAYS = 366
_LEVEL_SEVERITY = {"erreur": Severity.ERROR, "avertissement": Severity.WARNING}
_BECOMES = {"erreur": "une erreur", "avertissement": "un avertissement"}


class WaiverEntry(BaseModel):
    """Une dérogation : un code, pour un fichier du registre, jusqu'à une date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(
        pattern=r"^[A-Z][0-9]{3}$", description="Le code de diagnostic accepté (ex. N007)."
    )
    file: str = Field(
        pattern=r"^registry/[^/]+/[^/]+/[^/]+\.yaml$",
        description="Le fichier du fournisseur, depuis la racine du dépôt.",
    )
    reason: str = Field(min_length=1, description="Pourquoi la fédération accepte l'exception.")
    granted_by: str = Field(
        pattern=LOGIN_PATTERN,
        description="Le membre de l'équipe de la fédération qui l'accorde (@login).",
    )
    expires: datetime.date = Field(
        description="Dernier jour de la dérogation (au plus un an plus tard)."
    )


class WaiversFile(BaseModel):
    """Les dérogations accordées par la fédération."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[WaiverEntry] = Field(default_factory=list)


@dataclass
class Waivers:
    """The waivers file as read: its document (for located diagnostics) and the entries in
    force, by index in the file."""

    doc: RegistryDocument | None
    active: dict[int, WaiverEntry]


NO_WAIVERS = Waivers(doc=None, active={})


def waivers_in(root: Path, policy: Policy, today: datetime.date) -> Waivers:
    """The waivers file at the repository's root (none: no waiver). A symbolic link is never
    followed: it waives nothing."""
    path = root / WAIVERS_FILE
    if path.is_symlink() or not path.is_file():
        return NO_WAIVERS
    return read_waivers(read_bytes(path), policy, today, display_path(path))


def root_relative(root: Path) -> Callable[[str], str]:
    """A diagnostic's path (relative to the current folder) as waivers.yaml writes it."""
    return lambda path: Path(os.path.relpath(os.path.abspath(path), root)).as_posix()


def read_waivers(
    raw: bytes | None, policy: Policy, today: datetime.date, shown_as: str = WAIVERS_FILE
) -> Waivers:
    """The waivers in force on `today`; every problem of the file is a finding of its doc.
    An empty file (or only comments) waives nothing."""
    if raw is None or all(
        not line.strip() or line.lstrip().startswith(b"#") for line in raw.splitlines()
    ):
        return NO_WAIVERS
    doc = RegistryDocument(
        path=Path(WAIVERS_FILE),
        display_path=shown_as,
        environment="",
        kind="",
        slug="waivers",
    )
    parse_document(doc, raw)
    if doc.data is None:
        return Waivers(doc=doc, active={})
    try:
        entries = WaiversFile.model_validate(doc.data).waivers
    except ValidationError as exc:
        doc.findings.extend(finding_from_error(WaiversFile, e, doc.data) for e in exc.errors())
        return Waivers(doc=doc, active={})
    active = {}
    for index, entry in enumerate(entries):
        finding = _entry_problem(entry, index, policy, today)
        if finding is None:
            active[index] = entry
        else:
            doc.findings.append(finding)
    return Waivers(doc=doc, active=active)


def _entry_problem(
    entry: WaiverEntry, index: int, policy: Policy, today: datetime.date
) -> Finding | None:
    where: tuple[str | int, ...] = ("waivers", index)
    if entry.code not in RULES_BY_CODE:
        return Finding("W005", (*where, "code"), {"code": entry.code})
    if entry.code in policy.unwaivable_codes:
        return Finding("W003", (*where, "code"), {"code": entry.code})
    if entry.expires < today:
        return Finding("W001", (*where, "expires"), {"expires": entry.expires.isoformat()})
    latest = today + datetime.timedelta(days=MAX_WAIVER_DAYS)
    if entry.expires > latest:
        params = {"expires": entry.expires.isoformat(), "latest": latest.isoformat()}
        return Finding("W002", (*where, "expires"), params)
    return None


def _level(diagnostic: Diagnostic, level: RuleLevel, today: datetime.date) -> Diagnostic:
    severity = _LEVEL_SEVERITY[level.level]
    if level.effective is None or today >= level.effective:
        return replace(diagnostic, severity=severity)
    if severity is diagnostic.severity:
        return diagnostic
    notice = f" Deviendra {_BECOMES[level.level]} le {level.effective:%d/%m/%Y}."
    return replace(diagnostic, message=diagnostic.message + notice)


def apply_exceptions(
    diagnostics: Sequence[Diagnostic],
    waivers: Waivers,
    policy: Policy,
    today: datetime.date,
    root_path: Callable[[str], str] = lambda path: path,
    checked: Callable[[str], bool] = lambda file: True,
) -> list[Diagnostic]:
    """The diagnostics at their level of `today`, the waived ones marked, and the waivers
    file's own diagnostics (invalid, expired, unwaivable, and unused entries among the files
    `checked`)."""
    used: set[int] = set()
    adjusted = []
    for diagnostic in diagnostics:
        level = policy.rule_levels.get(diagnostic.code)
        if level is not None:
            diagnostic = _level(diagnostic, level, today)
        for index, entry in waivers.active.items():
            if entry.code == diagnostic.code and entry.file == root_path(diagnostic.path):
                used.add(index)
                diagnostic = replace(
                    diagnostic,
                    waiver=Waiver(entry.expires.isoformat(), entry.reason, entry.granted_by),
                )
                break
        adjusted.append(diagnostic)
    if waivers.doc is None:
        return adjusted
    for index, entry in waivers.active.items():
        if index not in used and checked(entry.file):
            waivers.doc.findings.append(
                Finding("W004", ("waivers", index), {"code": entry.code, "file": entry.file})
            )
    own = locate(waivers.doc)
    waivers.doc.findings = [f for f in waivers.doc.findings if f.code != "W004"]
    return sorted([*adjusted, *own])
