"""`fedreg history --provider`: a provider's life, told or given as a feed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..adapters.git import GitRepository
from ..changes.lifecycle import (
    deploy_events,
    ordered,
    provider_history_json,
    radar_events,
    revision_events,
    secret_events,
    text_line,
)
from ..deploy.providerlog import COLLECTION_BY_KIND, file_revisions, find_provider, provider_records
from ..deploy.store import check_target
from ..radar.state import parse_state
from .common import EXIT_OK


def run_provider_history(
    *, root: Path, wanted: str, target: str | None, radar_state: Path | None, output_format: str
) -> int:
    if target is not None:
        check_target(target)
    provider = find_provider(root, wanted)
    repo = GitRepository.discover(root)
    events = revision_events(file_revisions(repo, provider.path))
    if target is not None:
        from .deploy import open_target

        with open_target(target) as store:
            records = provider_records(store, provider)
        events += deploy_events(records, COLLECTION_BY_KIND[provider.kind], provider.identifier)
        if provider.kind == "ServiceProvider":
            events += secret_events(records, provider.identifier)
    if radar_state is not None and radar_state.exists():
        state = parse_state(radar_state.read_text(encoding="utf-8"), str(radar_state))
        events += radar_events(state.events, provider.key)
    timeline = ordered(events)
    if output_format == "json":
        document = provider_history_json(
            timeline, provider.identifier, provider.kind, provider.path, provider.deployment
        )
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_OK
    sys.stdout.write(f"{provider.path} ({provider.deployment}, {provider.identifier})\n")
    for event in timeline:
        print(text_line(event))
    if target is None:
        print("(sans --target : ni déploiements ni secrets ; sans --radar-state : ni constats)")
    return EXIT_OK
