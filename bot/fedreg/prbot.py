"""The pull-request bot: from an event (or a local checkout) to a `BotResult`.

`compute_from_event` runs in the trusted `workflow_run` job: it reads the pull request's files
through the API as data, with the default branch's code and policy. `compute_offline` gives a
partner the same verdict before opening the pull request, from local git.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .botresult import BotResult, build_result
from .diffing import parse_contents, plan_documents, read_contents
from .errors import FedregError
from .githubapi import GitHubClient
from .gitrepo import GitRepository
from .layout import RegistryDocument
from .policy import Policy
from .review import OwnerMatcher, is_registry_path, partner_space_review, review_change


@dataclass(frozen=True)
class PullRequestRef:
    repository: str
    number: int
    base_sha: str
    head_sha: str
    author: str
    body: str = ""  # read through the API: a partner space request's claim is in it


def owners_of(doc: RegistryDocument) -> tuple[str, ...]:
    """The `owners` a parsed file lists (none when it is unreadable or a symbolic link)."""
    owners = (doc.data or {}).get("owners")
    return tuple(o for o in owners if isinstance(o, str)) if isinstance(owners, list) else ()


def contacts_of(doc: RegistryDocument) -> tuple[str, ...]:
    """The `contacts` a parsed file lists (none when it is unreadable)."""
    contacts = (doc.data or {}).get("contacts")
    return tuple(c for c in contacts if isinstance(c, str)) if isinstance(contacts, list) else ()


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
    before, after = parse_contents(base_contents), parse_contents(head_contents)
    plan = plan_documents(before, after, policy)
    owners_by_path = {doc.display_path: owners_of(doc) for doc in before}
    base_owners = {path: owners_by_path.get(path) for path in registry}  # None: a new file
    review = review_change(plan, base_owners, others, ref.author, policy, matches)
    contacts = {doc.display_path: contacts_of(doc) for doc in before}
    review = partner_space_review(review, ref.body, policy.partner_space_app, contacts)
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
    pull = client.pull(ref.number)
    ref = replace(ref, body=client.pull_body(pull))
    files = client.changed_files(pull)
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
