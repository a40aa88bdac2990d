"""Attacks on the bot's self-service approval and on its comment, end to end: the real
`fedreg bot pr` and `bot publish` against the contract-checked fake GitHub, through the
`Scenario` harness of test_bot.py. Each test failed on main before its fix."""

from __future__ import annotations

import json
from typing import Any

from conftest import BASE_SERVICE_PROVIDER, edited
from payloads import event
from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    CALLBACK,
    SP_INTEG,
    SP_PROD,
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


def test_approval_is_pinned_to_the_commit_the_bot_judged(scenario) -> None:  # type: ignore[no-untyped-def]
    """The owner pushes a production change between `bot pr` (integration only: approve) and
    `bot publish`: the approval must not land on the new head, which nobody checked."""
    judged = scenario.propose({SP_INTEG: _integration_edit()})
    event_path = scenario.tmp / "event.json"
    event_path.write_text(json.dumps(scenario.pull_request_event()))
    result_path = scenario.tmp / "result.json"
    decided = scenario.cli("bot", "pr", "--event", str(event_path), "--out", str(result_path))
    assert decided.exit_code == 0 and json.loads(result_path.read_text())["approve"]
    unchecked = scenario.propose(
        {SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, (CALLBACK, "  - https://evil.fr/cb\n")])}
    )
    assert scenario.cli("bot", "publish", str(result_path)).exit_code == 0
    approvals = [r for r in scenario.github.pulls[1].reviews if r["event"] == "APPROVE"]
    assert unchecked not in [r["commit_id"] for r in approvals]
    assert [r["commit_id"] for r in approvals] == [judged]
