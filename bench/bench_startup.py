"""Benchmark the start of `fedreg validate` on one file, as an editor or pre-commit runs it.

    .venv/bin/python bench/bench_startup.py [--repeat 10]

Prints the best and median wall times of `python -c pass` (the interpreter's own start, the
floor), of `fedreg --version` (parsing the command line only), of `fedreg validate one.yaml`,
and of importing the other commands' modules (what the one-file validation no longer loads),
each a fresh process; then the modules the one-file validation loaded that it must not need
(GitHub, MongoDB, age and cryptography libraries).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FEDREG = str(Path(sys.executable).parent / "fedreg")
ONE_FILE = REPO_ROOT / "registry/production/service-providers/egapro.yaml"
OTHER_COMMANDS = ("fedreg.commands.bot", "fedreg.commands.deploy", "fedreg.commands.importing")
HEAVY = ("github", "pymongo", "bson", "pyrage", "cryptography", "requests", "jwt", "shtab")


def timed(command: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def heavy_modules_loaded(path: Path, cwd: Path) -> list[str]:
    code = (
        "import sys\nfrom fedreg.cli import main\n"
        f"main(['validate', {str(path)!r}])\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fedreg-startup-") as tmp:
        root = Path(tmp)
        target = root / "registry/production/service-providers/egapro.yaml"
        target.parent.mkdir(parents=True)
        shutil.copy(ONE_FILE, target)
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("fedreg --version", [FEDREG, "--version"]),
            ("fedreg validate one.yaml", [FEDREG, "validate", str(target)]),
            # What one-file validation used to load before its command modules became lazy:
            (
                "import of the other commands",
                [sys.executable, "-c", "import " + ", ".join(OTHER_COMMANDS)],
            ),
        ]
        floor = None
        print(f"{'command':<28} {'best':>8} {'median':>8} {'best - floor':>13}")
        for label, command in rows:
            best, median = timed(command, root, args.repeat)
            floor = best if floor is None else floor
            print(f"{label:<28} {best * 1000:>6.0f}ms {median * 1000:>6.0f}ms "
                  f"{(best - floor) * 1000:>11.0f}ms")  # fmt: skip
        loaded = heavy_modules_loaded(target, root)
        print(f"heavy modules loaded by one-file validation: {', '.join(loaded) or 'none'}")


if __name__ == "__main__":
    main()
