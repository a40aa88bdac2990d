"""What each GitHub workflow run per pull request or per merge costs, at two registry sizes.

    cd bench && ../.venv/bin/python bench_ci_cost.py [--sizes 1000 100000] [--changed 10]
        [--repeat 3] [--scheduled]

For each size, a private checkout of a generated registry (`shared_registry.py`: generated
once under /tmp/fedreg-bench/<size>, shared), a pull request of `--changed` edited files served
by the tests' fake GitHub (a loopback server checked against GitHub's REST description, git
data in a bare repository), a DNS server on loopback for the bot's live checks, and then, in
the order GitHub would run them, each workflow's own `run:` scripts, read from
.github/workflows/ (a step renamed or removed there stops the benchmark), with the variables
the runner would give them:

- what actions/checkout writes: every file, or `sparse-checkout: bot` (the fetch left out);
- ci.yml on the pull request, in its merge commit's checkout;
- pull-request.yml, the bot's trigger;
- pr-bot.yml: `bot pr` with the cache a previous run left (warm), then `bot publish`; the
  first run, on an empty cache (a fresh runner), is printed apart;
- then main moves (another change of `--changed` files is pushed), and, on that push:
  rejudge.yml (the open pull request judged again) and deploy.yml's plan
  (`changed-deployments`) and sign (`render`, for one deployment of the matrix) jobs
  (deploy's own job needs a database: its cost is bench_migration.py's);
- a partner's `bot pr --dry-run` with the bot's cache, the change in the work tree, then
  committed.

With `--scheduled`, also ci.yml's working-day pass over the whole registry (once).

Sizes are interleaved step by step; each figure is the median of `--repeat` runs of the whole
step (its shell and every process it starts): wall seconds, CPU seconds (user + system of the
step's processes, not of the fake GitHub) and peak resident memory of the largest process.
The table's ratio is the larger size's over the smaller's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakegithub import FakeGitHub
from liveservers import DnsServer
from payloads import event
from shared_registry import git, private_clone, shared_registry

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOWS = PROJECT / ".github/workflows"
AUTHOR = "partenaire-bench"
DEPLOYMENT = "production-internet"
PUBLIC_ADDRESS = "145.242.11.10"  # what the DNS server answers for every redirect host


@dataclass(frozen=True)
class Step:
    """One `run:` step of a workflow, as the benchmark runs it."""

    workflow: str
    job: str
    name: str
    trigger: str
    ok: tuple[int, ...] = (0,)
    in_merge_checkout: bool = False  # ci.yml checks out the pull request's merge commit
    script: str = ""  # a command of no workflow (the partner's dry run)


PULL_REQUEST_STEPS = [
    Step(
        "ci.yml",
        "validate",
        "Validate the files the pull request changes (annotations on the pull request)",
        "pull_request",
        in_merge_checkout=True,
    ),
    Step(
        "ci.yml",
        "validate",
        "Check the changed files' style (fedreg fmt fixes it)",
        "pull_request",
        ok=(0, 123),  # xargs: the generator's files are not in fmt's style, as CI would say
        in_merge_checkout=True,
    ),
    Step("pull-request.yml", "trigger", "Hand over to pr-bot", "pull_request"),
    Step("pr-bot.yml", "verdict", "Decide", "workflow_run"),
    Step("pr-bot.yml", "verdict", "Publish", "workflow_run"),
]
PUSH_STEPS = [
    Step("rejudge.yml", "rejudge", "Judge the open pull requests again", "push"),
    Step("deploy.yml", "plan", "Deployments whose manifest changed", "push"),
    Step("deploy.yml", "sign", "Render and sign", "push"),
]
SCHEDULED_STEPS = [
    Step("ci.yml", "validate", "Validate the whole registry", "schedule", ok=(0, 1)),
    Step(
        "ci.yml", "validate", "Check the registry's style (fedreg fmt fixes it)", "schedule", (0, 1)
    ),
]


# A partner's dry run before pushing, with the cache the bot's runs left: the change in the
# work tree, then committed (a clean checkout).
DRY_RUN = ".venv/bin/fedreg bot pr --dry-run --base main --author partenaire-bench"
PARTNER_STEPS = [
    Step(
        "(partner)",
        "dry run",
        "bot pr --dry-run, change in the work tree",
        "",
        (0, 1),
        script=DRY_RUN,
    ),
    Step("(partner)", "dry run", "bot pr --dry-run, change committed", "", (0, 1), script=DRY_RUN),
]


# What actions/checkout writes: every file (ci.yml, deploy.yml), or the code and the policy
# only (pr-bot.yml and rejudge.yml: `sparse-checkout: bot`). The fetch is left out: its cost is
# the repository's history, in every job alike.
_CHECKOUT = (
    'rm -rf "$RUNNER_TEMP/checkout" && git clone -q --shared --no-checkout --branch main '
    '"$SHARED_REPOSITORY" "$RUNNER_TEMP/checkout" && cd "$RUNNER_TEMP/checkout" && {} '
    "git checkout -q main"
)
CHECKOUT_STEPS = [
    Step("actions/checkout", "every file", "ci.yml, deploy.yml", "", script=_CHECKOUT.format("")),
    Step(
        "actions/checkout",
        "sparse: bot",
        "pr-bot.yml, rejudge.yml",
        "",
        script=_CHECKOUT.format("git sparse-checkout set --cone bot &&"),
    ),
]


def script_of(step: Step) -> str:
    """The step's `run:` script, as the workflow file has it."""
    if step.script:
        return step.script
    workflow = yaml.safe_load((WORKFLOWS / step.workflow).read_text(encoding="utf-8"))
    for candidate in workflow["jobs"][step.job]["steps"]:
        if candidate.get("name") == step.name:
            script = str(candidate["run"])
            if "${{" in script:
                raise SystemExit(f"{step.workflow}: « {step.name} » needs an expression")
            return script
    raise SystemExit(f"{step.workflow}: no step « {step.name} » in job {step.job}")


