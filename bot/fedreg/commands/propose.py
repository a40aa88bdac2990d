"""`fedreg propose`: the modification form as a pull request, through the GitHub API."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from ..adapters.github import GitHubClient
from ..errors import UsageError
from ..form.editing import find_provider, parse_request, request_diagnostic
from ..form.proposal import Outcome, Sealer, propose, read_main_tip
from ..prbot.requesterseal import seal
from ..validation.report import RENDERERS_BY_NAME
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail
from .edit import registry_documents

SIGNING_KEY_VARIABLE = "FEDREG_REQUESTER_SIGNING_KEY"


def sealer_from_environment(required: bool = False) -> Sealer | None:
    """The partner space's requester seal, with the Ed25519 private key (PEM) in
    FEDREG_REQUESTER_SIGNING_KEY; None when unset and not `required`."""
    pem = os.environ.get(SIGNING_KEY_VARIABLE, "").encode()
    if not pem:
        if required:
            raise UsageError(
                f"{SIGNING_KEY_VARIABLE} doit contenir la clé privée Ed25519 (PEM) de l'espace "
                "partenaires : sans elle, aucun demandeur n'est vérifié"
            )
        return None
    try:
        seal(pem, "essai", "0" * 40, "essai@exemple.fr", "essai")
    except Exception as error:  # joserfc raises several types for a bad key
        message = f"{SIGNING_KEY_VARIABLE} n'est pas une clé privée Ed25519 (PEM)"
        raise UsageError(message) from error

    def sealer(repository: str, commit: str, email: str, idp_id: str) -> str:
        return seal(pem, repository, commit, email, idp_id)

    return sealer


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
    remote = os.environ.get("FEDREG_GIT_REMOTE") or "origin"
    tip = read_main_tip(root, base_branch, client.token, remote)
    sealer = sealer_from_environment(required=verified)
    proposal = propose(client, tip, request, policy, base_branch, sealer)
    if [d.code for d in proposal.diagnostics] == ["F004"]:
        local, _ = find_provider(registry_documents(root), request, policy.support_contact)
        if local is not None:  # only in this checkout: not merged yet
            missing = request_diagnostic("F014", path=local.display_path, branch=base_branch)
            proposal = dataclasses.replace(proposal, diagnostics=(missing,))
    if proposal.outcome is Outcome.REFUSED:
        sys.stdout.write(RENDERERS_BY_NAME[output_format](list(proposal.diagnostics), 1, False))
        print(f"fedreg : {proposal.message}", file=sys.stderr)
        return EXIT_FAILED
    print(proposal.message)
    return EXIT_OK
