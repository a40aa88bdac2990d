"""Findings (what a check found, in field terms) and diagnostics (what a user reads, located)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

FieldPath = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_FR = {Severity.ERROR: "erreur", Severity.WARNING: "avertissement"}
"""Each severity as partners and operators read it."""


@dataclass(frozen=True)
class Finding:
    """A problem found by a check, located by field path inside one document.

    `field` is the path of the offending value (`("redirect_uris", 2)`); `()` is the whole file.
    `on_key` points at the key rather than at its value (unknown or duplicate keys).
    `line`/`column` are set only by checks that know the position without a field path
    (YAML syntax errors, bad bytes). `offset` points at a character inside the value (an
    invisible character in a URL), when the value is written on one line as it reads.
    """

    code: str
    field: FieldPath = ()
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    on_key: bool = False
    line: int | None = None
    column: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class Waiver:
    """An accepted exception (waivers.yaml): the diagnostic is shown and does not fail."""

    expires: str  # ISO date
    reason: str
    granted_by: str

    def describe(self) -> str:
        """How a waived diagnostic is labelled, in French."""
        year, month, day = self.expires.split("-")
        return (
            f"dérogation jusqu'au {day}/{month}/{year} (accordée par {self.granted_by} : "
            f"{self.reason})"
        )

    def as_dict(self) -> dict[str, str]:
        return {"expires": self.expires, "reason": self.reason, "granted_by": self.granted_by}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A located, rendered problem: what reporters print. Lines and columns are 1-based."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    hint: str
    field: str = ""
    waiver: Waiver | None = dataclasses.field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        waiver = {} if self.waiver is None else {"waiver": self.waiver.as_dict()}
        return {
            **waiver,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "hint": self.hint,
            "field": self.field,
        }


def format_field_path(path: FieldPath) -> str:
    """`("redirect_uris", 2)` -> `redirect_uris[2]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def count_errors(diagnostics: Sequence[Diagnostic]) -> int:
    """How many of the diagnostics are errors that fail a run (not waived)."""
    return sum(1 for d in diagnostics if d.severity is Severity.ERROR and d.waiver is None)


def count_waived(diagnostics: Sequence[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.waiver is not None)
