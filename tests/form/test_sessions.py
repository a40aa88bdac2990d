"""Sessions the server keeps, and sign-in limits per agent, over real HTTP: a cookie copied
before sign-out is refused after it, the session id changes at each sign-in, sessions last
8 hours from sign-in, the CSRF token belongs to its session; a stranger behind the same address
cannot block another agent's sign-in, and one agent's repeated sign-ins get a French 429."""

from __future__ import annotations

import base64
import dataclasses
import html
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from partnerspace import (  # noqa: F401
    AGENT,
    DEFAULT_UID,
    SETTINGS,
    csrf,
    provider,
    space,
    space_settings,
)
from test_partner_space import FS_FORM

from fedreg.form.sessions import SessionStore

STRANGER = "inconnu@autre.gouv.fr"
WRITES = {"post", "patch", "put", "delete"}


def _session(client: httpx.Client) -> dict[str, Any]:
    """The session cookie's content (signed, not encrypted: readable, not forgeable)."""
    value = client.cookies.get("fedreg_session")
    if not value:
        return {}
    data = value.split(".")[0]
    return json.loads(base64.b64decode(data + "=" * (-len(data) % 4)))


def _thief(space, client: httpx.Client) -> httpx.Client:
    thief = space.client()
    thief.cookies.set("fedreg_session", client.cookies["fedreg_session"])
    return thief


def test_a_cookie_copied_before_sign_out_is_refused_after_it(space, app_github) -> None:
    client = space.sign_in()
    token = csrf(client.get("/").text)
    thief = _thief(space, client)
    assert 'id="fournisseurs"' in thief.get("/").text, "the copy works while signed in"
    assert client.post("/deconnexion", data={"csrf": token}).status_code == 303
    dead = thief.get("/")
    assert "S'identifier avec" in html.unescape(dead.text)
    assert "1970" in dead.headers["set-cookie"], "the dead session's cookie is dropped"
    form = thief.get("/formulaire?" + urlencode(FS_FORM))
    assert (form.status_code, form.headers["location"]) == (303, "/")
    calls = len(app_github.calls)
    for path in ("/demandes", "/formulaire", "/deconnexion"):
        sent = thief.post(
            path, data={**FS_FORM, "redirect_uris": "https://x.gouv.fr/cb", "csrf": token}
        )
        assert sent.status_code == 401, path
    assert thief.get("/demandes/1").status_code == 303
    assert len(app_github.calls) == calls, "a revoked session reached GitHub"


def test_the_session_id_changes_at_every_sign_in(space) -> None:
    """No id planted before sign-in is ever promoted: starting a sign-in keeps none, and each
    sign-in opens a new one."""
    client = space.client()
    space.register()
    start = client.get("/connexion")
    assert "sid" not in _session(client) and "pending" in _session(client)
    assert space.finish_sign_in(client, start.headers["location"], "agent-1").status_code == 303
    first = _session(client)["sid"]
    token = csrf(client.get("/").text)
    client.post("/deconnexion", data={"csrf": token})
    assert _session(client) == {}
    again = space.sign_in()
    second = _session(again)["sid"]
    assert first != second
    stale = space.client()
    stale.cookies.set("fedreg_session", again.cookies["fedreg_session"])
    assert 'id="fournisseurs"' in stale.get("/").text


def test_a_session_lasts_eight_hours_from_sign_in(space, app_github) -> None:
    client = space.sign_in()
    token = csrf(client.get("/").text)
    space.shift = SETTINGS.session_max_age - 60
    assert 'id="fournisseurs"' in client.get("/").text, "still live, and refreshed by a page"
    space.shift = SETTINGS.session_max_age + 1
    assert "S'identifier avec" in html.unescape(client.get("/").text)
    calls = len(app_github.calls)
    sent = client.post("/demandes", data={**FS_FORM, "csrf": token})
    assert sent.status_code == 401 and len(app_github.calls) == calls


