"""Benchmark the bot's decision on a large registry: cold (no cache) and warm (the previous
run's cache restored), for a pull request that changes a few files.

    .venv/bin/python bench/bench_bot.py --sizes 1000 10000 100000 [--changed 10]

For each size, builds a real git repository of that many files on `main` and two pull-request
branches of `--changed` edits each. The decision is what `fedreg bot pr` does after fetching:
`git merge-tree`, the changes, the changed files read and validated, and every cross-file rule
against the whole merged registry. Cold: an empty cache (every file is read once). Warm: the
cache left by the decision on the first pull request, restored before deciding the second
after the first one was merged into `main` (best of three, each from the same restored copy):
the cache follows `main`, moved by the merged files, and the second pull request's files are
laid over it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from fedreg.adapters.git import GitRepository
from fedreg.deploy.orchestration import changed_deployments
from fedreg.prbot.crossindex import CrossIndex
from fedreg.prbot.run import PullRequestRef, decide
from fedreg.registry.policy import DEFAULT_POLICY
from registry_generator import generate

IDENTITY = ["-c", "user.email=b@b.invalid", "-c", "user.name=bench"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=root, check=True, capture_output=True)
    return done.stdout.decode().strip()


def branch(root: Path, name: str, files: list[Path], old: str, new: str) -> str:
    git(root, "checkout", "-q", "-b", name, "main")
    for path in files:
        path.write_text(path.read_text().replace(old, new, 1))
    git(root, "commit", "-qam", name)
    head = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "main")
    return head


def timed_decision(repo: GitRepository, base: str, head: str, cache: Path) -> tuple[float, int]:
    start = time.perf_counter()
    tree, conflicts = repo.merge_tree(base, head)
    assert not conflicts
    ref = PullRequestRef("bench/registre", 1, base, head, "bench")
    index = CrossIndex(cache)
    try:
        result = decide(repo, ref, tree, DEFAULT_POLICY, lambda owner: None, index)
    finally:
        index.close()
    elapsed = time.perf_counter() - start
    assert result.passed, result.title
    return elapsed, index.files_read


def run(size: int, changed: int, deployments: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-bot-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        started = time.perf_counter()
        generate(root, size)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "registry")
        folder = root / "registry/integration/service-providers"
        files = sorted(folder.iterdir())
        first = branch(root, "pr-1", files[:changed], "active: true", "active: false")
        second = branch(root, "pr-2", files[changed : 2 * changed], "active: true", "active: false")
        setup = time.perf_counter() - started
        repo = GitRepository(root)
        base = git(root, "rev-parse", "main")
        cache = Path(tmp) / "cache.sqlite"
        cold, cold_read = timed_decision(repo, base, first, cache)
        git(root, "merge", "-q", "--no-ff", "-m", "merge pr-1", "pr-1")
        merged_main = git(root, "rev-parse", "main")
        warm_times = []
        for _ in range(3):
            restored = Path(tmp) / "restored.sqlite"
            shutil.copyfile(cache, restored)
            seconds, warm_read = timed_decision(repo, merged_main, second, restored)
            warm_times.append(seconds)
        print(
            f"{size:>7} files, {changed} changed: cold {cold:7.2f} s ({cold_read} files read)   "
            f"warm {min(warm_times):6.3f} s ({warm_read} files read)   "
            f"[setup {setup:.0f} s, cache {cache.stat().st_size / 1e6:.1f} MB]",
            flush=True,
        )
        if deployments:  # what deploy.yml runs on every push to main: both commits rendered
            start = time.perf_counter()
            names = changed_deployments(repo, base, merged_main, DEFAULT_POLICY)
            print(
                f"{'':>7}        changed-deployments: {time.perf_counter() - start:6.2f} s "
                f"({', '.join(names)})",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument(
        "--changed-deployments",
        action="store_true",
        help="also time `fedreg changed-deployments` between main and main after the merge",
    )
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.changed, args.changed_deployments)


if __name__ == "__main__":
    main()
