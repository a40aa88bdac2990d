"""Releases: one version, in `__version__`, that the package metadata, `fedreg --version` and
the CHANGELOG agree on; the pre-commit hooks run the light install's commands only."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
import yaml

from conftest import REPO_ROOT
from fedreg import __version__
from fedreg.commands.help import COMMAND_GROUPS

CHANGELOG = REPO_ROOT / "CHANGELOG.md"
HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
VERSION_HEADING = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\] — (in preparation|\d{4}-\d\d-\d\d)$")


def _versions() -> list[tuple[tuple[int, int, int], str]]:
    found = []
    for line in CHANGELOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            match = VERSION_HEADING.match(line)
            assert match, f"CHANGELOG.md: not a version heading: {line!r}"
            major, minor, patch, state = match.groups()
            found.append(((int(major), int(minor), int(patch)), state))
    return found


def test_the_package_metadata_takes_its_version_from_the_code() -> None:
    assert metadata.version("fedreg") == __version__
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        pyproject = tomllib.load(file)
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "fedreg.__version__"}
    process = subprocess.run(
        [sys.executable, "-m", "fedreg", "--version"], capture_output=True, text=True, check=True
    )
    assert process.stdout.strip() == f"fedreg {__version__}"


def test_the_changelog_starts_with_the_current_version_and_goes_down() -> None:
    versions = _versions()
    assert ".".join(map(str, versions[0][0])) == __version__
    numbers = [number for number, _ in versions]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    assert all(state != "in preparation" for _, state in versions[1:])


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook["id"])
def test_a_pre_commit_hook_needs_the_light_install_only(hook: dict[str, str]) -> None:
    """pre-commit installs a `language: python` hook's repository without extras: its command
    must be one of the light install's, and it must pull nothing more."""
    light = set(COMMAND_GROUPS[0][1]) - {"check-live"}
    assert hook["language"] == "python" and "additional_dependencies" not in hook
    program, command = hook["entry"].split()[:2]
    assert program == "fedreg" and command in light
