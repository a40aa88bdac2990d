"""A provider's life as events (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fedreg.changes.lifecycle import (
    Revision,
    deploy_events,
    feed_line,
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


def test_deploys_of_other_providers_and_undelivered_secrets_are_left_out() -> None:
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
    issued = secret_events(
        [
            {"createdAt": T0 + timedelta(days=2), "state": "delivered"},
            {"createdAt": T0 + timedelta(days=1), "state": "obsolete"},
            {"createdAt": T0, "state": "delivered", "actor": "ops"},
        ]
    )
    assert [e.event for e in issued] == ["secret_issued", "secret_rotated"]
    line = json.loads(feed_line(ordered(issued)[0], "moi", "ServiceProvider", "a.yaml"))
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
