"""The review situations no other bot test reaches, through the real `bot pr` / `bot publish`:
a deletion, a rename, and a member of the federation team changing a file they do not own."""

from __future__ import annotations

from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    OTHER_CLIENT,
    SP_INTEG,
    github,
    scenario,
)

from conftest import BASE_SERVICE_PROVIDER, edited

RENAMED = "registry/integration/service-providers/demo-renomme.yaml"


def test_deleting_a_provider_needs_the_federation(scenario) -> None:
    scenario.propose({SP_INTEG: None}, author="alice")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    [comment] = scenario.comments()
    assert "- fournisseur retiré" in comment
    assert pull.reviews == [] and pull.requested_teams == ["federation"]
    assert "libre-service" not in pull.labels


def test_renaming_a_file_needs_the_federation(scenario) -> None:
    content = edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT])
    scenario.propose({SP_INTEG: None, RENAMED: content}, author="alice")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    [comment] = scenario.comments()
    assert "- fichier renommé ou déplacé" in comment
    assert pull.reviews == [] and pull.requested_teams == ["federation"]


def test_a_federation_team_member_may_change_any_file(scenario) -> None:
    """Not an owner, but a member of the federation team: authorised on every file, so an
    integration change is self-service as an owner's would be (review_rules)."""
    scenario.github.add_member("proconnect-gouv", "federation", "fede")
    change = edited(
        BASE_SERVICE_PROVIDER,
        [*ALICE, *OTHER_CLIENT, ("  - email\n", "  - email\n  - given_name\n")],
    )
    scenario.propose({SP_INTEG: change}, author="fede")
    assert scenario.run()[:2] == (0, 0)
    assert scenario.check()["conclusion"] == "success"
    [comment] = scenario.comments()
    assert f"`{SP_INTEG}` : ✓ équipe de la fédération (@proconnect-gouv/federation)" in comment
    assert [r["event"] for r in scenario.github.pulls[1].reviews] == ["APPROVE"]
    assert ("get", "/orgs/proconnect-gouv/teams/federation/memberships/fede", 200) in (
        scenario.github.calls
    )


def test_someone_outside_the_owners_and_the_team_is_refused(scenario) -> None:
    change = edited(
        BASE_SERVICE_PROVIDER,
        [*ALICE, *OTHER_CLIENT, ("  - email\n", "  - email\n  - given_name\n")],
    )
    scenario.propose({SP_INTEG: change}, author="mallory")
    scenario.run()
    assert scenario.check()["conclusion"] == "failure"
    assert "⛔ refusé (propriétaires : @alice)" in scenario.comments()[0]
    assert scenario.github.pulls[1].reviews == []
