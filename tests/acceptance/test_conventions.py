"""The ecosystem's conventions: SARIF, --version, `rules CODE`, help with examples and exit
codes, French argparse, shell completion, progress on a terminal only, FORCE_COLOR, the
pre-commit hooks, the composite action, and a light start for one file."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import BASE_SERVICE_PROVIDER, REPO_ROOT, GitWorkspace, edited
from fedreg.cli import build_parser
from fedreg.commands.help import EXAMPLES, subcommands
from fedreg.commands.progress import TerminalProgress

SP = "registry/production/service-providers/demo.yaml"
FEDREG = str(Path(sys.executable).parent / "fedreg")
SARIF_SCHEMA = REPO_ROOT / "tests/data/sarif/sarif-2.1.0-rtm.5.json"


def _with_errors(workspace) -> None:
    workspace.provider(
        "sp",
        edited(
            BASE_SERVICE_PROVIDER,
            [
                ("  - https://demo.gouv.fr/callback", "  - http://demo.gouv.fr/callback"),
                ("  - email\n", "  - email\n  - email\n"),
            ],
        ),
    )


# -- SARIF ------------------------------------------------------------------------------------


def test_sarif_is_valid_and_carries_every_diagnostic(workspace, cli) -> None:
    _with_errors(workspace)
    as_json = cli("validate", "--format", "json").json()["diagnostics"]
    result = cli("validate", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    [run] = log["runs"]
    assert run["tool"]["driver"]["version"] == version("fedreg")
    rules = run["tool"]["driver"]["rules"]
    found = [
        (
            rules[r["ruleIndex"]]["id"],
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in run["results"]
    ]
    expected = [
        (d["code"], d["code"], d["severity"], d["path"], d["line"], d["column"]) for d in as_json
    ]
    assert found == expected and {"U011", "I007"} <= {f[0] for f in found}


def test_the_sarif_gate_can_fail() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{}]})


def test_sarif_of_a_clean_registry_is_an_empty_run(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    result = cli("validate", "--format", "sarif")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"][0]["results"] == []


# -- --version, rules CODE --------------------------------------------------------------------


def test_version(cli) -> None:
    with pytest.raises(SystemExit) as stop:
        cli("--version")
    assert stop.value.code == 0


def test_version_in_a_subprocess() -> None:
    out = subprocess.run([FEDREG, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"fedreg {version('fedreg')}"


def test_rules_for_one_code(cli) -> None:
    result = cli("rules", "u005")
    assert result.exit_code == 0
    assert result.stdout.startswith("### U005 — Joker dans une URL")
    assert "### U004" not in result.stdout and "Refusé" in result.stdout


def test_rules_for_an_unknown_code_is_a_usage_error(cli) -> None:
    result = cli("rules", "U02")
    assert result.exit_code == 2
    assert "U002" in result.stderr and result.stdout == ""


# -- help: every option explained, every command with examples and exit codes -----------------


def _commands() -> list[tuple[str, object]]:
    return [("", build_parser()), *subcommands(build_parser())]


def test_every_command_shows_examples_and_exit_codes() -> None:
    for command, parser in _commands():
        text = parser.format_help()  # type: ignore[attr-defined]
        assert command in EXAMPLES, f"« {command} » n'a pas d'exemples dans clihelp.EXAMPLES"
        assert "exemples :" in text and "codes de sortie :" in text, command
        for code in ("0", "1", "2", "3"):
            assert re.search(rf"^  {code}  \S", text, flags=re.MULTILINE), (command, code)


def test_every_option_and_argument_has_help() -> None:
    missing = [
        f"{command or 'fedreg'} {action.dest}"
        for command, parser in _commands()
        for action in parser._actions  # type: ignore[attr-defined]
        if not action.help and action.dest != "command" and not action.dest.endswith("_command")
    ]
    assert missing == []


def test_every_example_parses_with_the_real_parser() -> None:
    parser = build_parser()
    for command, examples in EXAMPLES.items():
        for line, _ in examples:
            words = shlex.split(line.split(" > ")[0])
            assert words[0] == "fedreg"
            if "--help" in words:
                continue
            # The shell expands "$MONGODB_URI" and the like before fedreg sees them.
            expanded = ["mongodb://exemple:27017/base" if w.startswith("$") else w for w in words]
            parser.parse_args(expanded[1:])
            assert line.startswith(f"fedreg {command}".rstrip()), (command, line)


# -- argparse speaks French -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "french"),
    [
        (["validate", "--bogus"], "arguments non reconnus : --bogus"),
        (["validate", "--format", "xml"], "choix invalide : 'xml'"),
        (["diff"], "arguments obligatoires manquants : --base"),
        (["nouveau"], "choix invalide : 'nouveau'"),
    ],
)
def test_usage_errors_are_in_french(argv: list[str], french: str) -> None:
    out = subprocess.run([FEDREG, *argv], capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert french in out.stderr and "erreur :" in out.stderr
    assert out.stderr.startswith("utilisation : fedreg")
    assert not re.search(r"\b(usage|error|the following|unrecognized|invalid)\b", out.stderr)


def test_help_titles_are_in_french() -> None:
    out = subprocess.run([FEDREG, "diff", "--help"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("utilisation : fedreg diff")
    assert "afficher cette aide et quitter" in out.stdout and "(par défaut : text)" in out.stdout
    assert "show this help" not in out.stdout and "usage:" not in out.stdout


def test_french_messages_do_not_leak_into_other_parsers(cli) -> None:
    cli("rules", "U005")
    import argparse

    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: x")


# -- shell completion -------------------------------------------------------------------------


def test_bash_completion_is_valid_bash_and_knows_the_commands(cli) -> None:
    result = cli("completion", "bash")
    assert result.exit_code == 0
    for word in ("validate", "--cross-check", "service-provider", "integration-internet"):
        assert word in result.stdout, word
    bash = shutil.which("bash")
    assert bash
    checked = subprocess.run([bash, "-n"], input=result.stdout, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr


# -- progress: on a terminal only -------------------------------------------------------------


def test_progress_line_is_redrawn_then_erased() -> None:
    stream = StringIO()
    progress = TerminalProgress(stream, min_files=10)
    progress(5, 20)
    progress(20, 20)
    progress.close()
    text = stream.getvalue()
    assert "\rVérification : 25 % (5/20 fichiers)" in text
    assert "100 % (20/20 fichiers)" in text and text.endswith("\r\033[K")


def test_no_progress_for_a_short_run() -> None:
    stream = StringIO()
    progress = TerminalProgress(stream, min_files=1000)
    progress(10, 10)
    progress.close()
    assert stream.getvalue() == ""


def _many_files(workspace, count: int) -> None:
    for index in range(count):
        client_id = f"{index:064x}"
        text = edited(
            BASE_SERVICE_PROVIDER,
            [
                ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", client_id),
                ("Service de démonstration", f"Service {index}"),
            ],
        )
        workspace.provider("sp", text, slug=f"s{index}")


def _run_with_terminal_stderr(cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run `fedreg validate` with stderr on a pseudo-terminal and stdout on a pipe."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [FEDREG, "validate"], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=terminal
    )
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = process.communicate()
    os.close(controller)
    return process.returncode, stdout.decode(), seen.decode()


def test_progress_shows_on_a_terminal_but_never_in_ci_or_on_stdout(workspace) -> None:
    _many_files(workspace, 1000)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    code, stdout, terminal = _run_with_terminal_stderr(workspace.root, env)
    assert (code, stdout) == (0, "")
    assert "Vérification : 100 % (1\u202f000/1\u202f000 fichiers)" in terminal
    code, stdout, terminal = _run_with_terminal_stderr(workspace.root, {**env, "CI": "true"})
    assert (code, stdout, terminal) == (0, "", "")


# -- colours: --color, NO_COLOR, FORCE_COLOR --------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "args", "coloured"),
    [
        ({}, [], False),  # not a terminal
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": ""}, [], False),  # empty means unset
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
        ({"NO_COLOR": "1"}, ["--color", "always"], True),
    ],
)
def test_colour_choice(workspace, cli, monkeypatch, variables, args, coloured) -> None:
    _with_errors(workspace)
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = cli("validate", *args)
    assert result.exit_code == 1
    assert ("\033[" in result.stdout) is coloured


# -- pre-commit -------------------------------------------------------------------------------


def _hooks() -> list[dict]:  # type: ignore[type-arg]
    from pre_commit.clientlib import load_manifest

    return load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))


def test_pre_commit_manifest_is_valid() -> None:
    hooks = {hook["id"]: hook for hook in _hooks()}
    assert set(hooks) == {"fedreg-validate", "fedreg-validate-policy", "fedreg-fmt"}
    assert re.search(hooks["fedreg-validate"]["files"], SP)
    assert re.search(hooks["fedreg-fmt"]["files"], SP)
    assert not re.search(hooks["fedreg-fmt"]["files"], "registry/notes.md")
    assert not re.search(hooks["fedreg-validate"]["files"], "docs/guide-fs.md")
    assert re.search(hooks["fedreg-validate-policy"]["files"], "policy.yaml")


def test_pre_commit_runs_the_hooks_on_a_real_commit(tmp_path, monkeypatch) -> None:
    """pre-commit itself runs the manifest's hooks (as local system hooks, since installing
    this package in a hook environment would need the network) on a staged change."""
    monkeypatch.chdir(tmp_path)
    repo = GitWorkspace(tmp_path)
    repo.provider("sp", BASE_SERVICE_PROVIDER)
    old = edited(
        BASE_SERVICE_PROVIDER,
        [
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "a" * 64),
            ("Service de démonstration", "Ancien service"),
            ("  - email\n", "  - email\n  - email\n"),  # a warning: I007
        ],
    )
    repo.provider("sp", old, slug="old")
    local = []
    for hook in _hooks():
        entry = hook["entry"].replace("fedreg", shlex.quote(FEDREG), 1)
        local.append({**hook, "entry": entry, "language": "system"})
    config = {"repos": [{"repo": "local", "hooks": local}]}
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, allow_unicode=True))
    repo.commit("base")
    # A new file that reuses demo.yaml's client_id: an error only the whole registry can show.
    repo.provider("sp", BASE_SERVICE_PROVIDER.replace("démonstration", "bis"), slug="copy")
    repo.git("add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / ".cache"), "NO_COLOR": "1"}
    env.pop("CI", None)
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "X001" in run.stdout and "copy.yaml" in run.stdout
    assert "old.yaml" not in run.stdout  # an unchanged file's warning is not this commit's
    assert "(tout le registre, la politique a changé)" in run.stdout and "Skipped" in run.stdout
    # fedreg-fmt put the staged file in the registry's style (pre-commit then fails the
    # commit, so that the author stages the result).
    assert "reformaté : registry/production/service-providers/copy.yaml" in run.stdout
    copy = tmp_path / "registry/production/service-providers/copy.yaml"
    assert "scopes: [openid, email]\n" in copy.read_text(encoding="utf-8")


# -- the composite action ---------------------------------------------------------------------


def _action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_is_a_composite_with_declared_inputs_and_no_injection() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    text = (REPO_ROOT / "action.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([a-z-]+)", text)) <= declared
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step["name"]  # inputs reach scripts through env
        else:
            assert re.search(r"@[0-9a-f]{40}$", step["uses"]), step["uses"]


def test_action_commands_parse_with_the_real_parser() -> None:
    parser = build_parser()
    commands = [
        line.strip()
        for step in _action()["runs"]["steps"]
        for line in step.get("run", "").splitlines()
        if line.strip().startswith("fedreg ")
    ]
    assert len(commands) >= 4
    for line in commands:
        words = shlex.split(line.split(" > ")[0].replace('"${strict[@]}"', ""))
        parser.parse_args(words[1:])


@pytest.mark.parametrize("strict", ["false", "true"])
def test_action_validate_step_runs(workspace, strict) -> None:
    workspace.provider("sp", edited(BASE_SERVICE_PROVIDER, [("  - email\n", "  - email\n" * 2)]))
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "validate")
    env = {
        **os.environ,
        "PATH": f"{Path(FEDREG).parent}{os.pathsep}{os.environ['PATH']}",
        "FEDREG_SARIF": str(workspace.root / "out.sarif"),
        "FEDREG_STRICT": strict,
    }
    run = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=workspace.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == (1 if strict == "true" else 0), run.stderr
    assert "::warning file=registry/production/service-providers/demo.yaml" in run.stdout
    sarif = json.loads((workspace.root / "out.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["I007"]


# -- start-up: one file needs none of the GitHub, MongoDB or crypto libraries -----------------


def test_validating_one_file_imports_only_what_it_needs(workspace) -> None:
    path = workspace.provider("sp", BASE_SERVICE_PROVIDER)
    heavy = ("github", "pymongo", "bson", "pyrage", "cryptography", "requests", "jwt", "shtab")
    code = (
        "import sys\n"
        "from fedreg.cli import main\n"
        f"status = main(['validate', {str(path)!r}])\n"
        f"print(status, sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=workspace.root, capture_output=True, text=True
    )
    assert out.stdout.strip() == "0 []", out.stdout + out.stderr


def test_the_import_check_can_fail(workspace) -> None:
    code = "import sys, fedreg.commands.deploy; print('pymongo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True"
