"""Waivers (waivers.yaml) and rule levels with effective dates: the pure application with an
injected date, then through `fedreg validate` (text, json, SARIF) and the bot's review."""

from __future__ import annotations

import datetime
import json

from conftest import BASE_SERVICE_PROVIDER, edited
from fedreg.changes.plan import Plan
from fedreg.diagnostics import Diagnostic, Severity, count_errors
from fedreg.prbot.review import situations_of
from fedreg.registry.policy import ALWAYS_FEDERATION, DEFAULT_POLICY, Policy
from fedreg.validation.waivers import apply_exceptions, read_waivers

TODAY = datetime.date(2027, 3, 1)
SP = "registry/production/service-providers/demo.yaml"


def diagnostic(code: str, severity: Severity = Severity.ERROR, path: str = SP) -> Diagnostic:
    return Diagnostic(path, 12, 5, code, severity, "message", "conseil", "ip_ranges[0]")


def waivers_yaml(code: str, expires: str, file: str = SP) -> bytes:
    return (
        "waivers:\n"
        f"  - code: {code}\n"
        f"    file: {file}\n"
        "    reason: migration des plages IP en cours\n"
        '    granted_by: "@agent-federation"\n'
        f'    expires: "{expires}"\n'
    ).encode()


def applied(
    raw: bytes | None, found: list[Diagnostic], policy: Policy = DEFAULT_POLICY, today=TODAY
):
    return apply_exceptions(found, read_waivers(raw, policy, today), policy, today)


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, str, int]]:
    return [(d.code, d.path, d.line) for d in diagnostics]


def test_a_waived_error_is_shown_and_does_not_fail() -> None:
    [waived] = applied(waivers_yaml("N004", "2027-06-30"), [diagnostic("N004")])
    assert waived.waiver is not None and waived.waiver.expires == "2027-06-30"
    assert waived.severity is Severity.ERROR and count_errors([waived]) == 0
    assert "dérogation jusqu'au 30/06/2027" in waived.waiver.describe()
    assert "@agent-federation" in waived.waiver.describe()
    other_file = diagnostic("N004", path="registry/production/service-providers/autre.yaml")
    result = applied(waivers_yaml("N004", "2027-06-30"), [diagnostic("N004"), other_file])
    assert count_errors(result) == 1  # a waiver covers its own file only


def test_an_expired_waiver_is_an_error_at_its_line() -> None:
    result = applied(waivers_yaml("N004", "2027-02-28"), [diagnostic("N004")])
    assert sorted(codes(result)) == [("N004", SP, 12), ("W001", "waivers.yaml", 6)]
    assert count_errors(result) == 2
    [expired] = [d for d in result if d.code == "W001"]
    assert "a expiré le 2027-02-28" in expired.message and expired.column == 14


def test_an_unused_waiver_is_a_warning() -> None:
    [unused] = applied(waivers_yaml("N004", "2027-06-30"), [])
    assert (unused.code, unused.severity, unused.line) == ("W004", Severity.WARNING, 2)
    assert "N004 pour registry/production/service-providers/demo.yaml" in unused.message


def test_unwaivable_unknown_and_too_distant_waivers_are_errors() -> None:
    [secret, kept] = sorted(
        applied(waivers_yaml("S005", "2027-06-30"), [diagnostic("S005")]), key=lambda d: d.path
    )
    assert (secret.code, kept.code) == ("S005", "W003") and secret.waiver is None
    [unknown] = applied(waivers_yaml("N999", "2027-06-30"), [])
    assert unknown.code == "W005" and unknown.line == 2
    [far] = applied(waivers_yaml("N004", "2028-03-02"), [])
    assert far.code == "W002" and "au plus jusqu'au 2028-03-01" in far.message
    [year] = applied(waivers_yaml("N004", "2028-03-01"), [diagnostic("N004")])
    assert year.waiver is not None


def test_a_malformed_waivers_file_is_located() -> None:
    raw = b"waivers:\n  - code: N004\n    file: x.yaml\n    reason: r\n    granted_by: agent\n"
    found = applied(raw, [])
    assert [(d.path, d.code, d.line) for d in found] == [
        ("waivers.yaml", "S002", 2),  # expires missing
        ("waivers.yaml", "S003", 3),  # not a registry file
        ("waivers.yaml", "S003", 5),  # granted_by is not an @login
    ]
    assert count_errors(found) == 3


