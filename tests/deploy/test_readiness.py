"""Deploy-readiness before the merge, placeholders, per-file address totals, one federation age
key per environment, and the new risks of a plan (issue 15, findings 5 to 7), through the real
CLI on real git repositories and YAML files."""

from __future__ import annotations

import pyrage
import pytest
from pyrage import x25519
from test_deploy import (  # noqa: F401 - fixtures, used by name
    CIPHER_PASS,
    IDP_UID,
    backend,
    live,
    raw_target,
    target,
)

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited

SP = "registry/production/service-providers/demo.yaml"
NEW_SP = "registry/production/service-providers/nouveau.yaml"
IDP = "registry/production/identity-providers/fi-demo.yaml"
NEW_IDP = "registry/production/identity-providers/fi-nouveau.yaml"
INTEGRATION = x25519.Identity.generate()
PRODUCTION = x25519.Identity.generate()
PARTNER = x25519.Identity.generate().to_public()
FI_SECRET = "secret-du-fi-0123456789abcdef0123456789"
AGE_POLICY = (
    "federation_age_recipients:\n"
    f"  integration: {INTEGRATION.to_public()}\n"
    f"  production: {PRODUCTION.to_public()}\n"
)


def _new_sp(*extra: tuple[str, str]) -> str:
    return edited(
        BASE_SERVICE_PROVIDER,
        [('client_id: "9f86', 'client_id: "2f86'), ("Service de", "Autre service de"), *extra],
    )


def _new_idp() -> str:
    return edited(
        BASE_IDENTITY_PROVIDER,
        [
            ("uid: 5f0c3b9e", "uid: 7f0c3b9e"),
            ("name: fi-demo", "name: fi-nouveau"),
            ("title: FI de", "title: Autre FI de"),
            ("  - demo.gouv.fr\n", "  - nouveau.gouv.fr\n"),
        ],
    )


def _sealed(*recipients: object, declared: object | None = None) -> str:
    armored = pyrage.encrypt(FI_SECRET.encode(), list(recipients), armored=True).decode()
    text = "client_secret_age: |\n" + "".join(f"  {line}\n" for line in armored.splitlines())
    if declared is not None:
        text += f"client_secret_age_recipient: {declared}\n"
    return text


def _diagnostics(result) -> list[tuple[str, str, int, int]]:
    return [(d["path"], d["code"], d["line"], d["column"]) for d in result.json()["diagnostics"]]


@pytest.fixture
def base(repo):
    """main: a production FS and FI that deployed long ago (the FS has no recipients)."""
    repo.write(SP, BASE_SERVICE_PROVIDER)
    repo.write(IDP, BASE_IDENTITY_PROVIDER)
    return repo.commit("base")


# -- finding 6: what deploy requires, checked by validate, diff and the bot ----------------


def test_diff_fails_a_new_service_provider_without_recipients(repo, cli, base) -> None:
    repo.write(NEW_SP, _new_sp())
    result = cli("diff", "--base", base, "--format", "json")
    assert result.exit_code == 1
    assert _diagnostics(result) == [(NEW_SP, "I010", 4, 12)]
    [found] = result.json()["diagnostics"]
    assert "production-internet" in found["message"] and "age-keygen" in found["hint"]
    repo.write(NEW_SP, _new_sp() + f"secret_recipients:\n  - {PARTNER}\n")
    assert cli("diff", "--base", base).exit_code == 0


def test_existing_provider_without_recipients_is_not_new(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace("active: true", "active: false"))
    assert cli("diff", "--base", base).exit_code == 0
    assert cli("validate", "--base", base).exit_code == 0


def test_validate_with_a_base_checks_new_providers(repo, cli, base) -> None:
    repo.write(NEW_SP, _new_sp())
    repo.write(NEW_IDP, _new_idp())
    result = cli("validate", "--base", base, "--format", "json")
    assert result.exit_code == 1
    assert _diagnostics(result) == [(NEW_IDP, "I011", 2, 6), (NEW_SP, "I010", 4, 12)]
    # Without a base nothing says what is new: the readiness rules are not applied.
    assert cli("validate").exit_code == 0


