"""The bot's routing and deploy-readiness, end to end (issue 15, findings 5, 6 and 8): the real
`fedreg bot pr` and `bot publish` against the contract-checked fake GitHub, through the
`Scenario` harness of test_bot.py. Each test is an attack or a slip that today's main lets
through as self-service, or a comment that loses the plan."""

from __future__ import annotations

import pyrage
from pyrage import x25519
from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    OTHER_CLIENT,
    SP_INTEG,
    SP_PROD,
    Scenario,
    github,
    scenario,
)

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited

IDP_INTEG = "registry/integration/identity-providers/fi-alice.yaml"
PARTNER_KEY = x25519.Identity.generate().to_public()
RECIPIENTS = f"secret_recipients:\n  - {PARTNER_KEY}\n"


def _integ_sp(*edits: tuple[str, str]) -> str:
    return edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT, *edits])


def _not_self_service(scenario: Scenario, reason: str) -> str:
    """Asserts the verdict passed but needs the federation, stating `reason`; the comment."""
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert scenario.check()["conclusion"] == "success"
    assert pull.reviews == [], "the bot approved"
    assert "libre-service" not in pull.labels and "revue-fédération-requise" in pull.labels
    assert pull.requested_teams == ["federation"]
    comment = scenario.comments()[-1]
    assert "revue de la fédération requise" in comment
    assert reason in comment, comment
    return comment


def _integration_idp(scenario: Scenario) -> None:
    """An integration identity provider owned by alice, merged on main."""
    text = BASE_IDENTITY_PROVIDER.replace("@demo-org/identite", "@alice").replace(
        "uid: 5f0c3b9e", "uid: 6f0c3b9e"
    )
    scenario.repo.write(IDP_INTEG, text)
    scenario.repo.commit("integration FI")


# -- finding 5: routing -------------------------------------------------------------------


def test_network_change_in_integration_is_a_move_for_the_federation(scenario) -> None:
    scenario.propose(
        {
            SP_INTEG: _integ_sp(
                ("network: internet", "network: rie"),
                ("145.242.17.0/28", "100.67.22.0/28"),
            )
            + RECIPIENTS
        }
    )
    comment = _not_self_service(scenario, "- changement de réseau (internet ↔ rie)")
    assert "changement de réseau (internet → rie)" in comment  # the plan's risk
    assert "risque:moyen" in scenario.github.pulls[1].labels


def test_sensitive_scope_needs_the_federation(scenario) -> None:
    scenario.propose({SP_INTEG: _integ_sp(("  - email\n", "  - email\n  - chorusdt\n"))})
    _not_self_service(
        scenario, "- scope accordé par la fédération seulement sur demande (chorusdt)"
    )


def test_parametrised_sensitive_scope_needs_the_federation(scenario) -> None:
    scenario.propose(
        {SP_INTEG: _integ_sp(("  - email\n", "  - email\n  - lasuite_visio:rooms:abc\n"))}
    )
    _not_self_service(scenario, "seulement sur demande (lasuite_visio:rooms:abc)")


def test_new_fi_email_domain_needs_the_federation(scenario) -> None:
    _integration_idp(scenario)
    text = (scenario.repo.root / IDP_INTEG).read_text()
    scenario.propose(
        {IDP_INTEG: text.replace("  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - interieur.gouv.fr\n")}
    )
    _not_self_service(scenario, "nouveau domaine e-mail routé vers un FI")
    assert "(interieur.gouv.fr)" in scenario.comments()[-1]


def test_enabling_a_fi_routing_needs_the_federation(scenario) -> None:
    _integration_idp(scenario)
    text = (scenario.repo.root / IDP_INTEG).read_text()
    scenario.repo.write(IDP_INTEG, text.replace("routing_enabled: true", "routing_enabled: false"))
    scenario.repo.commit("FI not routed yet")
    scenario.propose({IDP_INTEG: text})
    _not_self_service(scenario, "(routage d'un FI activé : tous ses domaines)")


def test_new_accepted_but_unrouted_domain_stays_self_service(scenario) -> None:
    _integration_idp(scenario)
    text = (scenario.repo.root / IDP_INTEG).read_text()
    scenario.propose(
        {
            IDP_INTEG: text.replace(
                "  - partenaire-demo.fr\n", "  - partenaire-demo.fr\n  - autre.fr\n"
            )
        }
    )
    assert scenario.run()[:2] == (0, 0)
    assert [r["event"] for r in scenario.github.pulls[1].reviews] == ["APPROVE"]


