"""The partner space over real HTTP: sign in with a real OIDC provider on loopback, the agent's
providers, an FS and an FI change, requests that never overwrite each other, the request's page,
sign-out, and the attacks of issue 23."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
from partnerspace import (  # noqa: F401
    AGENT,
    DEFAULT_UID,
    FI,
    FI_UID,
    SETTINGS,
    csrf,
    provider,
    space,
    space_settings,
)

from conftest import FORM_SP

CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
WRITES = {"post", "patch", "put", "delete"}
FS_FORM = {
    "kind": "fs",
    "environment": "integration",
    "network": "internet",
    "identifier": CLIENT_ID,
}
FI_FORM = {"kind": "fi", "environment": "integration", "network": "internet", "identifier": FI_UID}


def _writes(app_github) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in app_github.calls if m in WRITES]


def test_anonymous_home_offers_the_proconnect_sign_in(space) -> None:
    page = space.client().get("/")
    assert page.status_code == 200
    assert "S'identifier avec" in page.text and 'href="/connexion"' in page.text
    assert "République<br>française" in page.text
    assert "ProConnect — Espace partenaires" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_sign_in_lists_both_kinds_and_the_form_is_prefilled(space) -> None:
    client = space.sign_in()
    cookie = client.cookies.jar
    [session] = [c for c in cookie if c.name == "fedreg_session"]
    assert session.has_nonstandard_attr("HttpOnly") or "httponly" in str(session._rest).lower()
    home = client.get("/")
    assert home.status_code == 200
    assert AGENT in home.text and 'id="deconnexion"' in home.text
    assert "Service de démonstration" in home.text and "FI de démonstration" in home.text
    form = client.get("/formulaire?" + urlencode(FS_FORM))
    assert form.status_code == 200
    assert "https://demo.gouv.fr/callback</textarea>" in form.text
    fi_form = client.get("/formulaire?" + urlencode(FI_FORM))
    assert "demo.gouv.fr</textarea>" in fi_form.text
    assert "Domaines e-mail rattachés" in fi_form.text


def test_without_a_session_nothing_runs(space, app_github) -> None:
    client = space.client()
    for path in ("/formulaire", "/demandes", "/deconnexion"):
        answer = client.post(path, data={**FS_FORM, "redirect_uris": "https://x.gouv.fr/cb"})
        assert answer.status_code == 401, path
        assert "connectez-vous" in answer.text
    assert app_github.calls == []


def test_a_post_without_the_csrf_token_is_refused(space, app_github) -> None:
    client = space.sign_in()
    answer = client.post("/demandes", data={**FS_FORM, "redirect_uris": "https://x.gouv.fr/cb"})
    assert answer.status_code == 403
    assert _writes(app_github) == []


def _send(client, form: dict[str, str], **lists: str):
    token = csrf(client.get("/").text)
    summary = client.post(
        "/formulaire", data={**form, **lists, "csrf": token, "action": "verifier"}
    )
    assert summary.status_code == 200, summary.text
    return summary, client.post("/demandes", data={**form, **lists, "csrf": token})


def test_an_fs_request_opens_its_own_pull_request_and_a_new_one_supersedes_it(
    space, app_github, origin
) -> None:
    client = space.sign_in()
    summary, sent = _send(
        client,
        FS_FORM,
        redirect_uris="https://demo.gouv.fr/callback\nhttps://demo.gouv.fr/v2/callback",
    )
    assert "+ https://demo.gouv.fr/v2/callback" in summary.text
    assert sent.status_code == 303 and sent.headers["location"] == "/demandes/1"
    first = app_github.pulls[1]
    assert first.head_ref.startswith("fedreg-formulaire-integration-internet-fs-demo-")
    assert origin.git("diff", "--name-only", first.base_sha, first.head_sha) == FORM_SP
    first_head = first.head_sha
    _, again = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v3/callback")
    assert again.headers["location"] == "/demandes/2?remplace=1"
    second = app_github.pulls[2]
    assert second.head_ref != first.head_ref
    assert first.head_sha == first_head, "a request never rewrites another's branch"
    assert first.state == "closed"
    assert "pull/2" in first.comments[-1]["body"]
    page = client.get("/demandes/2?remplace=1")
    assert page.status_code == 200
    assert "remplace votre demande précédente n° 1" in page.text
    assert 'id="lien-demande" href="https://github.com/proconnect-gouv/registre/pull/2"' in (
        page.text
    )


def test_an_fi_request_edits_the_fi_not_the_fs_with_the_same_slug(space, app_github, origin):
    client = space.sign_in()
    summary, sent = _send(client, FI_FORM, email_domains="demo.gouv.fr\nsport.demo.gouv.fr")
    assert "proconnect-identity-provider-" + FI_UID in summary.text
    assert sent.status_code == 303
    pull = app_github.pulls[1]
    assert "-fi-demo-" in pull.head_ref
    assert origin.git("diff", "--name-only", pull.base_sha, pull.head_sha) == FI


def test_every_error_is_shown_at_its_field_and_line_and_nothing_counts(space, app_github) -> None:
    client = space.sign_in()
    token = csrf(client.get("/").text)
    for _ in range(5):  # more than the rate limit: refusals never count
        answer = client.post(
            "/formulaire",
            data={
                **FS_FORM,
                "csrf": token,
                "action": "verifier",
                "redirect_uris": "https://demo.gouv.fr/callback\nftp://demo.gouv.fr/cb",
                "post_logout_redirect_uris": "ftp://demo.gouv.fr/",
            },
        )
        assert answer.status_code == 422
    assert 'href="#redirect_uris"' in answer.text and "ligne 2" in answer.text
    assert 'href="#post_logout_redirect_uris"' in answer.text
    assert "ftp://demo.gouv.fr/cb</textarea>" in answer.text, "typed values are kept"
    _, sent = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert sent.status_code == 303
    assert _writes(app_github) != []


def test_a_request_for_a_provider_one_is_not_contact_of_goes_to_the_federation(
    space, app_github
) -> None:
    client = space.sign_in(email="inconnu@autre.gouv.fr", sub="agent-2", idp_id=DEFAULT_UID)
    assert "Aucun fournisseur ne vous a pour contact" in client.get("/").text
    summary, sent = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert "pas parmi les contacts" in summary.text
    assert sent.status_code == 303
    assert "**Revue de la fédération** : le demandeur" in app_github.pulls[1].body


def test_one_cannot_see_another_agents_request(space, app_github) -> None:
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    other = space.sign_in(email="inconnu@autre.gouv.fr", sub="agent-2")
    assert other.get("/demandes/1").status_code == 404
    assert other.get("/demandes/99").status_code == 404


def test_sign_out_ends_the_session(space) -> None:
    client = space.sign_in()
    token = csrf(client.get("/").text)
    out = client.post("/deconnexion", data={"csrf": token})
    assert out.status_code == 303
    assert "S'identifier avec" in client.get("/").text


def test_a_forged_callback_is_refused(space) -> None:
    client = space.client()
    client.get("/connexion")
    answer = client.get("/connexion/retour?code=abc&state=forged")
    assert answer.status_code == 401
    assert "recommencez" in answer.text


def _open_lookalike(app_github, origin):
    """Mallory's pull request 2, from a branch named like the agent's request 1's (the
    branch key is public) at the same commit."""
    first = app_github.pulls[1]
    lookalike = first.head_ref[:-12] + "0" * 12
    origin.git("branch", lookalike, first.head_sha)
    app_github.open_pull(2, first.base_sha, first.head_sha, "mallory", head_ref=lookalike)
    return first


def test_a_branch_named_like_ours_by_someone_else_is_neither_reused_nor_closed(
    space, app_github, origin
) -> None:
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    _open_lookalike(app_github, origin)
    _, same = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert same.status_code == 303, re.sub(r"\s+", " ", same.text)[-1500:]
    assert same.headers["location"] == "/demandes/1", "never pointed at mallory's request"
    _, later = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v3/callback")
    assert later.headers["location"] == "/demandes/3?remplace=1"
    assert (app_github.pulls[1].state, app_github.pulls[2].state) == ("closed", "open")


def test_a_link_to_the_sign_in_does_not_sign_a_signed_in_agent_out(space) -> None:
    client = space.sign_in()
    assert client.get("/connexion").headers["location"] == "/"
    assert 'id="deconnexion"' in client.get("/").text


def test_sign_ins_and_sent_requests_count_per_agent_and_a_429_keeps_what_was_typed(
    space, app_github
) -> None:
    client = space.sign_in()  # 1
    for version in range(4):  # 2 to 5
        _, sent = _send(client, FS_FORM, redirect_uris=f"https://demo.gouv.fr/v{version}/cb")
        assert sent.status_code == 303
    _, limited = _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v9/cb")
    assert limited.status_code == 429
    assert "Vos saisies sont conservées" in limited.text
    assert 'value="https://demo.gouv.fr/v9/cb"' in limited.text


def test_the_request_page_shows_the_bots_verdict_and_comment_as_text(space, app_github) -> None:
    from fedreg.prbot.result import VERDICT_MARKER

    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    pull = app_github.pulls[1]
    pull.labels.append("revue-fédération-requise")
    pull.comments.append(
        {
            "id": 1,
            "user": {"login": "proconnect-fedreg[bot]", "type": "Bot"},
            "body": "<!-- fedreg:pr-bot -->\n" + VERDICT_MARKER.format(verdict="passed") + "\n"
            "### ✅ fedreg : modification valide, revue de la fédération requise\n\n"
            "| Liste | Ajouté |\n|---|---|\n| redirect_uris | `<img src=x>` |\n",
        }
    )
    page = client.get("/demandes/1")
    assert 'id="verdict">valide<' in page.text
    assert 'id="revue">requise<' in page.text
    assert "modification valide, revue de la fédération requise" in page.text
    assert "<img" not in page.text, page.text[page.text.find("<img") - 200 :][:400]
    assert "&lt;img src=x" in page.text
    pull.state = "closed"
    pull.merged = True
    assert "acceptée et fusionnée" in client.get("/demandes/1").text


def test_a_sign_in_denied_at_the_provider_is_explained(space) -> None:
    client = space.client()
    authorize = client.get("/connexion").headers["location"]
    denied = httpx.post(authorize, data={"action": "deny"}, follow_redirects=False)
    back = client.get(denied.headers["location"])
    assert back.status_code == 401
    assert "refusée ou annulée" in back.text
    assert "S'identifier avec" in client.get("/").text


def test_the_request_page_trusts_neither_someone_elses_pull_request_nor_their_comment(
    space, app_github, origin
) -> None:
    """Mallory knows the agent's e-mail (its branch key is public): a lookalike branch of hers,
    or a verdict comment she writes, is never shown on the partner space as ProConnect's."""
    from fedreg.prbot.result import VERDICT_MARKER

    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    first = _open_lookalike(app_github, origin)
    fake = (
        "<!-- fedreg:pr-bot -->\n" + VERDICT_MARKER.format(verdict="passed") + "\n"
        "### Demande validée : confirmez votre secret sur https://proconnect.example\n"
    )
    app_github.pulls[2].comments.append(
        {"id": 7, "user": {"login": "mallory", "type": "User"}, "body": fake}
    )
    assert client.get("/demandes/2").status_code == 404, "mallory's pull request shown"
    first.comments.append({"id": 8, "user": {"login": "mallory", "type": "User"}, "body": fake})
    # a workflow she pushes on a branch comments as github-actions[bot], a bot too
    first.comments.append(
        {"id": 9, "user": {"login": "github-actions[bot]", "type": "Bot"}, "body": fake}
    )
    page = client.get("/demandes/1")
    assert page.status_code == 200
    assert 'id="verdict">valide<' not in page.text
    assert "proconnect.example" not in page.text


