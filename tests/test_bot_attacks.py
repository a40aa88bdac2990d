"""Attacks on the bot's self-service approval and on its comment, end to end: the real
`fedreg bot pr` and `bot publish` against the contract-checked fake GitHub, through the
`Scenario` harness of test_bot.py. Each test failed on main before its fix."""

from __future__ import annotations

from typing import Any

from payloads import event
from test_bot import (  # noqa: F401 - fixtures, used by name
    SP_INTEG,
    Scenario,
    _integration_edit,
    github,
    scenario,
)


def _workflow_run(scenario: Scenario, head: str, actor: str, triggering: str) -> dict[str, Any]:
    """The `workflow_run` event of `ci` for pull request 1 at `head`, pushed by `actor`."""
    return event(
        "workflow_run$completed",
        repository={"full_name": scenario.github.full_name},
        workflow_run={
            "pull_requests": [],
            "head_sha": head,
            "head_branch": "partner-change",
            "event": "pull_request",
            "head_repository": {"owner": {"login": scenario.github.owner}},
            "actor": {"login": actor},
            "triggering_actor": {"login": triggering},
        },
    )


def test_push_by_a_non_owner_to_an_owners_pull_request_is_not_self_service(scenario) -> None:  # type: ignore[no-untyped-def]
    """Mallory, who may push to any branch of the repository, pushes to the branch of alice's
    pull request: the bot must not approve with alice's authority what mallory wrote."""
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    assert scenario.run(_workflow_run(scenario, head, "mallory", "mallory"))[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [], "the bot approved a push by someone who owns nothing"
    assert "libre-service" not in pull.labels and "revue-fédération-requise" in pull.labels
    assert "poussé par @mallory" in scenario.comments()[-1]


def test_push_rerun_by_the_owner_is_still_not_self_service(scenario) -> None:  # type: ignore[no-untyped-def]
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    scenario.run(_workflow_run(scenario, head, "mallory", "alice"))
    assert scenario.github.pulls[1].reviews == []


def test_push_by_the_author_stays_self_service(scenario) -> None:  # type: ignore[no-untyped-def]
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    assert scenario.run(_workflow_run(scenario, head, "alice", "Alice"))[:2] == (0, 0)
    assert [r["event"] for r in scenario.github.pulls[1].reviews] == ["APPROVE"]
