"""The form's page in a real headless browser: Debian's chromium, driven by Playwright.

The page is plain HTML (no script): the browser fills the fields, posts the form, and shows
the pull request's link or the diagnostics. Skipped only where no chromium is installed
(`.ci/run` installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from test_serve import LiveServer, build_form_app

from conftest import APP

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def browser() -> Iterator[Any]:
    if not shutil.which("chromium"):
        pytest.skip("chromium introuvable : installez le paquet Debian chromium (.ci/run le fait)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page_server(app_github, checkout) -> Iterator[LiveServer]:
    live = LiveServer(build_form_app(checkout))
    yield live
    live.stop()


def _fill(page: Any, redirect_uris: str) -> None:
    page.fill("#email", "equipe@demo.gouv.fr")
    page.fill("#siret", "13002526500013")
    page.fill("#organisation", "Ministère de la démo")
    page.fill("#client_id", CLIENT_ID)
    page.check("input[name=network][value=internet]")
    page.check("input[name=environment][value=integration]")
    page.fill("#redirect_uris", redirect_uris)


def test_the_page_opens_a_pull_request_and_shows_its_link(browser, page_server, app_github) -> None:
    page = browser.new_page()
    page.goto(page_server.url + "/")
    assert page.title().startswith("Demande de modification d'un fournisseur de services")
    _fill(page, "https://demo.gouv.fr/callback\nhttps://demo.gouv.fr/v2/callback\n")
    page.click("button[type=submit]")
    link = page.locator("#lien-demande")
    assert link.get_attribute("href") == "https://github.com/proconnect-gouv/registre/pull/1"
    assert "Demande de fusion ouverte" in page.locator("#resultat").inner_text()
    pull = app_github.pulls[1]
    assert pull.author == APP["login"]
    # declared, not verified: no claim the bot would honour
    assert "fedreg:demandeur" not in pull.body
    assert "adresse déclarée, non vérifiée" in pull.body


def test_the_page_shows_the_diagnostics_and_keeps_the_fields(
    browser, page_server, app_github
) -> None:
    page = browser.new_page()
    page.goto(page_server.url + "/")
    _fill(page, "https://demo.gouv.fr/callback\nhttps://*.demo.gouv.fr/callback\n")
    page.click("button[type=submit]")
    items = page.locator("#diagnostics li").all_inner_texts()
    assert len(items) == 1
    assert items[0].startswith("F005 (URLs de redirection post connexion, ligne 2)")
    assert "jokers" in items[0]
    assert page.input_value("#client_id") == CLIENT_ID
    assert "https://*.demo.gouv.fr/callback" in page.input_value("#redirect_uris")
    assert app_github.pulls == {}