def test_pages_asked_at_once_share_one_fetch_of_main(space, checkout, tmp_path) -> None:
    """Every page reads main's tip (a fetch, then the whole registry), one at a time: an agent
    asking for pages at once must not queue one fetch each in front of everyone else's pages
    (a waiting request is served by a fetch that started after it arrived)."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    log = tmp_path / "fetches.log"
    wrapper = tmp_path / "upload-pack.sh"
    wrapper.write_text(f'#!/bin/sh\necho fetch >> "{log}"\nsleep 0.4\nexec git-upload-pack "$@"\n')
    wrapper.chmod(0o755)
    subprocess.run(
        ["git", "-C", str(checkout), "config", "remote.origin.uploadpack", str(wrapper)], check=True
    )
    client = space.sign_in()
    cookies = dict(client.cookies)

    def page(_: int) -> int:
        with httpx.Client(base_url=space.url, cookies=cookies, timeout=30) as other:
            return other.get("/").status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(page, range(8)))
    assert answers == [200] * 8
    assert len(log.read_text().splitlines()) <= 3, "one fetch per page asked at once"


def test_request_pages_count_per_agent_so_one_cannot_spend_the_apps_github_quota(
    space, app_github
) -> None:
    """Each view of a request's page costs GitHub API calls of the partner space's App, whose
    hourly quota every agent's submissions share: views count per agent too (six times the
    sent requests' limit), and a refused view calls GitHub no more."""
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    budget = SETTINGS.rate_limit * 6 - 1  # the summary `_send` asked for counted too
    views = [client.get("/demandes/1").status_code for _ in range(budget)]
    assert views == [200] * len(views)
    calls = len(app_github.calls)
    limited = client.get("/demandes/1")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert len(app_github.calls) == calls, "a refused view still called GitHub"


