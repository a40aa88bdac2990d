"""The command line: output formats, exit codes, scaffolding, and the real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited

BAD = edited(
    BASE_SERVICE_PROVIDER,
    [("  - https://demo.gouv.fr/callback", "  - http://demo.gouv.fr/callback#x")],
)
WARNED = edited(
    BASE_SERVICE_PROVIDER,
    [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: HS256")],
)


def test_clean_registry_is_silent(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    result = cli("validate")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_text_format(workspace, cli) -> None:
    workspace.provider("sp", BAD)
    result = cli("validate", "--color", "never")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    path = "registry/production/service-providers/demo.yaml"
    assert lines[0] == (
        f"{path}:12:5: U004 L'URL « http://demo.gouv.fr/callback#x » contient un "
        "fragment (« #… »), interdit par OpenID Connect."
    )
    assert lines[1] == "    erreur · Retirez la partie qui commence par « # »."
    assert lines[2].startswith(f"{path}:12:5: U011 ")
    assert lines[-1] == "2 erreurs, 0 avertissement dans 1 fichier (1 fichier vérifié)."


def test_colour_only_when_asked(workspace, cli) -> None:
    workspace.provider("sp", BAD)
    assert "\033[" in cli("validate", "--color", "always").stdout
    assert "\033[" not in cli("validate").stdout  # captured output is not a terminal


def test_json_format(workspace, cli) -> None:
    workspace.provider("sp", BAD)
    report = cli("validate", "--format", "json").json()
    assert report["summary"] == {"files": 1, "errors": 2, "warnings": 0, "waived": 0}
    first = report["diagnostics"][0]
    assert first == {
        "path": "registry/production/service-providers/demo.yaml",
        "line": 12,
        "column": 5,
        "code": "U004",
        "severity": "error",
        "message": "L'URL « http://demo.gouv.fr/callback#x » contient un fragment (« #… »), "
        "interdit par OpenID Connect.",
        "hint": "Retirez la partie qui commence par « # ».",
        "field": "redirect_uris[0]",
    }


def test_github_format(workspace, cli) -> None:
    workspace.provider("sp", WARNED)
    result = cli("validate", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "::warning file=registry/production/service-providers/demo.yaml,line=20,col=31,"
        "title=O004::« id_token_signed_response_alg » vaut HS256, géré mais non recommandé."
        "%0APréférez ES256 ou RS256 (signature asymétrique)."
    )


def test_strict_fails_on_warnings(workspace, cli) -> None:
    workspace.provider("sp", WARNED)
    assert cli("validate").exit_code == 0
    assert cli("validate", "--strict").exit_code == 1


def test_paths_may_be_files_or_folders(workspace, cli) -> None:
    good = workspace.provider("sp", BASE_SERVICE_PROVIDER, env="integration")
    workspace.provider("sp", BAD)
    assert cli("validate", str(good)).exit_code == 0
    assert cli("validate", "registry/integration").exit_code == 0
    assert cli("validate", "registry/production").exit_code == 1
    assert cli("validate").exit_code == 1


def test_missing_path_is_a_usage_error(workspace, cli) -> None:
    result = cli("validate", "nowhere")
    assert result.exit_code == 2
    assert "nowhere n'existe pas" in result.stderr


def test_unknown_option_is_a_usage_error(cli) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("validate", "--format", "xml")
    assert exit_info.value.code == 2


@pytest.mark.parametrize("kind", ["service-provider", "identity-provider"])
@pytest.mark.parametrize("env", ["integration", "production"])
@pytest.mark.parametrize("network", ["internet", "rie"])
def test_new_writes_a_valid_skeleton(workspace, cli, kind, env, network) -> None:
    result = cli(
        "new",
        kind,
        "mon-service",
        "--env",
        env,
        "--network",
        network,
        "--owner",
        "@mon-org/equipe",
        "--contact",
        "equipe@ministere.gouv.fr",
    )
    assert result.exit_code == 0, result.stderr
    folder = "service-providers" if kind == "service-provider" else "identity-providers"
    path = workspace.root / f"registry/{env}/{folder}/mon-service.yaml"
    assert path.read_text().startswith("# yaml-language-server: $schema=../../../schemas/")
    report = cli("validate", "--format", "json").json()
    # Every example value is caught until replaced: an error in production, a warning in
    # integration (test_readiness.py checks which fields).
    codes = {d["code"] for d in report["diagnostics"]}
    assert codes == {"I012" if env == "production" else "I013"}
    text = path.read_text().replace(  # the team's age public key, made with age-keygen
        "age1-a-remplacer", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    )
    for value in ("a-remplacer", "100.127.255.240/28"):
        text = text.replace(value, "mon-service" if value == "a-remplacer" else "100.67.22.0/28")
    path.write_text(text)
    report = cli("validate", "--format", "json", "--strict").json()
    assert report["diagnostics"] == []


def _new(slug: str) -> tuple[str, ...]:
    return (
        "new",
        "service-provider",
        slug,
        "--env",
        "integration",
        "--network",
        "internet",
        "--owner",
        "@o",
        "--contact",
        "a@ministere.gouv.fr",
    )


def test_new_generates_fresh_identifiers(workspace, cli) -> None:
    for slug in ("premier", "second"):
        assert cli(*_new(slug)).exit_code == 0
    texts = [
        (workspace.root / f"registry/integration/service-providers/{s}.yaml").read_text()
        for s in ("premier", "second")
    ]
    ids = [next(line for line in t.splitlines() if line.startswith("client_id")) for t in texts]
    assert ids[0] != ids[1]
    assert cli("validate").exit_code == 0


def test_new_refuses_to_overwrite(workspace, cli) -> None:
    args = _new("mon-service")
    assert cli(*args).exit_code == 0
    before = (
        workspace.root / "registry/integration/service-providers/mon-service.yaml"
    ).read_text()
    result = cli(*args)
    assert result.exit_code == 1
    assert "existe déjà" in result.stderr
    after = (workspace.root / "registry/integration/service-providers/mon-service.yaml").read_text()
    assert before == after


def test_new_refuses_a_bad_slug(workspace, cli) -> None:
    result = cli(*_new("Mon_Service"))
    assert result.exit_code == 2
    assert not (workspace.root / "registry").exists()


def test_rules_reference_lists_every_code(cli) -> None:
    from fedreg.validation.rules import RULES_BY_CODE

    result = cli("rules")
    assert result.exit_code == 0
    for code in RULES_BY_CODE:
        assert f"### {code} — " in result.stdout


def test_real_process_on_the_example_registry() -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "fedreg",
            "validate",
            "--format",
            "json",
            "--policy",
            str(REPO_ROOT / "policy.yaml"),
        ],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    report = json.loads(process.stdout)
    assert report["diagnostics"] == []
    assert report["summary"]["files"] >= 14


def test_real_process_reports_a_bad_file(workspace) -> None:
    workspace.provider("sp", b"kind: [\n")
    process = subprocess.run(
        [sys.executable, "-m", "fedreg", "validate"],
        cwd=workspace.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert process.stderr == ""
    assert "registry/production/service-providers/demo.yaml:2:1: P001 " in process.stdout
    assert "Traceback" not in process.stdout
