"""Benchmark the light install against the full one, as a partner's first `pip install` (and
pre-commit's first hook install) does it: a fresh virtual environment, an empty pip cache.

    .venv/bin/python bench/bench_install.py [--variants light federation] [--repeat 3] \
        [--pre-commit-refs HEAD 7f6b236]

Needs the package index (it is a benchmark, not a test). For each variant, prints the wall time
of `pip install <checkout>[extra]`, the size of the environment's site-packages, the number of
distributions installed, and whether pymongo, PyGithub and uvicorn are among them. Then the
first run of the `fedreg-validate` pre-commit hook at each of --pre-commit-refs (`pre-commit
try-repo`, an empty pre-commit home: it installs the hook's environment, then validates).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTRAS = {"light": "", "live": "[live]", "federation": "[federation]"}
HEAVY = ("pymongo", "PyGithub", "uvicorn")


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(variant: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        venv.EnvBuilder(with_pip=True).create(root / "venv")
        pip = [str(root / "venv/bin/python"), "-m", "pip"]
        site = next((root / "venv").glob("lib/python3*/site-packages"))
        before = _size(site)
        start = time.perf_counter()
        subprocess.run(
            [*pip, "install", "-q", "--no-cache-dir", f"{REPO_ROOT}{EXTRAS[variant]}"],
            check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
        seconds = time.perf_counter() - start
        listed = subprocess.run(
            [*pip, "list", "--format", "freeze"], capture_output=True, text=True, check=True
        ).stdout.split()
        names = {line.split("==")[0].lower() for line in listed} - {"pip", "setuptools"}
        return {
            "seconds": seconds,
            "megabytes": (_size(site) - before) / 1e6,
            "distributions": len(names),
            "heavy": [name for name in HEAVY if name.lower() in names],
        }


def measure_pre_commit(ref: str) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        registry = root / "registry-repo"
        shutil.copytree(REPO_ROOT / "tests/data/example-registry", registry)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.fr"]
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "registre"]):
            subprocess.run([*git, *command], cwd=registry, check=True)
        hook = ["try-repo", str(REPO_ROOT), "fedreg-validate", "--ref", ref, "--all-files"]
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pre_commit", *hook],
            cwd=registry,
            check=True,
            capture_output=True,
            env={**os.environ, "PRE_COMMIT_HOME": str(root / "home"), "PIP_NO_CACHE_DIR": "1"},
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", nargs="+", choices=sorted(EXTRAS), default=list(EXTRAS))
    parser.add_argument("--repeat", type=int, default=1, help="best of N installs")
    parser.add_argument(
        "--pre-commit-refs",
        nargs="*",
        default=["HEAD"],
        help="commits whose hook to install and run (e.g. one before the light install)",
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, checkout {REPO_ROOT}")
    print(f"{'variant':<12}{'install (s)':>12}{'size (MB)':>12}{'packages':>10}  heavy")
    for variant in args.variants:
        runs = [measure(variant) for _ in range(args.repeat)]
        figures = min(runs, key=lambda run: run["seconds"])  # type: ignore[arg-type,return-value]
        heavy = ", ".join(figures["heavy"]) or "none"  # type: ignore[arg-type]
        print(
            f"{variant:<12}{figures['seconds']:>12.1f}{figures['megabytes']:>12.1f}"
            f"{figures['distributions']:>10}  {heavy}"
        )
    for ref in args.pre_commit_refs:
        seconds = min(measure_pre_commit(ref) for _ in range(args.repeat))
        print(f"pre-commit at {ref}, first run of fedreg-validate: {seconds:.1f} s")


if __name__ == "__main__":
    main()
