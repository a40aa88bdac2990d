"""`fedreg serve`: the modification form's HTTP endpoint and page, with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from ..adapters.github import GitHubClient
from ..errors import UsageError
from ..form.editing import ChangeRequest
from ..form.proposal import Proposal, propose
from ..form.requestauth import MIN_SECRET_LENGTH
from ..form.server import ServeSettings, build_app
from .common import EXIT_OK, policy_or_fail
from .edit import registry_documents

SECRET_VARIABLE = "FEDREG_PARTNER_SPACE_SECRET"


def partner_space_secret() -> bytes:
    secret = os.environ.get(SECRET_VARIABLE, "").encode("utf-8")
    if len(secret) < MIN_SECRET_LENGTH:
        raise UsageError(
            f"{SECRET_VARIABLE} doit contenir le secret partagé avec l'espace partenaires "
            f"(au moins {MIN_SECRET_LENGTH} caractères)"
        )
    return secret


def run_serve(*, host: str, port: int, root: Path, base_branch: str, policy_file: Path) -> int:
    secret = partner_space_secret()
    policy = policy_or_fail(root / policy_file)
    GitHubClient.from_environment()  # fail now, not at the first request, when unset

    def submit(request: ChangeRequest) -> Proposal:
        client = GitHubClient.from_environment()
        return propose(client, registry_documents(root), request, policy, base_branch)

    app = build_app(submit, secret, ServeSettings())
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        limit_concurrency=32,
        timeout_keep_alive=5,
        server_header=False,
    )
    return EXIT_OK
