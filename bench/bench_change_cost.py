"""What a 10-file change costs on a large registry, per step of its way to the databases.

    .venv/bin/python bench/bench_change_cost.py --size 10000 [--changed 10] [--repeat 3]
        [--root /tmp/fedreg-10k]

Builds (or reuses, with `--root`) a git repository of `--size` generated files, commits a
change of `--changed` files, and prints the median wall time of whole `fedreg` processes:
`changed-deployments` between the two commits (what deploy.yml's plan job runs), the dry-run
verdict of a working-tree change (`bot pr --dry-run`, whose working tree is written as a git
tree through a temporary index), and the whole registry's render, with the peak memory of
each.
Also the work tree written as a tree two ways side by side: fedreg's (`git status`, the
changed paths hashed alone, HEAD's tree rewritten along their folders) and a fresh index read
from HEAD (every file hashed again).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from registry_generator import generate

FEDREG = [sys.executable, "-m", "fedreg"]
GIT_ID = ["-c", "user.email=b@b.invalid", "-c", "user.name=bench"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


# Runs a command and prints its exit code and the peak resident KiB of its process tree.
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], "
    "stdout=subprocess.DEVNULL).returncode; "
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(root: Path, command: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process."""
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    code, peak = (int(word) for word in process.stdout.split())
    if code not in ok:
        raise SystemExit(f"{command} failed ({code}): {process.stderr[-2000:]}")
    return elapsed, peak / 1024


def median_of(repeat: int, root: Path, command: list[str], ok: tuple[int, ...] = (0,)) -> str:
    runs = [timed(root, command, ok) for _ in range(repeat)]
    seconds = statistics.median(t for t, _ in runs)
    peak = statistics.median(m for _, m in runs)
    return f"{seconds:7.2f} s, peak {peak:5.0f} MiB"


def prepare(root: Path, size: int) -> None:
    if (root / ".git").exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    generate(root, size)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "registry")


def change(root: Path, count: int, marker: str) -> list[Path]:
    folder = root / "registry/production/service-providers"
    changed = sorted(folder.iterdir())[:count]
    for path in changed:
        text = path.read_text()
        path.write_text(text.replace("/auth/callback\n", f"/auth/callback-{marker}\n", 1))
    return changed


def seeded_and_fresh(root: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of writing the working tree as a tree: fedreg's way, a fresh index."""
    from fedreg.adapters.git import GitRepository

    repo = GitRepository(root)

    def fresh() -> None:
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": f"{folder}/index"}
            repo.git("read-tree", "HEAD", env=env)
            repo.git("add", "-A", "--", ".", env=env)
            repo.git("write-tree", env=env)

    seeded, plain = [], []
    for _ in range(repeat):  # interleaved: the machine's load hits both alike
        start = time.perf_counter()
        repo.worktree_tree()
        seeded.append(time.perf_counter() - start)
        start = time.perf_counter()
        fresh()
        plain.append(time.perf_counter() - start)
    return statistics.median(seeded), statistics.median(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, help="reuse (or create) the repository here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-") as tmp:
        root = args.root or Path(tmp) / "registry"
        prepare(root, args.size)
        git(root, "checkout", "-q", "-B", "bench", "main")
        change(root, args.changed, "a")
        git(root, "commit", "-qam", "change")
        print(f"{args.size} files, {args.changed} changed, medians of {args.repeat} runs")
        print(
            "changed-deployments  ",
            median_of(
                args.repeat,
                root,
                [*FEDREG, "changed-deployments", "--base", "HEAD~1", "--head", "HEAD"],
            ),
        )
        change(root, args.changed, "b")  # a working-tree change, for the dry run
        seeded, fresh = seeded_and_fresh(root, args.repeat)
        print(f"worktree tree         {seeded:7.2f} s fedreg's, {fresh:7.2f} s fresh index")
        print(
            "bot pr --dry-run     ",
            median_of(
                args.repeat,
                root,
                [*FEDREG, "bot", "pr", "--dry-run", "--base", "main", "--author", "bench"],
                ok=(0, 1),
            ),
        )
        git(root, "checkout", "-q", "--", ".")
        out = Path(tmp) / "manifests"
        print(
            "render (whole)       ",
            median_of(args.repeat, root, [*FEDREG, "render", "--out", str(out)]),
        )
        git(root, "checkout", "-q", "main")
        git(root, "branch", "-q", "-D", "bench")


if __name__ == "__main__":
    main()
