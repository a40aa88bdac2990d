"""Attacks on the bot's self-service approval and on its comment, end to end: the real
`fedreg bot pr` and `bot publish` against the contract-checked fake GitHub, through the
`Scenario` harness of test_bot.py. Each test failed on main before its fix."""

from __future__ import annotations

import json
import re
from typing import Any

from test_bot import (  # noqa: F401 - fixtures, used by name
    ALICE,
    ALICE_IDP,
    CALLBACK,
    IDP_INTEG_ALICE,
    OTHER_CLIENT,
    SP_INTEG,
    SP_PROD,
    Scenario,
    _integration_edit,
    github,
    scenario,
)

from conftest import BASE_SERVICE_PROVIDER, edited
from payloads import event


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


def test_push_by_a_non_owner_to_an_owners_pull_request_is_not_self_service(scenario) -> None:
    """Mallory, who may push to any branch of the repository, pushes to the branch of alice's
    pull request: the bot must not approve with alice's authority what mallory wrote."""
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    assert scenario.run(_workflow_run(scenario, head, "mallory", "mallory"))[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [], "the bot approved a push by someone who owns nothing"
    assert "libre-service" not in pull.labels and "revue-fédération-requise" in pull.labels
    assert "poussé par @mallory" in scenario.comments()[-1]


def test_push_rerun_by_the_owner_is_still_not_self_service(scenario) -> None:
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    scenario.run(_workflow_run(scenario, head, "mallory", "alice"))
    assert scenario.github.pulls[1].reviews == []


def test_push_by_the_author_stays_self_service(scenario) -> None:
    head = scenario.propose({SP_INTEG: _integration_edit()}, author="alice")
    assert scenario.run(_workflow_run(scenario, head, "alice", "Alice"))[:2] == (0, 0)
    assert [r["event"] for r in scenario.github.pulls[1].reviews] == ["APPROVE"]


def test_approval_is_pinned_to_the_commit_the_bot_judged(scenario) -> None:
    """The owner pushes a production change between `bot pr` (integration only: approve) and
    `bot publish`: no approval lands on the new head, which nobody checked. The bot re-reads
    the head before approving and, as it moved, publishes only a neutral stale check."""
    scenario.propose({SP_INTEG: _integration_edit()})
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
    assert approvals == []
    assert scenario.check()["conclusion"] == "neutral"


def _outside_code(comment: str) -> str:
    """The comment without its inline code spans, where GitHub renders no link or mention."""
    return re.sub(r"`[^`\n]*`", "", comment)


LURE = "[Approuvé par la fédération](https://evil.fr) @proconnect-gouv/federation <b>ok</b>"


def test_partner_values_in_problems_neither_link_nor_mention(scenario) -> None:
    """A value the partner writes comes back in a diagnostic's message: in the bot's comment
    it must stay text, not a link in the bot's voice nor a notification of the team."""
    scope = LURE.replace('"', "")
    scenario.propose({SP_INTEG: _integration_edit().replace("  - email\n", f'  - "{scope}"\n')})
    scenario.run()
    [comment] = scenario.comments()
    assert "O002" in comment and "Approuvé par la fédération" in comment
    prose = _outside_code(comment)
    assert not re.search(r"(?<!\\)\]\(https://evil", prose), "a link in the bot's voice"
    assert "@proconnect-gouv/federation" not in prose
    assert "<b>ok</b>" not in prose


def test_partner_domain_cannot_break_out_of_its_code_span(scenario) -> None:
    scenario.repo.write(IDP_INTEG_ALICE, ALICE_IDP)
    scenario.repo.commit("alice's FI")
    domain = f"x.fr` {LURE} `"
    scenario.propose(
        {IDP_INTEG_ALICE: ALICE_IDP.replace("  - alice.gouv.fr\n", f'  - "{domain}"\n')}
    )
    scenario.run()
    [comment] = scenario.comments()
    assert "preuve DNS à publier" in comment
    prose = _outside_code(comment)
    assert not re.search(r"(?<!\\)\]\(https://evil", prose), "a link in the bot's voice"
    assert "@proconnect-gouv/federation" not in prose
    assert "<b>ok</b>" not in prose


def test_partner_keys_and_entities_neither_link_nor_mention(scenario) -> None:
    """An unknown key is planned as it is written (the file is invalid, the plan still shows
    what it can read), and an HTML entity is a mention once GitHub decodes it."""
    key = "[Approuvé par la fédération](https://evil.fr) &#64;proconnect-gouv/federation"
    scope = "&#64;proconnect-gouv/federation"
    text = _integration_edit().replace("  - email\n", f'  - "{scope}"\n')
    scenario.propose({SP_INTEG: text + f'"{key}": oui\n'})
    scenario.run()
    [comment] = scenario.comments()
    prose = _outside_code(comment)
    assert "Approuvé par la fédération" in prose
    assert not re.search(r"(?<!\\)\]\(https://evil", prose), "a link in the bot's voice"
    assert not re.search(r"(?<!\\)&#64;", prose), "an entity GitHub decodes to a mention"


def test_owners_removed_on_main_after_the_pull_request_opened_no_longer_count(scenario) -> None:
    """GitHub's `base.sha` is a snapshot (taken when the pull request was opened), not the
    tip of main: owners the federation removed since must not approve the next push, which
    would still merge cleanly into main."""
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.repo.write(
        SP_INTEG,
        edited(BASE_SERVICE_PROVIDER, [('  - "@demo-org/equipe"', '  - "@bob"'), *OTHER_CLIENT]),
    )
    scenario.repo.commit("the federation hands the file over to bob")
    scenario.propose({SP_INTEG: _integration_edit("  - https://demo.gouv.fr/v3/callback\n")})
    scenario.run()
    assert scenario.github.pulls[1].reviews == [], "a former owner's change was approved"
    assert scenario.check()["conclusion"] == "failure"
    assert f"- `{SP_INTEG}` — propriétaires : @bob" in scenario.comments()[-1]
