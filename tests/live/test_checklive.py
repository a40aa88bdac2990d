"""`fedreg check-live` end to end, against real servers on loopback only: an https server with
a test certificate authority, and a DNS server, both reached through explicit options."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import BASE_SERVICE_PROVIDER, edited
from liveservers import PROOF, SLOW_SECONDS

IDP_PATH = "registry/integration/identity-providers/demo.yaml"


def _run(cli, servers, *extra: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    result = cli("check-live", "--format", "json", *servers.options(timeout), *extra)
    assert "erreur interne" not in result.stderr, result.stderr
    return result.exit_code, result.json()


def _checks(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    [provider] = report["providers"]
    return {check["check"]: check for check in provider["checks"]}


def test_a_good_identity_provider_passes_every_check(workspace, cli, live_servers) -> None:
    workspace.provider("idp", live_servers.identity_provider("good"), env="integration")
    code, report = _run(cli, live_servers)
    assert (code, report["diagnostics"]) == (0, [])
    statuses = {key: check["status"] for key, check in _checks(report).items()}
    assert statuses == {
        "discovery": "passed",
        "issuer": "passed",
        "endpoints": "passed",
        "signing_algs": "passed",
        "auth_method": "passed",
        "scopes": "passed",
        "logout": "not_applicable",
        "jwks": "passed",
        "key:ES256": "passed",
        "kids": "passed",
        "private_material": "passed",
        "domain:demo.gouv.fr": "passed",
    }
    assert report["providers"][0]["proven_domains"] == ["demo.gouv.fr"]


@dataclass(frozen=True)
class Broken:
    variant: str
    check: str
    code: str
    status: str = "failed"
    alg: str = "ES256"
    extra: str = ""


BROKEN = [
    Broken("wrong-issuer", "issuer", "V010"),
    Broken("http-endpoint", "endpoints", "V012"),
    Broken("rie-host", "endpoints", "V013"),
    Broken("missing-alg", "signing_algs", "V014"),
    Broken("no-post", "auth_method", "V015"),
    Broken("few-scopes", "scopes", "V016", "warning"),
    Broken("no-logout", "logout", "V017", extra="end_session_url: https://localhost/logout\n"),
    Broken("no-jwks-uri", "endpoints", "V011"),
    Broken("no-jwks-uri", "jwks", "V025"),
    Broken("rsa-1024", "key:RS256", "V022", alg="RS256"),
    Broken("rsa-only", "key:ES256", "V021"),
    Broken("private-key", "private_material", "V024"),
    Broken("duplicate-kid", "kids", "V023"),
    Broken("bad-jwks", "jwks", "V020"),
    Broken("redirect", "discovery", "V002"),
    Broken("oversized", "discovery", "V003"),
    Broken("html", "discovery", "V004"),
    Broken("broken", "discovery", "V001"),
    Broken("missing", "discovery", "V001"),
    Broken("nested", "discovery", "V004"),
    Broken("nested-jwks", "jwks", "V004"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[f"{c.code}-{c.variant}" for c in BROKEN])
def test_a_broken_identity_provider_fails_that_check(
    workspace, cli, live_servers, case: Broken
) -> None:
    text = live_servers.identity_provider(case.variant, alg=case.alg, extra=case.extra)
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    check = _checks(report)[case.check]
    assert (check["status"], case.code in check["codes"]) == (case.status, True), check
    [diagnostic] = [d for d in report["diagnostics"] if d["code"] == case.code]
    assert diagnostic["path"] == IDP_PATH and diagnostic["line"] > 1
    assert diagnostic["message"] and diagnostic["hint"] and "{" not in diagnostic["message"]
    assert code == (1 if case.status == "failed" else 0)


def test_a_published_private_key_says_to_rotate_it(workspace, cli, live_servers) -> None:
    workspace.provider("idp", live_servers.identity_provider("private-key"), env="integration")
    _, report = _run(cli, live_servers)
    [diagnostic] = [d for d in report["diagnostics"] if d["code"] == "V024"]
    assert "ec-1" in diagnostic["message"] and "« d »" not in diagnostic["message"]
    assert "(d)" in diagnostic["message"] and "immédiatement" in diagnostic["hint"]


def test_a_slow_server_is_not_verified_and_does_not_fail(workspace, cli, live_servers) -> None:
    workspace.provider("idp", live_servers.identity_provider("slow"), env="integration")
    code, report = _run(cli, live_servers, timeout=1.0)
    checks = _checks(report)
    assert (checks["discovery"]["status"], checks["discovery"]["codes"]) == ("unverified", ["V007"])
    assert checks["issuer"]["status"] == "unverified"
    assert code == 0  # not verified is never a failure
    assert SLOW_SECONDS > 1.0


def test_the_total_budget_stops_the_run(workspace, cli, live_servers) -> None:
    workspace.provider("idp", live_servers.identity_provider("slow"), env="integration")
    code, report = _run(cli, live_servers, "--budget", "0.5", timeout=3.0)
    assert _checks(report)["discovery"]["codes"] == ["V008"]
    assert code == 0


def test_an_untrusted_certificate_fails(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("good", server=live_servers.untrusted)
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    check = _checks(report)["discovery"]
    assert (code, check["status"], check["codes"]) == (1, "failed", ["V005"])
    assert "certificate" in report["diagnostics"][0]["message"]


def test_an_unreachable_server_is_not_verified(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("good").replace(
        f"localhost:{live_servers.https.port}", "localhost:9"
    )
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    assert _checks(report)["discovery"]["codes"] == ["V006"]
    assert code == 0


def test_domain_without_proof_names_the_exact_record(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("good").replace(
        "  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - autre.gouv.fr\n  - inconnu.gouv.fr\n"
    )
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    checks = _checks(report)
    assert checks["domain:demo.gouv.fr"]["status"] == "passed"
    assert checks["domain:autre.gouv.fr"]["codes"] == ["V030"]
    assert checks["domain:inconnu.gouv.fr"]["codes"] == ["V030"]  # NXDOMAIN: no proof either
    found = [d for d in report["diagnostics"] if d["code"] == "V030"]
    assert [(d["line"], d["column"]) for d in found] == [(19, 5), (20, 5)]
    assert f'autre.gouv.fr. IN TXT "{PROOF}"' in found[0]["hint"]
    assert code == 1
    assert report["providers"][0]["proven_domains"] == ["demo.gouv.fr"]


def test_a_failing_resolver_leaves_the_domain_not_verified(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("good").replace(
        "  - demo.gouv.fr\n", "  - panne.gouv.fr\n"
    )
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    check = _checks(report)["domain:panne.gouv.fr"]
    assert (code, check["status"], check["codes"]) == (0, "unverified", ["V032"])


def test_an_unreachable_resolver_leaves_everything_dns_not_verified(
    workspace, cli, live_servers
) -> None:
    workspace.provider("idp", live_servers.identity_provider("good"), env="integration")
    options = live_servers.options(0.5)
    options[options.index("--dns-port") + 1] = "9"
    result = cli("check-live", "--format", "json", *options)
    check = _checks(result.json())["domain:demo.gouv.fr"]
    assert (result.exit_code, check["status"], check["codes"]) == (0, "unverified", ["V032"])


SP_HOSTS = [
    ("  - https://demo.gouv.fr/callback\n", "production", "passed", []),
    ("  - https://v6.demo.gouv.fr/callback\n", "production", "passed", []),
    ("  - https://absent.demo.gouv.fr/callback\n", "production", "warning", ["V041"]),
    ("  - https://absent.demo.gouv.fr/callback\n", "integration", "warning", ["V040"]),
    ("  - https://panne.gouv.fr/callback\n", "production", "unverified", ["V032"]),
]


@pytest.mark.parametrize(("line", "env", "status", "codes"), SP_HOSTS)
def test_service_provider_hosts_resolve(
    workspace, cli, live_servers, line, env, status, codes
) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("  - https://demo.gouv.fr/callback\n", line)])
    workspace.provider("sp", text, env=env)
    code, report = _run(cli, live_servers)
    host = line.split("//")[1].split("/")[0]
    check = _checks(report)[f"host:{host}"]
    assert (code, check["status"], check["codes"]) == (0, status, codes)
    if codes:
        assert report["diagnostics"][0]["line"] == 12  # the redirect URI's line


def test_requests_are_polite_per_host_and_never_repeated(workspace, cli, live_servers) -> None:
    server = live_servers.https
    for index in range(8):
        text = live_servers.identity_provider(f"polite-{index}").replace(
            "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11", f"5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a{index:02d}"
        )
        workspace.provider("idp", text, env="integration", slug=f"fi-{index}")
    twin = live_servers.identity_provider("polite-0").replace("7a11", "7b11")
    workspace.provider("idp", twin, env="integration", slug="fi-twin")
    paths = [f"/polite-{i}/.well-known/openid-configuration" for i in range(8)]
    before = {path: server.hits[path] for path in paths}
    _, report = _run(cli, live_servers)
    assert len(report["providers"]) == 9
    assert {
        c["status"] for p in report["providers"] for c in p["checks"] if c["check"] == "jwks"
    } == {"passed"}
    # Sixteen slow documents on one host: never more than two requests in flight there, and
    # the discovery URL two providers share is asked once.
    assert [server.hits[path] - before[path] for path in paths] == [1] * 8
    assert server.max_in_flight("/polite-") == 2


def test_server_errors_are_not_retried(workspace, cli, live_servers) -> None:
    before = live_servers.https.hits["/broken/.well-known/openid-configuration"]
    workspace.provider("idp", live_servers.identity_provider("broken"), env="integration")
    _run(cli, live_servers)
    assert live_servers.https.hits["/broken/.well-known/openid-configuration"] - before == 1


def test_text_markdown_and_github_formats_carry_the_recette(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("rsa-only").replace(
        "  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - autre.gouv.fr\n"
    )
    workspace.provider("idp", text, env="integration")
    options = live_servers.options()
    plain = cli("check-live", *options, "--color", "never")
    assert plain.exit_code == 1
    assert f"{IDP_PATH}:" in plain.stdout and " V021 " in plain.stdout
    assert "  ✓ réussi        Découverte : issuer conforme" in plain.stdout
    assert "  ✗ échoué        Clés : clé utilisable pour ES256 (V021)" in plain.stdout
    assert "Domaines prouvés : demo.gouv.fr" in plain.stdout
    markdown = cli("check-live", *options, "--format", "markdown").stdout
    assert "| Clés : clé utilisable pour ES256 | ❌ échoué | `V021` |" in markdown
    assert "| Découverte : issuer conforme | ✅ réussi |  |" in markdown
    assert "Domaines prouvés par DNS : `demo.gouv.fr`" in markdown
    github = cli("check-live", *options, "--format", "github").stdout
    assert f"::error file={IDP_PATH},line=" in github and "title=V021" in github


def test_an_invalid_file_is_reported_not_verified(workspace, cli, live_servers) -> None:
    workspace.provider("idp", "kind: IdentityProvider\nname: x\n", env="integration")
    code, report = _run(cli, live_servers)
    assert code == 0 and "fedreg validate" in report["providers"][0]["note"]


def test_a_missing_path_is_a_usage_error(workspace, cli, live_servers) -> None:
    result = cli("check-live", *live_servers.options(), "registre-absent")
    assert result.exit_code == 2 and "n'existe pas" in result.stderr


def test_remote_text_is_shown_tamed_in_messages(workspace, cli, live_servers) -> None:
    """A hostile FI writes its issuer for the bot's comment: no new line, mention or HTML."""
    workspace.provider("idp", live_servers.identity_provider("markdown-issuer"), env="integration")
    _, report = _run(cli, live_servers)
    [diagnostic] = [d for d in report["diagnostics"] if d["code"] == "V010"]
    message = diagnostic["message"]
    assert "\n" not in message and "@proconnect" not in message and "<img" not in message
    assert "https://a.fr" in message


