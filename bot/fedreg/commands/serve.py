"""`fedreg serve`: the partner space's pages and API, with uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette

from ..adapters.github import GitHubClient
from ..errors import FedregError, UsageError
from ..form.httpserver import server_config
from ..form.identity import IdentityTrust, identity_providers
from ..form.partnerspace import PartnerSpace
from ..form.requestauth import MIN_SECRET_LENGTH
from ..form.server import ServeSettings, build_app
from ..form.signin import OidcClient, OidcSettings
from ..registry.models import ENVIRONMENTS, NETWORKS, deployment_name
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
DEPLOYMENT_VARIABLE = "FEDREG_OIDC_DEPLOYMENT"
ANY_DOMAIN_VARIABLE = "FEDREG_OIDC_ANY_DOMAIN_IDPS"


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


def trust_from_environment() -> IdentityTrust:
    """The deployment the partner space signs in through, and the FIs that may assert any
    e-mail domain (the core's default FI), from the environment."""
    deployments = [deployment_name(e, n) for e in ENVIRONMENTS for n in NETWORKS]
    deployment = os.environ.get(DEPLOYMENT_VARIABLE, "").strip()
    if deployment not in deployments:
        raise UsageError(
            f"{DEPLOYMENT_VARIABLE} doit nommer le déploiement de ProConnect par lequel les "
            f"agents se connectent : {', '.join(deployments)}"
        )
    uids = frozenset(os.environ.get(ANY_DOMAIN_VARIABLE, "").replace(",", " ").split())
    if not uids:
        raise UsageError(
            f"{ANY_DOMAIN_VARIABLE} doit donner l'uid du fournisseur d'identité par défaut "
            "(ProConnect Identité), le seul qui puisse attester une adresse de tout domaine "
            "(plusieurs uid séparés par des virgules)"
        )
    environment, _, network = deployment.partition("-")
    return IdentityTrust(environment, network, uids)


def check_trust(space: PartnerSpace, trust: IdentityTrust) -> None:
    """Every FI allowed to assert any domain is one of the deployment's, on main's tip."""
    try:
        known = identity_providers(space.tip().docs, trust)
    except FedregError as error:
        raise UsageError(f"lecture de la branche principale impossible : {error}") from error
    unknown = sorted(trust.any_domain_idps - known)
    if unknown:
        raise UsageError(
            f"{ANY_DOMAIN_VARIABLE} : aucun fournisseur d'identité de {trust.deployment} ne "
            f"porte l'uid {', '.join(unknown)} sur la branche principale du registre"
        )


def serve_app(root: Path, base_branch: str, policy_file: Path) -> Starlette:
    secret = partner_space_secret()
    oidc, session_secret = oidc_from_environment()
    trust = trust_from_environment()
    policy = policy_or_fail(root / policy_file)
    sealer = sealer_from_environment(required=True)
    GitHubClient.from_environment()  # fail now, not at the first request, when unset
    space = PartnerSpace(root, policy, GitHubClient.from_environment, base_branch, sealer)
    check_trust(space, trust)
    return build_app(
        space,
        secret,
        ServeSettings(),
        oidc=OidcClient(oidc),
        session_secret=session_secret,
        secure_cookies=not is_loopback_http(oidc.public_url),
        trust=trust,
    )


class QueryRedactor(logging.Filter):
    """Access log lines without query strings: the sign-in's return carries its authorization
    code and state there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def run_serve(*, host: str, port: int, root: Path, base_branch: str, policy_file: Path) -> int:
    app = serve_app(root, base_branch, policy_file)
    logging.getLogger("uvicorn.access").addFilter(QueryRedactor())
    uvicorn.Server(server_config(app, host, port)).run()
    return EXIT_OK
