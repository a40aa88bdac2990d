"""`fedreg watch`: one pass of the lifecycle radar over the registry."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..adapters.files import write_atomic
from ..errors import FedregError, UsageError
from ..live.fetch import LiveSettings
from ..radar.evaluate import ProviderWatch
from ..radar.run import PassResult, radar_pass
from ..radar.state import RadarState, parse_state
from ..registry.layout import DEPLOYMENTS
from ..registry.snapshot import read_document, worktree_paths
from .common import EXIT_OK, policy_or_fail

SEVERITY_FR = {"error": "erreur", "warning": "avertissement"}


@dataclass(frozen=True)
class WatchOptions:
    paths: tuple[Path, ...]
    deployments: tuple[str, ...]  # empty: all four
    state_file: Path | None
    records: tuple[str, ...]  # DEPLOYMENT=mongodb://… or file:PATH.json (read-only is enough)
    github: bool
    output_format: str
    policy_file: Path
    settings: LiveSettings


def _records_targets(records: Sequence[str]) -> dict[str, str]:
    from ..deploy.store import check_target

    targets = {}
    for item in records:
        deployment, sep, target = item.partition("=")
        if not sep or deployment not in DEPLOYMENTS or not target:
            names = ", ".join(DEPLOYMENTS)
            raise UsageError(
                "--records attend DEPLOIEMENT=mongodb://… ou DEPLOIEMENT=file:CHEMIN.json "
                f"(déploiements : {names})"
            )
        check_target(target)
        targets[deployment] = target
    return targets


def _secret_dates(targets: dict[str, str]) -> dict[tuple[str, str], datetime]:
    """Secret dates from each deployment's records (its identity marker checked first)."""
    from ..deploy.sequence import secret_dates
    from .deploy import open_target

    dates = {}
    for deployment, target in targets.items():
        with open_target(target) as store:
            for client_id, issued in secret_dates(store, deployment).items():
                dates[(deployment, client_id)] = issued
    return dates


def _previous(state_file: Path | None) -> RadarState:
    if state_file is None or not state_file.exists():
        return RadarState()
    return parse_state(state_file.read_text(encoding="utf-8"), str(state_file))


def run_watch(options: WatchOptions, now: datetime | None = None) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy = policy_or_fail(options.policy_file)
    targets = _records_targets(options.records)
    previous = _previous(options.state_file)
    docs = [read_document(path) for path in worktree_paths(options.paths)]
    if options.deployments:
        docs = [d for d in docs if d.deployment in options.deployments]
    tracker = None
    if options.github:
        from ..adapters.github import GitHubClient

        tracker = GitHubClient.from_environment()
    result = radar_pass(
        docs,
        policy,
        options.settings,
        previous,
        now or datetime.now(UTC),
        _secret_dates(targets),
        tracker,
    )
    if options.state_file is not None:
        write_atomic(options.state_file, result.state.to_json() + "\n")
    sys.stdout.write(
        render_json(result) if options.output_format == "json" else render_text(result)
    )
    if result.github_failure:
        raise FedregError(
            f"{result.github_failure} ; l'état garde les {len(result.actions)} écriture(s) "
            "faites : le prochain passage reprend sans doublon"
        )
    return EXIT_OK


def _watch_json(watch: ProviderWatch, result: PassResult) -> dict[str, object]:
    entry = result.state.providers[watch.key]
    return {
        "key": watch.key,
        "path": watch.path,
        "deployment": watch.deployment,
        "kind": watch.kind,
        "name": watch.name,
        "issue": entry.get("issue"),
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "field": f.field,
                "subject": f.subject,
                "message": f.message,
                "hint": f.hint,
                "since": entry["findings"][f.ident]["since"],
            }
            for f in watch.findings
        ],
    }


def render_json(result: PassResult) -> str:
    changes = [
        {"key": c.key, "opened": c.opened, "resolved": c.resolved, "escalated": c.escalated}
        for c in result.changes
    ]
    document = {
        "providers": [_watch_json(w, result) for w in result.watches],
        "changes": changes,
        "github_writes": len(result.actions),
        "skipped": list(result.skipped),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_text(result: PassResult) -> str:
    lines = []
    for watch in result.watches:
        if not watch.findings:
            continue
        entry = result.state.providers[watch.key]
        lines.append(f"{watch.path} ({watch.deployment}) — {watch.name}")
        for finding in watch.findings:
            since = entry["findings"][finding.ident]["since"]
            lines.append(
                f"  {finding.code} {SEVERITY_FR[finding.severity]:13s} {finding.field} : "
                f"{finding.message} (depuis le {since})"
            )
    for path in result.skipped:
        lines.append(f"{path} : fichier invalide, non surveillé (lancez « fedreg validate »)")
    opened = sum(len(c.opened) for c in result.changes)
    resolved = sum(len(c.resolved) for c in result.changes)
    with_findings = sum(1 for w in result.watches if w.findings)
    lines.append(
        f"Radar : {len(result.watches)} fournisseurs surveillés, {with_findings} avec des "
        f"constats ; {opened} nouveau(x), {resolved} résolu(s) depuis le dernier passage ; "
        f"{len(result.actions)} écriture(s) GitHub."
    )
    return "\n".join(lines) + "\n"