def test_network_change_makes_a_new_client_in_the_other_deployment(repo, cli, base) -> None:
    repo.write(
        SP,
        edited(
            BASE_SERVICE_PROVIDER,
            [("network: internet", "network: rie"), ("145.242.17.0/28", "100.67.22.0/28")],
        ),
    )
    result = cli("diff", "--base", base, "--format", "json")
    assert _diagnostics(result) == [(SP, "I010", 4, 12)]
    assert "production-rie" in result.json()["diagnostics"][0]["message"]
    [change] = result.json()["changes"]
    assert change["risk"] == "high"
    assert any("changement de réseau (internet → rie)" in r["reason"] for r in change["risks"])


def test_new_identity_provider_with_its_secret_is_ready(repo, cli, base) -> None:
    repo.write("policy.yaml", AGE_POLICY)
    repo.write(NEW_IDP, _new_idp())
    result = cli("diff", "--base", base, "--format", "json")
    [found] = result.json()["diagnostics"]
    assert (found["code"], found["line"]) == ("I011", 2)
    assert f"age -a -r {PRODUCTION.to_public()}" in found["hint"]
    repo.write(
        NEW_IDP, _new_idp() + _sealed(PRODUCTION.to_public(), declared=PRODUCTION.to_public())
    )
    assert cli("diff", "--base", base).exit_code == 0


@pytest.mark.parametrize(
    ("env", "code", "exit_code"), [("production", "I012", 1), ("integration", "I013", 0)]
)
def test_placeholders_of_new_are_caught(workspace, cli, env, code, exit_code) -> None:
    for kind in ("service-provider", "identity-provider"):
        created = cli(
            "new", kind, "mon-service", "--env", env, "--network", "rie",
            "--owner", "@mon-org/equipe", "--contact", "equipe@ministere.gouv.fr",
        )  # fmt: skip
        assert created.exit_code == 0, created.stderr
    result = cli("validate", "--format", "json")
    assert result.exit_code == exit_code
    found = {(d["path"].split("/")[2], d["field"]) for d in result.json()["diagnostics"]}
    assert {d["code"] for d in result.json()["diagnostics"]} == {code}
    assert found == {
        ("service-providers", "redirect_uris[0]"),
        ("service-providers", "post_logout_redirect_uris[0]"),
        ("service-providers", "ip_ranges[0]"),
        ("service-providers", "secret_recipients[0]"),
        ("identity-providers", "discovery_url"),
        ("identity-providers", "attached_email_domains[0]"),
        ("identity-providers", "ip_ranges[0]"),
        ("identity-providers", "client_secret_age_recipient"),
    }


def test_a_new_provider_straight_from_new_is_not_deployable(repo, cli, base) -> None:
    """In integration the placeholders are warnings, but deploy cannot seal a secret for the
    example recipient nor open a missing one: a new provider fresh from `fedreg new` fails
    the check (I010, I011) rather than block its deployment once merged."""
    for kind in ("service-provider", "identity-provider"):
        created = cli(
            "new", kind, "tout-neuf", "--env", "integration", "--network", "internet",
            "--owner", "@mon-org/equipe", "--contact", "equipe@ministere.gouv.fr",
        )  # fmt: skip
        assert created.exit_code == 0, created.stderr
    result = cli("validate", "--base", base, "--format", "json")
    assert result.exit_code == 1
    errors = {
        (d["code"], d["field"]) for d in result.json()["diagnostics"] if d["severity"] == "error"
    }
    assert errors == {("I010", "secret_recipients[0]"), ("I011", "uid")}
    placeholder = "registry/integration/service-providers/tout-neuf.yaml"
    text = (repo.root / placeholder).read_text(encoding="utf-8")
    repo.write(placeholder, text.replace("age1-a-remplacer", str(PARTNER)))
    result = cli("validate", "--base", base, "--format", "json")
    assert {d["code"] for d in result.json()["diagnostics"] if d["severity"] == "error"} == {"I011"}