# Runs a shell script, then prints its exit code, its processes' CPU seconds and the peak
# resident KiB of the largest of them (everything reaped below this process).
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(['bash', '-e', '-c', sys.argv[1]], "
    "stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode; "
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)"
)


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float, peak_kib: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.peak.append(peak_kib / 1024)

    def median(self) -> tuple[float, float, float]:
        return (
            statistics.median(self.wall),
            statistics.median(self.cpu),
            statistics.median(self.peak),
        )


class Runner:
    """One registry size: its checkout, its fake GitHub and the runner's variables."""

    def __init__(self, size: int, changed: int, folder: Path, dns: DnsServer) -> None:
        self.size = size
        self.folder = folder
        started = time.perf_counter()
        self.repo = private_clone(size, folder / "checkout")
        (self.repo / ".venv").symlink_to(PROJECT / ".venv")  # the workflows run .venv/bin/fedreg
        with (self.repo / ".git/info/exclude").open("a") as exclude:
            exclude.write(".venv\nbuild/\nradar-state/\n")
        self.github = FakeGitHub(self.repo)
        self.github.start()
        folder_of_changes = self.repo / "registry/production/service-providers"
        files = sorted(folder_of_changes.iterdir())
        self.main = git(self.repo, "rev-parse", "main")
        self.head = self._branch("pull-request", files[:changed], "/auth/callback\n", "/v2/cb\n")
        self.moved = self._branch(
            "moved-main", files[changed : 2 * changed], "active: true", "active: false"
        )
        for path in files[:changed]:  # the author is in each changed file's owner team
            owner = yaml.safe_load(path.read_text(encoding="utf-8"))["owners"][0]
            org, team = owner.removeprefix("@").split("/")
            self.github.add_member(org, team, AUTHOR)
        for path in files[: 2 * changed]:
            host = yaml.safe_load(path.read_text(encoding="utf-8"))["redirect_uris"][0]
            dns.zone.records[(host.split("/")[2], "A")] = [PUBLIC_ADDRESS]
        self.github.open_pull(1, "main", self.head, AUTHOR)
        tree = git(self.repo, "merge-tree", "--write-tree", "main", self.head).split()[0]
        self.merge = git(self.repo, "commit-tree", tree, "-p", "main", "-p", self.head, "-m", "m")
        self.temp = folder / "runner-temp"
        self.temp.mkdir()
        self.env = {
            **os.environ,
            **self.github.client_environment("bot-token"),
            "GITHUB_TOKEN": "bot-token",
            "FEDREG_GIT_REMOTE": self.github.remote_url,
            "FEDREG_NAMESERVER": "127.0.0.1",
            "FEDREG_DNS_PORT": str(dns.port),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(folder / "github-output"),
            "GITHUB_EVENT_PATH": str(folder / "event.json"),
            "DEPLOYMENT": DEPLOYMENT,
            "SHARED_REPOSITORY": str(shared_registry(size)),
        }
        self.setup_seconds = time.perf_counter() - started

    def _branch(self, name: str, files: list[Path], old: str, new: str) -> str:
        git(self.repo, "checkout", "-q", "-b", name, "main")
        for path in files:
            path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), "utf-8")
        git(self.repo, "commit", "-qam", name)
        head = git(self.repo, "rev-parse", "HEAD")
        git(self.repo, "checkout", "-q", "main")
        return head

    def checkout(self, commit: str) -> None:
        git(self.repo, "checkout", "-q", "--detach", commit)

    def change_work_tree(self) -> None:
        """The pull request's files, written over main's checkout (not staged)."""
        git(self.repo, "checkout", "-q", "main")
        for path in git(self.repo, "diff", "--name-only", "main", self.head).splitlines():
            content = subprocess.run(
                ["git", "show", f"{self.head}:{path}"], cwd=self.repo, capture_output=True
            ).stdout
            (self.repo / path).write_bytes(content)

    def commit_work_tree(self) -> None:
        git(self.repo, "checkout", "-q", "-b", "partner-commit")
        git(self.repo, "commit", "-qam", "the partner's change")

    def workflow_run_event(self) -> None:
        self._event(
            event(
                "workflow_run$completed",
                repository={"full_name": self.github.full_name},
                workflow_run={
                    "pull_requests": [],  # found from the head branch, as for a fork
                    "head_sha": self.head,
                    "head_branch": self.github.pulls[1].head_ref,
                    "head_repository": {"owner": {"login": self.github.owner}},
                    "event": "pull_request",
                    "actor": {"login": AUTHOR},
                    "triggering_actor": {"login": AUTHOR},
                },
            )
        )

    def move_main(self) -> None:
        """Another change lands on main (pushed): what rejudge and deploy run on."""
        git(self.repo, "checkout", "-q", "main")
        git(self.repo, "merge", "-q", "--ff-only", self.moved)
        self.github.advance_base(1, "main")
        self._event(
            event(
                "push$event",
                ref="refs/heads/main",
                before=self.main,
                after=self.moved,
                repository={"full_name": self.github.full_name, "default_branch": "main"},
            )
        )
        self.env["BEFORE"] = self.main

    def _event(self, payload: dict[str, Any]) -> None:
        Path(self.env["GITHUB_EVENT_PATH"]).write_text(json.dumps(payload), encoding="utf-8")

    def run(self, step: Step, figures: Figures) -> None:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, script_of(step)],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        code, cpu, peak = done.stdout.split()
        if int(code) not in step.ok:
            raise SystemExit(f"{self.size}: {step.workflow} « {step.name} » exited {code}")
        figures.add(wall, float(cpu), float(peak))

    def verdict(self) -> str:
        """The bot's last verdict, checked to be on the pull request's head and its files."""
        result = json.loads((self.temp / "fedreg-result.json").read_text(encoding="utf-8"))
        changed = git(self.repo, "diff", "--name-only", self.main, self.head).splitlines()
        if result["head_sha"] != self.head or not all(p in result["comment"] for p in changed):
            raise SystemExit(f"{self.size}: the verdict is not on the pull request's files")
        return str(result["title"])

    def stop(self) -> None:
        self.github.stop()


