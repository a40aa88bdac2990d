"""The deploy of a small change on a large registry, and the whole registry's render.

    .venv/bin/python bench/bench_deploy.py --size 100000 [--changed 10] [--repeat 3]
        [--root /tmp/fedreg-bench/100000]

Clones (`--root`, a generated registry committed by bench/registry_generator.py) or
generates a registry of `--size` files, then seeds production-internet's database, on a
file target (`file:PATH.json`, Extended JSON) and on mongomock (in process), as if the
commit had been deployed whole (its manifest's documents with their provenance, the marker,
an audit entry), commits a change of `--changed` of that deployment's files, and prints:

- `fedreg deploy production-internet --dry-run` of the change, as whole processes on the
  file target (all of a deploy but the writes; its incremental path), and in process on
  mongomock with its phases (the release check and the target, the change read from git,
  the live documents of its identities, the plan);
- the same commit deployed again (the full path: the deployment rendered whole);
- `fedreg render` of the whole registry as a whole process.

Each figure is the median of `--repeat` runs: wall, CPU (user + sys) and peak resident
memory of the process tree. Say how loaded the machine was (`uptime`) with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mongomock

from fedreg.adapters.git import GitRepository
from fedreg.cli import main as fedreg_main
from fedreg.deploy import delta, mongostore
from fedreg.deploy.filestore import FileStore
from fedreg.deploy.orchestration import manifests_at_commit
from fedreg.deploy.plan import PROVENANCE_FIELD, plan_deploy
from fedreg.deploy.state import write_marker
from fedreg.manifests.build import manifest_documents
from fedreg.registry.policy import DEFAULT_POLICY
from registry_generator import generate

DEPLOYMENT = "production-internet"
FOLDER = "registry/production/service-providers"
GIT_ID = ["-c", "user.email=b@b.invalid", "-c", "user.name=bench"]
FEDREG = [sys.executable, "-m", "fedreg"]
# Runs a command; prints its exit code, the CPU seconds and the peak resident KiB of its tree.
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], "
    "stdout=subprocess.DEVNULL).returncode; r = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(code, r.ru_utime + r.ru_stime, r.ru_maxrss)"
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def timed(root: Path, command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB of one whole process."""
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], cwd=root, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    code, cpu, peak = process.stdout.split()
    if code != "0":
        raise SystemExit(f"{command} failed ({code}): {process.stderr[-2000:]}")
    return elapsed, float(cpu), int(peak) / 1024


def seed(db: Any, root: Path, commit: str) -> int:
    """Make `db` production-internet's database as deployed from `commit`."""
    manifest = manifests_at_commit(GitRepository(root), commit, DEFAULT_POLICY)[DEPLOYMENT]
    now = datetime.now(UTC)
    write_marker(db, DEPLOYMENT, "bench", now)
    for collection in ("client", "provider"):
        documents = [
            {**document, PROVENANCE_FIELD: DEPLOYMENT, "client_secret": "chiffré", "createdAt": now}
            for document in manifest_documents(manifest, collection)
        ]
        if documents:
            db[collection].insert_many(documents)
    db[mongostore.AUDIT_COLLECTION].insert_one(
        {"deployment": DEPLOYMENT, "kind": "deploy", "commit": commit, "digest": manifest["digest"],
         "status": "applied", "applied": [], "at": now}
    )  # fmt: skip
    return len(manifest["client"]) + len(manifest["provider"])


def change(root: Path, count: int) -> str:
    """Commit a change of `count` of production-internet's files; its commit."""
    files = sorted(p for p in (root / FOLDER).iterdir() if "network: internet" in p.read_text())
    for path in files[:count]:
        path.write_text(path.read_text().replace("/auth/callback\n", "/auth/retour\n"))
    git(root, "commit", "-qam", f"change {count} files")
    return git(root, "rev-parse", "HEAD")


def median(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*runs, strict=True))


def show(label: str, figures: tuple[float, ...]) -> None:
    wall, cpu, peak = figures
    print(f"  {label:58s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak {peak:6.0f} MiB")


def phases_on_mongomock(root: Path, base: str, head: str) -> dict[str, float]:
    """The incremental dry run's phases, in process, on mongomock."""
    laps: dict[str, float] = {}

    def lap(name: str, started: float) -> float:
        now = time.perf_counter()
        laps[name] = laps.get(name, 0.0) + now - started
        return now

    repo = GitRepository(root)
    with mongomock.patch(servers=(("bench.test", 27017),)):
        db = mongostore.connect("mongodb://bench.test:27017/core-fca-low")
        seed(db, root, base)
        start = time.perf_counter()
        change_ = delta.deployment_change(repo, base, head, DEPLOYMENT, DEFAULT_POLICY)
        start = lap("change read from git (diff, both sides, checks)", start)
        live = mongostore.live_documents_of(db, change_.keys)
        start = lap("live documents of its identities", start)
        plan = plan_deploy(change_.manifest, live)
        mongostore.managed_count(db, DEPLOYMENT)
        lap("plan", start)
        assert len(plan.changes) == len(change_.keys["client"]), plan.summary
        os.chdir(root)
        start = time.perf_counter()
        target = "mongodb://bench.test:27017/core-fca-low"
        with contextlib.redirect_stdout(io.StringIO()):
            code = fedreg_main(["deploy", DEPLOYMENT, "--target", target, "--dry-run"])
        assert code == 0
        lap("whole `fedreg deploy --dry-run` (in process)", start)
    return laps


def run(root: Path, changed: int, repeat: int) -> None:
    (root / ".gitignore").write_text("build/\n")
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "ignore build/")
    base = git(root, "rev-parse", "HEAD")
    target = root.parent / "target.json"
    with FileStore.opened(str(target)) as store:
        records = seed(store.db, root, base)
    head = change(root, changed)
    print(f"{DEPLOYMENT}: {records} records deployed; {changed} files changed")
    deploy = [*FEDREG, "deploy", DEPLOYMENT, "--target", f"file:{target}", "--dry-run"]
    show(
        "deploy --dry-run, file target (incremental)",
        median([timed(root, deploy) for _ in range(repeat)]),
    )
    for name, seconds in phases_on_mongomock(root, base, head).items():
        print(f"    mongomock: {name:52s} {seconds:6.2f} s")
    # the change itself, then the same commit again: the full path
    applied = [*FEDREG, "deploy", DEPLOYMENT, "--target", f"file:{target}", "--yes"]
    show("deploy --yes, file target (incremental, writes included)", timed(root, applied))
    show("deploy --dry-run of the deployed commit (full path)", timed(root, deploy))
    render = [*FEDREG, "render", "--out", str(root.parent / "out")]
    show("render of the whole registry", median([timed(root, render) for _ in range(repeat)]))
    print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, help="a generated registry to clone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-deploy-") as tmp:
        root = Path(tmp) / "registry"
        if args.root is not None:
            subprocess.run(
                ["git", "clone", "-q", "--shared", str(args.root), str(root)], check=True
            )
        else:
            root.mkdir()
            generate(root, args.size)
            git(root, "init", "-q", "-b", "main")
            git(root, "add", "-A")
            git(root, "commit", "-qm", "registry")
        run(root, args.changed, args.repeat)


if __name__ == "__main__":
    main()
