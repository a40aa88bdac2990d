"""`fedreg serve`'s configuration from the environment: every variable checked at start-up,
with a French message naming it; never a secret in the message."""

from __future__ import annotations

import pytest
from joserfc.jwk import OKPKey

from conftest import BASE_IDENTITY_PROVIDER
from fedreg.commands.propose import sealer_from_environment
from fedreg.commands.serve import (
    is_loopback_http,
    oidc_from_environment,
    serve_app,
    trust_from_environment,
)
from fedreg.errors import UsageError
from fedreg.prbot.requesterseal import check_seal

ENV = {
    "FEDREG_PARTNER_SPACE_SECRET": "p" * 40,
    "FEDREG_OIDC_ISSUER": "https://auth.agentconnect.gouv.fr/api/v2",
    "FEDREG_OIDC_CLIENT_ID": "espace-partenaires",
    "FEDREG_OIDC_CLIENT_SECRET": "secret-oidc-tres-long",
    "FEDREG_SESSION_SECRET": "k" * 40,
    "FEDREG_PUBLIC_URL": "https://partenaires.proconnect.gouv.fr",
    "FEDREG_OIDC_DEPLOYMENT": "integration-internet",
    "FEDREG_OIDC_ANY_DOMAIN_IDPS": "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11",
}
DEFAULT_FI = "registry/integration/identity-providers/demo.yaml"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    key = OKPKey.generate_key("Ed25519").as_pem(private=True).decode()
    monkeypatch.setenv("FEDREG_REQUESTER_SIGNING_KEY", key)
    return monkeypatch


def test_a_complete_environment_builds_the_app(env, app_github, origin, checkout) -> None:
    origin.write(DEFAULT_FI, BASE_IDENTITY_PROVIDER)
    origin.commit("the default FI")
    settings, session_secret = oidc_from_environment()
    assert settings.callback_url == "https://partenaires.proconnect.gouv.fr/connexion/retour"
    assert session_secret == "k" * 40
    app = serve_app(checkout, "main", checkout / "policy.yaml")
    assert {getattr(r, "path", "") for r in app.routes} >= {"/", "/connexion/retour"}


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("FEDREG_OIDC_CLIENT_ID", "", "FEDREG_OIDC_CLIENT_ID"),
        ("FEDREG_SESSION_SECRET", "court", "au moins 32"),
        ("FEDREG_PUBLIC_URL", "http://partenaires.proconnect.gouv.fr", "https"),
    ],
)
def test_a_missing_or_unsafe_setting_is_a_usage_error(env, name, value, said) -> None:
    env.setenv(name, value)
    with pytest.raises(UsageError, match=said) as raised:
        oidc_from_environment()
    assert "secret-oidc-tres-long" not in str(raised.value)


def test_only_loopback_may_be_plain_http() -> None:
    assert is_loopback_http("http://127.0.0.1:8080")
    assert is_loopback_http("http://localhost:8080")
    assert is_loopback_http("http://[::1]:8080")
    assert not is_loopback_http("http://10.0.0.1/")
    assert not is_loopback_http("http://partenaires.gouv.fr/")
    assert not is_loopback_http("https://127.0.0.1/")


def test_the_signing_key_is_required_and_checked(env) -> None:
    sealer = sealer_from_environment(required=True)
    assert sealer is not None
    line = sealer("proconnect-gouv/registre", "a" * 40, "e@demo.gouv.fr", "fi")
    assert line.startswith("<!-- fedreg:demandeur=")
    env.setenv("FEDREG_REQUESTER_SIGNING_KEY", "pas une clé")
    with pytest.raises(UsageError, match="Ed25519"):
        sealer_from_environment()
    env.delenv("FEDREG_REQUESTER_SIGNING_KEY")
    assert sealer_from_environment() is None
    with pytest.raises(UsageError, match="FEDREG_REQUESTER_SIGNING_KEY"):
        sealer_from_environment(required=True)
    assert check_seal(line + "\n", None, "proconnect-gouv/registre", "a" * 40).email == ""


def test_the_fis_allowed_to_assert_any_domain_are_checked_at_start(
    env, app_github, origin, checkout
) -> None:
    """Empty, or an uid that no FI of the deployment carries on main's tip: `fedreg serve`
    refuses to start, in French, rather than trust nobody (or anybody) at sign-in."""
    trust = trust_from_environment()
    assert (trust.deployment, trust.any_domain_idps) == (
        "integration-internet",
        frozenset({"5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"}),
    )
    with pytest.raises(UsageError, match="aucun fournisseur d'identité de integration-internet"):
        serve_app(checkout, "main", checkout / "policy.yaml")  # main holds no FI yet
    env.setenv("FEDREG_OIDC_ANY_DOMAIN_IDPS", " , ")
    with pytest.raises(UsageError, match="FEDREG_OIDC_ANY_DOMAIN_IDPS doit donner l'uid"):
        trust_from_environment()
    env.setenv("FEDREG_OIDC_ANY_DOMAIN_IDPS", "a, b c")
    assert trust_from_environment().any_domain_idps == {"a", "b", "c"}


@pytest.mark.parametrize("value", ["", "production", "production-wifi", "Production-Internet"])
def test_the_deployment_signed_in_through_must_be_named(env, value) -> None:
    env.setenv("FEDREG_OIDC_DEPLOYMENT", value)
    with pytest.raises(UsageError, match="FEDREG_OIDC_DEPLOYMENT doit nommer le déploiement"):
        trust_from_environment()