def test_the_csrf_token_belongs_to_its_session(space, app_github) -> None:
    """Two sessions of the same agent: one's token is refused with the other's cookie."""
    first, second = space.sign_in(), space.sign_in()
    token = csrf(first.get("/").text)
    assert token != csrf(second.get("/").text)
    form = {**FS_FORM, "redirect_uris": "https://demo.gouv.fr/v2/callback", "csrf": token}
    assert second.post("/formulaire", data=form).status_code == 403
    assert first.post("/formulaire", data=form).status_code == 200


def test_a_stranger_behind_the_same_address_cannot_block_anothers_sign_in(space) -> None:
    """Everyone here signs in from 127.0.0.1, as agents behind a ministry's shared exit do.
    A stranger's sign-ins count on their own e-mail: past the limit, they get a French 429
    that shows nothing of the sign-in (no code, no state) and opens no session, while the
    agent beside them signs in."""
    space.register(STRANGER, "stranger", DEFAULT_UID)
    for _ in range(SETTINGS.rate_limit):
        client = space.client()
        start = client.get("/connexion")
        assert space.finish_sign_in(client, start.headers["location"], "stranger").status_code == (
            303
        )
    client = space.client()
    authorize = client.get("/connexion").headers["location"]
    answer = httpx.post(authorize, data={"sub": "stranger"}, follow_redirects=False)
    callback = answer.headers["location"]
    limited = client.get(callback)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert "Trop de demandes" in limited.text
    query = dict(parse_qsl(urlsplit(callback).query))
    assert query["code"] not in limited.text and query["state"] not in limited.text
    assert STRANGER not in limited.text
    assert "agent" not in _session(client)
    for _ in range(3 * SETTINGS.rate_limit):  # starts alone count per address, loosely
        assert space.client().get("/connexion").status_code == 303
    agent = space.sign_in()
    assert 'id="fournisseurs"' in agent.get("/").text


@pytest.mark.parametrize(
    "space_settings",
    [dataclasses.replace(SETTINGS, signin_starts_per_address=3)],
    indirect=True,
)
def test_sign_in_starts_have_a_ceiling_per_address(space, space_settings) -> None:
    """A flood of authorization requests from one address stops at the ceiling (600 per 10
    minutes by default, for a ministry's exit), with a French 429."""
    for _ in range(3):
        assert space.client().get("/connexion").status_code == 303
    flood = space.client().get("/connexion")
    assert flood.status_code == 429 and "Trop de demandes" in flood.text
    assert "Retry-After" in flood.headers


# -- the store ---------------------------------------------------------------------------------


def test_the_store_forgets_expired_sessions_and_bounds_its_memory() -> None:
    store = SessionStore(max_age=100, capacity=3)
    first = store.open(now=0)
    assert store.csrf(first, now=99) and store.csrf(first, now=100) is None
    later = [store.open(now=100 + i) for i in range(3)]
    assert len(store) == 3, "the expired session was purged to make room"
    assert all(store.csrf(s, now=110) for s in later)
    newest = store.open(now=110)
    assert len(store) == 3 and store.csrf(later[0], now=110) is None, "the oldest ended first"
    assert store.csrf(newest, now=110)
    assert len(store) == 3
    store.open(now=500)
    assert len(store) == 1, "every expired session purged"
    store.close(newest)
    store.close(None)
    assert store.csrf(newest, now=110) is None and store.csrf(42, now=110) is None


def test_no_parameter_sends_the_agent_elsewhere_after_sign_in(space) -> None:
    """No open redirect: the sign-in ignores any `next`-like parameter; it returns to `/`."""
    space.register()
    client = space.client()
    start = client.get("/connexion?next=https://evil.example/&redirect_uri=https://evil.example/")
    assert start.headers["location"].startswith(space.provider_url)
    assert "evil.example" not in start.headers["location"]
    back = space.finish_sign_in(client, start.headers["location"], "agent-1")
    assert (back.status_code, back.headers["location"]) == (303, "/")
