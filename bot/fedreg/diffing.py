"""`fedreg diff`'s engine: read only what changed, at both revisions, and plan it.

Paths are relative to the repository root, as git and GitHub name them.
"""

from __future__ import annotations

from .gitrepo import GitRepository
from .layout import REGISTRY_DIR, RegistryDocument
from .plan import Plan, build_plan
from .policy import Policy
from .snapshot import changes, documents_of_changes
from .validate import collector_paused, validate_documents


def plan_documents(
    before: list[RegistryDocument], after: list[RegistryDocument], policy: Policy
) -> Plan:
    """The plan between two versions of the changed files, with the diagnostics of the head
    version (per-file rules, and rules across the changed files)."""
    with collector_paused():
        return build_plan(before, after, validate_documents(after, policy))


def diff_revisions(repo: GitRepository, base: str, head: str | None, policy: Policy) -> Plan:
    """The plan from `base` to `head` (None: the working tree), reading only the registry
    entries git reports as changed."""
    base_commit = repo.resolve(base)
    head_commit = repo.resolve(head) if head is not None else None
    before, after = documents_of_changes(
        repo, changes(repo, base_commit, head_commit, REGISTRY_DIR)
    )
    return plan_documents(before, after, policy)