def test_a_rule_turns_from_warning_to_error_on_its_date() -> None:
    policy = Policy.model_validate(
        {"rule_levels": {"N007": {"level": "erreur", "effective": "2027-03-01"}}}
    )
    before = applied(None, [diagnostic("N007", Severity.WARNING)], policy, TODAY.replace(month=2))
    assert before[0].severity is Severity.WARNING
    assert before[0].message.endswith("Deviendra une erreur le 01/03/2027.")
    [on_the_day] = applied(None, [diagnostic("N007", Severity.WARNING)], policy, TODAY)
    assert on_the_day.severity is Severity.ERROR and "Deviendra" not in on_the_day.message


def test_validate_prints_json_and_sarif_with_the_waiver(workspace, cli) -> None:
    workspace.write(SP, edited(BASE_SERVICE_PROVIDER, [("145.242.17.0/28", "145.242.0.0/16")]))
    failing = cli("validate")
    assert failing.exit_code == 1 and "N004" in failing.stdout
    expires = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    workspace.write("waivers.yaml", waivers_yaml("N004", expires).decode())
    text = cli("validate")
    assert text.exit_code == 0, text.stdout
    day = datetime.date.fromisoformat(expires)
    assert f"erreur · dérogation jusqu'au {day:%d/%m/%Y}" in text.stdout
    assert "0 erreur, 0 avertissement, 1 sous dérogation" in text.stdout
    data = json.loads(cli("validate", "--format", "json").stdout)
    [waived] = data["diagnostics"]
    assert waived["waiver"]["expires"] == expires and data["summary"]["waived"] == 1
    sarif = json.loads(cli("validate", "--format", "sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["suppressions"][0]["status"] == "accepted"
    github = cli("validate", "--format", "github").stdout
    assert github.startswith("::notice ")
    assert cli("validate", "--strict").exit_code == 0
    render = cli("render")
    assert render.exit_code == 0, render.stdout + render.stderr
    workspace.write("waivers.yaml", waivers_yaml("N004", "2020-01-31").decode())
    expired = cli("validate")
    assert expired.exit_code == 1 and "waivers.yaml:6:14: W001" in expired.stdout
    assert cli("render").exit_code == 1


def test_rules_shows_the_level_and_its_date(workspace, cli) -> None:
    workspace.write("policy.yaml", "rule_levels:\n  N007: {level: erreur, effective: 2999-01-01}\n")
    shown = cli("rules", "N007")
    assert "Niveau : avertissement ; deviendra erreur le 01/01/2999" in shown.stdout
    workspace.write("policy.yaml", "rule_levels:\n  N007: {level: erreur, effective: 2000-01-01}\n")
    assert "erreur depuis le 01/01/2000" in cli("rules", "N007").stdout
    workspace.write("policy.yaml", "rule_levels:\n  N999: {level: erreur}\n")
    assert cli("rules", "N007").exit_code == 1


def test_a_waivers_change_goes_to_the_federation_whoever_opens_it() -> None:
    plan = Plan(changes=(), diagnostics=())
    assert "waivers_change" in situations_of(plan, [], ["waivers.yaml"])
    assert "waivers_change" in ALWAYS_FEDERATION
    assert "waivers_change" not in situations_of(plan, [], ["README.md"])


def test_the_published_schema_accepts_a_waiver_and_refuses_a_team() -> None:
    import jsonschema
    import yaml

    from fedreg.authoring.schemas import build_waivers_schema

    validator = jsonschema.Draft202012Validator(build_waivers_schema())
    good = yaml.safe_load(waivers_yaml("N004", "2027-06-30"))
    assert list(validator.iter_errors(good)) == []
    team = yaml.safe_load(waivers_yaml("N004", "2027-06-30").replace(b"@agent-federation", b"@o/t"))
    assert [e.validator for e in validator.iter_errors(team)] == ["pattern"]


def test_an_empty_waivers_file_waives_nothing_and_says_nothing() -> None:
    for raw in (b"", b"# aucune derogation\n", b"waivers: []\n"):
        assert applied(raw, [diagnostic("N004")]) == [diagnostic("N004")]
    assert [d.code for d in applied(b"[]", [])] == ["P005"]
