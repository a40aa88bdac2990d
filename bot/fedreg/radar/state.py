"""The radar's memory between passes (pure): one JSON document.

Where it lives: a file in the Actions cache of the default branch (`radar.yml` saves it under
`radar-state-<run>`, `pr-bot.yml` restores the latest). Not the deploy database: the radar
would need write credentials to the four deployments, and the bot database access at all. Not
a branch: anyone who may push branches could forge it without extra protection rules. The
cache scope of the default branch is written only by workflows running there (schedules,
pushes to main, `workflow_run`), never by a pull request. Losing it (a week unused) costs a
fresh start: findings are new again, a proof's absence is counted from that pass, and the
issues are found again by their marker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import FedregError
from .evaluate import Memory, ProviderWatch

STATE_FORMAT = 1
MAX_EVENTS = 20_000  # oldest dropped first: the state stays small


class StateError(FedregError):
    pass


@dataclass(frozen=True)
class Change:
    """How one provider's findings moved since the last pass."""

    key: str
    opened: tuple[str, ...] = ()  # finding idents new since the last pass
    resolved: tuple[str, ...] = ()
    escalated: tuple[str, ...] = ()  # now errors that were not errors before

    @property
    def any(self) -> bool:
        return bool(self.opened or self.resolved or self.escalated)


@dataclass
class RadarState:
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    owners: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary_issue: int | None = None
    summary_digest: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    updated_at: str = ""

    def memory(self) -> Memory:
        return Memory(
            kids={k: tuple(p["kids"]) for k, p in self.providers.items() if p.get("kids")},
            kids_seen={k: self.updated_at for k, p in self.providers.items() if p.get("kids")},
            proof_missing_since={
                k: p.get("proof_missing_since", {}) for k, p in self.providers.items()
            },
        )

    def lapsed_proofs(self) -> dict[str, tuple[str, ...]]:
        """The FIs (by file path) with a domain whose DNS proof is missing past the grace
        period (R010): what the bot reads to send their domain changes to the federation."""
        lapsed = {}
        for entry in self.providers.values():
            domains = [
                f["subject"] for f in entry.get("findings", {}).values() if f["code"] == "R010"
            ]
            if domains:
                lapsed[entry["path"]] = tuple(sorted(domains))
        return lapsed

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": STATE_FORMAT,
                "updated_at": self.updated_at,
                "providers": self.providers,
                "owners": self.owners,
                "summary_issue": self.summary_issue,
                "summary_digest": self.summary_digest,
                "events": self.events[-MAX_EVENTS:],
            },
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        )


def parse_state(text: str, where: str) -> RadarState:
    """A state document, or a clear error (never a half-read state)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise StateError(f"{where} : état du radar illisible ({error})") from None
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StateError(f"{where} : état du radar au format inconnu (attendu {STATE_FORMAT})")
    try:
        return RadarState(
            providers=dict(data["providers"]),
            owners=dict(data.get("owners", {})),
            summary_issue=data.get("summary_issue"),
            summary_digest=str(data.get("summary_digest", "")),
            events=list(data.get("events", [])),
            updated_at=str(data.get("updated_at", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise StateError(f"{where} : état du radar incomplet ({error})") from None


def _finding_entry(finding: Any, since: str) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "subject": finding.subject,
        "field": finding.field,
        "message": finding.message,
        "hint": finding.hint,
        "since": since,
    }


def advance(
    previous: RadarState,
    watches: Sequence[ProviderWatch],
    now: datetime,
    owners_checked: Mapping[str, bool],
) -> tuple[RadarState, list[Change]]:
    """The next state from today's findings, and what changed for each provider. Providers
    no longer in the registry keep their entry (their issue must still be closed) with no
    findings."""
    today = now.date().isoformat()
    at = now.isoformat(timespec="seconds")
    state = RadarState(
        providers={k: dict(v) for k, v in previous.providers.items()},
        owners=dict(previous.owners),
        summary_issue=previous.summary_issue,
        summary_digest=previous.summary_digest,
        events=list(previous.events),
        updated_at=at,
    )
    for owner, exists in owners_checked.items():
        state.owners[owner] = {"exists": exists, "checked": today}
    changes = []
    seen_keys = set()
    for watch in watches:
        seen_keys.add(watch.key)
        before = previous.providers.get(watch.key, {})
        old = before.get("findings", {})
        findings = {
            f.ident: _finding_entry(f, old.get(f.ident, {}).get("since", today))
            for f in watch.findings
        }
        missing_since = {
            domain: since
            for domain, since in before.get("proof_missing_since", {}).items()
            if domain in watch.proof_missing or domain in watch.proof_unknown
        }
        for domain in watch.proof_missing:
            missing_since.setdefault(domain, today)
        state.providers[watch.key] = {
            **before,
            "path": watch.path,
            "deployment": watch.deployment,
            "kind": watch.kind,
            "name": watch.name,
            "owners": list(watch.owners),
            "findings": findings,
            "kids": list(watch.kids) if watch.kids is not None else before.get("kids"),
            "proof_missing_since": missing_since,
        }
        changes.append(_change(watch.key, old, findings))
    for key, before in previous.providers.items():
        if key not in seen_keys and before.get("findings"):
            state.providers[key] = {**before, "findings": {}}
            changes.append(_change(key, before["findings"], {}))
    for change in changes:
        entry = state.providers[change.key]
        for kind, idents, source in (
            ("opened", change.opened, entry["findings"]),
            ("escalated", change.escalated, entry["findings"]),
            (
                "resolved",
                change.resolved,
                previous.providers.get(change.key, {}).get("findings", {}),
            ),
        ):
            for ident in idents:
                state.events.append(
                    {
                        "at": at,
                        "provider": change.key,
                        "path": entry["path"],
                        "event": kind,
                        "code": source[ident]["code"],
                        "message": source[ident]["message"],
                    }
                )
    return state, [c for c in changes if c.any]


def _change(key: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Change:
    return Change(
        key,
        opened=tuple(sorted(set(new) - set(old))),
        resolved=tuple(sorted(set(old) - set(new))),
        escalated=tuple(
            sorted(
                i
                for i in set(new) & set(old)
                if new[i]["severity"] == "error" and old[i]["severity"] != "error"
            )
        ),
    )
