"""Waivers through the bot, end to end (the real `fedreg bot pr` and `bot publish` against the
contract-checked fake GitHub): a waived diagnostic gets its own comment section with its
expiry, and a change to waivers.yaml goes to the federation, whoever opens it."""

from __future__ import annotations

import datetime

from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    OTHER_CLIENT,
    SP_INTEG,
    github,
    scenario,
)

from conftest import BASE_SERVICE_PROVIDER, edited

WIDE = [("145.242.17.0/28", "145.242.0.0/16")]  # N004: wider than /24


def waiver(expires: datetime.date) -> str:
    return (
        "waivers:\n"
        "  - code: N004\n"
        f"    file: {SP_INTEG}\n"
        "    reason: migration du pare-feu en cours\n"
        '    granted_by: "@agent-federation"\n'
        f'    expires: "{expires.isoformat()}"\n'
    )


def test_a_partner_granting_themselves_a_waiver_goes_to_the_federation(scenario) -> None:
    expires = datetime.date.today() + datetime.timedelta(days=60)
    scenario.propose(
        {
            SP_INTEG: edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT, *WIDE]),
            "waivers.yaml": waiver(expires),
        }
    )
    computed, published, result = scenario.run()
    assert (computed, published) == (0, 0), result
    [comment] = scenario.comments()
    _, _, waived = comment.partition("#### Dérogations")
    assert "#### Problèmes" not in comment  # its only diagnostic is waived
    assert "**N004**" in waived and f"dérogation jusqu'au {expires:%d/%m/%Y}" in waived
    assert "dérogations modifiées (waivers.yaml)" in comment
    pull = scenario.github.pulls[1]
    assert "revue-fédération-requise" in pull.labels and pull.reviews == []
    [annotation] = [a for a in result["annotations"] if a["title"] == "N004"]
    assert annotation["annotation_level"] == "notice"


def test_an_expired_waiver_fails_the_check(scenario) -> None:
    scenario.propose(
        {
            SP_INTEG: edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT, *WIDE]),
            "waivers.yaml": waiver(datetime.date(2020, 1, 31)),
        }
    )
    computed, _, result = scenario.run()
    assert result["passed"] is False, computed
    codes = {a["title"]: a["annotation_level"] for a in result["annotations"]}
    assert codes == {"N004": "failure", "W001": "failure"}
