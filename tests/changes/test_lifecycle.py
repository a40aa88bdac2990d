"""A provider's life as events (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fedreg.changes.lifecycle import (
    Revision,
    deploy_events,
    event_json,
    ordered,
    pull_request_of,
    revision_events,
    secret_events,
    text_line,
)

T0 = datetime(2030, 1, 1, 8, tzinfo=UTC)


def _rev(
    hours: int, before: dict[str, Any] | None, after: dict[str, Any] | None, subject: str = "x"
) -> Revision:
    return Revision(
        f"{hours:040x}", "Alice", T0 + timedelta(hours=hours), subject, "a.yaml", before, after
    )


def test_deactivation_reactivation_and_removal() -> None:
    on, off = {"name": "A", "active": True}, {"name": "A", "active": False}
    events = revision_events(
        [_rev(0, None, on, "Ajout (#3)"), _rev(1, on, off), _rev(2, off, on), _rev(3, on, None)]
    )
    assert [(e.event, e.pull_request) for e in events] == [
        ("created", 3),
        ("deactivated", None),
        ("reactivated", None),
        ("deleted", None),
    ]
    assert events[1].description == "désactivé : active"
    assert events[3].description == "fichier retiré : désactivé au déploiement"


def test_deploys_and_secrets_of_other_providers_are_left_out() -> None:
    records: list[dict[str, Any]] = [
        {"at": T0, "commit": "c1", "deployment": "d", "applied": ["create client autre"]},
        {"at": T0.replace(tzinfo=None), "commit": None, "deployment": "d",
         "applied": ["deactivate client moi", "update provider moi"], "status": "applied"},
    ]  # fmt: skip
    [deployed] = deploy_events(records, "client", "moi")
    assert deployed.at.tzinfo is UTC and deployed.extra == {
        "action": "deactivate",
        "status": "applied",
    }
    assert "commit -" in deployed.description
    audit: list[dict[str, Any]] = [
        {"at": T0, "kind": "deploy", "status": "applied", "actor": "ops",
         "applied": ["create client moi"]},
        {"at": T0 + timedelta(days=1), "kind": "secret-rotation", "status": "applied",
         "rotated": "autre", "applied": ["secret client autre"]},
        {"at": T0 + timedelta(days=2), "kind": "secret-rotation", "status": "failed",
         "rotated": "moi", "applied": ["secret client moi"]},
    ]  # fmt: skip
    issued = secret_events(audit, "moi")
    assert [(e.event, e.description) for e in issued] == [
        ("secret_issued", "secret client émis (appliqué)"),
        ("secret_rotated", "secret client renouvelé (échoué)"),
    ]
    # A rotation's audit entry is a secret event, never a deploy of the document.
    assert [e.event for e in deploy_events(audit, "client", "moi")] == ["deployed"]
    line = event_json(ordered(issued)[0], "moi")
    assert line["actor"] == "ops" and "commit" not in line and line["iat"] == int(T0.timestamp())
    assert text_line(issued[0]).endswith("par ops")


def test_pull_request_numbers_from_subjects() -> None:
    assert pull_request_of("Merge pull request #42 from org/branche") == 42
    assert pull_request_of("Corrige l'URL (#7)") == 7
    assert pull_request_of("voir #7 plus tard") is None


def test_the_text_line_shows_no_control_character() -> None:
    [event] = revision_events([_rev(0, None, {"name": "A"})])
    hostile = type(event)(event.at, event.event, event.description, actor="Eve\x1b[2J\n")
    assert text_line(hostile).endswith("par Eve?[2J?")
