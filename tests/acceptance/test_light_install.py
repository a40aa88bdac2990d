"""The light install: `pip install fedreg` without extras gives the partners' commands and none of
the federation's libraries; a command of an extra says, in French, which extra to install.

The light environment is a real fresh virtual environment that sees only fedreg and the
distributions its base requirements pull (resolved from the installed metadata, linked from
this environment), so the test needs no network and runs on any machine that ran the README's
test command. `bench/bench_install.py` measures the real `pip install` of both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import EXAMPLES, REPO_ROOT
from fedreg.commands.extras import EXTRA_BY_MODULE
from fedreg.commands.help import COMMAND_GROUPS

FEDERATION_LIBRARIES = ("pymongo", "github", "uvicorn", "starlette", "httpx", "pyrage", "joserfc")


def _requirements(distribution: str, extra: str = "") -> list[str]:
    """The distributions `distribution` requires with `extra` (none: its base install)."""
    names = []
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
            names.append(requirement.name)
    return names


def _closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_requirements(name))
    return seen


def _link_distribution(name: str, into: Path) -> None:
    distribution = metadata.distribution(name)
    base = Path(str(distribution.locate_file("")))
    for entry in {Path(str(f)).parts[0] for f in distribution.files or []}:
        source, target = base / entry, into / entry
        if entry != ".." and source.exists() and not target.exists():
            target.symlink_to(source)


@pytest.fixture(scope="module")
def light_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding fedreg's base install only."""
    root = tmp_path_factory.mktemp("light")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    packages = root / "packages"
    packages.mkdir()
    for name in _closure(_requirements("fedreg")):
        _link_distribution(name, packages)
    (packages / "fedreg").symlink_to(REPO_ROOT / "bot" / "fedreg")
    site = next((root / "venv").glob("lib/python3*/site-packages"))
    (site / "light.pth").write_text(f"{packages}\n", encoding="utf-8")
    return root / "venv" / "bin" / "python"


