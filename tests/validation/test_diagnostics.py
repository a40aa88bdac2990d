"""diagnostics.py, pure: error counting and the severities' French labels."""

from __future__ import annotations

from fedreg.diagnostics import SEVERITY_FR, Diagnostic, Severity, count_errors


def _diagnostic(code: str, severity: Severity) -> Diagnostic:
    return Diagnostic(
        path="registry/integration/service-providers/fs.yaml",
        line=1,
        column=1,
        code=code,
        severity=severity,
        message="message",
        hint="indice",
    )


def test_count_errors_counts_errors_only() -> None:
    found = [
        _diagnostic("S001", Severity.ERROR),
        _diagnostic("D006", Severity.WARNING),
        _diagnostic("U001", Severity.ERROR),
    ]
    assert count_errors(found) == 2
    assert count_errors(found[1:2]) == 0
    assert count_errors([]) == 0


def test_every_severity_has_its_french_label() -> None:
    assert set(SEVERITY_FR) == set(Severity)
    assert SEVERITY_FR[Severity.ERROR] == "erreur"
    assert SEVERITY_FR[Severity.WARNING] == "avertissement"
