"""Benchmark the migration day and a deploy at scale, on the file target and on mongomock.

    .venv/bin/python bench/bench_migration.py [--sizes 2000 20000] [--targets file mongomock]

For each size and target, in a fresh git repository and a fresh child process: a generated
database as the core stores it (bench/core_export.py), then the real CLI's
`import --from TARGET`, commit, `deploy --init --adopt --yes`, `deploy --dry-run` (the first
plan: 0 changes expected), and `deploy --yes` applying 10 real updates (files edited and
committed). Prints the wall time and the CPU time (with the validation workers') of each step,
and the child's peak resident memory after it (on a loaded machine, read the CPU time).
mongomock is patched in for pymongo's client (as in the tests), so its figures are those of
mongomock, not of a MongoDB server.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bson import json_util

from core_export import generate_export

DEPLOYMENT = "production-internet"
CHANGED = 10


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def target_for(kind: str, root: Path, export: dict[str, list[dict[str, object]]]) -> Iterator[str]:
    if kind == "file":
        path = root / "export.json"
        path.write_text(json_util.dumps(export, json_options=json_util.RELAXED_JSON_OPTIONS))
        yield f"file:{path}"
        return
    import mongomock

    with mongomock.patch(servers=(("bench.test", 27017),)):
        uri = "mongodb://bench.test:27017/core-fca-low"
        import pymongo

        db: pymongo.database.Database[dict[str, object]] = pymongo.MongoClient(uri)["core-fca-low"]
        for collection, documents in export.items():
            db[collection].insert_many(documents)
        yield uri


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (validation workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


Row = tuple[str, float, float, float]  # step, wall seconds, CPU seconds, peak RSS MiB


def step(name: str, action: Callable[[], int], rows: list[Row]) -> None:
    from fedreg.cli import main  # noqa: F401  (imported before timing)

    start, cpu = time.perf_counter(), cpu_seconds()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = action()
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    if code != 0:
        raise SystemExit(f"{name} : code {code}\n{out.getvalue()[-2000:]}")
    rows.append((name, elapsed, used, peak_mib()))


def run(kind: str, size: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from fedreg.cli import main

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        git(root, "init", "-q")
        os.chdir(root)
        export = generate_export(size)
        with target_for(kind, root, export) as target:
            owner = ("--owner", "@proconnect-gouv/federation")
            place = ("--env", "production", "--network", "internet", *owner)
            step("import", lambda: main(["import", "--from", target, *place]), rows)
            git(root, "add", "-A")
            git(root, "commit", "-qm", "import")
            adopt = ["deploy", DEPLOYMENT, "--target", target, "--init", "--adopt", "--yes"]
            step("adopt", lambda: main(adopt), rows)
            step(
                "plan", lambda: main(["deploy", DEPLOYMENT, "--target", target, "--dry-run"]), rows
            )
            folder_path = root / "registry/production/service-providers"
            for path in sorted(folder_path.iterdir())[:CHANGED]:
                path.write_text(path.read_text().replace("/auth/callback2", "/auth/retour"))
            git(root, "commit", "-qam", "ten changes")
            step("apply", lambda: main(["deploy", DEPLOYMENT, "--target", target, "--yes"]), rows)
    queue.put(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--targets", nargs="+", default=["file", "mongomock"])
    args = parser.parse_args()
    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.org")
    os.environ.setdefault("GIT_COMMITTER_NAME", "bench")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.org")
    print(f"{'cible':10s} {'taille':>7s}  {'étape':8s} {'durée':>9s} {'CPU':>9s} {'pic RSS':>10s}")
    context = multiprocessing.get_context("spawn")
    for size in args.sizes:
        for kind in args.targets:
            queue = context.Queue()
            child = context.Process(target=run, args=(kind, size, queue))
            child.start()
            rows = queue.get()
            child.join()
            for name, elapsed, used, peak in rows:
                print(
                    f"{kind:10s} {size:7d}  {name:8s} {elapsed:8.2f}s {used:8.2f}s {peak:8.0f} MiB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