def test_summaries_count_per_agent_so_one_cannot_keep_the_server_validating(space) -> None:
    """Each summary (POST /formulaire) edits and validates the whole registry: an agent
    looping on it held the server's threads and processor; summaries share the views' budget,
    and a refused one validates nothing."""
    client = space.sign_in()
    token = csrf(client.get("/").text)
    form = {**FS_FORM, "redirect_uris": "https://demo.gouv.fr/v2/callback", "csrf": token}
    answers = [client.post("/formulaire", data=form).status_code for _ in range(30)]
    assert answers == [200] * 30
    limited = client.post("/formulaire", data=form)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert "réessayez" in limited.text and "https://demo.gouv.fr/v2/callback" in limited.text


FEDREG_APP = {"login": "proconnect-fedreg[bot]", "type": "Bot"}  # DEFAULT_POLICY.fedreg_app


def _record(app_github, token: str, sha: str, *states: str) -> None:
    """A deployment of `sha` to integration-internet and its statuses, recorded with `token`
    through the adapter `fedreg bot deploy` uses (`FEDREG_DEPLOYMENT_TOKEN` in deploy.yml)."""
    from fedreg.adapters.github import GitHubClient

    client = GitHubClient(token, app_github.base_url, app_github.full_name)
    deployment = client.deployment_for(sha, "integration-internet", new=True)
    for state in states:
        client.deployment_status(deployment, state, f"fedreg : {state}")


