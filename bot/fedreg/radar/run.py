"""One radar pass: gather (live checks, certificates, DNS, deploy records, GitHub), evaluate,
remember, and keep the issues in line. The I/O around `evaluate`, `state` and `issues`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from ..errors import FedregError
from ..live.check import Evidence
from ..live.fetch import LiveFetcher, LiveSettings
from ..live.run import gather_evidence
from ..registry.layout import RegistryDocument
from ..registry.models import MODEL_BY_KIND, IdentityProvider, Provider
from ..registry.policy import Policy
from .evaluate import (
    Observations,
    ProviderWatch,
    contact_domains,
    https_origins,
    provider_key,
    watch_all,
)
from .issues import (
    MARKER_PATTERN,
    RADAR_LABEL,
    SUMMARY_MARKER,
    SUMMARY_TITLE,
    IssueAction,
    digest,
    plan_issues,
    summary_body,
    summary_digest,
)
from .state import Change, RadarState, advance

OWNER_RECHECK_DAYS = 7


class IssueTracker(Protocol):
    """What the radar needs of GitHub (adapters/github.GitHubClient provides it)."""

    def owner_exists(self, owner: str) -> bool: ...
    def create_issue(self, title: str, body: str, labels: list[str]) -> int: ...
    def edit_issue(
        self, number: int, title: str, body: str, labels: list[str] | None, state: str
    ) -> None: ...
    def comment_issue(self, number: int, body: str) -> None: ...
    def issues_labelled(self, label: str) -> list[tuple[int, str, str, str]]: ...


@dataclass(frozen=True)
class PassResult:
    state: RadarState
    watches: tuple[ProviderWatch, ...]
    changes: tuple[Change, ...]
    actions: tuple[IssueAction, ...]
    skipped: tuple[str, ...]  # files the radar could not read (validate reports them)
    github_failure: str = ""  # why the issues could not all be written (the state says what was)


def parsed(
    docs: Iterable[RegistryDocument],
) -> tuple[list[tuple[RegistryDocument, Provider]], list[str]]:
    """The providers the radar can watch, and the files it cannot: unreadable, or a second
    file with the same identifier in a deployment (validate reports both)."""
    providers, skipped, keys = [], [], set()
    for doc in docs:
        model = MODEL_BY_KIND.get(str((doc.data or {}).get("kind")))
        try:
            if doc.data is None or model is None:
                raise ValueError
            provider = model.model_validate(doc.data)
        except (ValueError, ValidationError):
            skipped.append(doc.display_path)
            continue
        key = provider_key(doc, provider)
        if key in keys:
            skipped.append(doc.display_path)
            continue
        keys.add(key)
        providers.append((doc, provider))
    return providers, skipped


async def _gather(
    providers: Sequence[tuple[RegistryDocument, Provider]], policy: Policy, settings: LiveSettings
) -> Evidence:
    live = await gather_evidence([p for _, p in providers], policy, settings)
    async with LiveFetcher(settings) as fetcher:
        jobs: list[Awaitable[object]] = []
        for _, provider in providers:
            if not isinstance(provider, IdentityProvider):
                jobs += [fetcher.certificate(origin) for origin in https_origins(provider)]
            jobs += [fetcher.mail_exchange(domain) for domain in contact_domains(provider)]
        await asyncio.gather(*jobs)
        extra = fetcher.evidence()
    return Evidence(live.documents, live.txt, live.addresses, extra.certificates, extra.mail)


def owners_to_check(
    providers: Sequence[tuple[RegistryDocument, Provider]], previous: RadarState, today: date
) -> list[str]:
    """Owners not asked about for a week: GitHub is asked about each at most weekly."""
    wanted = sorted({o for _, p in providers for o in p.owners})
    stale = []
    for owner in wanted:
        checked = previous.owners.get(owner, {}).get("checked")
        if checked is None or (today - date.fromisoformat(checked)).days >= OWNER_RECHECK_DAYS:
            stale.append(owner)
    return stale


def radar_pass(
    docs: Sequence[RegistryDocument],
    policy: Policy,
    settings: LiveSettings,
    previous: RadarState,
    now: datetime,
    secrets: Mapping[tuple[str, str], datetime],
    tracker: IssueTracker | None,
) -> PassResult:
    """Watch `docs`, advance the state, and (with a tracker) bring the issues in line."""
    providers, skipped = parsed(docs)
    evidence = asyncio.run(_gather(providers, policy, settings))
    checked: dict[str, bool] = {}
    if tracker is not None:
        for owner in owners_to_check(providers, previous, now.date()):
            checked[owner] = tracker.owner_exists(owner)
    known = {o: bool(v["exists"]) for o, v in previous.owners.items()} | checked
    seen = Observations(secrets=secrets, owners=known)
    watches = watch_all(providers, policy, evidence, seen, previous.memory(), now)
    state, changes = advance(previous, watches, now, checked)
    actions: list[IssueAction] = []
    failure = ""
    if tracker is not None:
        actions, failure = sync_issues(tracker, previous, state, now.date().isoformat())
    return PassResult(
        state, tuple(watches), tuple(changes), tuple(actions), tuple(skipped), failure
    )


def _recover_numbers(tracker: IssueTracker, state: RadarState) -> None:
    """A state without issue numbers (first pass, or lost): find the radar's issues again by
    their marker, so that no provider gets a second issue. Only issues the radar's own
    account wrote count (anyone may open an issue with a marker in it)."""
    for number, issue_state, author, body in tracker.issues_labelled(RADAR_LABEL):
        if not author.endswith("[bot]"):
            continue
        if body.startswith(SUMMARY_MARKER):
            if state.summary_issue is None:
                state.summary_issue = number
            continue
        match = MARKER_PATTERN.match(body)
        entry = state.providers.get(match.group("key")) if match else None
        if entry is not None and (entry.get("issue") is None or issue_state == "open"):
            entry["issue"], entry["issue_open"] = number, issue_state == "open"


def sync_issues(
    tracker: IssueTracker, previous: RadarState, state: RadarState, today: str
) -> tuple[list[IssueAction], str]:
    """Apply the issue plan; record numbers, open states and digests in `state` as each write
    succeeds. One write per provider whose issue changes (two when owners must be told), plus
    the summary's. A write that fails stops the writes (GitHub is down, or refuses) and is
    returned as text: the state keeps what was done, so the next pass creates no duplicate."""
    fresh = previous.summary_issue is None and all(
        e.get("issue") is None for e in previous.providers.values()
    )
    done: list[IssueAction] = []
    try:
        if fresh:
            _recover_numbers(tracker, state)
        for action in plan_issues(state.providers, previous.providers, today):
            _apply(tracker, state.providers[action.key], action)
            done.append(action)
        _sync_summary(tracker, state, today)
    except FedregError as error:
        return done, str(error)
    return done, ""


def _apply(tracker: IssueTracker, entry: dict[str, Any], action: IssueAction) -> None:
    if action.action == "create":
        entry["issue"] = tracker.create_issue(action.title, action.body, list(action.labels))
    elif action.action == "edit":
        assert action.number is not None
        tracker.edit_issue(action.number, action.title, action.body, list(action.labels), "open")
    elif action.action == "close":
        assert action.number is not None
        tracker.edit_issue(action.number, action.title, action.body, None, "closed")
    else:
        assert action.number is not None
        tracker.comment_issue(action.number, action.body)
    if action.action in ("create", "edit"):
        entry["issue_open"] = True
        entry["issue_digest"] = digest(action.title, action.body, *action.labels)
    elif action.action == "close":
        entry["issue_open"], entry["issue_digest"] = False, ""


def _sync_summary(tracker: IssueTracker, state: RadarState, today: str) -> None:
    wanted = summary_digest(state.providers)
    if wanted == state.summary_digest and state.summary_issue is not None:
        return
    body = summary_body(state.providers, today)
    if state.summary_issue is None:
        state.summary_issue = tracker.create_issue(SUMMARY_TITLE, body, [RADAR_LABEL])
    else:
        tracker.edit_issue(state.summary_issue, SUMMARY_TITLE, body, [RADAR_LABEL], "open")
    state.summary_digest = wanted
