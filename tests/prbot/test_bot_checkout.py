# ruff: noqa: F811 - the fixtures imported from test_bot are redefined as test parameters
"""The bot judges git objects, never the checkout's files: pr-bot.yml and rejudge.yml check
out the default branch's code and policy alone (a sparse checkout), so that a job's cost does
not grow with the registry's files. The same verdict, the registry absent from the disk."""

from __future__ import annotations

from test_bot import (  # noqa: F401 - fixtures, shared with test_bot.py
    SP_INTEG,
    Scenario,
    _integration_edit,
    github,
    scenario,
)

CODE_AND_POLICY = "bot"  # what the workflows check out (cone mode: with the root's files)


def _sparse(scenario: Scenario) -> None:
    scenario.repo.git("sparse-checkout", "set", "--cone", CODE_AND_POLICY)
    assert not (scenario.repo.root / "registry").exists()
    assert (scenario.repo.root / "policy.yaml").exists()


def test_a_verdict_in_a_checkout_without_the_registry(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    _sparse(scenario)

    assert scenario.run()[:2] == (0, 0)

    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("success", "Valide — libre-service")
    assert scenario.github.pulls[1].reviews  # self-service, approved
    assert "| redirect_uris | `https://demo.gouv.fr/v2/callback` |" in scenario.comments()[0]


def test_a_failing_change_is_seen_without_the_registry_on_disk(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/pas-https\n")})
    _sparse(scenario)

    code, published, result = scenario.run()

    assert (code, published) == (0, 0)
    assert result["passed"] is False
    assert scenario.check()["conclusion"] == "failure"
    assert {a["path"] for a in result["annotations"]} == {SP_INTEG}
