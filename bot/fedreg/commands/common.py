"""What the commands share: exit codes, the policy, provenance."""

from __future__ import annotations

import sys
from pathlib import Path

from ..adapters.git import GitError, GitRepository
from ..errors import FedregError
from ..registry.layout import REGISTRY_DIR
from ..registry.policy import Policy
from ..validation.policycheck import load_policy
from ..validation.report import render_text

EXIT_OK, EXIT_FAILED, EXIT_BUG = 0, 1, 3  # usage errors (2) come from UsageError


def source_commit() -> str | None:
    try:
        repo = GitRepository.discover(Path.cwd())
    except GitError:
        return None
    commit = repo.head_commit()
    if commit is not None and repo.is_dirty(REGISTRY_DIR):
        commit += "+modifications"
    return commit


def policy_or_fail(policy_file: Path, refusal: str = "politique invalide") -> Policy:
    """The policy, or its diagnostics on stdout and a user error saying `refusal`."""
    policy, diagnostics = load_policy(policy_file)
    if diagnostics:
        sys.stdout.write(render_text(diagnostics, 1))
        raise FedregError(refusal)
    return policy