def run_steps(
    steps: list[Step],
    runners: list[Runner],
    repeat: int,
    table: dict[str, dict[int, Figures]],
    checkout: bool = True,
) -> None:
    for step in steps:
        for runner in runners:
            if checkout:
                runner.checkout(runner.merge if step.in_merge_checkout else "main")
        for _ in range(repeat):  # interleaved: the machine's load hits every size alike
            for runner in runners:
                runner.run(
                    step, table.setdefault(label(step), {}).setdefault(runner.size, Figures())
                )


def label(step: Step) -> str:
    return f"{step.workflow} · {step.job} · {step.name}"


def print_table(
    table: dict[str, dict[int, Figures]], sizes: list[int], triggers: dict[str, str]
) -> None:
    small, large = sizes[0], sizes[-1]
    print(
        f"\n| workflow · job · step | trigger | {small:,} wall / CPU s | {large:,} wall / CPU s "
        "| ratio wall / CPU | peak MiB |"
    )
    print("|---|---|---|---|---|---|")
    for name, by_size in table.items():
        a_wall, a_cpu, a_peak = by_size[small].median()
        b_wall, b_cpu, b_peak = by_size[large].median()
        print(
            f"| {name} | {triggers[name]} | {a_wall:.2f} / {a_cpu:.2f} "
            f"| {b_wall:.2f} / {b_cpu:.2f} | {b_wall / a_wall:.2f} / {b_cpu / a_cpu:.2f} "
            f"| {a_peak:.0f} → {b_peak:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scheduled", action="store_true", help="also the whole-registry pass")
    args = parser.parse_args()
    dns = DnsServer()
    dns.start()
    runners: list[Runner] = []
    folder = Path(tempfile.mkdtemp(prefix="fedreg-bench-ci-"))
    try:
        for size in args.sizes:
            runners.append(Runner(size, args.changed, folder / str(size), dns))
            print(f"{size:,} files: set up in {runners[-1].setup_seconds:.0f} s", flush=True)
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        table: dict[str, dict[int, Figures]] = {}
        steps = CHECKOUT_STEPS + PULL_REQUEST_STEPS + PUSH_STEPS + PARTNER_STEPS + SCHEDULED_STEPS
        triggers = {label(s): s.trigger or "—" for s in steps}
        run_steps(CHECKOUT_STEPS, runners, args.repeat, table)
        run_steps(PULL_REQUEST_STEPS[:3], runners, args.repeat, table)
        cold = Step("pr-bot.yml", "verdict", "Decide", "workflow_run")
        for runner in runners:  # a fresh runner: no cache restored
            runner.workflow_run_event()
            shutil.rmtree(folder / str(runner.size) / "cache", ignore_errors=True)
            figures = table.setdefault("pr-bot.yml · verdict · Decide (empty cache, once)", {})
            runner.run(cold, figures.setdefault(runner.size, Figures()))
        triggers["pr-bot.yml · verdict · Decide (empty cache, once)"] = "workflow_run"
        run_steps(PULL_REQUEST_STEPS[3:], runners, args.repeat, table)
        for runner in runners:
            print(f"{runner.size:,} files: the bot's verdict « {runner.verdict()} »", flush=True)
        for runner in runners:
            runner.move_main()
        run_steps(PUSH_STEPS, runners, args.repeat, table)
        for runner in runners:
            runner.change_work_tree()
        run_steps(PARTNER_STEPS[:1], runners, args.repeat, table, checkout=False)
        for runner in runners:
            runner.commit_work_tree()
        run_steps(PARTNER_STEPS[1:], runners, args.repeat, table, checkout=False)
        if args.scheduled:
            run_steps(SCHEDULED_STEPS, runners, 1, table)
        print(f"load after: {os.getloadavg()[0]:.2f}")
        print_table(table, args.sizes, triggers)
    finally:
        for runner in runners:
            runner.stop()
        dns.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