def _deployment_line(client, number: int = 1) -> str:
    page = client.get(f"/demandes/{number}")
    assert page.status_code == 200, page.text
    found = re.search(r'id="deploiement-integration-internet">([^<]*)<', page.text)
    return found.group(1) if found else ""


def test_the_request_page_says_when_its_deployment_holds_the_merge(
    space, app_github, origin
) -> None:
    """Issue 23, item 6: once merged, « En attente de déploiement » until the fedreg App's
    latest successful deployment of the request's environment holds the merge commit; a
    failed attempt is said as such, never as deployed."""
    app_github.tokens["fedreg-app-token"] = FEDREG_APP
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert _deployment_line(client) == "", "nothing about deploys before the merge"
    before = origin.git("rev-parse", "HEAD")
    _record(app_github, "fedreg-app-token", before, "in_progress", "success")  # the last deploy
    merged = app_github.merge(1)
    assert _deployment_line(client) == "En attente de déploiement (intégration, internet)"
    _record(app_github, "fedreg-app-token", merged, "in_progress")
    assert _deployment_line(client) == "Déploiement en cours (intégration, internet)"
    _record(app_github, "fedreg-app-token", merged, "in_progress", "failure")
    refused = _deployment_line(client)
    assert refused.startswith("En attente de déploiement (intégration, internet) : la tentative du")
    assert refused.endswith("a échoué") and "Déployé" not in refused
    origin.write("registry/integration/notes.txt", "a later commit on main\n")
    later = origin.commit("later")
    _record(app_github, "fedreg-app-token", later, "in_progress", "success")
    deployed = _deployment_line(client)
    assert re.fullmatch(
        r"Déployé le \d{1,2} [a-zéû]+ \d{4} à \d\d:\d\d \(intégration, internet\)", deployed
    ), deployed
    # the next deploy's success marks this one inactive (GitHub does): still deployed
    _record(app_github, "fedreg-app-token", later, "in_progress", "success")
    assert _deployment_line(client) == deployed


def test_no_one_but_the_fedreg_app_can_make_a_request_look_deployed(
    space, app_github, origin
) -> None:
    """A partner with write access to a branch may create deployments and statuses with their
    own token, or with a workflow's GITHUB_TOKEN (github-actions[bot]), for the merge commit
    itself; or add a success to the App's failed attempt. None of it says « Déployé »."""
    app_github.tokens["fedreg-app-token"] = FEDREG_APP
    app_github.tokens["mallory-token"] = {"login": "mallory", "type": "User"}
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    merged = app_github.merge(1)
    _record(app_github, "mallory-token", merged, "success")
    _record(app_github, "bot-token", merged, "in_progress", "success")  # a branch's workflow
    assert _deployment_line(client) == "En attente de déploiement (intégration, internet)"
    _record(app_github, "fedreg-app-token", merged, "in_progress", "failure")
    from fedreg.adapters.github import GitHubClient

    mallory = GitHubClient("mallory-token", app_github.base_url, app_github.full_name)
    own = next(iter(mallory.repo.get_deployments(environment="integration-internet")))
    own.create_status("success", description="déployé")  # on the App's failed deployment
    line = _deployment_line(client)
    assert "a échoué" in line and "Déployé" not in line