def _fedreg(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        [str(python), "-m", "fedreg", *args],
        cwd=cwd,
        env={**environment, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    subprocess.run(["cp", "-r", f"{EXAMPLES}/.", str(root)], check=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.fr"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "registre"], cwd=root, check=True)
    return root


def test_the_light_install_has_none_of_the_federation_libraries(light_python: Path) -> None:
    probe = (
        "import importlib.util, json, sys; "
        f"print(json.dumps([m for m in {list(FEDERATION_LIBRARIES)!r} "
        "if importlib.util.find_spec(m)]), sys.prefix)"
    )
    process = subprocess.run(
        [str(light_python), "-c", probe], capture_output=True, text=True, check=True
    )
    found, prefix = process.stdout.rsplit(" ", 1)
    assert json.loads(found) == []
    assert Path(prefix.strip()) == light_python.parent.parent  # a venv of its own


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("validate --format json", '"files": 17'),
        ("validate --cross-check --base HEAD --format json", '"errors": 0'),
        ("rules U005", "U005 — Joker dans une URL"),
        ("diff --base HEAD", "Aucun changement"),
        ("completion bash", "_shtab_fedreg"),
    ],
)
def test_the_partners_commands_run_on_the_light_install(
    light_python: Path, registry: Path, command: str, expected: str
) -> None:
    process = _fedreg(light_python, *command.split(), cwd=registry)
    assert process.returncode == 0, process.stdout + process.stderr
    assert expected in process.stdout


def _light_commands() -> set[str]:
    partners = COMMAND_GROUPS[0][1]
    return {name for name in partners if name != "check-live"}


def _light_command_modules() -> list[str]:
    """The command modules of the light install's commands (fmt and lsp included once they
    exist): each must import with the base dependencies alone."""
    names = [name.replace("-", "") for name in _light_commands()]
    package = REPO_ROOT / "bot/fedreg/commands"
    return sorted(f"fedreg.commands.{n}" for n in names if (package / f"{n}.py").is_file())


@pytest.mark.parametrize("module", _light_command_modules())
def test_a_light_command_imports_nothing_of_the_extras(light_python: Path, module: str) -> None:
    probe = (
        f"import sys, {module}; "
        f"print(sorted(m for m in {list(EXTRA_BY_MODULE)!r} if m in sys.modules))"
    )
    process = subprocess.run(
        [str(light_python), "-c", probe], capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "[]"


def test_new_and_schema_write_on_the_light_install(light_python: Path, registry: Path) -> None:
    new = _fedreg(
        light_python,
        *["new", "service-provider", "leger", "--env", "integration", "--network", "internet"],
        *["--owner", "@o/t", "--contact", "a@b.gouv.fr"],
        cwd=registry,
    )
    assert new.returncode == 0, new.stderr
    assert (registry / "registry/integration/service-providers/leger.yaml").is_file()
    schema = _fedreg(light_python, "schema", "--out", "schemas-light", cwd=registry)
    assert schema.returncode == 0, schema.stderr
    assert len(list((registry / "schemas-light").glob("*.schema.json"))) == 7
    assert (registry / "schemas-light/waivers.schema.json").is_file()


def test_a_validation_error_is_reported_the_same_on_the_light_install(
    light_python: Path, registry: Path
) -> None:
    broken = registry / "registry/production/service-providers/casse.yaml"
    broken.write_text("kind: ServiceProvider\nclient_secret: s\n", encoding="utf-8")
    try:
        light = _fedreg(light_python, "validate", str(broken), "--format", "json", cwd=registry)
        full = subprocess.run(
            [sys.executable, "-m", "fedreg", "validate", str(broken), "--format", "json"],
            cwd=registry,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        broken.unlink()
    assert light.returncode == full.returncode == 1
    assert light.stdout == full.stdout and "S005" in light.stdout


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("deploy integration-internet --target mongodb://127.0.0.1:9 --dry-run", "federation"),
        ("render", "federation"),
        ("bot pr --dry-run", "federation"),
        ("secret pending integration-internet --target mongodb://127.0.0.1:9", "federation"),
        ("check-live", "live"),
        ("serve --port 9", "federation"),
    ],
)
def test_a_command_of_an_extra_says_which_to_install(
    light_python: Path, registry: Path, command: str, extra: str
) -> None:
    process = _fedreg(light_python, *command.split(), cwd=registry)
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    label = " ".join(command.split()[: 2 if command.startswith(("bot", "secret")) else 1])
    assert f"« fedreg {label} » a besoin de la bibliothèque" in process.stderr, process.stderr
    assert f"Installez l'extra « {extra} » : pip install 'fedreg[{extra}]'" in process.stderr


def test_the_extras_map_names_every_library_of_the_extras() -> None:
    """EXTRA_BY_MODULE against pyproject.toml's extras, through the installed metadata."""
    by_distribution: dict[str, set[str]] = {}
    for module, distributions in metadata.packages_distributions().items():
        for distribution in distributions:
            by_distribution.setdefault(canonicalize_name(distribution), set()).add(module)
    base = _closure(_requirements("fedreg"))
    for extra in ("live", "federation"):
        direct = {canonicalize_name(n) for n in _requirements("fedreg", extra)}
        for distribution in direct - {"fedreg"}:
            modules = by_distribution[distribution]
            assert distribution in base or modules & set(EXTRA_BY_MODULE), distribution
    assert not base & {canonicalize_name(d) for d in ("pymongo", "PyGithub", "uvicorn")}


@pytest.mark.parametrize(
    "path", sorted((REPO_ROOT / ".github/workflows").glob("*.yml")), ids=lambda p: p.name
)
def test_a_workflow_installs_the_extra_its_commands_need(path: Path) -> None:
    """A job that runs a command beyond the light install installs `[federation]`; one that
    validates only stays light (fast)."""
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, job in workflow["jobs"].items():
        runs = " ".join(step.get("run", "") for step in job.get("steps", []))
        commands = set(re.findall(r"fedreg ([a-z-]+)", runs))
        installs = re.findall(r"pip install[^\n&]*", runs)
        if not commands or not installs:
            continue
        needs_federation = bool(commands - _light_commands())
        assert any("[federation]" in line for line in installs) == needs_federation, name


def test_the_action_installs_the_federation_extra_for_the_bot_only() -> None:
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    install = next(s for s in action["runs"]["steps"] if s.get("name") == "Install fedreg")
    script = install["run"]
    assert 'if [ "$FEDREG_COMMAND" = "bot" ]; then extra="[federation]"; fi' in script
    assert 'install -q "$GITHUB_ACTION_PATH$extra"' in script
