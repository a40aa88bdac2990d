"""`fedreg diff`: the change plan between two revisions."""

from __future__ import annotations

import sys
from pathlib import Path

from ..adapters.git import GitRepository
from ..changes.diff import diff_revisions
from ..changes.plan import Plan
from ..changes.report import PLAN_RENDERERS_BY_NAME
from ..diagnostics import count_errors
from ..validation.policycheck import load_policy
from .common import EXIT_FAILED, EXIT_OK


def run_diff(*, base: str, head: str | None, output_format: str, policy_file: Path) -> int:
    repo = GitRepository.discover(Path.cwd())
    policy, policy_diagnostics = load_policy(policy_file)
    plan = diff_revisions(repo, base, head, policy)
    if policy_diagnostics:
        plan = Plan(plan.changes, tuple(sorted(policy_diagnostics + list(plan.diagnostics))))
    sys.stdout.write(PLAN_RENDERERS_BY_NAME[output_format](plan))
    return EXIT_FAILED if count_errors(plan.diagnostics) else EXIT_OK
