"""`fedreg serve`: the partner space's pages and API, with uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette

from ..adapters.github import GitHubClient
from ..errors import UsageError
from ..form.httpserver import server_config
from ..form.partnerspace import PartnerSpace
from ..form.requestauth import MIN_SECRET_LENGTH
from ..form.server import ServeSettings, build_app
from ..form.signin import OidcClient, OidcSettings
from .common import EXIT_OK, policy_or_fail
from .propose import sealer_from_environment

SECRET_VARIABLE = "FEDREG_PARTNER_SPACE_SECRET"
OIDC_VARIABLES = (
    "FEDREG_OIDC_ISSUER",
    "FEDREG_OIDC_CLIENT_ID",
    "FEDREG_OIDC_CLIENT_SECRET",
    "FEDREG_SESSION_SECRET",
    "FEDREG_PUBLIC_URL",
)


def partner_space_secret() -> bytes:
    secret = os.environ.get(SECRET_VARIABLE, "").encode("utf-8")
    if len(secret) < MIN_SECRET_LENGTH:
        raise UsageError(
            f"{SECRET_VARIABLE} doit contenir le secret partagé avec l'espace partenaires "
            f"(au moins {MIN_SECRET_LENGTH} caractères)"
        )
    return secret


def is_loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def oidc_from_environment() -> tuple[OidcSettings, str]:
    """The relying party's settings and the session secret, all from the environment."""
    missing = [name for name in OIDC_VARIABLES if not os.environ.get(name)]
    if missing:
        raise UsageError("variables d'environnement manquantes : " + ", ".join(missing))
    session_secret = os.environ["FEDREG_SESSION_SECRET"]
    if len(session_secret) < MIN_SECRET_LENGTH:
        raise UsageError(f"FEDREG_SESSION_SECRET : au moins {MIN_SECRET_LENGTH} caractères")
    public_url = os.environ["FEDREG_PUBLIC_URL"]
    if urlsplit(public_url).scheme != "https" and not is_loopback_http(public_url):
        raise UsageError("FEDREG_PUBLIC_URL doit être en https (ou http sur la boucle locale)")
    settings = OidcSettings(
        issuer=os.environ["FEDREG_OIDC_ISSUER"],
        client_id=os.environ["FEDREG_OIDC_CLIENT_ID"],
        client_secret=os.environ["FEDREG_OIDC_CLIENT_SECRET"],
        public_url=public_url,
    )
    return settings, session_secret


def serve_app(root: Path, base_branch: str, policy_file: Path) -> Starlette:
    secret = partner_space_secret()
    oidc, session_secret = oidc_from_environment()
    policy = policy_or_fail(root / policy_file)
    sealer = sealer_from_environment(required=True)
    GitHubClient.from_environment()  # fail now, not at the first request, when unset
    space = PartnerSpace(root, policy, GitHubClient.from_environment, base_branch, sealer)
    return build_app(
        space,
        secret,
        ServeSettings(),
        oidc=OidcClient(oidc),
        session_secret=session_secret,
        secure_cookies=not is_loopback_http(oidc.public_url),
    )


def run_serve(*, host: str, port: int, root: Path, base_branch: str, policy_file: Path) -> int:
    app = serve_app(root, base_branch, policy_file)
    uvicorn.Server(server_config(app, host, port)).run()
    return EXIT_OK
