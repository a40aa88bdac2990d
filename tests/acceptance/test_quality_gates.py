"""The project's own gates, run by the same command as the tests: lint, format, types."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

LINTED = ["bot", "tests", "bench", "tools/docs"]
GATES = {
    "ruff-lint": [sys.executable, "-m", "ruff", "check", *LINTED],
    "ruff-format": [sys.executable, "-m", "ruff", "format", "--check", *LINTED],
    "mypy-strict": [sys.executable, "-m", "mypy"],
    # The tests too: strict, but test functions may go unannotated (their fixtures say what
    # they are) and may return what a fixture returned; unused `type: ignore` are reported.
    "mypy-tests": [
        sys.executable,
        "-m",
        "mypy",
        "--allow-untyped-defs",
        "--allow-incomplete-defs",
        "--allow-untyped-calls",
        "--check-untyped-defs",
        "--no-warn-return-any",
        "--cache-dir",
        ".mypy_cache/tests",
        "tests",
    ],
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
    for path in sorted((REPO_ROOT / "tests").rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [pattern for pattern in live if pattern in text], path.name


# -- the module map (docs/development.md) matches the package tree ---------------------------


def _module_map() -> set[str]:
    """The paths docs/development.md's map names under bot/fedreg/, from its indentation."""
    section = (REPO_ROOT / "docs/development.md").read_text(encoding="utf-8")
    start = section.index("```\nbot/fedreg/") + 4
    block = section[start : section.index("\n```", start)]
    named: set[str] = set()
    folders: list[str] = []
    for line in block.splitlines()[1:]:
        if not line.startswith(" "):
            break  # tests/, tools/, bench/: outside the package
        name = line.split()[0]
        depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
        if not name.endswith((".py", "/")) or depth > len(folders):
            continue  # a description's continuation line
        folders = folders[:depth]
        path = "/".join([*folders, name.rstrip("/")])
        named.add(path)
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
    return named


def _package_tree() -> set[str]:
    package = REPO_ROOT / "bot" / "fedreg"
    tree = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    tree |= {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_dir()}
    return {p for p in tree if "__pycache__" not in p and not p.endswith("/__init__.py")} - {
        "__init__.py"
    }


def test_the_module_map_names_every_module_and_only_those() -> None:
    named, tree = _module_map(), _package_tree()
    assert sorted(tree - named) == [], "modules missing from the module map (docs/development.md)"
    assert sorted(named - tree) == [], (
        "the module map (docs/development.md) names modules that do not exist"
    )
    assert {"validation/engine.py", "validation/checks/uris.py", "cli.py"} <= named


# -- imports point down the pipeline ------------------------------------------------------------

LAYER = {
    "__init__": 0,
    "errors": 0,
    "diagnostics": 0,
    "adapters": 1,
    "registry": 2,
    "validation": 3,
    "changes": 4,
    "manifests": 4,
    "authoring": 4,
    "live": 4,
    "deploy": 5,
    "prbot": 5,
    "form": 5,
    "radar": 5,
    "editor": 5,
    "commands": 6,
    "cli": 7,
    "__main__": 7,
}
# Publishing a verdict takes raw GitHub calls, kept in the one module that talks to GitHub; it
# reads the verdict's own constants and type from prbot/result.py.
UPWARD_ALLOWED = {("adapters/github.py", "prbot")}


def _package_imports() -> list[tuple[str, str]]:
    """(module path, top-level part of fedreg it imports) for every relative import."""
    package = REPO_ROOT / "bot" / "fedreg"
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        here = list(parts[:-1])
        for match in re.finditer(
            r"^\s*from (\.+)([\w.]*) import", path.read_text(encoding="utf-8"), re.M
        ):
            up = len(match.group(1)) - 1
            target = [*here[: len(here) - up], *filter(None, [match.group(2)])]
            top = target[0].split(".")[0] if target else "__init__"
            found.append((path.relative_to(package).as_posix(), top))
    return found


def test_imports_point_down_the_pipeline() -> None:
    imports = _package_imports()
    assert len(imports) > 100
    upward = sorted(
        (module, target)
        for module, target in imports
        if LAYER[target] > LAYER[module.split("/")[0].removesuffix(".py")]
        and (module, target) not in UPWARD_ALLOWED
    )
    assert upward == [], "imports that point up the pipeline (docs/development.md)"
