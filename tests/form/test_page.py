"""The partner space in a real browser: Debian's chromium driven by Playwright, signed in through
the real OIDC provider on loopback. Sign in, list your providers, change an FS and an FI, see
the errors and the request's page, sign out; axe-core (tests/data/axe, from the npm registry)
finds no serious or critical violation on any of these pages, and the screenshots used by
docs/formulaire.md are taken on the way. There is no way round the sign-in: every step after
it needs the session it opens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from partnerspace import AGENT, FI_UID, provider, space, space_settings  # noqa: F401
from playwright.sync_api import sync_playwright

from conftest import REPO_ROOT
from fedreg.adapters.github import GitHubClient

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = (REPO_ROOT / "tests/data/axe/axe.min.js").read_text()
IMAGES = REPO_ROOT / "docs/images"


@pytest.fixture
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), "chromium manque : apt-get install chromium (.ci/run le fait)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def _accessible(page: Any, name: str) -> None:
    """axe-core on the page as shown: no serious or critical violation. The script is added
    through the DevTools protocol, which the page's Content-Security-Policy does not govern."""
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"


def _shot(page: Any, name: str) -> None:
    if os.environ.get("FEDREG_SCREENSHOTS"):  # refreshes docs/images/ when asked
        IMAGES.mkdir(exist_ok=True)
        page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True)


def _marianne(page: Any) -> None:
    """The State's font, served by fedreg serve itself under its CSP, is the one shown."""
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family === 'Marianne' && f.status === 'loaded')"
        ".map(f => f.weight)"
    )
    assert {"400", "700"} <= set(loaded), loaded
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Marianne")


def test_sign_in_change_an_fs_and_an_fi_follow_the_request_sign_out(
    browser, space, app_github
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    assets: list[tuple[int, str]] = []  # what the pages asked the server for, and its answer
    page.on("response", lambda r: assets.append((r.status, r.url)) if "/static/" in r.url else None)
    page.goto(space.url + "/")
    assert page.locator("h1").inner_text() == "Espace partenaires ProConnect"
    _marianne(page)
    _accessible(page, "connexion")
    _shot(page, "connexion")

    # sign in on the provider's own page, as the FI that attaches the agent's domain says
    space.register(AGENT, sub=AGENT, idp_id=FI_UID)
    page.click("#connexion")
    assert page.url.startswith(space.provider_url)
    page.fill("input[name=sub]", AGENT)
    page.click("button[type=submit]:not([name=action])")
    page.wait_for_url(space.url + "/")
    assert page.locator("h1").inner_text() == "Vos fournisseurs"
    assert page.locator("#fournisseurs tbody tr").count() == 2
    _accessible(page, "fournisseurs")

    # an FS, with errors first: every one at its field, the typed values kept
    page.click("a[href*='kind=fs']")
    assert "https://demo.gouv.fr/callback" in page.input_value("#redirect_uris")
    _accessible(page, "formulaire")
    _shot(page, "formulaire")
    page.fill("#redirect_uris", "https://demo.gouv.fr/callback\nftp://demo.gouv.fr/retour")
    page.fill("#post_logout_redirect_uris", "ftp://demo.gouv.fr/")
    page.click("#verifier")
    summary = page.locator("#erreurs")
    assert "2 points à corriger" in summary.inner_text()
    assert summary.locator("a[href='#redirect_uris']").inner_text().endswith("ligne 2")
    assert "ftp://demo.gouv.fr/retour" in page.input_value("#redirect_uris")
    _accessible(page, "erreurs")
    _shot(page, "erreurs")
    page.fill("#redirect_uris", "https://demo.gouv.fr/callback\nhttps://demo.gouv.fr/v2/callback")
    page.fill("#post_logout_redirect_uris", "https://demo.gouv.fr/")
    page.click("#verifier")
    assert "+ https://demo.gouv.fr/v2/callback" in page.locator("#recapitulatif").inner_text()
    page.click("#envoyer")
    page.wait_for_url(space.url + "/demandes/1")
    assert page.locator("#etat").text_content() == "en cours"
    _accessible(page, "demande")
    _shot(page, "demande")

    # an FI: its e-mail domains, with the DNS proof to publish
    page.goto(space.url + "/")
    page.click("a[href*='kind=fi']")
    page.fill("#email_domains", "demo.gouv.fr\nsport.demo.gouv.fr")
    page.click("#verifier")
    assert f"proconnect-identity-provider-{FI_UID}" in page.content()
    page.click("#envoyer")
    page.wait_for_url(space.url + "/demandes/2")
    assert sorted(app_github.pulls) == [1, 2]

    # the FS request merged, then deployed by the fedreg App: its page says so
    app_github.tokens["fedreg-app-token"] = {"login": space.policy.fedreg_app, "type": "Bot"}
    deployer = GitHubClient("fedreg-app-token", app_github.base_url, app_github.full_name)
    deployment = deployer.deployment_for(app_github.merge(1), "integration-internet", new=True)
    deployer.deployment_status(deployment, "success", "1 modifié(s)")
    page.goto(space.url + "/demandes/1")
    assert page.locator("#etat").text_content() == "acceptée et fusionnée"
    deployed = page.locator("#deploiement-integration-internet").text_content() or ""
    assert deployed.startswith("Déployé le ") and deployed.endswith("(intégration, internet)")
    _accessible(page, "demande déployée")
    _shot(page, "demande-deployee")

    page.click("#deconnexion")
    page.wait_for_url(space.url + "/")
    assert page.locator("#connexion").count() == 1
    assert blocked == [], "the page asked for something its CSP refuses"
    assert [url for status, url in assets if status >= 400] == [], "a missing asset"
    fetched = {url.split("/static/dsfr/", 1)[1] for _, url in assets}
    assert {"fonts/Marianne-Bold.woff2", "icons/system/fr--error-fill.svg"} <= fetched
    page.close()
