"""`fedreg propose`: the modification form as a pull request, through the GitHub API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..adapters.github import GitHubClient
from ..form.editing import parse_request
from ..form.proposal import Outcome, propose
from ..validation.report import RENDERERS_BY_NAME
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail
from .edit import registry_documents


def run_propose(
    *,
    fields: dict[str, Any],
    requester: dict[str, str],
    verified: bool,
    root: Path,
    base_branch: str,
    output_format: str,
    policy_file: Path,
) -> int:
    policy = policy_or_fail(root / policy_file)
    request, problems = parse_request(
        {**fields, "requester": requester}, require_requester=True, verified=verified
    )
    if request is None:
        sys.stdout.write(RENDERERS_BY_NAME[output_format](problems, 1, False))
        return EXIT_FAILED
    client = GitHubClient.from_environment()
    proposal = propose(client, registry_documents(root), request, policy, base_branch)
    if proposal.outcome is Outcome.REFUSED:
        sys.stdout.write(RENDERERS_BY_NAME[output_format](list(proposal.diagnostics), 1, False))
        print(f"fedreg : {proposal.message}", file=sys.stderr)
        return EXIT_FAILED
    print(proposal.message)
    return EXIT_OK