def test_new_identity_provider_names_the_federation_key_of_its_environment(repo, cli, base) -> None:
    """`fedreg new` writes the policy's federation key for the environment, so that the
    partner only has to seal the secret for it (I014 never fires on a fresh file)."""
    repo.write("policy.yaml", AGE_POLICY)
    created = cli(
        "new", "identity-provider", "mon-fi", "--env", "production", "--network", "internet",
        "--owner", "@mon-org/equipe", "--contact", "equipe@ministere.gouv.fr",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    text = (repo.root / "registry/production/identity-providers/mon-fi.yaml").read_text("utf-8")
    assert f"client_secret_age_recipient: {PRODUCTION.to_public()}" in text
    assert "age -a -r" in text
    result = cli("validate", "--base", base, "--format", "json")
    codes = {d["code"] for d in result.json()["diagnostics"]}
    assert "I011" in codes and not codes & {"I008", "I014", "I015"}


# -- finding 5: the whole file's opening, and new hosts -----------------------------------


def test_many_narrow_ranges_are_limited_as_a_whole(workspace, cli) -> None:
    """3,295 /24 blocks in one RIE file, each allowed alone: a fifth of the RIE."""
    blocks = "".join(f"  - 100.{64 + i // 256}.{i % 256}.0/24\n" for i in range(3295))
    text = edited(
        BASE_SERVICE_PROVIDER,
        [("network: internet", "network: rie"), ("  - 145.242.17.0/28\n", blocks)],
    )
    workspace.provider("sp", text)
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    [found] = result.json()["diagnostics"]
    assert (found["code"], found["line"], found["column"]) == ("N009", 15, 1)
    assert "843520 adresses IPv4" in found["message"] and "4096" in found["message"]
    workspace.write("policy.yaml", "max_ipv4_addresses_per_file: 1000000\n")
    assert cli("validate").exit_code == 0


def test_wide_ipv6_total_is_limited(workspace, cli) -> None:
    blocks = "".join(f"  - 2a01:{i:x}::/48\n" for i in range(1, 20))
    workspace.provider("sp", BASE_SERVICE_PROVIDER.replace("  - 145.242.17.0/28\n", blocks))
    [found] = cli("validate", "--format", "json").json()["diagnostics"]
    assert found["code"] == "N009" and "19 blocs IPv6 /48" in found["message"]


def test_new_redirect_host_is_high_risk_in_production(repo, cli, base) -> None:
    repo.write(
        SP,
        BASE_SERVICE_PROVIDER.replace(
            "  - https://demo.gouv.fr/\n",
            "  - https://demo.gouv.fr/\n  - https://sortie.tiers.fr/\n",
        ),
    )
    [change] = cli("diff", "--base", base, "--format", "json").json()["changes"]
    assert change["risk"] == "high"
    assert any("n'utilisait pas : sortie.tiers.fr" in r["reason"] for r in change["risks"])
    repo.write(
        SP, BASE_SERVICE_PROVIDER.replace("/callback\n", "/callback\n  - https://demo.gouv.fr/v2\n")
    )
    [change] = cli("diff", "--base", base, "--format", "json").json()["changes"]
    assert change["risk"] == "medium"  # same host: an ordinary production change


# -- finding 7: one federation age key per environment ------------------------------------


def test_retired_policy_key_is_named(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write(
        "policy.yaml", f"max_prefix_ipv4: 24\nfederation_age_recipient: {PRODUCTION.to_public()}\n"
    )
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    [found] = result.json()["diagnostics"]
    assert (found["path"], found["code"], found["line"], found["column"]) == (
        "policy.yaml",
        "Q007",
        2,
        1,
    )
    assert "federation_age_recipients" in found["hint"]


def test_one_key_for_both_environments_is_refused(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    key = PRODUCTION.to_public()
    workspace.write(
        "policy.yaml", f"federation_age_recipients:\n  integration: {key}\n  production: {key}\n"
    )
    [found] = cli("validate", "--format", "json").json()["diagnostics"]
    assert (found["code"], found["line"]) == ("Q008", 1)


def test_secret_sealed_for_the_integration_key_is_a_located_error(workspace, cli) -> None:
    workspace.write("policy.yaml", AGE_POLICY)
    key = INTEGRATION.to_public()
    text = BASE_IDENTITY_PROVIDER + _sealed(key, declared=key)
    workspace.provider("idp", text)
    result = cli("validate", "--format", "json")
    [found] = result.json()["diagnostics"]
    assert found["code"] == "I015" and found["field"] == "client_secret_age_recipient"
    assert found["line"] == len(text.splitlines())  # the declared key, the last line
    assert "c'est celle de l'environnement integration" in found["message"]
    assert str(PRODUCTION.to_public()) in found["hint"]


def test_undeclared_recipient_and_several_recipients(workspace, cli) -> None:
    workspace.write("policy.yaml", AGE_POLICY)
    workspace.provider("idp", BASE_IDENTITY_PROVIDER + _sealed(PRODUCTION.to_public()))
    assert [d["code"] for d in cli("validate", "--format", "json").json()["diagnostics"]] == [
        "I014"
    ]
    both = _sealed(PRODUCTION.to_public(), INTEGRATION.to_public(), declared=PRODUCTION.to_public())
    workspace.provider("idp", BASE_IDENTITY_PROVIDER + both)
    [found] = cli("validate", "--format", "json").json()["diagnostics"]
    assert found["code"] == "I016" and "2 destinataire(s)" in found["message"]


def test_deploy_refuses_another_environments_identity(repo, cli, target, monkeypatch) -> None:
    repo.write("policy.yaml", AGE_POLICY)
    repo.write(SP, BASE_SERVICE_PROVIDER + f"secret_recipients:\n  - {PARTNER}\n")
    production = PRODUCTION.to_public()
    repo.write(IDP, BASE_IDENTITY_PROVIDER + _sealed(production, declared=production))
    repo.commit("registry")
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(INTEGRATION))
    result = cli("deploy", "production-internet", "--target", target, "--yes")
    assert result.exit_code == 1
    assert "pas celle de l'environnement production" in result.stderr
    assert live(target, "client") == {} and live(target, "provider") == {}
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(PRODUCTION))
    assert cli("deploy", "production-internet", "--target", target, "--yes").exit_code == 0
    assert IDP_UID in live(target, "provider")


def test_deploy_checks_every_sealed_secret_before_writing(repo, cli, target, monkeypatch) -> None:
    """Without keys in the policy the file cannot be checked: the deploy still opens every
    secret before its first write, so a wrong key never leaves a half-applied deployment."""
    repo.write(SP, BASE_SERVICE_PROVIDER + f"secret_recipients:\n  - {PARTNER}\n")
    repo.write(IDP, BASE_IDENTITY_PROVIDER + _sealed(INTEGRATION.to_public()))
    repo.commit("registry")
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(PRODUCTION))
    result = cli("deploy", "production-internet", "--target", target, "--yes")
    assert result.exit_code == 1
    assert "ne s'ouvre pas avec la clé de production" in result.stderr
    assert live(target, "client") == {}


def test_policy_typos_cannot_disable_the_routing(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write(
        "policy.yaml",
        "sensitive_scopes: [chorusdt, chorus_dt]\nreview_rules:\n  new_file: self_service\n",
    )
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    found = [(d["code"], d["line"], d["field"]) for d in result.json()["diagnostics"]]
    assert found == [
        ("Q009", 1, "sensitive_scopes[1]"),
        ("Q001", 3, "review_rules.new_file"),
    ]
