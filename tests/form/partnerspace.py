"""What the partner-space tests share: a real OIDC provider on loopback (oidc-provider-mock),
the real app served by uvicorn over the fake GitHub and a real clone, and a signed-in client.

The origin holds an FS and an FI with the same slug (`demo`) in integration, both listing the
agent's e-mail among their contacts.
"""

from __future__ import annotations

import re
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

    def client(self) -> httpx.Client:
        """A client, closed when the test ends."""
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)
        self.clients.append(client)
        return client

    def sign_in(self, email: str = AGENT, sub: str = "agent-1") -> httpx.Client:
        """A client signed in through the real authorization code flow."""
        httpx.put(
            f"{self.provider_url}/users/{sub}",
            json={
                "email": email,
                "given_name": "Camille",
                "usual_name": "Martin",
                "siret": "13002526500013",
            },
        ).raise_for_status()
        client = self.client()
        start = client.get("/connexion")
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        assert authorize.startswith(self.provider_url)
        assert "code_challenge=" in authorize and "nonce=" in authorize
        answer = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
        callback = answer.headers["location"]
        back = client.get(callback)
        assert back.status_code == 303, back.text
        return client


def csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def provider() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def space(
    app_github, origin: GitWorkspace, checkout, provider: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Space]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the loopback provider is http
    origin.write(FI, INTEGRATION_FI)
    origin.commit("an FI with the FS's slug")
    key = OKPKey.generate_key("Ed25519")
    private_pem = key.as_pem(private=True)
    policy = DEFAULT_POLICY.model_copy(
        update={"partner_space_key": key.as_pem(private=False).decode()}
    )

    def sealer(repository: str, commit: str, email: str) -> str:
        return seal(private_pem, repository, commit, email)

    late = LateApp()
    live = LiveServer(late)
    backend = PartnerSpace(checkout, policy, GitHubClient.from_environment, "main", sealer)
    oidc = OidcClient(OidcSettings(provider, "fedreg-test", "secret-de-test", live.url))
    late.app = build_app(
        backend,
        SECRET,
        SETTINGS,
        oidc=oidc,
        session_secret="t" * 40,
        secure_cookies=False,
    )
    shared = Space(live.url, policy, private_pem, provider)
    yield shared
    for client in shared.clients:
        client.close()
    live.stop()
