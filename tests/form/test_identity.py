"""The e-mail is bound to the FI that asserted it: over real HTTP, a rogue FI of the federation
asserting another ministry's address signs the agent in as nobody's contact, while the right FI
and the default FI (ProConnect Identité) work; the seal carries the bound FI for the bot.
Then the binding rule itself, on registry documents."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from partnerspace import (  # noqa: F401
    AGENT,
    DEFAULT_UID,
    FI_UID,
    ROGUE_UID,
    SETTINGS,
    TRUST,
    csrf,
    provider,
    space,
    space_settings,
)
from test_partner_space import FS_FORM

from conftest import BASE_IDENTITY_PROVIDER
from fedreg.form.identity import IdentityTrust, bind, email_domain, identity_providers
from fedreg.prbot.requesterseal import check_seal
from fedreg.registry.layout import RegistryDocument
from fedreg.registry.yamlload import load_fast


def _send(client, **lists: str):
    token = csrf(client.get("/").text)
    summary = client.post("/formulaire", data={**FS_FORM, **lists, "csrf": token})
    assert summary.status_code == 200, summary.text
    return summary, client.post("/demandes", data={**FS_FORM, **lists, "csrf": token})


def _seal(space, app_github, number: int):
    pull = app_github.pulls[number]
    return check_seal(
        pull.body, space.policy.partner_space_key, app_github.full_name, pull.head_sha
    )


def test_a_rogue_fi_asserting_another_ministrys_address_is_nobodys_contact(
    space, app_github
) -> None:
    """The attack: an FI of the federation asserts the contact's address; the agent it signs
    in gets no "your providers" list, and their request goes to the federation's review with
    the reason, unsealed: the bot cannot approve it as the contact's self-service."""
    client = space.sign_in(AGENT, sub="voyou", idp_id=ROGUE_UID)
    home = client.get("/")
    shown = html.unescape(home.text)
    assert home.status_code == 200
    assert 'id="fournisseurs"' not in home.text and "Service de démonstration" not in home.text
    assert 'id="identite-non-rattachee"' in home.text
    assert "n'est pas rattaché au fournisseur d'identité qui vous a authentifié (FI voyou)" in (
        shown
    )
    form = client.get("/formulaire?" + urlencode(FS_FORM))
    assert "Vous n'êtes pas contact de ce fournisseur" in html.unescape(form.text)
    summary, sent = _send(client, redirect_uris="https://voyou.example/cb")
    assert "Relue par l'équipe ProConnect" in html.unescape(summary.text)
    assert sent.status_code == 303
    body = app_github.pulls[1].body
    assert not body.startswith("<!-- fedreg:demandeur="), "a rogue FI's address was sealed"
    assert "non rattachée au fournisseur d'identité qui l'a authentifiée" in body
    assert "**Revue de la fédération** : l'adresse du demandeur n'est pas rattachée" in body
    assert _seal(space, app_github, 1).email == ""


