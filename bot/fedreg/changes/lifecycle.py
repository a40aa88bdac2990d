"""A provider's life as events (pure): from its file's git revisions, its deployment's audit
trail (deploys and secret rotations) and the radar's memory, to one ordered list, told in
French or given as JSON (`docs/schemas/provider-history.schema.json`).

Each JSON event is shaped to follow the OpenID Federation subordinate-events draft later:
`sub` (the provider's identifier), `iat` (seconds since the epoch), `event` (a stable type
name), `event_description` (text for people), and fedreg's own members beside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .plan import FieldChange, field_changes

FORMAT_VERSION = 1  # of the JSON output, as `fedreg history DEPLOYMENT --format json`
EVENT_TYPES = (
    "created",
    "modified",
    "deactivated",
    "reactivated",
    "deleted",
    "deployed",
    "secret_issued",
    "secret_rotated",
    "radar_opened",
    "radar_escalated",
    "radar_resolved",
)
_PULL = re.compile(r"(?:Merge pull request #(\d+)|\(#(\d+)\)\s*$)")
DEPLOY_ACTIONS_FR = {"create": "créé", "update": "mis à jour", "deactivate": "désactivé"}
ROTATION_KIND = "secret-rotation"  # the audit kind of `fedreg secret rotate`
STATUS_FR = {"applied": "appliqué", "failed": "échoué"}
RADAR_FR = {"opened": "constat ouvert", "escalated": "constat devenu erreur", "resolved": "résolu"}


@dataclass(frozen=True)
class Revision:
    """One commit that changed the provider's file: the parsed documents before and after
    (None: absent), normalised as the change plan compares them."""

    commit: str
    author: str
    at: datetime
    subject: str
    path: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class ProviderEvent:
    at: datetime
    event: str
    description: str
    commit: str | None = None
    actor: str | None = None
    pull_request: int | None = None
    fields: tuple[str, ...] = ()
    deployment: str | None = None
    code: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def pull_request_of(subject: str) -> int | None:
    """The pull request a commit subject names (a merge, or GitHub's squash suffix)."""
    match = _PULL.search(subject)
    return int(match.group(1) or match.group(2)) if match else None


def _active(document: Mapping[str, Any]) -> bool:
    return document.get("active", True) is not False


def _field_names(changes: Iterable[FieldChange]) -> tuple[str, ...]:
    return tuple(change.field for change in changes)


def revision_events(revisions: Sequence[Revision]) -> list[ProviderEvent]:
    """Created, modified (with the fields), deactivated, reactivated, deleted: oldest first."""
    events = []
    for rev in revisions:
        event = _event_of(rev)
        if rev.before is None and rev.after is not None:
            events.append(event("created", f"créé ({rev.path})"))
            continue
        if rev.after is None:
            events.append(event("deleted", "fichier retiré : désactivé au déploiement"))
            continue
        assert rev.before is not None
        names = _field_names(field_changes(dict(rev.before), dict(rev.after)))
        if _active(rev.before) and not _active(rev.after):
            kind, text = "deactivated", "désactivé"
        elif not _active(rev.before) and _active(rev.after):
            kind, text = "reactivated", "réactivé"
        else:
            kind, text = "modified", "modifié"
        if names:
            text += " : " + ", ".join(names)
        events.append(event(kind, text, names))
    return events


def _event_of(rev: Revision) -> Callable[..., ProviderEvent]:
    pull = pull_request_of(rev.subject)

    def event(kind: str, text: str, names: tuple[str, ...] = ()) -> ProviderEvent:
        return ProviderEvent(rev.at, kind, text, rev.commit, rev.author, pull, names)

    return event


def deploy_events(
    records: Iterable[Mapping[str, Any]], collection: str, identifier: str
) -> list[ProviderEvent]:
    """The deploys that wrote this provider's document (from each record's `applied`)."""
    events = []
    for record in records:
        if record.get("kind") == ROTATION_KIND:  # told by `secret_events`
            continue
        for applied in record.get("applied", []):
            action, _, rest = str(applied).partition(" ")
            if rest != f"{collection} {identifier}":
                continue
            commit = record.get("commit")
            what = DEPLOY_ACTIONS_FR.get(action, action)
            events.append(
                ProviderEvent(
                    _aware(record["at"]),
                    "deployed",
                    f"déployé ({what}) dans {record.get('deployment')}, commit "
                    f"{(commit or '-')[:12]}",
                    commit=commit,
                    actor=record.get("actor"),
                    deployment=record.get("deployment"),
                    extra={"action": action, "status": record.get("status")},
                )
            )
    return events


def secret_events(records: Iterable[Mapping[str, Any]], identifier: str) -> list[ProviderEvent]:
    """Each secret issued to the client, from the audit trail: the deploy that created its
    document issued the first, each `secret-rotation` entry naming it (`rotated`) a new one.
    Never the secret."""
    events = []
    for record in records:
        applied = {str(a) for a in record.get("applied", [])}
        if record.get("kind") == ROTATION_KIND and record.get("rotated") == identifier:
            kind, text = "secret_rotated", "secret client renouvelé"
        elif record.get("kind") != ROTATION_KIND and f"create client {identifier}" in applied:
            kind, text = "secret_issued", "secret client émis"
        else:
            continue
        events.append(
            ProviderEvent(
                _aware(record["at"]),
                kind,
                f"{text} ({STATUS_FR.get(str(record.get('status')), record.get('status'))})",
                actor=record.get("actor"),
                deployment=record.get("deployment"),
            )
        )
    return events


def radar_events(events: Iterable[Mapping[str, Any]], key: str) -> list[ProviderEvent]:
    """The radar's findings opened, escalated and resolved for this provider."""
    found = []
    for event in events:
        if event.get("provider") != key:
            continue
        kind = str(event["event"])
        found.append(
            ProviderEvent(
                _aware(datetime.fromisoformat(event["at"])),
                f"radar_{kind}",
                f"radar, {RADAR_FR.get(kind, kind)} : {event['code']} {event['message']}",
                code=event["code"],
            )
        )
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ordered(*groups: Iterable[ProviderEvent]) -> list[ProviderEvent]:
    return sorted((e for group in groups for e in group), key=lambda e: e.at)


def event_json(event: ProviderEvent, subject: str) -> dict[str, Any]:
    """One event of the JSON output."""
    document: dict[str, Any] = {
        "sub": subject,
        "iat": int(event.at.timestamp()),
        "at": event.at.isoformat(timespec="seconds"),
        "event": event.event,
        "event_description": event.description,
    }
    optional = {
        "commit": event.commit,
        "actor": event.actor,
        "pull_request": event.pull_request,
        "fields": list(event.fields) or None,
        "deployment": event.deployment,
        "code": event.code,
    }
    document.update({k: v for k, v in optional.items() if v is not None})
    document.update(event.extra)
    return document


def provider_history_json(
    events: Iterable[ProviderEvent], subject: str, kind: str, path: str, deployment: str
) -> dict[str, Any]:
    """`fedreg history --provider … --format json`: the provider, then its events oldest
    first (`docs/schemas/provider-history.schema.json`)."""
    return {
        "format": FORMAT_VERSION,
        "sub": subject,
        "kind": kind,
        "path": path,
        "deployment": deployment,
        "events": [event_json(event, subject) for event in events],
    }


def text_line(event: ProviderEvent) -> str:
    parts = [f"{event.at:%Y-%m-%d %H:%M}", event.description]
    if event.pull_request is not None:
        parts.append(f"demande n° {event.pull_request}")
    if event.actor:
        parts.append(f"par {event.actor}")
    if event.commit and event.event != "deployed":
        parts.append(f"commit {event.commit[:12]}")
    # git authors and subjects are anyone's text: no control character reaches the terminal
    return "".join(c if c.isprintable() else "?" for c in "  ".join(parts))
