"""The project's own gates, run by the same command as the tests: lint, format, types."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO_ROOT

GATES = {
    "ruff-lint": [sys.executable, "-m", "ruff", "check", "bot", "tests", "bench"],
    "ruff-format": [sys.executable, "-m", "ruff", "format", "--check", "bot", "tests", "bench"],
    "mypy-strict": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_gate_passes(gate: str) -> None:
    process = subprocess.run(
        GATES[gate], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stdout + process.stderr


def test_no_test_walks_the_live_registry() -> None:
    """The suite's cost must not grow with the registry partners fill: tests read their own
    fixtures and `tests/data/example-registry/`, never the repository's `registry/`."""
    live = ("REPO_ROOT / " + '"registry"', "chdir(" + "REPO_ROOT)")
    for path in sorted((REPO_ROOT / "tests").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [pattern for pattern in live if pattern in text], path.name