@pytest.mark.parametrize("idp_id", [FI_UID, DEFAULT_UID], ids=["right FI", "default FI"])
def test_the_right_fi_and_the_default_fi_make_the_agent_a_contact(
    space, app_github, idp_id
) -> None:
    client = space.sign_in(AGENT, sub=f"agent-{idp_id[:4]}", idp_id=idp_id)
    home = client.get("/")
    assert 'id="fournisseurs"' in home.text and "Service de démonstration" in home.text
    assert 'id="identite-non-rattachee"' not in home.text
    _, sent = _send(client, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert sent.status_code == 303
    assert "Revue de la fédération" not in app_github.pulls[1].body
    sealed = _seal(space, app_github, 1)
    assert (sealed.email, sealed.idp_id, sealed.problem) == (AGENT, idp_id, "")


@pytest.mark.parametrize(
    ("idp_id", "said"),
    [
        (None, "ProConnect n'a pas indiqué quel fournisseur d'identité"),
        ("", "ProConnect n'a pas indiqué quel fournisseur d'identité"),
        ("9d1f0000-0000-4000-8000-000000000000", "n'est pas dans le registre de ce déploiement"),
    ],
    ids=["no idp_id", "empty idp_id", "unknown idp_id"],
)
def test_without_a_known_fi_the_agent_is_signed_in_but_nobodys_contact(
    space, app_github, idp_id, said
) -> None:
    client = space.sign_in(AGENT, sub="sans-fi", idp_id=idp_id)
    home = client.get("/")
    assert said in html.unescape(home.text) and 'id="fournisseurs"' not in home.text
    _, sent = _send(client, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert sent.status_code == 303
    assert said in app_github.pulls[1].body
    assert _seal(space, app_github, 1).email == ""


def test_the_api_binds_its_requester_to_the_fi_it_names(space, app_github) -> None:
    """The signed API's verified requester obeys the same rule: without the FI that asserted
    the address (`requester.idp_id`), or with an FI that does not attach its domain, nothing is
    sealed and the federation reviews."""
    from types import SimpleNamespace

    from test_serve import call, form

    server: Any = SimpleNamespace(url=space.url)
    unbound = call(server, form(redirect_uris=["https://demo.gouv.fr/v2/cb"]))
    assert unbound.status_code == 201, unbound.text
    assert "pas indiqué quel fournisseur d'identité" in app_github.pulls[1].body
    assert _seal(space, app_github, 1).email == ""
    rogue = {"email": AGENT, "idp_id": ROGUE_UID}
    call(server, form(redirect_uris=["https://demo.gouv.fr/v3/cb"], requester=rogue))
    assert _seal(space, app_github, 2).email == ""
    bound = {"email": AGENT, "idp_id": FI_UID}
    call(server, form(redirect_uris=["https://demo.gouv.fr/v4/cb"], requester=bound))
    assert _seal(space, app_github, 3).idp_id == FI_UID


# -- the rule ----------------------------------------------------------------------------------


def _fi(uid: str, network: str, domains: list[str]) -> RegistryDocument:
    text = BASE_IDENTITY_PROVIDER.replace("5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11", uid)
    data = load_fast(text)
    assert data is not None
    data.update(network=network, attached_email_domains=domains)
    return RegistryDocument(
        Path(f"{uid}.yaml"), f"{uid}.yaml", "integration", "IdentityProvider", uid, text, data
    )


def test_the_domain_is_compared_as_the_registry_writes_it() -> None:
    assert email_domain("Jean@Intérieur.GOUV.fr") == "xn--intrieur-d1a.gouv.fr"
    assert email_domain("jean@interieur.gouv.fr.") == "interieur.gouv.fr"
    assert email_domain("pas-une-adresse") == ""
    assert email_domain("x@-.-") == ""
    docs = [_fi("a", "internet", ["xn--intrieur-d1a.gouv.fr"])]
    assert bind("jean@intérieur.gouv.fr", "a", docs, TRUST).bound
    assert not bind("jean@sous.xn--intrieur-d1a.gouv.fr", "a", docs, TRUST).bound, "exact only"


def test_only_the_trusted_deployments_fis_count() -> None:
    """An FI of another network (or environment) never binds, even with the same uid."""
    docs = [_fi("a", "rie", ["demo.gouv.fr"]), _fi("d", "rie", [])]
    assert not bind("e@demo.gouv.fr", "a", docs, TRUST).bound
    rie = IdentityTrust("integration", "rie", frozenset({"d"}))
    assert bind("e@demo.gouv.fr", "a", docs, rie).bound
    assert bind("e@ailleurs.fr", "d", docs, rie).bound, "the default FI asserts any domain"
    assert not bind("e@ailleurs.fr", "d", docs, TRUST).bound
    assert identity_providers(docs, rie) == {"a", "d"}
    assert identity_providers(docs, TRUST) == set()


def test_a_rogue_fis_agent_neither_supersedes_nor_sees_the_contacts_requests(
    space, app_github
) -> None:
    """Requests are the requester's own: superseded by their next one, shown on their pages.
    An agent whose address a rogue FI asserted is not that requester: their request never
    closes the contact's, and the contact's request page is not theirs."""
    contact = space.sign_in(AGENT)
    _send(contact, redirect_uris="https://demo.gouv.fr/v2/callback")
    rogue = space.sign_in(AGENT, sub="voyou", idp_id=ROGUE_UID)
    _, sent = _send(rogue, redirect_uris="https://voyou.example/cb")
    assert sent.headers["location"] == "/demandes/2", "the contact's request was superseded"
    assert app_github.pulls[1].state == "open"
    assert rogue.get("/demandes/1").status_code == 404
    assert rogue.get("/demandes/2").status_code == 200
    assert contact.get("/demandes/2").status_code == 404
    _, again = _send(rogue, redirect_uris="https://voyou.example/v2/cb")
    assert again.headers["location"] == "/demandes/3?remplace=2", "their own is superseded"
    assert app_github.pulls[1].state == "open"


def test_a_rogue_fi_cannot_spend_the_contacts_sign_in_budget(space) -> None:
    """Sign-ins (and requests, and views) count per agent as ProConnect vouches for them: the
    e-mail with the FI that asserted it. A rogue FI asserting the contact's address to the
    limit blocks only itself."""
    space.register(AGENT, "voyou", ROGUE_UID)
    for _ in range(SETTINGS.rate_limit):
        client = space.client()
        start = client.get("/connexion").headers["location"]
        assert space.finish_sign_in(client, start, "voyou").status_code == 303
    client = space.client()
    start = client.get("/connexion").headers["location"]
    assert space.finish_sign_in(client, start, "voyou").status_code == 429
    contact = space.sign_in(AGENT)
    assert 'id="fournisseurs"' in contact.get("/").text


@pytest.mark.parametrize(
    "space_settings", [dataclasses.replace(SETTINGS, unbound_per_fi=3)], indirect=True
)
def test_a_rogue_fi_inventing_addresses_shares_one_budget(space, app_github) -> None:
    """A rogue FI can assert as many addresses as it likes, each with its own per-agent
    budget: the sign-ins and requests of the agents it vouches for without their domain
    attached to it share one budget per FI, so it cannot flood the federation's review or fill
    the session table. Agents bound to their FI are untouched."""
    first = space.sign_in("un@interieur.gouv.fr", sub="voyou-1", idp_id=ROGUE_UID)
    _, sent = _send(first, redirect_uris="https://voyou.example/cb")
    assert sent.status_code == 303, sent.text
    space.sign_in("deux@interieur.gouv.fr", sub="voyou-2", idp_id=ROGUE_UID)
    space.register("trois@interieur.gouv.fr", "voyou-3", ROGUE_UID)
    client = space.client()
    start = client.get("/connexion").headers["location"]
    refused = space.finish_sign_in(client, start, "voyou-3")
    assert refused.status_code == 429 and "Trop de demandes" in refused.text
    assert sorted(app_github.pulls) == [1]
    contact = space.sign_in(AGENT)
    assert 'id="fournisseurs"' in contact.get("/").text
    _, sent = _send(contact, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert sent.status_code == 303 and sorted(app_github.pulls) == [1, 2]
