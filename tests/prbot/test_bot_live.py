"""The bot's live checks: a pull request adding an e-mail domain to an FI, with and without its
DNS proof. The bot reaches only the loopback servers, through FEDREG_CA_BUNDLE,
FEDREG_NAMESERVER and FEDREG_DNS_PORT; GitHub is the contract-checked fake of test_bot.py.
"""

from __future__ import annotations

import json
import re

import pytest
from test_bot import (  # noqa: F401 - fixtures, used by name
    SP_INTEG,
    Scenario,
    _integration_edit,
    github,
    scenario,
)

from liveservers import PROOF

IDP_INTEG = "registry/integration/identity-providers/fi-boucle.yaml"


@pytest.fixture
def live_scenario(scenario, monkeypatch, live_servers) -> Scenario:
    """test_bot.py's scenario (the fake GitHub and its git remote), with the bot's live checks
    pointed at the loopback servers."""
    monkeypatch.setenv("FEDREG_CA_BUNDLE", str(live_servers.ca_bundle))
    monkeypatch.setenv("FEDREG_NAMESERVER", "127.0.0.1")
    monkeypatch.setenv("FEDREG_DNS_PORT", str(live_servers.dns.port))
    # On main: alice's integration FI on the loopback server, routing demo.gouv.fr (proven)
    # and ancien.gouv.fr (attached before proofs were checked: none published).
    scenario.repo.write(IDP_INTEG, _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr"]))
    scenario.repo.commit("FI on loopback")
    return scenario


def _fi(live_servers, domains: list[str]) -> str:
    text = live_servers.identity_provider("good").replace('"@demo-org/identite"', '"@alice"')
    listed = "".join(f"  - {domain}\n" for domain in domains)
    return text.replace("  - demo.gouv.fr\n", listed)


def _run(scenario: Scenario, *options: str) -> dict:  # type: ignore[type-arg]
    event_path = scenario.tmp / "event.json"
    event_path.write_text(json.dumps(scenario.pull_request_event()))
    result_path = scenario.tmp / "result.json"
    computed = scenario.cli(
        "bot", "pr", "--event", str(event_path), "--out", str(result_path), *options
    )
    assert computed.exit_code == 0, computed.stderr
    published = scenario.cli("bot", "publish", str(result_path))
    assert published.exit_code == 0, published.stderr
    return json.loads(result_path.read_text())


def test_adding_a_domain_without_proof_is_an_error_naming_the_record(
    live_scenario, live_servers
) -> None:
    live_scenario.propose(
        {IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr", "autre.gouv.fr"])}
    )
    result = _run(live_scenario, "--live")
    assert live_scenario.check()["conclusion"] == "failure"
    codes = {a["title"]: a["annotation_level"] for a in result["annotations"]}
    assert codes == {"V030": "failure", "V031": "warning"}  # new attachment vs. existing one
    [comment] = live_scenario.comments()
    assert "#### Vérifications en ligne" in comment
    assert (
        f'- `autre.gouv.fr` : preuve DNS à publier : `autre.gouv.fr. IN TXT "{PROOF}"`' in comment
    )
    assert "| Domaine demo.gouv.fr : preuve DNS" in comment and "✅ réussi" in comment
    assert "Domaines prouvés par DNS : `demo.gouv.fr`" in comment
    assert live_scenario.github.pulls[1].reviews == []


def test_adding_a_proven_domain_in_integration_is_self_service(live_scenario, live_servers) -> None:
    live_servers.dns.zone.records[("prouve.gouv.fr", "TXT")] = [PROOF]
    live_scenario.propose(
        {IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr", "prouve.gouv.fr"])}
    )
    result = _run(live_scenario, "--live")
    assert (live_scenario.check()["conclusion"], result["approve"]) == ("success", True)
    assert [a["title"] for a in result["annotations"]] == ["V031"]  # a warning only
    pull = live_scenario.github.pulls[1]
    assert "libre-service" in pull.labels and [r["event"] for r in pull.reviews] == ["APPROVE"]
    [comment] = live_scenario.comments()
    assert "- `prouve.gouv.fr` : ✅ domaine prouvé par DNS" in comment
    assert "Domaines prouvés par DNS : `demo.gouv.fr`, `prouve.gouv.fr`" in comment


def test_without_live_checks_a_new_domain_needs_the_federation(live_scenario, live_servers) -> None:
    live_servers.dns.zone.records[("prouve2.gouv.fr", "TXT")] = [PROOF]
    live_scenario.propose(
        {IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr", "prouve2.gouv.fr"])}
    )
    result = _run(live_scenario)  # no --live: nothing is proven
    assert (live_scenario.check()["conclusion"], result["approve"]) == ("success", False)
    pull = live_scenario.github.pulls[1]
    assert "revue-fédération-requise" in pull.labels and pull.requested_teams == ["federation"]
    [comment] = live_scenario.comments()
    assert "- nouveau domaine e-mail routé vers un FI" in comment
    assert "_Non vérifié : les vérifications en ligne n'ont pas tourné" in comment
    assert f'`prouve2.gouv.fr. IN TXT "{PROOF}"`' in comment


def test_a_resolver_failure_is_not_verified_and_goes_to_the_federation(
    live_scenario, live_servers, monkeypatch
) -> None:
    monkeypatch.setenv("FEDREG_DNS_PORT", "9")  # nobody answers there: our network's fault
    live_scenario.propose(
        {IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr", "autre.gouv.fr"])}
    )
    result = _run(live_scenario, "--live")
    assert (live_scenario.check()["conclusion"], result["approve"]) == ("success", False)
    assert {a["title"] for a in result["annotations"]} == {"V032"}
    assert "revue-fédération-requise" in live_scenario.github.pulls[1].labels


def test_an_integration_change_checked_live_stays_self_service(live_scenario) -> None:
    live_scenario.propose({SP_INTEG: _integration_edit()})  # demo.gouv.fr resolves
    result = _run(live_scenario, "--live")
    assert (live_scenario.check()["conclusion"], result["approve"]) == ("success", True)
    assert "| Hôte demo.gouv.fr : résolution DNS | ✅ réussi |" in live_scenario.comments()[0]


def test_a_live_check_that_cannot_conclude_goes_to_the_federation(
    live_scenario, monkeypatch
) -> None:
    monkeypatch.setenv("FEDREG_DNS_PORT", "9")
    live_scenario.propose({SP_INTEG: _integration_edit()})
    result = _run(live_scenario, "--live")
    assert (live_scenario.check()["conclusion"], result["approve"]) == ("success", False)
    assert "- vérifications en ligne non abouties (non vérifié)" in live_scenario.comments()[0]
    assert live_scenario.github.pulls[1].requested_teams == ["federation"]


def test_a_domain_written_as_markdown_stays_text_in_the_recette(
    live_scenario, live_servers
) -> None:
    """The recette names each attached domain in its table: a partner's value, which must
    not become a link in the bot's voice or a mention (an entity GitHub decodes)."""
    lure = "x.fr [Approuvé](https://evil.fr) &#64;proconnect-gouv/federation"
    domains = ["demo.gouv.fr", "ancien.gouv.fr", f'"{lure}"']
    live_scenario.propose({IDP_INTEG: _fi(live_servers, domains)})
    _run(live_scenario, "--live")
    [comment] = live_scenario.comments()
    prose = re.sub(r"`[^`\n]*`", "", comment)
    assert "Domaine x.fr" in prose
    assert not re.search(r"(?<!\\)\]\(https://evil", prose), "a link in the bot's voice"
    assert not re.search(r"(?<!\\)&#64;", prose), "an entity GitHub decodes to a mention"


def test_a_file_failing_a_url_rule_is_never_fetched(live_scenario, live_servers) -> None:
    """Issue 18: a production FI whose discovery URL is on loopback fails U012; the bot used to
    fetch it anyway (and any jwks_uri it named). Now nothing is fetched, even though the
    tests' opening would let the checker reach loopback."""
    before = sum(live_servers.https.hits.values())
    production = IDP_INTEG.replace("integration", "production")
    live_scenario.propose({production: _fi(live_servers, ["demo.gouv.fr"])})
    result = _run(live_scenario, "--live")
    assert live_scenario.check()["conclusion"] == "failure"
    assert "U012" in {a["title"] for a in result["annotations"]}
    assert sum(live_servers.https.hits.values()) == before
    [comment] = live_scenario.comments()
    assert "fichier invalide, non vérifié" in comment


def test_network_failures_read_the_same_in_the_comment(
    live_scenario, live_servers, monkeypatch
) -> None:
    """No oracle: without the tests' opening, the loopback server (a TLS service) reads in the
    comment exactly as a closed port does."""
    from fedreg.live.addresspolicy import TEST_OPENING_VARIABLE

    monkeypatch.delenv(TEST_OPENING_VARIABLE)
    before = sum(live_servers.https.hits.values())
    live_scenario.propose({IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "autre.gouv.fr"])})
    result = _run(live_scenario, "--live")
    assert sum(live_servers.https.hits.values()) == before
    [v006] = [a for a in result["annotations"] if a["title"] == "V006"]
    assert re.fullmatch(
        r"Découverte : https://localhost:\d+/good/\.well-known/openid-configuration n'a pas pu "
        r"être joint depuis le vérificateur : non vérifié\.",
        v006["message"],
        re.S,
    ), v006["message"]
    assert result["approve"] is False


def test_rejudging_after_a_push_keeps_a_live_proven_domain(live_scenario, live_servers) -> None:
    """A push to main re-judges open pull requests with the live checks, as the first
    verdict did: a domain proven by DNS stays proven, and its approval stands."""
    from payloads import event

    live_servers.dns.zone.records[("prouve3.gouv.fr", "TXT")] = [PROOF]
    live_scenario.propose(
        {IDP_INTEG: _fi(live_servers, ["demo.gouv.fr", "ancien.gouv.fr", "prouve3.gouv.fr"])}
    )
    assert _run(live_scenario, "--live")["approve"] is True
    before = live_scenario.repo.git("rev-parse", "main")
    live_scenario.repo.write("note.md", "# note\n")
    after = live_scenario.repo.commit("unrelated")
    push = event(
        "push$event",
        ref="refs/heads/main",
        before=before,
        after=after,
        repository={"full_name": live_scenario.github.full_name, "default_branch": "main"},
    )
    path = live_scenario.tmp / "push.json"
    path.write_text(json.dumps(push))
    with_live = live_scenario.cli("bot", "rejudge", "--event", str(path), "--live")
    assert (with_live.exit_code, with_live.stdout.strip()) == (0, "Aucun verdict à revoir.")
    assert live_scenario.github.approvals(1)
    without = live_scenario.cli("bot", "rejudge", "--event", str(path))
    assert "Demande n° 1" in without.stdout  # unproven without them: the approval goes
    assert live_scenario.github.approvals(1) == []