def test_remote_text_is_escaped_in_every_format(workspace, cli, live_servers) -> None:
    """A hostile issuer written as a Markdown link stays text in the recette's Markdown (no
    link, no bare URL GitHub would link), and plain in the other formats."""
    workspace.provider("idp", live_servers.identity_provider("link-issuer"), env="integration")
    markdown = cli("check-live", *live_servers.options(), "--format", "markdown").stdout
    assert "V010" in markdown
    assert not re.search(r"(?<!\\)\]\(", markdown), markdown  # no "](" left unescaped
    assert "\\[cliquez?ici\\](https:\u2060//pieges.example/)" in markdown
    assert "https://" not in markdown.split("### Problèmes")[1]
    for output_format in ("text", "github", "json"):
        output = cli("check-live", *live_servers.options(), "--format", output_format).stdout
        assert "[cliquez?ici](https://pieges.example/)" in output  # tamed, not rewritten
        assert not re.search(r"^::(?!error|warning)", output, re.M)


def test_an_identity_provider_without_discovery_is_checked_from_its_file(
    workspace, cli, live_servers
) -> None:
    base = live_servers.https.url("/good")
    discovery_line = f"discovery_url: {base}/.well-known/openid-configuration\n"
    endpoints = (
        f"issuer: {base}\nauthorization_url: {base}/authorize\ntoken_url: {base}/token\n"
        f"userinfo_url: {base}/userinfo\n"
    )
    text = live_servers.identity_provider("good").replace(discovery_line, endpoints)
    workspace.provider("idp", text + f"jwks_url: {base}/jwks\n", env="integration")
    code, report = _run(cli, live_servers)
    statuses = {key: check["status"] for key, check in _checks(report).items()}
    assert (code, statuses["endpoints"], statuses["key:ES256"]) == (0, "passed", "passed")
    assert "discovery" not in statuses
    workspace.provider("idp", text, env="integration")  # ES256 without jwks_url
    code, report = _run(cli, live_servers)
    assert (code, _checks(report)["jwks"]["codes"]) == (1, ["V025"])


def test_logout_is_checked_when_the_file_expects_it(workspace, cli, live_servers) -> None:
    text = live_servers.identity_provider("good", extra="end_session_url: https://localhost/x\n")
    workspace.provider("idp", text, env="integration")
    code, report = _run(cli, live_servers)
    assert (code, _checks(report)["logout"]["status"]) == (0, "passed")


def test_the_cli_offers_every_live_format() -> None:
    """The CLI names the formats without importing the network libraries: keep them equal."""
    from fedreg.cli import LIVE_FORMATS
    from fedreg.live.report import LIVE_RENDERERS_BY_NAME

    assert sorted(LIVE_FORMATS) == sorted(LIVE_RENDERERS_BY_NAME)