def test_new_file_stays_federation_even_if_the_policy_says_otherwise(scenario) -> None:
    policy = (scenario.repo.root / "policy.yaml").read_text()
    scenario.repo.write(
        "policy.yaml", policy.replace("new_provider: federation", "new_provider: self_service")
    )
    scenario.repo.commit("lenient policy")
    path = "registry/integration/service-providers/nouveau.yaml"
    scenario.propose(
        {
            path: edited(
                BASE_SERVICE_PROVIDER,
                [
                    *ALICE,
                    ('client_id: "9f86', 'client_id: "2f86'),
                    ("Service de", "Autre service de"),
                ],
            )
            + RECIPIENTS
        }
    )
    comment = _not_self_service(scenario, "- nouveau fichier dans le registre")
    assert "- nouveau fournisseur" not in comment  # the policy made that one self-service


def test_redirect_to_a_new_host_in_production_is_high_risk(scenario) -> None:
    scenario.propose(
        {
            SP_PROD: edited(
                BASE_SERVICE_PROVIDER,
                [
                    *ALICE,
                    (
                        "  - https://demo.gouv.fr/callback\n",
                        "  - https://demo.gouv.fr/callback\n  - https://collecte.exemple-tiers.fr/cb\n",
                    ),
                ],
            )
        }
    )
    comment = _not_self_service(scenario, "- changement en production")
    assert "risque:élevé" in scenario.github.pulls[1].labels
    assert "hôte que ce fournisseur n'utilisait pas : collecte.exemple-tiers.fr" in comment


# -- finding 6: deploy-readiness before the merge -----------------------------------------


def test_new_service_provider_without_recipients_fails_at_its_line(scenario) -> None:
    path = "registry/integration/service-providers/nouveau.yaml"
    text = edited(
        BASE_SERVICE_PROVIDER,
        [*ALICE, ('client_id: "9f86', 'client_id: "2f86'), ("Service de", "Autre service de")],
    )
    scenario.propose({path: text})
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [(a["path"], a["title"], a["start_line"]) for a in check["annotations"]] == [
        (path, "I010", 4)  # at client_id: the key is missing
    ]
    assert "n'a pas de secret_recipients" in scenario.comments()[-1]
    assert scenario.github.pulls[1].reviews == []
    scenario.propose({path: text + RECIPIENTS})
    scenario.run()
    assert scenario.check()["conclusion"] == "success"


def test_network_move_without_recipients_fails(scenario) -> None:
    """Another network is another deployment: deploy creates the client there."""
    scenario.propose(
        {
            SP_INTEG: _integ_sp(
                ("network: internet", "network: rie"), ("145.242.17.0/28", "100.67.22.0/28")
            )
        }
    )
    scenario.run()
    assert scenario.check()["conclusion"] == "failure"
    assert [a["title"] for a in scenario.check()["annotations"]] == ["I010"]
    assert "integration-rie" in scenario.check()["annotations"][0]["message"]


def test_new_identity_provider_without_sealed_secret_fails(scenario) -> None:
    text = (
        BASE_IDENTITY_PROVIDER.replace("@demo-org/identite", "@alice")
        .replace("uid: 5f0c3b9e", "uid: 7f0c3b9e")
        .replace("name: fi-demo", "name: fi-nouveau")
        .replace("title: FI de", "title: Autre FI de")
        .replace("  - demo.gouv.fr\n", "  - nouveau.gouv.fr\n")
    )
    scenario.propose({IDP_INTEG: text})
    scenario.run()
    [annotation] = scenario.check()["annotations"]
    assert (annotation["path"], annotation["title"], annotation["start_line"]) == (
        IDP_INTEG,
        "I011",
        2,
    )
    sealed = pyrage.encrypt(b"secret-du-fi", [x25519.Identity.generate().to_public()], armored=True)
    block = "".join(f"  {line}\n" for line in sealed.decode().splitlines())
    scenario.propose({IDP_INTEG: text + "client_secret_age: |\n" + block})
    scenario.run()
    assert scenario.check()["conclusion"] == "success"


# -- finding 8: the comment never loses the plan silently ---------------------------------


def test_many_files_cut_the_authorisations_not_the_plan(scenario) -> None:
    """500 new files with long names push the authorisation list past GitHub's limit."""
    folder = "registry/integration/service-providers"
    files = {
        f"{folder}/{'n' * 58}-{i:04d}.yaml": edited(
            BASE_SERVICE_PROVIDER,
            [*ALICE, ("9f86d081", f"{i:08x}"), ("Service de démonstration", f"Service {i}")],
        )
        + RECIPIENTS
        for i in range(500)
    }
    scenario.propose({**files, SP_INTEG: _integ_sp(("  - email\n", "  - email\n  - groups\n"))})
    assert scenario.run()[:2] == (0, 0)
    assert scenario.check()["conclusion"] == "success"
    comment = scenario.comments()[-1]
    assert len(comment) <= 65_536
    assert "#### Plan" in comment and "501 fournisseurs concernés" in comment
    assert "pour le plan complet" in comment  # the plan says what it cut
    assert "autre(s) fichier(s) non listé(s) ici" in comment  # and so do the authorisations
    assert "- nouveau fournisseur" in comment  # the verdict's reasons come first
    assert "seulement sur demande (groups)" in comment
