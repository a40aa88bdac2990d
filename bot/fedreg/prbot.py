"""The pull-request bot: from an event (or a local checkout) to a `BotResult`.

`compute_from_event` runs in the trusted `workflow_run` job: it reads the pull request's files
through the API as data, with the default branch's code and policy. `compute_offline` gives a
partner the same verdict before opening the pull request, from local git.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .botresult import BotResult, build_result
from .diffing import SYMLINK, plan_from_contents, read_contents
from .errors import FedregError
from .githubapi import GitHubClient
from .gitrepo import GitRepository
from .policy import Policy
from .review import OwnerMatcher, is_registry_path, review_change
from .yamlload import decode, load_fast, load_located


@dataclass(frozen=True)
class PullRequestRef:
    repository: str
    number: int
    base_sha: str
    head_sha: str
    author: str


def owners_in(raw: bytes | None) -> tuple[str, ...] | None:
    """The `owners` of a file's content (None if there is no file; () if unreadable)."""
    if raw is None:
        return None
    if raw == SYMLINK:
        return ()
    text, _ = decode(raw)
    data = None if text is None else (load_fast(text) or load_located(text).data)
    owners = data.get("owners") if isinstance(data, dict) else None
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
) -> BotResult:
    """The result for changed `paths`, given the registry files' contents on both sides."""
    registry = [p for p in paths if is_registry_path(p)]
    others = [p for p in paths if not is_registry_path(p)]
    plan = plan_from_contents(base_contents, head_contents, policy)
    base_owners = {path: owners_in(base_contents.get(path)) for path in registry}
    review = review_change(plan, base_owners, others, ref.author, policy, matches)
    return build_result(
        ref.repository, ref.number, ref.head_sha, plan, review, registry, policy.support_contact
    )


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
        return PullRequestRef(
            repository, pull.number, pull.base.sha, pull.head.sha, pull.user.login
        )
    data = event["pull_request"]
    return PullRequestRef(
        repository, data["number"], data["base"]["sha"], data["head"]["sha"], data["user"]["login"]
    )


def compute_from_event(event: dict[str, Any], client: GitHubClient, policy: Policy) -> BotResult:
    ref = pull_request_ref(event, client)
    files = client.changed_files(client.pull(ref.number))
    paths = sorted({f.path for f in files} | {f.previous_path for f in files if f.previous_path})

    registry = [path for path in paths if is_registry_path(path)]
    base = {path: client.read_file(path, ref.base_sha) for path in registry}
    head = {path: client.read_file(path, ref.head_sha) for path in registry}
    matches = owner_matcher(
        ref.author, lambda org, team: client.is_team_member(org, team, ref.author)
    )
    return _decide(ref, paths, base, head, policy, matches)


def compute_offline(
    repo: GitRepository, base: str, policy: Policy, author: str | None
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
    return _decide(ref, paths, base_contents, head_contents, policy, matches)
