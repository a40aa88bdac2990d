"""The policy file, the published schemas and rules reference, and the repository's registry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited
from fedreg.authoring.schemas import render_schemas
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.registry.snapshot import worktree_paths
from fedreg.registry.yamlload import load_located
from fedreg.validation.engine import read_document
from fedreg.validation.policycheck import load_policy
from fedreg.validation.rules import RULES_BY_CODE
from fedreg.validation.rulesdoc import render_rules_markdown

WIDE = edited(BASE_SERVICE_PROVIDER, [("145.242.17.0/28", "145.242.16.0/22")])


def test_repository_policy_equals_the_shipped_defaults() -> None:
    policy, diagnostics = load_policy(REPO_ROOT / "policy.yaml")
    assert diagnostics == []
    assert policy == DEFAULT_POLICY


def test_policy_values_drive_the_rules(workspace, cli) -> None:
    workspace.provider("sp", WIDE)
    assert [d["code"] for d in cli("validate", "--format", "json").json()["diagnostics"]] == [
        "N004"
    ]
    workspace.write("policy.yaml", "max_prefix_ipv4: 22\n")
    assert cli("validate", "--format", "json").json()["diagnostics"] == []


def test_invalid_policy_is_located_and_fails(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write(
        "policy.yaml",
        "max_prefix_ipv4: 22\nrie_adress_space: [100.64.0.0/10]\n"
        "rie_address_space: [100.64.0.0/33]\n",
    )
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    found = [(d["path"], d["code"], d["line"], d["column"]) for d in result.json()["diagnostics"]]
    assert found == [("policy.yaml", "S001", 2, 1)]
    workspace.write("policy.yaml", "rie_address_space: [100.64.0.0/33]\n")
    located = [
        (d["code"], d["line"], d["column"])
        for d in cli("validate", "--format", "json").json()["diagnostics"]
    ]
    assert located == [("Q001", 1, 21)]


def test_committed_schemas_are_fresh() -> None:
    for name, content in render_schemas().items():
        assert (REPO_ROOT / "schemas" / name).read_text(encoding="utf-8") == content, (
            f"schemas/{name} is stale: run `fedreg schema`"
        )


def test_committed_rules_reference_is_fresh() -> None:
    assert (REPO_ROOT / "docs/rules.md").read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: run `fedreg rules > docs/rules.md`"
    )


def _registry_files() -> list[Path]:
    return worktree_paths([EXAMPLES / "registry"])


def test_every_example_passes_the_published_schema() -> None:
    """Each example file against its kind's generic schema and its environment's: one
    validator per schema, built once."""
    validators: dict[str, jsonschema.Draft202012Validator] = {}
    for path in _registry_files():
        kind = (
            "service-provider" if path.parent.name == "service-providers" else "identity-provider"
        )
        data = load_located(path.read_text(encoding="utf-8")).data
        for name in (f"{kind}.schema.json", f"{kind}.{path.parent.parent.name}.schema.json"):
            if name not in validators:
                schema = json.loads((REPO_ROOT / "schemas" / name).read_text())
                jsonschema.Draft202012Validator.check_schema(schema)
                validators[name] = jsonschema.Draft202012Validator(schema)
            validators[name].validate(data)
    assert len(validators) == 6


def test_published_schema_rejects_what_the_models_reject() -> None:
    schema = json.loads((REPO_ROOT / "schemas/service-provider.schema.json").read_text())
    data = load_located(BASE_SERVICE_PROVIDER).data
    assert data is not None
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(data)
    for broken in (
        {**data, "redirect_uri": []},
        {**data, "network": "intranet"},
        {**data, "client_id": "ABC"},
        {k: v for k, v in data.items() if k != "scopes"},
    ):
        assert not validator.is_valid(broken)


def test_published_schema_offers_the_encryption_values_and_an_optional_support() -> None:
    schema = json.loads((REPO_ROOT / "schemas/identity-provider.schema.json").read_text())
    data = load_located(BASE_IDENTITY_PROVIDER).data
    assert data is not None
    validator = jsonschema.Draft202012Validator(schema)
    encrypted = {
        **data,
        "userinfo_encrypted_response_alg": "RSA-OAEP-256",
        "userinfo_encrypted_response_enc": "A256GCM",
    }
    assert validator.is_valid(encrypted)
    assert validator.is_valid({k: v for k, v in data.items() if k != "support_email"})
    assert not validator.is_valid({**encrypted, "userinfo_encrypted_response_enc": "RS256"})
    assert not validator.is_valid({**encrypted, "userinfo_encrypted_response_alg": "RSA1_5"})


def test_example_registry_covers_every_deployment() -> None:
    docs = [read_document(path) for path in _registry_files()]
    kinds = [doc.kind for doc in docs]
    assert kinds.count("ServiceProvider") >= 10
    assert kinds.count("IdentityProvider") >= 4
    deployments = {(doc.kind, doc.deployment) for doc in docs}
    for kind in ("ServiceProvider", "IdentityProvider"):
        for deployment in (
            "integration-internet",
            "integration-rie",
            "production-internet",
            "production-rie",
        ):
            assert (kind, deployment) in deployments


def test_every_rule_is_exercised_by_a_test() -> None:
    tests = (REPO_ROOT / "tests").rglob("*.py")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in tests)
    quoted = set(re.findall(r'"([A-Z]\d{3})"', sources))
    assert set(RULES_BY_CODE) - quoted == set()


def test_unknown_review_situation_is_reported(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write("policy.yaml", "review_rules:\n  production_changes: self_service\n")
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    [found] = result.json()["diagnostics"]
    assert (found["path"], found["code"], found["line"], found["column"]) == (
        "policy.yaml",
        "Q001",
        2,
        3,
    )
    assert "production_changes" in found["message"]
    workspace.write("policy.yaml", "review_rules:\n  production_change: self_service\n")
    assert cli("validate").exit_code == 0


def test_a_shared_domain_cannot_be_made_self_service(workspace, cli) -> None:
    # Attaching a domain another FI routes always needs the federation: not a policy key.
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write("policy.yaml", "review_rules:\n  shared_email_domain: self_service\n")
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    [found] = result.json()["diagnostics"]
    assert (found["code"], found["line"]) == ("Q001", 2)
    assert "shared_email_domain" in found["message"]


def test_fi_secret_hint_names_the_federation_key(workspace, cli) -> None:
    from conftest import BASE_IDENTITY_PROVIDER

    key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    workspace.provider("idp", BASE_IDENTITY_PROVIDER + "client_secret_age: en-clair\n")
    workspace.write("policy.yaml", f"federation_age_recipients:\n  production: {key}\n")
    [found] = cli("validate", "--format", "json").json()["diagnostics"]
    assert found["code"] == "I009" and f"age -a -r {key}" in found["hint"]


def test_malformed_federation_key_is_reported(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.write("policy.yaml", "federation_age_recipients:\n  production: ssh-ed25519 AAAA\n")
    [found] = cli("validate", "--format", "json").json()["diagnostics"]
    assert (found["path"], found["code"], found["line"], found["column"]) == (
        "policy.yaml",
        "Q001",
        2,
        15,
    )
