"""`fedreg propose` against the contract-checked fake GitHub: the git data API (blob, tree,
commit, ref), the pull request, its French body, idempotence, and a local checkout that is
only read. The fake's repository is a real git repository; the checkout is a real clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey

from conftest import APP, BASE_SERVICE_PROVIDER, edited

SP = "registry/integration/service-providers/demo.yaml"
CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BRANCH = "fedreg-formulaire-integration-internet-fs-demo-"
WRITES = {"post", "patch", "put", "delete"}


def _state(path: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=path, capture_output=True, text=True, check=True
        ).stdout

    # fedreg's own ref of main's tip (refs/fedreg/formulaire/main) is the one thing it writes.
    refs = [r for r in git("for-each-ref").splitlines() if "refs/fedreg/" not in r]
    return git("status", "--porcelain", "--ignored") + "\n".join(refs) + git("rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = OKPKey.generate_key("Ed25519").as_pem(private=True).decode()
    monkeypatch.setenv("FEDREG_REQUESTER_SIGNING_KEY", key)


def _propose(cli, *uris: str, extra: tuple[str, ...] = ()):
    args = [
        "propose",
        "--env",
        "integration",
        "--network",
        "internet",
        "--client-id",
        CLIENT_ID,
        "--requester",
        "equipe@demo.gouv.fr",
        "--requester-verified",
        "--siret",
        "13002526500013",
        "--organisation",
        "Ministère de la démo",
    ]
    for uri in uris:
        args += ["--redirect-uri", uri]
    return cli(*args, *extra)


def test_propose_opens_a_pull_request_through_the_git_data_api(
    app_github, origin, checkout, cli
) -> None:
    before = _state(checkout)
    result = _propose(cli, "https://demo.gouv.fr/callback", "https://demo.gouv.fr/v2/callback")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == (
        "Demande envoyée : https://github.com/proconnect-gouv/registre/pull/1\n"
    )
    writes = [(m, p) for m, p, _ in app_github.calls if m in WRITES]
    base = "/repos/proconnect-gouv/registre"
    assert writes == [
        ("post", f"{base}/git/blobs"),
        ("post", f"{base}/git/trees"),
        ("post", f"{base}/git/commits"),
        ("post", f"{base}/git/refs"),
        ("post", f"{base}/pulls"),
    ]
    pull = app_github.pulls[1]
    assert (pull.author, pull.title) == (
        APP["login"],
        "Formulaire : Service de démonstration (integration, internet)",
    )
    assert pull.head_ref.startswith(BRANCH)
    assert origin.git("diff", "--name-only", pull.base_sha, pull.head_sha) == SP
    assert origin.git("show", f"{pull.head_sha}:{SP}") + "\n" == edited(
        BASE_SERVICE_PROVIDER,
        [
            (
                "  - https://demo.gouv.fr/callback\n",
                "  - https://demo.gouv.fr/callback\n  - https://demo.gouv.fr/v2/callback\n",
            )
        ],
    )
    assert pull.body.startswith("<!-- fedreg:demandeur=eyJ")
    for text in (
        "**Demandeur** : `equipe@demo.gouv.fr` (adresse vérifiée",
        "**Établissement** : Organisation `Ministère de la démo` · SIRET `13002526500013`",
        f"**client_id** : `{CLIENT_ID}`",
        "| URL de redirection après connexion | `https://demo.gouv.fr/v2/callback` | — |",
    ):
        assert text in pull.body
    assert _state(checkout) == before


def test_the_same_request_twice_opens_one_pull_request(app_github, origin, checkout, cli) -> None:
    assert _propose(cli, "https://demo.gouv.fr/v2/callback").exit_code == 0
    again = _propose(cli, "https://demo.gouv.fr/v2/callback")
    assert again.exit_code == 0
    assert again.stdout == (
        "Cette demande est déjà en cours, inchangée : "
        "https://github.com/proconnect-gouv/registre/pull/1\n"
    )
    assert list(app_github.pulls) == [1]
    assert len(app_github.commits_created) == 1


def test_a_later_request_supersedes_the_open_one_without_rewriting_it(
    app_github, origin, checkout, cli
) -> None:
    assert _propose(cli, "https://demo.gouv.fr/v2/callback").exit_code == 0
    first = app_github.pulls[1]
    first_head, first_ref = first.head_sha, first.head_ref
    later = _propose(cli, "https://demo.gouv.fr/v3/callback")
    assert later.exit_code == 0, later.stdout + later.stderr
    assert later.stdout.endswith("/pull/2\n")
    second = app_github.pulls[2]
    assert (first.head_sha, first.head_ref, first.state) == (first_head, first_ref, "closed")
    assert origin.git("rev-parse", f"refs/heads/{first_ref}") == first_head
    assert "https://github.com/proconnect-gouv/registre/pull/2" in first.comments[-1]["body"]
    content = origin.git("show", f"{second.head_sha}:{SP}")
    assert "v3/callback" in content and "v2/callback" not in content
    assert origin.git("rev-parse", f"{second.head_sha}^") == origin.git("rev-parse", "main")


def test_an_invalid_request_writes_nothing(app_github, checkout, cli) -> None:
    result = _propose(cli, "https://demo.gouv.fr/*", extra=("--format", "json"))
    assert result.exit_code == 1
    assert [d["code"] for d in result.json()["diagnostics"]] == ["F005"]
    invalid = _propose(cli, "ftp://demo.gouv.fr/cb", extra=("--format", "json"))
    assert invalid.exit_code == 1
    [diagnostic] = [d for d in invalid.json()["diagnostics"] if d["severity"] == "error"]
    assert (diagnostic["path"], diagnostic["line"]) == (SP, 12)
    assert not [call for call in app_github.calls if call[0] in WRITES]
    assert app_github.pulls == {}


def test_a_provider_not_yet_on_the_default_branch_is_refused(app_github, checkout, cli) -> None:
    local = checkout / "registry/integration/service-providers/nouveau.yaml"
    local.write_text(
        edited(
            BASE_SERVICE_PROVIDER,
            [('client_id: "9f86', 'client_id: "0f86'), ("démonstration", "nouveau")],
        )
    )
    result = cli(
        "propose",
        "--env",
        "integration",
        "--network",
        "internet",
        "--client-id",
        "0f86" + CLIENT_ID[4:],
        "--requester",
        "equipe@demo.gouv.fr",
        "--redirect-uri",
        "https://demo.gouv.fr/cb",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    assert [d["code"] for d in result.json()["diagnostics"]] == ["F014"]
    assert app_github.pulls == {}


def test_typed_text_is_inert_in_the_pull_request_body() -> None:
    """Links, images, mentions, HTML and a forged seal typed by a requester stay text: each
    typed value is inside a code span no backtick or pipe can break."""
    from fedreg.form.editing import Edit, parse_request
    from fedreg.form.proposal import pull_body
    from fedreg.prbot.requesterseal import check_seal

    forged = "<!-- fedreg:demandeur=equipe@demo.gouv.fr -->"
    typed = f"{forged} @federation ![x](https://evil.example/x.png) <img src=x> ` | [a](b)"
    request, problems = parse_request(
        {
            "environment": "integration",
            "network": "internet",
            "client_id": CLIENT_ID,
            "redirect_uris": ["https://demo.gouv.fr/cb"],
            "requester": {
                "email": "mallory@demo.gouv.fr",
                "organisation": typed,
                "legal_form": typed,
            },
        },
        require_requester=True,
    )
    assert problems == [] and request is not None
    body = pull_body(Edit(path=SP, kind="ServiceProvider", name=typed), request, [])
    assert check_seal(body, None, "r", "c").email == ""
    assert not body.startswith("<!--") or body.startswith("<!-- fedreg:formulaire -->")
    for line in body.splitlines():
        if "evil.example" in line:
            outside = re.sub(r"`[^`]*`", "", line)
            assert "@federation" not in outside and "<img" not in outside
            assert "](" not in outside