def test_a_deployment_is_dated_by_the_first_success_that_held_the_merge() -> None:
    from collections.abc import Callable
    from datetime import UTC, datetime
    from functools import partial

    from fedreg.form.partnerspace import deployment_fact

    def at(hour: int) -> datetime:
        return datetime(2026, 12, 6, hour, 5, tzinfo=UTC)

    history = {  # newest first: sha -> statuses newest first
        "d": [("inactive", at(13)), ("success", at(12))],
        "c": [("failure", at(11))],
        "b": [("inactive", at(12)), ("success", at(10))],
        "a": [("success", at(9))],  # before the merge
    }
    read: list[str] = []

    def statuses(sha: str) -> list[tuple[str, datetime]]:
        read.append(sha)
        return history[sha]

    def records() -> list[tuple[str, Callable[[], list[tuple[str, datetime]]]]]:
        return [(sha, partial(statuses, sha)) for sha in history]

    def holds(sha: str) -> bool:
        return sha in "bcd"

    fact = deployment_fact("production-rie", "b", records(), holds)
    assert (fact.state, fact.at) == ("deployed", at(10))
    assert fact.text_fr == "Déployé le 6 décembre 2026 à 11:05 (production, RIE)"
    assert read == ["d", "c", "b", "a"]
    read.clear()
    capped = deployment_fact("production-rie", "b", records(), holds, statuses_read=1)
    assert (capped.at, read) == (at(12), ["d"])  # still true: deployed by then
    waiting = deployment_fact("production-rie", "z", records(), lambda sha: False)
    assert waiting.state == "waiting"


def test_github_failing_on_deployments_is_said_and_hides_nothing_else(space, app_github) -> None:
    from fakegithub import Failure

    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    app_github.merge(1)
    refusal = {"message": "Resource not accessible by integration", "documentation_url": ""}
    app_github.failures.append(Failure("get", r"/deployments$", 403, refusal))
    page = client.get("/demandes/1")
    assert page.status_code == 200 and "acceptée et fusionnée" in page.text
    assert _deployment_line(client) == "En attente de déploiement (intégration, internet)"
    app_github.failures.append(Failure("get", r"/deployments$", 403, refusal))
    assert "État du déploiement indisponible pour le moment (intégration, internet)" in (
        client.get("/demandes/1").text
    )


def test_a_request_merged_before_any_verdict_is_not_said_to_be_checked_still(
    space, app_github
) -> None:
    """A request the federation merged before the robot spoke: no « vérification en cours »,
    no invitation to come back for a verdict that will not come."""
    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    page = client.get("/demandes/1").text
    assert '<span id="verdict">en cours</span>' in page and "actualisez cette page" in page
    app_github.merge(1)
    page = client.get("/demandes/1").text
    assert '<span id="verdict">aucun verdict publié</span>' in page
    assert '<span id="revue">sans objet</span>' in page
    assert "actualisez cette page" not in page


def test_a_registry_that_cannot_be_fetched_is_said_as_such_on_the_request_page(
    space, app_github, checkout
) -> None:
    """The request page reads main's tip first: when the fetch fails, the agent is told the
    registry is unreachable, not that their request does not exist."""
    import subprocess

    client = space.sign_in()
    _send(client, FS_FORM, redirect_uris="https://demo.gouv.fr/v2/callback")
    assert client.get("/demandes/1").status_code == 200
    subprocess.run(
        ["git", "-C", str(checkout), "config", "remote.origin.uploadpack", "/bin/false"],
        check=True,
    )
    page = client.get("/demandes/1")
    assert page.status_code == 502, page.text
    assert "Aucune de vos demandes ne porte ce numéro" not in page.text
    assert "Le registre est injoignable pour le moment" in page.text
    assert "Service momentanément indisponible" in page.text
    assert "fatal" not in page.text and str(checkout) not in page.text  # git's words stay out


def test_the_vendored_assets_are_served_with_their_own_guards(space) -> None:
    """The style sheet, fonts and icons: never sniffed as another type, and an icon opened on
    its own runs nothing (the pages carry their own, stricter headers)."""
    client = space.client()
    for asset in ("icons/system/fr--error-fill.svg", "fonts/Marianne-Bold.woff2"):
        answer = client.get(f"/static/dsfr/{asset}")
        assert answer.status_code == 200, asset
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-security-policy"] == "default-src 'none'"
