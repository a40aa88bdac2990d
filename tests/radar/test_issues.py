"""The radar's issue plan (pure): what is written, when, and when owners are mentioned."""

from __future__ import annotations

from typing import Any

import pytest

from fedreg.radar.issues import (
    BODY_LIMIT,
    digest,
    labels_for,
    plan_issues,
    summary_body,
    title_for,
)
from fedreg.radar.state import StateError, parse_state

KEY = "production-internet/ServiceProvider/abc"


def _finding(code: str, severity: str, subject: str = "x") -> dict[str, Any]:
    return {
        "code": code,
        "severity": severity,
        "subject": subject,
        "field": "redirect_uris[0]",
        "message": f"message {code} {subject}",
        "hint": "",
        "since": "2030-01-01",
    }


def _entry(findings: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "path": "registry/production/service-providers/demo.yaml",
        "deployment": "production-internet",
        "kind": "ServiceProvider",
        "name": "Démo",
        "owners": ["@alice", "@org/equipe"],
        "findings": {f"{f['code']}:{f['subject']}": f for f in findings},
        **extra,
    }


def test_a_closed_issue_whose_findings_return_is_reopened_and_owners_told() -> None:
    entry = _entry([_finding("R030", "warning")], issue=7, issue_open=False)
    actions = plan_issues({KEY: entry}, {KEY: _entry([])}, "2030-02-01")
    assert [(a.action, a.number) for a in actions] == [("edit", 7), ("comment", 7)]
    assert actions[1].body.startswith("@alice @org/equipe : Le radar signale de nouveau")


def test_nothing_changed_writes_nothing() -> None:
    entry = _entry([_finding("R030", "warning")], issue=7, issue_open=True)
    [edit] = plan_issues({KEY: entry}, {}, "2030-02-01")
    entry["issue_digest"] = digest(edit.title, edit.body, *edit.labels)
    assert plan_issues({KEY: entry}, {KEY: entry}, "2030-02-02") == []


def test_a_warning_that_becomes_an_error_mentions_once() -> None:
    before = _entry([_finding("R030", "warning", "client_secret")], issue=7, issue_open=True)
    after = _entry([_finding("R031", "error", "client_secret")], issue=7, issue_open=True)
    actions = plan_issues({KEY: after}, {KEY: before}, "2030-02-01")
    assert [a.action for a in actions] == ["edit", "comment"]
    assert "message R031 client_secret" in actions[1].body
    again = plan_issues({KEY: {**after, "issue_digest": "autre"}}, {KEY: after}, "2030-02-02")
    assert [a.action for a in again] == ["edit"]  # still an error: no new mention


def test_resolved_closes_and_an_unknown_issue_is_left_alone() -> None:
    closing = plan_issues({KEY: _entry([], issue=7, issue_open=True)}, {}, "2030-02-01")
    assert [(a.action, a.number) for a in closing] == [("close", 7)]
    assert "Résolu le 01/02/2030" in closing[0].body
    assert plan_issues({KEY: _entry([])}, {}, "2030-02-01") == []


def test_labels_and_title() -> None:
    entry = _entry([_finding("R030", "warning"), _finding("R020", "error")])
    assert labels_for(entry) == ("radar", "radar:erreur", "env:production", "réseau:internet")
    assert title_for(entry) == "Radar : FS « Démo » (production-internet)"


def test_bodies_stay_within_githubs_limit() -> None:
    many = [_finding("R042", "warning", f"domaine-{i:05d}" + "x" * 200) for i in range(2000)]
    [create] = plan_issues({KEY: _entry(many)}, {}, "2030-02-01")
    assert BODY_LIMIT < len(create.body) < 65_536
    assert "autre(s) constat(s)" in create.body
    providers = {
        f"k{i}": _entry([_finding("R020", "error")], issue=i) | {"path": f"{'p' * 150}{i}.yaml"}
        for i in range(2000)
    }
    summary = summary_body(providers, "2030-02-01")
    assert len(summary) < 65_536 and "autre(s) : voir leurs issues" in summary
    assert "### Erreurs (2000 fournisseurs)" in summary


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{pas du json", "état du radar illisible"),
        ('{"format": 2}', "format inconnu"),
        ('{"format": 1}', "état du radar incomplet"),
        ("[]", "format inconnu"),
    ],
)
def test_a_damaged_state_is_refused(text: str, message: str) -> None:
    with pytest.raises(StateError, match=message):
        parse_state(text, "radar.json")
