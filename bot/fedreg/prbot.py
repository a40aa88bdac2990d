"""The pull-request bot: from an event (or a local checkout) to a `BotResult`.

`compute_from_event` runs in the trusted `workflow_run` job: it reads the pull request's files
through the API as data, with the default branch's code and policy. `compute_offline` gives a
partner the same verdict before opening the pull request, from local git.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .botresult import BotResult, build_result, live_checks_section
from .diffing import (
    SYMLINK,
    adds_routed_domains,
    holders_at_commit,
    holders_in_tree,
    parse_contents,
    plan_documents,
    read_contents,
)
from .errors import FedregError
from .githubapi import GitHubClient
from .gitrepo import GitRepository
from .layout import RegistryDocument
from .livefetch import LiveSettings
from .liverun import LiveReport, live_check_documents
from .plan import Action, DomainHolders, Plan, build_plan
from .policy import Policy
from .review import (
    OwnerMatcher,
    added_email_domains,
    is_registry_path,
    review_change,
    review_email_domains,
    review_pushers,
    review_unverified_live_checks,
)


@dataclass(frozen=True)
class PullRequestRef:
    repository: str
    number: int
    base_sha: str
    head_sha: str
    author: str
    # Who pushed the commit judged (and who re-ran its workflow): GitHub logins.
    pushers: tuple[str, ...] = ()


def owners_of(doc: RegistryDocument) -> tuple[str, ...]:
    """The `owners` a parsed file lists (none when it is unreadable or a symbolic link)."""
    owners = (doc.data or {}).get("owners")
    return tuple(o for o in owners if isinstance(o, str)) if isinstance(owners, list) else ()


def owner_matcher(author: str, team_member: Callable[[str, str], bool | None]) -> OwnerMatcher:
    """Matches "@login" by name, "@org/team" through `team_member(org, team)` (cached)."""
    cache: dict[str, bool | None] = {}

    def matches(owner: str) -> bool | None:
        handle = owner.removeprefix("@")
        if "/" not in handle:
            return handle.lower() == author.lower()
        if handle not in cache:
            org, team = handle.split("/", 1)
            cache[handle] = team_member(org, team)
        return cache[handle]

    return matches


def _decide(
    ref: PullRequestRef,
    paths: list[str],
    base_contents: dict[str, bytes | None],
    head_contents: dict[str, bytes | None],
    policy: Policy,
    matches: OwnerMatcher,
    base_holders: Callable[[], DomainHolders],
    live: LiveSettings | None = None,
    owners_contents: dict[str, bytes | None] | None = None,
) -> BotResult:
    """The result for changed `paths`, given the registry files' contents on both sides;
    `base_holders` reads who routes each e-mail domain at the base (only if a change attaches
    one). `owners_contents`: the files whose owners count, when not the base's."""
    registry = [p for p in paths if is_registry_path(p)]
    others = [p for p in paths if not is_registry_path(p)]
    before, after = parse_contents(base_contents), parse_contents(head_contents)
    plan = plan_documents(before, after, policy)
    if adds_routed_domains(plan):
        plan = build_plan(before, after, plan.diagnostics, base_holders())
    added = added_email_domains(plan)
    live_report = _live_checks(plan, after, policy, live, added) if live is not None else None
    if live_report is not None:
        plan = dataclasses.replace(
            plan, diagnostics=tuple(sorted(plan.diagnostics + live_report.diagnostics))
        )
    owners_source = before if owners_contents is None else parse_contents(owners_contents)
    owners_by_path = {doc.display_path: owners_of(doc) for doc in owners_source}
    base_owners = {path: owners_by_path.get(path) for path in registry}  # None: a new file
    review = review_change(plan, base_owners, others, ref.author, policy, matches)
    review = review_email_domains(review, plan, live_report.proven if live_report else {})
    review = review_unverified_live_checks(review, live_report.unverified if live_report else ())
    review = review_pushers(review, ref.pushers)
    uids = {doc.display_path: str((doc.data or {}).get("uid")) for doc in after}
    return build_result(
        ref.repository,
        ref.number,
        ref.head_sha,
        plan,
        review,
        registry,
        policy.support_contact,
        live_checks_section(live_report, added, uids),
    )


