"""`fedreg diff`'s engine: read only what changed, at both revisions, and plan it.

Paths are relative to the repository root, as git and GitHub name them.
"""

from __future__ import annotations

from ..adapters.git import GitRepository
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.policy import Policy
from ..registry.snapshot import (
    changes,
    documents_of_changes,
    git_documents,
    is_git_config,
    read_entries,
    tree_entries,
)
from ..validation.checks.readiness import known_identities
from ..validation.engine import collector_paused, validate_documents
from .plan import DomainHolders, Plan, build_plan, domain_holders

_IDP_FOLDER = "/identity-providers/"


def plan_documents(
    before: list[RegistryDocument],
    after: list[RegistryDocument],
    policy: Policy,
    base_holders: DomainHolders | None = None,
) -> Plan:
    """The plan between two versions of the changed files, with the diagnostics of the head
    version (per-file rules, and rules across the changed files). `base_holders`: who routes
    each e-mail domain in the whole base registry, when known. A provider whose identity
    (deployment, kind, client_id or uid) is not in `before` is new: deploy-readiness rules
    apply to it."""
    known = known_identities((doc.environment, doc.kind, doc.data) for doc in before)
    with collector_paused():
        return build_plan(before, after, validate_documents(after, policy, known), base_holders)


def adds_routed_domains(plan: Plan) -> bool:
    """Whether a change attaches an e-mail domain: only then are the other FIs worth reading."""
    return any(
        f.field == "attached_email_domains" and f.added for c in plan.changes for f in c.fields
    )


def holders_at_commit(repo: GitRepository, commit: str) -> DomainHolders:
    """Who routes each e-mail domain at `commit` (every identity-provider file, one git read)."""
    entries = [e for e in tree_entries(repo, commit) if _IDP_FOLDER in e.path]
    return domain_holders(git_documents(entries, read_entries(repo, entries)))


def diff_revisions(repo: GitRepository, base: str, head: str | None, policy: Policy) -> Plan:
    """The plan from `base` to `head` (None: the working tree), reading only the registry
    entries git reports as changed."""
    base_commit = repo.resolve(base)
    head_commit = repo.resolve(head) if head is not None else None
    found = changes(repo, base_commit, head_commit, REGISTRY_DIR)
    before, after = documents_of_changes(repo, [c for c in found if not is_git_config(c.path)])
    plan = plan_documents(before, after, policy)
    if adds_routed_domains(plan):
        plan = build_plan(before, after, plan.diagnostics, holders_at_commit(repo, base_commit))
    return plan
