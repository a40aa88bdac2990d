"""The relying party against a provider on loopback that answers as ProConnect does: userinfo as
a signed JWT (`application/jwt`), PKCE checked at the token endpoint. And what it refuses: a
token for another audience, another nonce, expired, signed by another key, or a userinfo about
someone else.

The provider is a small Starlette app signing with joserfc (tests may not reach ProConnect);
oidc-provider-mock, which answers userinfo as JSON, drives the rest (test_partner_space.py).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from test_serve import LiveServer

from fedreg.form.signin import OidcClient, OidcSettings, SignInError

KEY = ECKey.generate_key("P-256", parameters={"kid": "k1", "alg": "ES256", "use": "sig"})
STRANGER = ECKey.generate_key("P-256", parameters={"kid": "k1"})


@dataclass
class Provider:
    """What the provider will say: the claims it signs, with what it signs them."""

    url: str = ""
    id_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    signing_key: ECKey = field(default_factory=lambda: KEY)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> challenge, nonce

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": "ES256", "kid": "k1"}, claims, self.signing_key)

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "userinfo_endpoint": f"{self.url}/userinfo",
                    "jwks_uri": f"{self.url}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )

        async def jwks(request: Request) -> Response:
            return JSONResponse(KeySet([KEY]).as_dict(private=False))

        async def token(request: Request) -> Response:
            form = dict(parse_qsl((await request.body()).decode()))
            challenge, nonce = self.codes.pop(form.get("code", ""), ("", ""))
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not challenge or challenge != expected or form.get("client_secret") != "s3cret":
                return JSONResponse({"error": "invalid_grant"}, 400)
            claims = {"nonce": nonce, **self.id_claims}
            return JSONResponse(
                {"access_token": "at", "token_type": "Bearer", "id_token": self.sign(claims)}
            )

        async def userinfo(request: Request) -> Response:
            if request.headers.get("authorization") != "Bearer at":
                return Response(status_code=401)
            body = self.sign(self.userinfo_claims)
            return Response(body, media_type="application/jwt")

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
                Route("/token", token, methods=["POST"]),
                Route("/userinfo", userinfo),
            ]
        )


@pytest.fixture
def provider() -> Iterator[Provider]:
    shared = Provider()
    live = LiveServer(shared.app())
    shared.url = live.url
    now = int(time.time())
    shared.id_claims = {
        "iss": live.url,
        "aud": "fedreg",
        "sub": "agent-7",
        "iat": now,
        "exp": now + 60,
    }
    shared.userinfo_claims = {
        "iss": live.url,
        "aud": "fedreg",
        "sub": "agent-7",
        "email": "Camille.Martin@demo.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Martin",
        "siret": "13002526500013",
    }
    yield shared
    live.stop()


def _sign_in(provider: Provider) -> Any:
    client = OidcClient(OidcSettings(provider.url, "fedreg", "s3cret", "https://p.gouv.fr"))
    url, pending = client.start()
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["code_challenge_method"] == "S256" and query["state"] == pending["state"]
    provider.codes["c0de"] = (query["code_challenge"], query["nonce"])
    return client.finish(pending, {"code": "c0de", "state": pending["state"]})


def test_a_signed_jwt_userinfo_gives_the_agent(provider) -> None:
    agent = _sign_in(provider)
    assert (agent.sub, agent.email, agent.siret) == (
        "agent-7",
        "camille.martin@demo.gouv.fr",
        "13002526500013",
    )
    assert agent.display_name == "Camille Martin"


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-client"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600},
        {"nonce": "replayed"},
    ],
)
def test_an_id_token_not_for_this_sign_in_is_refused(provider, change) -> None:
    provider.id_claims.update(change)
    with pytest.raises(SignInError, match="jeton"):
        _sign_in(provider)


def test_a_token_signed_by_another_key_is_refused(provider) -> None:
    provider.signing_key = STRANGER
    with pytest.raises(SignInError, match="jeton"):
        _sign_in(provider)


def test_a_userinfo_about_someone_else_is_refused(provider) -> None:
    provider.userinfo_claims["sub"] = "agent-8"
    with pytest.raises(SignInError, match="autre personne"):
        _sign_in(provider)


def test_a_forged_state_or_a_wrong_verifier_is_refused(provider) -> None:
    client = OidcClient(OidcSettings(provider.url, "fedreg", "s3cret", "https://p.gouv.fr"))
    _, pending = client.start()
    with pytest.raises(SignInError, match="recommencez"):
        client.finish(pending, {"code": "c0de", "state": "forged"})
    provider.codes["c0de"] = ("not-the-challenge", "n")
    with pytest.raises(SignInError, match="refusé"):
        client.finish(pending, {"code": "c0de", "state": pending["state"]})


def test_an_issuer_announcing_another_name_is_refused(provider) -> None:
    client = OidcClient(
        OidcSettings(provider.url + "/autre", "fedreg", "s3cret", "https://p.gouv.fr")
    )
    with pytest.raises(SignInError):
        client.start()
    assert httpx.get(provider.url + "/jwks").json()["keys"][0]["kid"] == "k1"


def test_a_userinfo_for_another_client_is_refused_one_without_iss_and_aud_accepted(
    provider,
) -> None:
    provider.userinfo_claims["aud"] = "another-client"
    with pytest.raises(SignInError, match="jeton"):
        _sign_in(provider)
    del provider.userinfo_claims["aud"], provider.userinfo_claims["iss"]
    assert _sign_in(provider).email == "camille.martin@demo.gouv.fr"