def _live_checks(
    plan: Plan,
    after: list[RegistryDocument],
    policy: Policy,
    settings: LiveSettings,
    added: dict[str, frozenset[str]],
) -> LiveReport:
    """The live checks of the providers the change creates or modifies; only the domains it
    adds count as new attachments."""
    touched = {c.path for c in plan.changes if c.action is not Action.DELETE}
    docs = [doc for doc in after if doc.display_path in touched]
    return live_check_documents(docs, policy, settings, added)


def pull_request_ref(event: dict[str, Any], client: GitHubClient) -> PullRequestRef:
    """The pull request an event is about: `pull_request`, or `workflow_run` (whose
    `pull_requests` list is empty for a fork: found from the head repository and SHA)."""
    repository = event["repository"]["full_name"]
    if "workflow_run" in event:
        run = event["workflow_run"]
        if run.get("pull_requests"):
            pull = client.pull(run["pull_requests"][0]["number"])
        else:
            pull = client.find_pull(
                run["head_repository"]["owner"]["login"], run["head_branch"], run["head_sha"]
            )
        if pull.head.sha != run["head_sha"]:
            # A newer push is checked by its own run; this verdict would be stale.
            raise FedregError(
                f"la demande a avancé ({pull.head.sha[:7]}) depuis ce commit "
                f"({run['head_sha'][:7]}) : son propre workflow la vérifiera"
            )
        pushers = tuple(run[key]["login"] for key in ("actor", "triggering_actor") if run.get(key))
        return PullRequestRef(
            repository, pull.number, pull.base.sha, pull.head.sha, pull.user.login, pushers
        )
    data = event["pull_request"]
    sender = (event.get("sender") or {}).get("login")
    return PullRequestRef(
        repository,
        data["number"],
        data["base"]["sha"],
        data["head"]["sha"],
        data["user"]["login"],
        (sender,) if sender else (),
    )


def compute_from_event(
    event: dict[str, Any], client: GitHubClient, policy: Policy, live: LiveSettings | None = None
) -> BotResult:
    ref = pull_request_ref(event, client)
    files = client.changed_files(client.pull(ref.number))
    paths = sorted({f.path for f in files} | {f.previous_path for f in files if f.previous_path})

    registry = [path for path in paths if is_registry_path(path)]
    base = {path: client.read_file(path, ref.base_sha) for path in registry}
    head = {path: client.read_file(path, ref.head_sha) for path in registry}
    matches = owner_matcher(
        ref.author, lambda org, team: client.is_team_member(org, team, ref.author)
    )
    # The job runs on a checkout of the default branch: the registry the pull request targets.
    # Its owners are the ones that count: `base_sha` is a snapshot that may predate a change
    # of owners on the default branch, where the pull request would merge.
    current = {path: _checked_out(Path.cwd(), path) for path in registry}
    return _decide(
        ref,
        paths,
        base,
        head,
        policy,
        matches,
        lambda: holders_in_tree(Path.cwd()),
        live,
        current,
    )


def _checked_out(root: Path, path: str) -> bytes | None:
    """A file of the default branch's checkout, as the API readers give it."""
    file = root / path
    if file.is_symlink():
        return SYMLINK
    return file.read_bytes() if file.is_file() else None


def compute_offline(
    repo: GitRepository,
    base: str,
    policy: Policy,
    author: str | None,
    live: LiveSettings | None = None,
) -> BotResult:
    """The verdict for the commits since `base` and the working tree, without GitHub: team
    membership is reported as not checked offline."""
    base_commit = repo.resolve(base)
    paths = repo.changed_paths(base_commit, None, ".")
    registry = [p for p in paths if is_registry_path(p)]

    base_contents, head_contents = read_contents(repo, (base_commit, None), registry)

    login = author or os.environ.get("GITHUB_ACTOR") or ""
    ref = PullRequestRef("", 0, base_commit, repo.head_commit() or "", login or "vous")
    matches = owner_matcher(login, lambda org, team: None) if login else (lambda owner: None)
    return _decide(
        ref,
        paths,
        base_contents,
        head_contents,
        policy,
        matches,
        lambda: holders_at_commit(repo, base_commit),
        live,
    )
