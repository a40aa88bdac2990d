"""The rough edges a new partner met: precise YAML guesses, pointed characters, honest warnings,
French hints, running from any folder of the repository, a missing policy file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_SERVICE_PROVIDER, edited
from fedreg.validation.rules import RULES_BY_CODE
from fedreg.validation.rulesdoc import render_rules_markdown

SP = "registry/production/service-providers/demo.yaml"


def _validate(workspace, cli, text: str, *args: str) -> list[dict[str, Any]]:
    workspace.provider("sp", text)
    result = cli("validate", "--format", "json", *args, SP)
    assert result.exit_code in (0, 1), result.stderr
    return result.json()["diagnostics"]


def _only(diagnostics: list[dict], code: str) -> dict:  # type: ignore[type-arg]
    found = [d for d in diagnostics if d["code"] == code]
    assert len(found) == 1, diagnostics
    return found[0]


# -- P001: guesses that fit the mistake --------------------------------------------------------


def test_a_tab_is_named_as_a_tab(workspace, cli) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [('  - "@demo-org/equipe"', '\t- "@demo-org/equipe"')])
    found = _only(_validate(workspace, cli, text), "P001")
    assert (found["line"], found["column"]) == (7, 1)
    assert "tabulation" in found["message"] and "espaces" in found["message"]
    assert "guillemets" not in found["message"]


def test_an_unquoted_owner_is_told_to_quote_not_about_tabs(workspace, cli) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [('  - "@demo-org/equipe"', "  - @demo-org/equipe")])
    found = _only(_validate(workspace, cli, text), "P001")
    assert (found["line"], found["column"]) == (7, 5)
    assert "« @ »" in found["message"] and '"@organisation/équipe"' in found["message"]
    assert "tabulation" not in found["message"]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("network: internet", "network internet", 3),
        ('siret: "13002526500013"', 'siret "13002526500013"', 10),
    ],
)
def test_a_missing_colon_is_reported_on_its_own_line(workspace, cli, old, new, line) -> None:
    found = _only(_validate(workspace, cli, edited(BASE_SERVICE_PROVIDER, [(old, new)])), "P001")
    assert (found["line"], found["column"]) == (line, 1)
    assert new in found["message"]


# -- U002: which invisible character, and where ----------------------------------------------


def test_u002_names_and_points_at_a_zero_width_space(workspace, cli) -> None:
    text = edited(
        BASE_SERVICE_PROVIDER,
        [("  - https://demo.gouv.fr/callback", "  - https://demo.gouv.fr/\u200bcallback")],
    )
    found = _only(_validate(workspace, cli, text), "U002")
    assert "U+200B" in found["message"] and "ZERO WIDTH SPACE" in found["message"]
    assert "\u200b" not in found["message"]  # shown as ⟨U+200B⟩, not invisibly
    assert (found["line"], found["column"]) == (12, 5 + len("https://demo.gouv.fr/"))


# -- U010: no false warning on top of an invalid redirect URI ---------------------------------


def test_no_post_logout_warning_when_the_redirect_uri_is_invalid(workspace, cli) -> None:
    text = edited(
        BASE_SERVICE_PROVIDER,
        [("  - https://demo.gouv.fr/callback", '  - "https://demo.gouv.fr/callback "')],
    )
    codes = [d["code"] for d in _validate(workspace, cli, text)]
    assert "U002" in codes and "U010" not in codes


def test_u010_still_warns_for_a_real_stranger(workspace, cli) -> None:
    text = edited(BASE_SERVICE_PROVIDER, [("  - https://demo.gouv.fr/\n", "  - https://b.fr/\n")])
    assert "U010" in [d["code"] for d in _validate(workspace, cli, text)]


# -- S004: a French enumeration ---------------------------------------------------------------


def test_s004_lists_the_algorithms_in_french(workspace, cli) -> None:
    text = edited(
        BASE_SERVICE_PROVIDER,
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: PS256")],
    )
    found = _only(_validate(workspace, cli, text), "S004")
    assert found["hint"] == "Valeurs acceptées : ES256, RS256 ou HS256."


# -- --strict says why it failed --------------------------------------------------------------


def test_strict_says_it_failed_because_of_warnings(workspace, cli) -> None:
    workspace.provider(
        "sp",
        edited(BASE_SERVICE_PROVIDER, [("  - email\n", "  - email\n  - email\n")]),
    )
    relaxed = cli("validate", SP)
    assert relaxed.exit_code == 0 and "--strict" not in relaxed.stderr
    strict = cli("validate", "--strict", SP)
    assert strict.exit_code == 1
    assert "1 avertissement" in strict.stderr and "--strict" in strict.stderr


# -- docs/rules.md: a hint for every rule, never a bare placeholder ---------------------------


def test_every_rule_in_the_reference_shows_a_hint() -> None:
    reference = render_rules_markdown()
    hints = re.findall(r"^Correction : (.*)$", reference, flags=re.MULTILINE)
    assert len(hints) == len([rule for rule in RULES_BY_CODE.values() if not rule.retired])
    assert [h for h in hints if h.strip("… .") == ""] == []


# -- the repository root, found from any folder -----------------------------------------------


def test_validate_from_the_providers_folder(workspace, cli, monkeypatch) -> None:
    path = workspace.provider("sp", BASE_SERVICE_PROVIDER)
    monkeypatch.chdir(path.parent)
    result = cli("validate", "demo.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    broken = path.parent / "broken.yaml"
    broken.write_text(BASE_SERVICE_PROVIDER.replace("ES256\nuserinfo", "XX\nuserinfo"))
    result = cli("validate", "--format", "json", "broken.yaml")
    assert result.exit_code == 1
    [found] = result.json()["diagnostics"]
    assert (found["path"], found["code"]) == ("broken.yaml", "S004")


def test_validate_from_an_environment_folder_checks_the_whole_registry(
    workspace, cli, monkeypatch
) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="twin")  # same client_id: X001
    monkeypatch.chdir(workspace.root / "registry" / "production")
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert {d["code"] for d in result.json()["diagnostics"]} == {
        "X001",
        "X003",
    }  # client_id and name
    assert result.json()["summary"]["files"] == 2


def test_the_policy_is_read_at_the_root_from_a_subfolder(workspace, cli, monkeypatch) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write("policy.yaml", "max_prefix_ipv4: 29\n")  # the base file has a /28
    monkeypatch.chdir(workspace.root / "registry" / "production" / "service-providers")
    result = cli("validate", "--format", "json", "demo.yaml")
    assert [d["code"] for d in result.json()["diagnostics"]] == ["N004"], result.stdout


def test_new_from_a_subfolder_writes_at_the_root(workspace, cli, monkeypatch) -> None:
    workspace.write("policy.yaml", "{}\n")
    (workspace.root / "docs").mkdir()
    monkeypatch.chdir(workspace.root / "docs")
    result = cli(
        "new", "service-provider", "mon-service", "--env", "integration",
        "--network", "internet", "--owner", "@org/team", "--contact", "a@b.gouv.fr",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (workspace.root / "registry/integration/service-providers/mon-service.yaml").is_file()
    assert not (workspace.root / "docs/registry").exists()
    assert Path.cwd() == workspace.root / "docs"  # the command gave the folder back


def test_a_missing_policy_file_is_a_usage_error(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    result = cli("validate", "--policy", "politique.yaml")
    assert result.exit_code == 2
    assert "politique.yaml" in result.stderr and "introuvable" in result.stderr
    assert result.stdout == ""


def test_no_policy_file_at_all_still_uses_the_defaults(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    assert cli("validate").exit_code == 0


def test_a_policy_file_planted_inside_the_registry_is_not_the_root(
    workspace, cli, monkeypatch
) -> None:
    """Attack: a pull request adds registry/production/policy.yaml widening the limits; whoever
    runs fedreg from registry/production must still get the root's policy (and see the file)."""
    workspace.provider("sp", BASE_SERVICE_PROVIDER.replace("145.242.17.0/28", "145.242.0.0/16"))
    workspace.write("policy.yaml", "{}\n")
    workspace.write("registry/production/policy.yaml", "max_prefix_ipv4: 8\n")
    monkeypatch.chdir(workspace.root / "registry" / "production")
    result = cli("validate", "--format", "json")
    codes = sorted(d["code"] for d in result.json()["diagnostics"])
    assert "N004" in codes  # the /16 is judged by the root's policy (widest: /24)
    assert "L001" in codes  # and the planted file is reported as out of place


def test_render_from_a_subfolder_writes_its_default_output_at_the_root(
    workspace, cli, monkeypatch
) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    (workspace.root / "docs").mkdir()
    monkeypatch.chdir(workspace.root / "docs")
    assert cli("render").exit_code == 0
    assert (workspace.root / "build/manifests/production-internet.json").is_file()
    assert not (workspace.root / "docs/build").exists()
    assert cli("render", "--out", "ici").exit_code == 0  # a path typed is relative to the cwd
    assert (workspace.root / "docs/ici/production-internet.json").is_file()
