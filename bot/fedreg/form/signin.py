"""Sign in with ProConnect: `fedreg serve` as an OpenID Connect relying party of the federation.

Authorization code flow with PKCE (S256), `state` and `nonce`, through Authlib's OAuth 2 client;
the ID token's signature and its `iss`, `aud`, `exp` and `nonce` are verified with joserfc
against the provider's published keys. Userinfo is read whether the provider answers it as a
signed JWT (`application/jwt`, as ProConnect does) or as plain JSON, and must name the same
subject as the ID token. Every failure is a `SignInError` with a French message.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# idp_id: the FI that authenticated the agent, to which their e-mail must be bound (identity).
SCOPES = "openid email given_name usual_name siret idp_id"
CALLBACK_PATH = "/connexion/retour"
ALGORITHMS = ["RS256", "ES256", "PS256", "EdDSA"]


class SignInError(Exception):
    """The sign-in failed; the message is shown to the agent (French)."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    public_url: str  # the page's public base URL; the callback lives under it
    timeout: float = 10.0

    @property
    def callback_url(self) -> str:
        return self.public_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class Agent:
    """A signed-in agent, as ProConnect vouches for them."""

    sub: str
    email: str
    given_name: str = ""
    usual_name: str = ""
    siret: str = ""
    idp_id: str = ""  # the identity provider (FI) that asserted the e-mail, as ProConnect says

    @property
    def identity(self) -> str:
        """Who counts against the limits: the e-mail with the FI that asserted it, so that an
        FI asserting someone else's address spends only its own budget."""
        return f"{self.email}\n{self.idp_id}"

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.usual_name) if p) or self.email


def _text(value: Any, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


class OidcClient:
    """The relying party: the provider's metadata and keys are read once, then cached."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _session(self, **extra: Any) -> OAuth2Session:
        return OAuth2Session(
            self.settings.client_id,
            self.settings.client_secret,
            scope=SCOPES,
            redirect_uri=self.settings.callback_url,
            code_challenge_method="S256",
            token_endpoint_auth_method=self._auth_method(),
            **extra,
        )

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with OAuth2Session() as session:
                response = session.get(url, timeout=self.settings.timeout, withhold_token=True)
            response.raise_for_status()
            data = response.json()
        except Exception as error:  # requests' and JSON's errors alike
            raise SignInError("ProConnect ne répond pas : réessayez dans un instant") from error
        if not isinstance(data, dict):
            raise SignInError("réponse de ProConnect illisible")
        return data

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                issuer = self.settings.issuer.rstrip("/")
                data = self._get_json(f"{issuer}/.well-known/openid-configuration")
                if str(data.get("issuer", "")).rstrip("/") != issuer:
                    raise SignInError("ProConnect annonce un autre émetteur que celui configuré")
                self._metadata = data
            return self._metadata

    def _auth_method(self) -> str:
        supported = (self._metadata or {}).get("token_endpoint_auth_methods_supported") or []
        return "client_secret_post" if "client_secret_post" in supported else "client_secret_basic"

    def keys(self) -> KeySet:
        try:
            return KeySet.import_key_set(self._get_json(str(self.metadata()["jwks_uri"])))  # type: ignore[arg-type]
        except (KeyError, JoseError, ValueError) as error:
            raise SignInError("clés de ProConnect illisibles") from error

    def start(self) -> tuple[str, dict[str, str]]:
        """The URL to send the browser to, and what to keep in the session until it returns."""
        endpoint = str(self.metadata().get("authorization_endpoint", ""))
        verifier, nonce = generate_token(64), generate_token(32)
        with self._session() as session:
            url, state = session.create_authorization_url(
                endpoint, code_verifier=verifier, nonce=nonce
            )
        return url, {"state": state, "nonce": nonce, "verifier": verifier}

    def finish(self, pending: dict[str, str], query: dict[str, str]) -> Agent:
        """The agent, from the provider's answer to `start` (the callback's query)."""
        if query.get("error"):
            raise SignInError("connexion refusée ou annulée sur ProConnect")
        state, expected = query.get("state", ""), pending.get("state", "")
        if not expected or state != expected or not query.get("code"):
            raise SignInError("connexion expirée ou venue d'ailleurs : recommencez")
        metadata = self.metadata()
        with self._session(state=expected) as session:
            return self._finish(session, metadata, pending, query["code"])

    def _finish(
        self, session: OAuth2Session, metadata: dict[str, Any], pending: dict[str, str], code: str
    ) -> Agent:
        try:
            token = session.fetch_token(
                str(metadata["token_endpoint"]),
                code=code,
                code_verifier=pending.get("verifier", ""),
                timeout=self.settings.timeout,
            )
        except Exception as error:  # Authlib's OAuth errors and requests' network errors
            raise SignInError("ProConnect a refusé la connexion : recommencez") from error
        keys = self.keys()
        claims = self._verified(str(token.get("id_token", "")), keys, pending.get("nonce", ""))
        info = self._userinfo(session, str(metadata.get("userinfo_endpoint", "")), keys)
        if info.get("sub") != claims.get("sub"):
            raise SignInError("ProConnect a répondu pour une autre personne : recommencez")
        email = _text(info.get("email"), 254).lower()
        if "@" not in email:
            raise SignInError("ProConnect n'a pas transmis votre adresse e-mail")
        return Agent(
            sub=str(claims["sub"]),
            email=email,
            given_name=_text(info.get("given_name")),
            usual_name=_text(info.get("usual_name")),
            siret=_text(info.get("siret"), 14),
            idp_id=_text(info.get("idp_id") or claims.get("idp_id"), 100),
        )

    def _verified(
        self, token: str, keys: KeySet, nonce: str, check_nonce: bool = True
    ) -> dict[str, Any]:
        # The ID token must name issuer and audience; a signed userinfo SHOULD (OIDC Core
        # 5.3.2), and is refused when it names others.
        options: dict[str, Any] = {
            "iss": {"essential": check_nonce, "value": self.settings.issuer.rstrip("/")},
            "aud": {"essential": check_nonce, "value": self.settings.client_id},
            "sub": {"essential": True},
        }
        if check_nonce:
            options["exp"] = {"essential": True}
            options["nonce"] = {"essential": True, "value": nonce}
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(leeway=60, **options).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise SignInError("jeton de ProConnect invalide : recommencez") from error
        return dict(decoded.claims)

    def _userinfo(self, session: OAuth2Session, endpoint: str, keys: KeySet) -> dict[str, Any]:
        try:
            response = session.get(endpoint, timeout=self.settings.timeout)
            response.raise_for_status()
        except Exception as error:
            raise SignInError("ProConnect n'a pas transmis vos informations") from error
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/jwt":
            return self._verified(response.text.strip(), keys, "", check_nonce=False)
        try:
            data = json.loads(response.content)
        except ValueError as error:
            raise SignInError("informations de ProConnect illisibles") from error
        if not isinstance(data, dict):
            raise SignInError("informations de ProConnect illisibles")
        return data
