"""`fedreg history --provider`: a provider's life, told or given as a feed."""

from __future__ import annotations

import sys
from pathlib import Path

from ..adapters.git import GitRepository
from ..changes.lifecycle import (
    deploy_events,
    feed_line,
    ordered,
    radar_events,
    revision_events,
    secret_events,
    text_line,
)
from ..deploy.providerlog import COLLECTION_BY_KIND, file_revisions, find_provider, provider_records
from ..radar.state import parse_state
from .common import EXIT_OK


def run_provider_history(
    *, root: Path, wanted: str, target: str | None, radar_state: Path | None, output_format: str
) -> int:
    provider = find_provider(root, wanted)
    repo = GitRepository.discover(root)
    events = revision_events(file_revisions(repo, provider.path))
    if target is not None:
        records, issuances = provider_records(target, provider)
        events += deploy_events(records, COLLECTION_BY_KIND[provider.kind], provider.identifier)
        events += secret_events(issuances)
    if radar_state is not None and radar_state.exists():
        state = parse_state(radar_state.read_text(encoding="utf-8"), str(radar_state))
        events += radar_events(state.events, provider.key)
    timeline = ordered(events)
    if output_format == "json":
        for event in timeline:
            print(feed_line(event, provider.identifier, provider.kind, provider.path))
        return EXIT_OK
    sys.stdout.write(f"{provider.path} ({provider.deployment}, {provider.identifier})\n")
    for event in timeline:
        print(text_line(event))
    if target is None:
        print("(sans --target : ni déploiements ni secrets ; sans --radar-state : ni constats)")
    return EXIT_OK
