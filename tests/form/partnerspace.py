"""What the partner-space tests share: a real OIDC provider on loopback (oidc-provider-mock),
the real app served by uvicorn over the fake GitHub and a real clone, and a signed-in client.

The origin holds an FS and an FI with the same slug (`demo`) in integration, both listing the
agent's e-mail among their contacts; the FI `demo` attaches the agent's domain. Two more FIs of
integration-internet sign agents in: a rogue one attaching another ministry's domain only, and
the default FI (ProConnect Identité), which the operator declared able to assert any domain.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from joserfc.jwk import OKPKey
from oidc_provider_mock import run_server_in_thread
from test_serve import SECRET, LiveServer

from conftest import BASE_IDENTITY_PROVIDER, GitWorkspace, edited
from fedreg.adapters.github import GitHubClient
from fedreg.form.identity import IdentityTrust
from fedreg.form.partnerspace import PartnerSpace
from fedreg.form.server import ServeSettings, build_app
from fedreg.form.signin import OidcClient, OidcSettings
from fedreg.prbot.requesterseal import seal
from fedreg.registry.policy import DEFAULT_POLICY, Policy

AGENT = "equipe@demo.gouv.fr"
OTHER = "inconnu@autre.gouv.fr"
FI = "registry/integration/identity-providers/demo.yaml"
FI_UID = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"
SETTINGS = ServeSettings(rate_limit=5, rate_window=600, read_timeout=1.0, submit_timeout=8.0)
INTEGRATION_FI = edited(BASE_IDENTITY_PROVIDER, [("  - identite@demo.gouv.fr\n", f"  - {AGENT}\n")])
ROGUE_FI = "registry/integration/identity-providers/fi-voyou.yaml"
ROGUE_UID = "0b7e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4"
DEFAULT_FI = "registry/integration/identity-providers/proconnect-identite.yaml"
DEFAULT_UID = "e3474e05-8820-4590-af50-ea029efd8907"


def _other_fi(uid: str, name: str, title: str, domains: str) -> str:
    return edited(
        BASE_IDENTITY_PROVIDER,
        [
            (FI_UID, uid),
            ("name: fi-demo", f"name: {name}"),
            ("FI de démonstration", title),
            ("attached_email_domains:\n  - demo.gouv.fr\n", domains),
        ],
    )


TRUST = IdentityTrust("integration", "internet", frozenset({DEFAULT_UID}))


class LateApp:
    """Lets the server's URL be known before the app (its OIDC callback) is built."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Space:
    url: str
    policy: Policy
    private_pem: bytes
    provider_url: str
    clients: list[httpx.Client] = field(default_factory=list)
    shift: float = 0.0  # seconds added to the server's clock

    def clock(self) -> float:
        return time.time() + self.shift

    def client(self) -> httpx.Client:
        """A client, closed when the test ends."""
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)
        self.clients.append(client)
        return client

    def register(self, email: str = AGENT, sub: str = "agent-1", idp_id: str | None = FI_UID):
        """The provider will say that the FI `idp_id` (None: no FI named) asserts `email` for
        `sub`."""
        claims = {
            "email": email,
            "given_name": "Camille",
            "usual_name": "Martin",
            "siret": "13002526500013",
        }
        if idp_id is not None:
            claims["idp_id"] = idp_id
        httpx.put(f"{self.provider_url}/users/{sub}", json=claims).raise_for_status()

    def sign_in(
        self, email: str = AGENT, sub: str = "agent-1", idp_id: str | None = FI_UID
    ) -> httpx.Client:
        """A client signed in through the real authorization code flow, as the FI `idp_id`
        asserts `email`."""
        self.register(email, sub, idp_id)
        client = self.client()
        start = client.get("/connexion")
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        assert authorize.startswith(self.provider_url)
        assert "code_challenge=" in authorize and "nonce=" in authorize
        assert "idp_id" in authorize.partition("scope=")[2].split("&")[0]
        back = self.finish_sign_in(client, authorize, sub)
        assert back.status_code == 303, back.text
        return client

    def finish_sign_in(self, client: httpx.Client, authorize: str, sub: str) -> httpx.Response:
        """The provider's answer for `sub`, brought back to the server by `client`."""
        answer = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
        return client.get(answer.headers["location"])


def csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def provider() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def space_settings(request: pytest.FixtureRequest) -> ServeSettings:
    """The server's settings; a test may parametrize it (indirect)."""
    return getattr(request, "param", SETTINGS)


@pytest.fixture
def space(
    app_github,
    origin: GitWorkspace,
    checkout,
    provider: str,
    space_settings: ServeSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Space]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the loopback provider is http
    origin.write(FI, INTEGRATION_FI)
    origin.write(
        ROGUE_FI,
        _other_fi(
            ROGUE_UID, "fi-voyou", "FI voyou", "attached_email_domains:\n  - voyou.gouv.fr\n"
        ),
    )
    origin.write(
        DEFAULT_FI,
        _other_fi(DEFAULT_UID, "proconnect-identite", "ProConnect Identité", "").replace(
            "routing_enabled: true", "routing_enabled: false"
        ),
    )
    origin.commit("an FI with the FS's slug, a rogue FI and the default FI")
    key = OKPKey.generate_key("Ed25519")
    private_pem = key.as_pem(private=True)
    policy = DEFAULT_POLICY.model_copy(
        update={"partner_space_key": key.as_pem(private=False).decode()}
    )

    def sealer(repository: str, commit: str, email: str, idp_id: str) -> str:
        return seal(private_pem, repository, commit, email, idp_id)

    late = LateApp()
    live = LiveServer(late)
    shared = Space(live.url, policy, private_pem, provider)
    backend = PartnerSpace(checkout, policy, GitHubClient.from_environment, "main", sealer)
    oidc = OidcClient(OidcSettings(provider, "fedreg-test", "secret-de-test", live.url))
    late.app = build_app(
        backend,
        SECRET,
        space_settings,
        oidc=oidc,
        session_secret="t" * 40,
        secure_cookies=False,
        clock=shared.clock,
        trust=TRUST,
    )
    yield shared
    for client in shared.clients:
        client.close()
    live.stop()
