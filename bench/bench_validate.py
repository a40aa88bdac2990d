"""Benchmark `fedreg validate` against the floor: reading + PyYAML's C loader on the same files.

    .venv/bin/python bench/bench_validate.py [--sizes 1000 10000 100000] [--repeat 3]

Prints, per size, best-of-N wall times in one process with a warm page cache, the ratio to the
floor, and checks that every planted error (1 file in 100) is reported at its exact position.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import yaml

from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.registry.snapshot import worktree_paths
from fedreg.validation.engine import validate_paths
from registry_generator import PLANTED_CODE, PLANTED_POSITION, generate
from timing import best_of


def floor(paths: list[Path]) -> int:
    loaded = 0
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        loaded += 1
    return loaded


def run(size: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-") as tmp:
        root = Path(tmp)
        planted = generate(root, size, error_every=100)
        registry = root / "registry"
        paths = worktree_paths([registry])
        floor_time, _ = best_of(repeat, lambda: floor(paths))
        validate_time, result = best_of(
            repeat, lambda: validate_paths([registry], DEFAULT_POLICY, base=root)
        )
        diagnostics = result.diagnostics  # type: ignore[attr-defined]
        reported = {(d.path, d.code, d.line, d.column) for d in diagnostics}
        expected = {
            (p.relative_to(root).as_posix(), PLANTED_CODE, *PLANTED_POSITION) for p in planted
        }
        exact = expected == reported
        print(
            f"{size:>7} files | floor (read + PyYAML CSafeLoader) {floor_time:7.2f} s "
            f"({floor_time / size * 1e6:5.0f} µs/file) | fedreg validate {validate_time:7.2f} s "
            f"({validate_time / size * 1e6:5.0f} µs/file) | ratio {validate_time / floor_time:4.2f}"
            f" | {len(expected)} planted errors, positions exact: {exact}"
        )
        if not exact:
            raise SystemExit(f"position mismatch: {sorted(reported ^ expected)[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.repeat if size < 100000 else 1)


if __name__ == "__main__":
    main()
