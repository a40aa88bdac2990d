"""Generated registries shared between benchmark runs (and between people on one machine).

`shared_registry(size)` returns a git repository of `size` generated files committed on
`main`, under /tmp/fedreg-bench/<size> (or $FEDREG_BENCH_ROOT): generated once, under an
exclusive lock (/tmp/fedreg-bench/<size>.lock), into a temporary folder renamed into place,
then marked ready (/tmp/fedreg-bench/<size>.ready). Nobody writes to it afterwards:
`private_clone` gives a benchmark its own checkout to change, sharing the objects.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from registry_generator import generate

SHARED_ROOT = Path(os.environ.get("FEDREG_BENCH_ROOT", "/tmp/fedreg-bench"))
IDENTITY = ["-c", "user.email=bench@bench.invalid", "-c", "user.name=bench"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=root, check=True, capture_output=True)
    return done.stdout.decode().strip()


def shared_registry(size: int) -> Path:
    """The shared repository of `size` files (generated now if nobody has yet)."""
    SHARED_ROOT.mkdir(parents=True, exist_ok=True)
    folder, ready = SHARED_ROOT / str(size), SHARED_ROOT / f"{size}.ready"
    with open(SHARED_ROOT / f"{size}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # whoever comes second waits, then reuses
        if ready.exists():
            return folder
        if folder.exists():
            raise SystemExit(f"{folder} exists but is not marked ready ({ready}): look at it")
        partial = Path(tempfile.mkdtemp(prefix=f"{size}.partial-", dir=SHARED_ROOT))
        generate(partial, size)
        git(partial, "init", "-q", "-b", "main")
        git(partial, "add", "-A")
        git(partial, "commit", "-q", "-m", f"registry of {size} generated files")
        partial.rename(folder)
        ready.write_text(f"{size} files, commit {git(folder, 'rev-parse', 'HEAD')}\n")
    return folder


def private_clone(size: int, destination: Path) -> Path:
    """A checkout of the shared repository of `size` files at `destination`, to change at
    will (objects shared with the original, which is never written)."""
    source = shared_registry(size)
    subprocess.run(
        ["git", "clone", "-q", "--shared", "--branch", "main", str(source), str(destination)],
        check=True,
        capture_output=True,
    )
    git(destination, "remote", "remove", "origin")
    return destination


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
