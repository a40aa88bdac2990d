"""`--format json` of deploy, rollback, drift and history: plain JSON values, in the shapes
documented by the schemas in docs/schemas/ (a test checks every output against them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..deploy.plan import DeployAction, DeployPlan, DocumentChange
from ..deploy.sequence import DeployResult, DriftReport

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO 8601 text, anything else BSON may hold as text."""
    return json.loads(json.dumps(value, default=_text))


def _text(value: Any) -> str:
    if isinstance(value, datetime):  # stored in UTC, read back without a zone
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _change(change: DocumentChange) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "collection": change.collection,
        "key": change.key,
        "name": change.name,
        "fields": [
            {"field": f.field, "before": _plain(f.before), "after": _plain(f.after)}
            for f in (change.fields if change.action is not DeployAction.CREATE else ())
        ],
        "new_secret": change.sealed_secret is not None
        or (change.action is DeployAction.CREATE and change.collection == "client"),
    }


def plan_json(plan: DeployPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "summary": plan.summary,
        "changes": [_change(change) for change in plan.effective],
    }


def deploy_json(result: DeployResult) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "deployment": result.deployment,
        "kind": result.kind,
        "status": result.status,
        "release": result.release,
        "plan": plan_json(result.plan),
        "refusals": result.refusals,
        "over_limits": result.over_limits,
        "overrides": result.overrides,
        "lock_taken_over": (
            None
            if result.lock_taken_over is None
            else {
                "holder": result.lock_taken_over.holder,
                "actor": result.lock_taken_over.actor,
                "broken": result.lock_broken,
            }
        ),
        "mode": result.mode or None,
        "applied": result.applied,
        "sealed_files": [str(path) for path in result.sealed_files],
        "error": result.error or None,
    }


def drift_json(report: DriftReport) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "deployment": report.deployment,
        "status": report.status,
        "last_deployed_commit": report.last_deployed,
        "registry_plan": plan_json(report.plan),
        "outside_git": plan_json(report.outside_git),
        "foreign": [
            {"collection": collection, "key": key, "name": name}
            for collection, key, name in report.foreign
        ],
    }


_HISTORY_FIELDS = {
    "at": "at",
    "kind": "kind",
    "status": "status",
    "commit": "commit",
    "digest": "digest",
    "actor": "actor",
    "runId": "run_id",
    "target": "target",
    "mode": "mode",
    "summary": "summary",
    "applied": "applied",
    "overrides": "overrides",
    "release": "release",
    "error": "error",
    "rotated": "rotated",
    "brokenLock": "broken_lock",
}


def history_json(deployment: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "deployment": deployment,
        "entries": [
            {
                name: _plain(entry.get(key))
                for key, name in _HISTORY_FIELDS.items()
                if key in entry or name in ("kind", "at", "status")
            }
            | {"kind": entry.get("kind") or "deploy"}
            for entry in entries
        ],
    }
