"""Benchmark `fedreg validate` against the floor: reading + PyYAML's C loader on the same files.

    .venv/bin/python bench/bench_validate.py [--sizes 10000 100000] [--repeat 3] [--cache DIR]

Per size, the floor (one process: read every file, parse it with PyYAML's CSafeLoader) and the
whole-registry validation `fedreg validate` runs (`validate_paths` with one worker per core)
each run in a fresh process, in turn, `--repeat` times; the medians are printed:

- wall and CPU time (user + system, the workers' included) per file, timed inside the
  process once imports are done (so a constant start-up cost is left out of both);
- the ratio to the floor per core: validate's wall time times the cores it was given, over
  the floor's wall time on one core (the goal: at most 1.5), and the same ratio in CPU time,
  which a loaded machine disturbs less;
- the cores busy during validation (CPU time / wall time; the goal: all of them at 100k);
- the peak memory of the whole process tree, parent and workers, sampled every 50 ms (RSS
  summed: pages the workers share with the parent count twice, so it is an upper bound);
- whether every planted error (1 file in 100) was reported at its exact line and column.

Registries are generated in a temporary folder, or once under `--cache DIR/planted-<size>`
(kept for the next run; a lock file keeps two benches from generating it at once). The
machine's load average is printed with each size: a loaded machine slows the wall times.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE_SECONDS = 0.05


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def child(mode: str, root: Path) -> None:
    """One measured run, in its own process; prints its figures as JSON."""
    import gc

    import yaml

    from fedreg.registry.policy import DEFAULT_POLICY
    from fedreg.registry.snapshot import worktree_paths
    from fedreg.validation.engine import available_cores, validate_paths
    from registry_generator import PLANTED_CODE, PLANTED_POSITION

    registry = root / "registry"
    gc.collect()
    wall, cpu = time.perf_counter(), _cpu()
    if mode == "floor":
        files = worktree_paths([registry])
        for path in files:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        count, exact = len(files), True
    else:
        result = validate_paths([registry], DEFAULT_POLICY, base=root, keep_documents=False)
        count = len(result.checked_paths)
        planted = {(d.path, d.line, d.column) for d in result.diagnostics if d.code == PLANTED_CODE}
        expected = {
            (path, *PLANTED_POSITION) for path in (root / "planted.txt").read_text().split()
        }
        exact = planted == expected and len(result.diagnostics) == len(expected)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    jobs = available_cores() if mode == "validate" else 1
    print(json.dumps({"wall": wall, "cpu": cpu, "files": count, "exact": exact, "jobs": jobs}))


def _tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and every process below it."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        for process, parent in parents.items():
            if parent == current and process not in tree:
                tree.add(process)
                frontier.append(process)
    total = 0
    for process in tree:
        try:
            total += int(Path(f"/proc/{process}/statm").read_text().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE")


def measure(mode: str, root: Path) -> dict[str, float]:
    """One run of `child` in a fresh process, with the peak memory of its process tree."""
    bench = Path(__file__).resolve().parent
    process = subprocess.Popen(
        [sys.executable, str(bench / "bench_validate.py"), "--child", mode, str(root)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(bench)},
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(SAMPLE_SECONDS)
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{mode} run failed ({process.returncode})")
    return {**json.loads(out), "peak": peak / 2**20}


def registry(size: int, cache: Path | None, scratch: Path) -> Path:
    """A generated registry of `size` files with a planted error in 1 file in 100."""
    from registry_generator import generate

    root = scratch / f"planted-{size}" if cache is None else cache / f"planted-{size}"
    marker = root / "planted.txt"
    root.mkdir(parents=True, exist_ok=True)
    with (root.parent / f"planted-{size}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            planted = generate(root, size, error_every=100)
            marker.write_text("\n".join(p.relative_to(root).as_posix() for p in planted))
    return root


def run(size: int, repeat: int, cache: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-") as scratch:
        root = registry(size, cache, Path(scratch))
        runs: dict[str, list[dict[str, float]]] = {"floor": [], "validate": []}
        for _ in range(repeat):
            for mode in runs:
                runs[mode].append(measure(mode, root))
    floor = {key: statistics.median(r[key] for r in runs["floor"]) for key in ("wall", "cpu")}
    checked = runs["validate"]
    median = {key: statistics.median(r[key] for r in checked) for key in ("wall", "cpu", "peak")}
    jobs = checked[0]["jobs"]
    per_file = 1e6 / size
    per_core = median["wall"] * jobs / floor["wall"]
    print(
        f"{size:>7} files | load {os.getloadavg()[0]:.1f} | floor {floor['wall'] * per_file:5.0f}"
        f" µs/file on 1 core | validate {median['wall'] * per_file:5.0f} µs/file wall on "
        f"{jobs} cores, {median['cpu'] * per_file:5.0f} µs/file CPU | ratio to the floor per "
        f"core {per_core:4.2f} (CPU {median['cpu'] / floor['cpu']:4.2f})"
        f" | cores busy {median['cpu'] / median['wall']:4.2f} | peak RSS, parent + workers "
        f"{median['peak']:4.0f} MiB | planted errors exact: {all(r['exact'] for r in checked)}",
        flush=True,
    )
    if not all(r["exact"] for r in checked):
        raise SystemExit("a planted error was missed or misplaced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, help="keep generated registries in this folder")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    for size in args.sizes:
        run(size, args.repeat, args.cache)


if __name__ == "__main__":
    main()
