"""The pull-request bot: from an event (or a local checkout) to a `BotResult`.

`compute_from_event` runs in the trusted `workflow_run` job, in the default branch's checkout
(its code and policy): it fetches the pull request's head as git data, computes the tree the
merge would produce without checking it out, and judges the registry as that merge would leave
it: per-file rules on the changed files, cross-file rules against every file (through the
`CrossIndex`). `compute_offline` gives a partner the same verdict on their working tree.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..adapters.git import GitError, GitRepository
from ..changes.plan import Action, DomainHolders, Plan, build_plan
from ..diagnostics import Diagnostic
from ..errors import FedregError
from ..live.fetch import LiveSettings
from ..live.run import LiveReport, live_check_documents
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.policy import Policy
from ..registry.snapshot import (
    Change,
    changes,
    documents_of_changes,
    entries_at,
    git_documents,
    is_git_config,
    read_entries,
)
from ..validation.checks.context import text_value
from ..validation.checks.readiness import known_identities
from ..validation.engine import check_document, check_new_providers, collector_paused, locate
from ..validation.waivers import WAIVERS_FILE, apply_exceptions, read_waivers
from .crossindex import CrossIndex
from .result import (
    BotResult,
    build_result,
    live_checks_section,
    merge_group_result,
    refusal_result,
    rejudged,
)
from .review import (
    OwnerMatcher,
    added_email_domains,
    is_registry_path,
    partner_space_review,
    review_change,
    review_email_domains,
    review_lapsed_proofs,
    review_pushers,
    review_unverified_live_checks,
)

if TYPE_CHECKING:  # PyGithub takes a second to import: not for a dry run
    from ..adapters.github import GitHubClient


@dataclass(frozen=True)
class PullRequestRef:
    repository: str
    number: int
    base_sha: str
    head_sha: str
    author: str
    base_ref: str = ""
    default_branch: str = ""
    body: str = ""  # read through the API: a partner space request's claim is in it
    # Who pushed the commit judged (and who re-ran its workflow): GitHub logins.
    pushers: tuple[str, ...] = ()
    # As read with the rest, for publishing (which need not read them again).
    labels: tuple[str, ...] = ()
    comments: int | None = None
    # The default branch's tip as fetched: what the merge is computed against (GitHub's
    # `base.sha` is a snapshot that may predate merges since). Empty: `base_sha`.
    main_sha: str = ""

    @property
    def judged_base(self) -> str:
        return self.main_sha or self.base_sha


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


def pull_request_ref(event: dict[str, Any], client: GitHubClient) -> PullRequestRef:
    """The pull request an event is about, as GitHub says it is now: `pull_request` (opened,
    synchronize, edited…), or `workflow_run` (whose `pull_requests` list is empty for a fork:
    found from the head repository and SHA)."""
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
    else:
        pull = client.pull(event["pull_request"]["number"])
        sender = (event.get("sender") or {}).get("login")
        pushers = (sender,) if sender else ()
    return ref_of_pull(repository, pull, client, pushers)


def ref_of_pull(
    repository: str, pull: Any, client: GitHubClient, pushers: tuple[str, ...] = ()
) -> PullRequestRef:
    """The pull request as the API describes it now."""
    return PullRequestRef(
        repository,
        pull.number,
        pull.base.sha,
        pull.head.sha,
        pull.user.login,
        pull.base.ref,
        pull.base.repo.default_branch,
        client.pull_body(pull),
        pushers,
        tuple(label.name for label in pull.labels),
        pull.comments,
    )


def fetch_pull_request(repo: GitRepository, ref: PullRequestRef, remote: str, token: str) -> str:
    """Fetch the pull request's head (`refs/pull/N/head`, which exists for forks too) and its
    base branch: objects and refs only, nothing checked out or run. Returns the base branch's
    tip as fetched, which the merge is computed against."""
    local = f"refs/fedreg/pull/{ref.number}"
    repo.fetch(
        remote,
        [f"+refs/pull/{ref.number}/head:{local}/head", f"+refs/heads/{ref.base_ref}:{local}/base"],
        token,
    )
    fetched = repo.resolve(f"{local}/head")
    if fetched != ref.head_sha:
        raise FedregError(
            f"la demande a avancé ({fetched[:7]}) depuis sa lecture ({ref.head_sha[:7]}) : "
            "la vérification suivante la jugera"
        )
    repo.resolve(ref.base_sha)  # present once the base branch is fetched
    return repo.resolve(f"{local}/base")


@dataclass(frozen=True)
class Judgement:
    """What a merge does to the registry, validated whole-state: the changed registry entries,
    their documents on each side, the plan (with every diagnostic), and the other paths."""

    registry: list[Change]
    before: list[RegistryDocument]
    after: list[RegistryDocument]
    plan: Plan
    others: list[str]  # changed paths outside the registry
    git_config: list[str]  # changed files git reads as configuration, anywhere


def judge_merge(
    repo: GitRepository, base: str, merged_tree: str, policy: Policy, index: CrossIndex
) -> Judgement:
    """`merged_tree` against `base`: per-file rules on the changed files, what deploy requires
    of the providers it creates, and every cross-file rule against every file."""
    found = changes(repo, base, merged_tree)
    configs = [c.path for c in found if is_git_config(c.path)]
    registry = [c for c in found if is_registry_path(c.path) and not is_git_config(c.path)]
    others = [c.path for c in found if not is_registry_path(c.path) and not is_git_config(c.path)]
    with collector_paused():
        before, after = documents_of_changes(repo, registry)
        for doc in after:
            check_document(doc, policy)
        # New: an identity (deployment, kind, client_id or uid) absent from the base side.
        known = known_identities((doc.environment, doc.kind, doc.data) for doc in before)
        check_new_providers(after, policy, known)
        base_tree = repo.resolve_tree(base)
        unchanged: dict[int, RegistryDocument] = {}  # other files left in a clash
        changed = {id(doc) for doc in after}
        in_registry = [c for c in found if c.path.split("/", 1)[0] == REGISTRY_DIR]
        clashes = index.clashes_in_merge(repo, base_tree, merged_tree, after, in_registry)
        for doc, finding in clashes:
            doc.findings.append(finding)
            if id(doc) not in changed:
                unchanged[id(doc)] = doc
        diagnostics = _with_exceptions(
            sorted(d for doc in [*after, *unchanged.values()] for d in locate(doc)),
            repo,
            merged_tree,
            policy,
            {c.path for c in found},
        )
        plan = build_plan(before, after, diagnostics, _other_holders(after))
    return Judgement(registry, before, after, plan, others, configs)


def decide(
    repo: GitRepository,
    ref: PullRequestRef,
    merged_tree: str,
    policy: Policy,
    matches: OwnerMatcher,
    index: CrossIndex,
    live: LiveSettings | None = None,
    owners_tree: str | None = None,
    lapsed: Mapping[str, tuple[str, ...]] | None = None,
) -> BotResult:
    """The verdict on `merged_tree` (the registry as the merge would leave it) against the
    base: per-file rules on the changed files, cross-file rules against every file; what
    deploy requires of the providers the change creates; with `live`, the live checks of the
    providers it creates or modifies. The owners and contacts that count are those of
    `owners_tree` (the default branch as it is now, where the merge would land: the pull
    request's base may be an older snapshot, from before an owner was removed), else the
    base's."""
    judged = judge_merge(repo, ref.judged_base, merged_tree, policy, index)
    plan, before, after, registry = judged.plan, judged.before, judged.after, judged.registry
    added = added_email_domains(plan)
    live_report = _live_checks(plan, after, policy, live, added) if live is not None else None
    if live_report is not None:
        plan = dataclasses.replace(
            plan, diagnostics=tuple(sorted(plan.diagnostics + live_report.diagnostics))
        )
    trusted = before if owners_tree is None else _documents_in(repo, owners_tree, registry)
    owners_by_path = {doc.display_path: owners_of(doc) for doc in trusted}
    base_owners = {c.path: owners_by_path.get(c.path) for c in registry}  # None: a new file
    review = review_change(
        plan,
        base_owners,
        judged.others,
        ref.author,
        policy,
        matches,
        type_changes=[c.path for c in registry if c.mode_changed],
        git_config=judged.git_config,
    )
    contacts = {doc.display_path: contacts_of(doc) for doc in trusted}
    review = partner_space_review(
        review,
        ref.body,
        policy.partner_space_app,
        contacts,
        key=policy.partner_space_key,
        repository=ref.repository,
        commit=ref.head_sha,
    )
    review = review_email_domains(review, plan, live_report.proven if live_report else {})
    review = review_unverified_live_checks(review, live_report.unverified if live_report else ())
    review = review_lapsed_proofs(review, plan, lapsed or {})
    review = review_pushers(review, ref.pushers)
    uids = {doc.display_path: str((doc.data or {}).get("uid")) for doc in after}
    return build_result(
        ref.repository,
        ref.number,
        ref.head_sha,
        plan,
        review,
        [c.path for c in registry],
        policy.support_contact,
        live_checks_section(live_report, added, uids),
        ref.base_sha,
    )


def _with_exceptions(
    diagnostics: list[Diagnostic],
    repo: GitRepository,
    merged_tree: str,
    policy: Policy,
    changed: set[str],
) -> list[Diagnostic]:
    """Rule levels and the waivers of the merge result (a change to them is the federation's
    to review); unused waivers are reported for the changed files only."""
    try:
        raw: bytes | None = repo.git("cat-file", "blob", f"{merged_tree}:{WAIVERS_FILE}")
    except GitError:
        raw = None
    today = datetime.date.today()
    return apply_exceptions(
        diagnostics,
        read_waivers(raw, policy, today),
        policy,
        today,
        checked=lambda file: file in changed or WAIVERS_FILE in changed,
    )


def _other_holders(docs: list[RegistryDocument]) -> DomainHolders:
    """Which other FIs route each domain the changed FIs route, as the whole-state index found
    them (D006 on the merge result): the plan's shared-domain risk, without reading the base's
    identity providers again."""
    holders: DomainHolders = {}
    for doc in docs:
        network = text_value(doc.data or {}, "network") or "?"
        for finding in doc.findings:
            if finding.code == "D006":
                key = (doc.environment, network, finding.params["value"])
                holders.setdefault(key, set()).update(finding.params["other_paths"])
    return holders


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


# The merge queue's branches: gh-readonly-queue/<base>/pr-<number>-<head sha>.
_QUEUE_BRANCH = re.compile(r"^(?:refs/heads/)?gh-readonly-queue/(?P<base>.+)/pr-\d+-[0-9a-f]{40}$")


@dataclass(frozen=True)
class MergeGroupRef:
    """A merge queue's commit to judge: main's tip and the queued pull requests, merged."""

    repository: str
    head_sha: str
    head_branch: str  # without refs/heads/
    base_branch: str
    default_branch: str


def merge_group_ref(event: dict[str, Any]) -> MergeGroupRef | None:
    """The merge group an event is about: `merge_group` itself, or the `workflow_run` of a
    workflow it triggered (the trusted split: pr-bot runs from the default branch). None for
    any other event."""
    repository = event["repository"]
    if "merge_group" in event:
        group = event["merge_group"]
        head_sha, head_branch = group["head_sha"], group["head_ref"]
    elif (event.get("workflow_run") or {}).get("event") == "merge_group":
        head_sha, head_branch = (
            event["workflow_run"]["head_sha"],
            event["workflow_run"]["head_branch"],
        )
    else:
        return None
    head_branch = head_branch.removeprefix("refs/heads/")
    match = _QUEUE_BRANCH.match(head_branch)
    if match is None:
        raise FedregError(f"branche de file de fusion inattendue : {head_branch}")
    return MergeGroupRef(
        repository["full_name"],
        head_sha,
        head_branch,
        match["base"],
        repository.get("default_branch") or "main",
    )


def compute_merge_group(
    group: MergeGroupRef,
    token: str,
    policy: Policy,
    repo: GitRepository,
    remote: str,
    cache: Path | None,
) -> BotResult:
    """The verdict on a merge queue's commit: fetched as git data (nothing checked out or
    run), merged onto main's tip as fetched, and judged whole-state with the same rules.
    Who may change what was decided on each pull request before it was queued."""
    if group.base_branch != group.default_branch:
        raise FedregError(
            f"file de fusion vers « {group.base_branch} » : seule « {group.default_branch} » "
            "est vérifiée par fedreg"
        )
    local = "refs/fedreg/queue"
    repo.fetch(
        remote,
        [
            f"+refs/heads/{group.head_branch}:{local}/head",
            f"+refs/heads/{group.base_branch}:{local}/base",
        ],
        token,
    )
    fetched = repo.resolve(f"{local}/head")
    if fetched != group.head_sha:
        raise FedregError(
            f"la file de fusion a changé ({fetched[:7]}) depuis ce commit "
            f"({group.head_sha[:7]}) : sa propre vérification la jugera"
        )
    main = repo.resolve(f"{local}/base")
    queued = repo.git("log", "--format=%s", "--first-parent", f"{main}..{group.head_sha}")
    subjects = ", ".join(line for line in queued.decode().splitlines() if line) or "file vide"
    merged_tree, conflicts = repo.merge_tree(main, group.head_sha)
    if conflicts:  # main moved under the queue: a failing check, so that the queue rebuilds
        return merge_group_result(group.repository, group.head_sha, main, subjects, None, conflicts)
    index = CrossIndex(cache)
    try:
        judged = judge_merge(repo, main, merged_tree, policy, index)
    finally:
        index.close()
    return merge_group_result(group.repository, group.head_sha, main, subjects, judged.plan)


def compute_from_event(
    event: dict[str, Any],
    client: GitHubClient,
    policy: Policy,
    repo: GitRepository,
    remote: str,
    cache: Path | None,
    live: LiveSettings | None = None,
    lapsed: Mapping[str, tuple[str, ...]] | None = None,
) -> BotResult:
    group = merge_group_ref(event)
    if group is not None:
        return compute_merge_group(group, client.token, policy, repo, remote, cache)
    ref = pull_request_ref(event, client)
    result = _judge_event(ref, client, policy, repo, remote, cache, live, lapsed)
    return dataclasses.replace(result, seen_labels=list(ref.labels), seen_comments=ref.comments)


def _judge_event(
    ref: PullRequestRef,
    client: GitHubClient,
    policy: Policy,
    repo: GitRepository,
    remote: str,
    cache: Path | None,
    live: LiveSettings | None,
    lapsed: Mapping[str, tuple[str, ...]] | None,
) -> BotResult:
    if ref.base_ref != ref.default_branch:
        return refusal_result(
            ref.repository,
            ref.number,
            ref.head_sha,
            ref.base_sha,
            "Branche cible non autorisée",
            f"Cette demande vise la branche « {ref.base_ref} » : seules les demandes vers "
            f"« {ref.default_branch} » sont vérifiées et approuvées par fedreg. Changez sa "
            "branche cible.",
        )
    ref = dataclasses.replace(ref, main_sha=fetch_pull_request(repo, ref, remote, client.token))
    merged_tree, conflicts = repo.merge_tree(ref.main_sha, ref.head_sha)
    if conflicts:
        listed = "\n".join(f"- `{path}`" for path in conflicts)
        return refusal_result(
            ref.repository,
            ref.number,
            ref.head_sha,
            ref.base_sha,
            "Conflits de fusion",
            f"Cette demande ne se fusionne pas proprement avec « {ref.base_ref} » ; fichiers "
            f"en conflit :\n{listed}\n\nMettez votre branche à jour, résolvez les conflits "
            "et poussez : fedreg jugera le résultat de la fusion.",
        )
    matches = owner_matcher(
        ref.author, lambda org, team: client.is_team_member(org, team, ref.author)
    )
    index = CrossIndex(cache)
    try:
        owners_tree = f"refs/fedreg/pull/{ref.number}/base"  # the default branch, just fetched
        return decide(repo, ref, merged_tree, policy, matches, index, live, owners_tree, lapsed)
    finally:
        index.close()


# Up to this many open pull requests, a push to main re-judges them all; beyond, only those
# that share a path, an identifier, a name or an e-mail domain with what moved.
REJUDGE_ALL_AT_MOST = 20


def _keys(docs: list[RegistryDocument]) -> set[tuple[str, str]]:
    """What makes two changes interfere: paths, identifiers, names and routed domains."""
    keys: set[tuple[str, str]] = set()
    for doc in docs:
        keys.add(("path", doc.display_path))
        data = doc.data or {}
        for field in ("client_id", "uid", "name"):
            value = data.get(field)
            if isinstance(value, str):
                keys.add((field, value.strip().lower()))
        domains = data.get("attached_email_domains")
        for domain in domains if isinstance(domains, list) else []:
            if isinstance(domain, str):
                keys.add(("domain", domain.strip().lower()))
    return keys


def _keys_of_changes(repo: GitRepository, base: str, head: str) -> set[tuple[str, str]] | None:
    """The keys a range touches; None when it touches anything outside the registry (the
    policy, the code: every verdict may change)."""
    found = changes(repo, base, head)
    if any(not is_registry_path(c.path) or is_git_config(c.path) for c in found):
        return None
    before, after = documents_of_changes(repo, found)
    return _keys(before + after)


def _interfering(
    repo: GitRepository, before: str, main: str, heads: dict[int, str]
) -> list[int] | None:
    """The pull requests (by number) whose changes share a key with what moved on main from
    `before`; None: every one of them (the push touched more than the registry, or `before`
    is unknown here)."""
    if repo.is_ancestor(before, main) is not True:
        return None
    moved = _keys_of_changes(repo, before, main)
    if moved is None:
        return None
    touching = []
    for number, head in heads.items():
        start = repo.git("merge-base", main, head).decode().strip()
        keys = _keys_of_changes(repo, start, head)
        if keys is None or keys & moved:
            touching.append(number)
    return touching


def _member(client: GitHubClient, login: str, org: str, team: str) -> bool:
    return client.is_team_member(org, team, login)


def rejudge_after_push(
    event: dict[str, Any],
    client: GitHubClient,
    policy: Policy,
    repo: GitRepository,
    remote: str,
    cache: Path | None,
    live: LiveSettings | None = None,
) -> list[BotResult]:
    """After a push to the default branch (where no merge queue guards it), the verdicts
    that no longer hold: each open pull request whose verdict could change is judged again
    against main's new tip, and returned when it fails or is no longer self-service while the
    bot's approval stands (to withdraw it, saying why). Never an approval."""
    repository = event["repository"]["full_name"]
    default = event["repository"].get("default_branch") or "main"
    if event.get("ref") != f"refs/heads/{default}":
        return []
    pulls = client.open_pulls(default)
    if not pulls:
        return []
    local = "refs/fedreg/rejudge"
    repo.fetch(
        remote,
        [f"+refs/heads/{default}:{local}/main"]
        + [f"+refs/pull/{p.number}/head:{local}/{p.number}" for p in pulls],
        client.token,
    )
    main = repo.resolve(f"{local}/main")
    heads = {p.number: repo.resolve(f"{local}/{p.number}") for p in pulls}
    selected = (
        None
        if len(pulls) <= REJUDGE_ALL_AT_MOST
        else _interfering(repo, str(event.get("before", "")), main, heads)
    )
    results = []
    index = CrossIndex(cache)
    try:
        for pull in pulls:
            if (selected is not None and pull.number not in selected) or (
                heads[pull.number] != pull.head.sha  # moved: its own run judges it
            ):
                continue
            ref = dataclasses.replace(ref_of_pull(repository, pull, client), main_sha=main)
            merged_tree, conflicts = repo.merge_tree(main, ref.head_sha)
            if conflicts:
                result = refusal_result(
                    repository,
                    ref.number,
                    ref.head_sha,
                    ref.base_sha,
                    "Conflits de fusion",
                    "Cette demande ne se fusionne plus proprement avec « main », qui a avancé ; "
                    "mettez votre branche à jour et poussez.",
                )
            else:
                matches = owner_matcher(ref.author, functools.partial(_member, client, ref.author))
                result = decide(
                    repo, ref, merged_tree, policy, matches, index, live, f"{local}/main"
                )
            if result.approve:
                continue  # the verdict holds
            if result.passed and not client.has_bot_approval(pull):
                continue  # nothing to withdraw, nothing newly wrong
            results.append(rejudged(result, main))
    finally:
        index.close()
    return results


def _documents_in(
    repo: GitRepository, treeish: str, changed: list[Change]
) -> list[RegistryDocument]:
    """The documents of `treeish` at the changed paths (one listing, one batch read)."""
    paths = {c.path for c in changed} | {c.before.path for c in changed if c.before is not None}
    entries = entries_at(repo, treeish, paths)
    return git_documents(entries, read_entries(repo, entries))


def compute_offline(
    repo: GitRepository,
    base: str,
    policy: Policy,
    author: str | None,
    cache: Path | None,
    live: LiveSettings | None = None,
    lapsed: Mapping[str, tuple[str, ...]] | None = None,
) -> BotResult:
    """The verdict for the commits since `base` and the working tree, without GitHub: team
    membership is reported as not checked offline."""
    base_commit = repo.resolve(base)
    login = author or os.environ.get("GITHUB_ACTOR") or ""
    ref = PullRequestRef("", 0, base_commit, repo.head_commit() or "", login or "vous")
    matches = owner_matcher(login, lambda org, team: None) if login else (lambda owner: None)
    index = CrossIndex(cache)
    try:
        worktree = repo.worktree_tree()
        return decide(repo, ref, worktree, policy, matches, index, live, None, lapsed)
    finally:
        index.close()
