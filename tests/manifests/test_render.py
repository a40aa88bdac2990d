"""`fedreg render`: manifests the core loads as they are, deterministic and secret-free."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited
from fedreg.cli import main
from fedreg.manifests.build import build_manifests, serialize
from fedreg.validation.engine import build_provider, validate_paths

# The core's validation of what it loads (proconnect-core.md §2-4): class-validator DTOs with
# `whitelist: true`. A document failing these is silently excluded by the core at load time.
URL_REGEX = r"^https?://[^/].+$"
URL = {"type": "string", "pattern": URL_REGEX}
STRINGS = {"type": "array", "items": {"type": "string"}}
CLIENT_DTO = {
    "type": "object",
    "required": [
        "key",
        "name",
        "active",
        "redirect_uris",
        "post_logout_redirect_uris",
        "scopes",
        "id_token_signed_response_alg",
        "type",
    ],
    "properties": {
        "key": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "active": {"type": "boolean"},
        "redirect_uris": {"type": "array", "items": URL},
        "post_logout_redirect_uris": {"type": "array", "items": URL},
        "scopes": STRINGS,
        "id_token_signed_response_alg": {"enum": ["ES256", "RS256", "HS256"]},
        "userinfo_signed_response_alg": {"type": ["string", "null"]},
        "introspection_signed_response_alg": {"enum": ["ES256", "RS256", "HS256"]},
        "type": {"enum": ["private", "public"]},
        "collaborators": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
        },
    },
    "not": {"required": ["client_secret"]},
    "additionalProperties": False,
}
PROVIDER_DTO = {
    "type": "object",
    "required": [
        "uid",
        "name",
        "title",
        "active",
        "discovery",
        "clientID",
        "token_endpoint_auth_method",
        "siret",
        "isRoutingEnabled",
        "isBlockingForUnlistedEmailDomainsEnabled",
        "isEntraID",
        "useTheHyyyperbridge",
        "isMfaCompliant",
    ],
    "properties": {
        "uid": {"type": "string"},
        "name": {"type": "string"},
        "title": {"type": "string"},
        "active": {"type": "boolean"},
        "discovery": {"type": "boolean"},
        "discoveryUrl": URL,
        "url": URL,
        "authzURL": URL,
        "tokenURL": URL,
        "userInfoURL": URL,
        "jwksURL": URL,
        "endSessionURL": URL,
        "clientID": {"type": "string"},
        "token_endpoint_auth_method": {"const": "client_secret_post"},
        "id_token_signed_response_alg": {"enum": ["ES256", "RS256", "HS256"]},
        "userinfo_signed_response_alg": {"enum": ["", "ES256", "RS256", "HS256"]},
        "id_token_encrypted_response_alg": {"type": "string"},
        "id_token_encrypted_response_enc": {"type": "string"},
        "userinfo_encrypted_response_alg": {"type": "string"},
        "userinfo_encrypted_response_enc": {"type": "string"},
        "siret": {"type": "string", "pattern": r"^(|\d{14})$"},
        "supportEmail": {"type": "string"},
        "attachedEmailDomains": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^([\da-z\.-]+)\.([a-z\.]{2,10})$"},
        },
        "extraAcceptedEmailDomains": STRINGS,
        "isRoutingEnabled": {"type": "boolean"},
        "isBlockingForUnlistedEmailDomainsEnabled": {"type": "boolean"},
        "isEntraID": {"type": "boolean"},
        "useTheHyyyperbridge": {"type": "boolean"},
        "isMfaCompliant": {"type": "boolean"},
        "mfaComplianceNote": {"type": "string"},
    },
    "if": {"properties": {"discovery": {"const": True}}},
    "then": {"required": ["discoveryUrl"]},
    "else": {"required": ["authzURL", "tokenURL", "userInfoURL"]},
    "not": {"required": ["client_secret"]},
    "additionalProperties": False,
}
DEPLOYMENTS = ["integration-internet", "integration-rie", "production-internet", "production-rie"]
NO_DISCOVERY = [
    (
        "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration\n",
        "issuer: https://auth.demo.gouv.fr\n"
        "authorization_url: https://auth.demo.gouv.fr/authorize\n"
        "token_url: https://auth.demo.gouv.fr/token\n"
        "userinfo_url: https://auth.demo.gouv.fr/userinfo\n"
        "jwks_url: https://auth.demo.gouv.fr/jwks\n",
    ),
    ("name: fi-demo", "name: fi-sans-decouverte"),
    ("5f0c3b9e", "6f0c3b9e"),
    ("  - demo.gouv.fr\n", "  - autre-demo.gouv.fr\n"),
]


def _manifests(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {name: json.loads((out / f"{name}.json").read_text()) for name in DEPLOYMENTS}


def test_example_registry_renders_records_the_core_accepts(tmp_path, cli, monkeypatch) -> None:
    monkeypatch.chdir(EXAMPLES)
    result = cli("render", "--out", str(tmp_path), "--policy", str(REPO_ROOT / "policy.yaml"))
    assert result.exit_code == 0, result.stdout + result.stderr
    manifests = _manifests(tmp_path)
    assert sum(len(m["client"]) for m in manifests.values()) >= 10
    assert sum(len(m["provider"]) for m in manifests.values()) >= 4
    for manifest in manifests.values():
        for client in manifest["client"]:
            jsonschema.validate(client, CLIENT_DTO)
        for provider in manifest["provider"]:
            jsonschema.validate(provider, PROVIDER_DTO)


def test_both_identity_provider_forms_and_the_firewall(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="fi-demo")
    workspace.provider("idp", edited(BASE_IDENTITY_PROVIDER, NO_DISCOVERY), slug="fi-autre")
    assert cli("render").exit_code == 0
    manifest = _manifests(workspace.root / "build/manifests")["production-internet"]
    by_uid = {p["uid"]: p for p in manifest["provider"]}
    with_discovery = by_uid["5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"]
    without = by_uid["6f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"]
    assert (with_discovery["discovery"], with_discovery["discoveryUrl"]) == (
        True,
        "https://auth.demo.gouv.fr/.well-known/openid-configuration",
    )
    assert "authzURL" not in with_discovery
    assert (without["discovery"], without["url"], without["jwksURL"]) == (
        False,
        "https://auth.demo.gouv.fr",
        "https://auth.demo.gouv.fr/jwks",
    )
    for provider in manifest["provider"]:
        jsonschema.validate(provider, PROVIDER_DTO)
    client = manifest["client"][0]
    assert client == {
        "key": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "name": "Service de démonstration",
        "active": True,
        "redirect_uris": ["https://demo.gouv.fr/callback"],
        "post_logout_redirect_uris": ["https://demo.gouv.fr/"],
        "scopes": ["email", "openid"],
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "type": "public",
        "collaborators": ["equipe@demo.gouv.fr"],
    }
    assert manifest["firewall"] == {client["key"]: ["145.242.17.0/28"]}


def test_no_secret_is_ever_rendered(workspace, cli) -> None:
    armored = (
        "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n"
        "-----END AGE ENCRYPTED FILE-----\n"
    )
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.provider(
        "idp",
        BASE_IDENTITY_PROVIDER
        + "client_secret_age: |\n"
        + "".join(f"  {line}\n" for line in armored.splitlines()),
        slug="fi-demo",
    )
    assert cli("render").exit_code == 0
    for path in (workspace.root / "build/manifests").iterdir():
        manifest = json.loads(path.read_text())
        for document in manifest["client"] + manifest["provider"]:
            assert not [key for key in document if "secret" in key.lower()], document
        for sealed in manifest["sealed_secrets"].values():
            assert sealed == armored  # only ciphertext for the federation's key


def test_rendering_is_deterministic(tmp_path, cli, monkeypatch) -> None:
    files = sorted((EXAMPLES / "registry").rglob("*.yaml"))
    outputs = []
    for attempt, order in enumerate((files, list(reversed(files)))):
        root = tmp_path / f"copy-{attempt}"
        for source in order:  # a different creation order, so a different discovery order
            target = root / source.relative_to(EXAMPLES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        monkeypatch.chdir(root)
        assert cli("render").exit_code == 0
        outputs.append({p.name: p.read_bytes() for p in (root / "build/manifests").iterdir()})
    assert outputs[0] == outputs[1]

    result = validate_paths([EXAMPLES / "registry"], base=EXAMPLES)
    providers = [(doc.environment, build_provider(doc)) for doc in result.documents]
    expected = {n: serialize(m) for n, m in build_manifests(providers, None).items()}
    for seed in range(5):
        random.Random(seed).shuffle(providers)
        assert {n: serialize(m) for n, m in build_manifests(providers, None).items()} == expected


def test_reordering_lists_renders_the_same_bytes(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    cli("render")
    before = (workspace.root / "build/manifests/production-internet.json").read_bytes()
    workspace.provider(
        "sp", BASE_SERVICE_PROVIDER.replace("  - openid\n  - email\n", "  - email\n  - openid\n")
    )
    cli("render")
    assert (workspace.root / "build/manifests/production-internet.json").read_bytes() == before


def test_invalid_registry_writes_nothing(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    assert cli("render").exit_code == 0
    out = workspace.root / "build/manifests"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    workspace.provider(
        "sp",
        BASE_SERVICE_PROVIDER.replace("active: true", "active: oui"),
        slug="cassé-mais-lisible".replace("é", "e"),
    )
    result = cli("render")
    assert result.exit_code == 1
    assert "S003" in result.stdout
    assert "aucun manifeste écrit" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_provenance_and_digest(repo, cli) -> None:
    repo.provider("sp", BASE_SERVICE_PROVIDER)
    first = repo.commit("first")
    cli("render")
    manifest = _manifests(repo.root / "build/manifests")["production-internet"]
    assert manifest["source_commit"] == first
    repo.write("README.md", "# registre\n")
    second = repo.commit("docs only")
    cli("render")
    again = _manifests(repo.root / "build/manifests")["production-internet"]
    assert again["source_commit"] == second
    assert again["digest"] == manifest["digest"]  # same content, same digest
    # Uncommitted changes are not rendered: render ships commits, read from their blobs.
    repo.provider("sp", BASE_SERVICE_PROVIDER.replace("active: true", "active: false"))
    result = cli("render")
    assert result.exit_code == 0 and "modifications non validées" in result.stderr
    dirty = _manifests(repo.root / "build/manifests")["production-internet"]
    assert (dirty["source_commit"], dirty["digest"]) == (second, manifest["digest"])
    repo.commit("deactivated")
    cli("render")
    assert (
        _manifests(repo.root / "build/manifests")["production-internet"]["digest"]
        != (manifest["digest"])
    )


def test_render_reads_the_commit_not_a_checkout_transformed_by_attributes(repo, cli) -> None:
    """Issue 18: a `.gitattributes` under registry/ re-encodes every checkout in UTF-16; the
    deploy job's fresh clone then held UTF-16 files and render failed P006 (nothing deployed).
    Render reads the commit's blobs: what git stores, whatever a checkout makes of it."""
    repo.provider("sp", BASE_SERVICE_PROVIDER)
    repo.commit("provider")
    repo.write("registry/.gitattributes", "*.yaml working-tree-encoding=UTF-16\n")
    repo.git("add", "registry/.gitattributes")
    repo.git("commit", "-q", "-m", "attributes")
    clone = repo.root / "clone"
    repo.git("clone", "-q", str(repo.root), str(clone))
    on_disk = (clone / "registry/production/service-providers/demo.yaml").read_bytes()
    assert on_disk.startswith((b"\xff\xfe", b"\xfe\xff"))  # the checkout is UTF-16
    os.chdir(clone)
    assert cli("validate").exit_code == 1  # the working tree is unreadable as UTF-8 (P006)
    result = cli("render")
    assert result.exit_code == 0, result.stdout + result.stderr
    manifest = _manifests(clone / "build/manifests")["production-internet"]
    assert [c["name"] for c in manifest["client"]] == ["Service de démonstration"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_deployment_is_rendered_even_empty(workspace, cli, deployment) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    assert cli("render").exit_code == 0
    manifest = _manifests(workspace.root / "build/manifests")[deployment]
    assert manifest["deployment"] == deployment
    if deployment != "production-internet":
        assert (manifest["client"], manifest["provider"], manifest["firewall"]) == ([], [], {})


def test_a_record_the_core_would_drop_is_never_rendered() -> None:
    # Should a rule ever miss a value the core refuses, the gate in front of every manifest
    # (render, changed-deployments, rollback) stops it, in French, before anything is written.
    import yaml

    from fedreg.deploy.orchestration import NonConformantRecords, check_conformance
    from fedreg.registry.models import ServiceProvider

    valid = ServiceProvider.model_validate(yaml.safe_load(BASE_SERVICE_PROVIDER))
    broken = valid.model_copy(update={"redirect_uris": ["HTTPS://demo.gouv.fr/callback"]})
    check_conformance(build_manifests([("production", valid)], None))
    with pytest.raises(NonConformantRecords) as refused:
        check_conformance(build_manifests([("production", broken)], None))
    assert str(refused.value) == (
        "1 valeur(s) seraient refusées par le cœur de la fédération, qui écarterait ces "
        "fournisseurs au chargement ; aucun manifeste écrit, rien n'est déployé :\n"
        "  production-internet : client "
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 : redirect_uris : "
        "« HTTPS://demo.gouv.fr/callback » ne correspond pas à l'expression du cœur "
        "^https?:\\/\\/[^/].+$"
    )


@pytest.mark.parametrize(
    ("env", "uri", "code"),
    [
        ("production", "HTTPS://demo.gouv.fr/callback", "U016"),
        ("production", "Https://demo.gouv.fr/callback", "U016"),
        ("integration", "https://a", "U017"),
    ],
)
def test_urls_the_core_refuses_are_never_rendered(workspace, cli, env, uri, code) -> None:
    workspace.provider(
        "sp", BASE_SERVICE_PROVIDER.replace("https://demo.gouv.fr/callback", uri), env=env
    )
    result = cli("render")
    assert result.exit_code == 1
    assert f"registry/{env}/service-providers/demo.yaml:12:5: {code} " in result.stdout
    assert not (workspace.root / "build").exists()


def test_every_field_the_core_reads_is_rendered(workspace, cli) -> None:
    encrypted = edited(
        BASE_IDENTITY_PROVIDER,
        [
            ("support_email: support@demo.gouv.fr\n", ""),
            (
                "userinfo_signed_response_alg: ES256\n",
                "userinfo_signed_response_alg: ES256\n"
                "id_token_encrypted_response_alg: ECDH-ES\n"
                "id_token_encrypted_response_enc: A256GCM\n",
            ),
        ],
    )
    workspace.provider("idp", encrypted, slug="fi-demo")
    workspace.provider(
        "sp",
        BASE_SERVICE_PROVIDER.replace(
            "accepts_private_sector: false\n",
            "accepts_private_sector: false\nintrospection_signed_response_alg: ES256\n",
        ),
    )
    assert cli("render").exit_code == 0
    manifest = _manifests(workspace.root / "build/manifests")["production-internet"]
    [provider] = manifest["provider"]
    assert {
        key: provider[key]
        for key in (
            "id_token_encrypted_response_alg",
            "id_token_encrypted_response_enc",
            "userinfo_encrypted_response_alg",
            "userinfo_encrypted_response_enc",
            "supportEmail",
        )
    } == {
        "id_token_encrypted_response_alg": "ECDH-ES",
        "id_token_encrypted_response_enc": "A256GCM",
        # "" as the admin app writes it: removing a value from the file removes it from the
        # database on the next deploy.
        "userinfo_encrypted_response_alg": "",
        "userinfo_encrypted_response_enc": "",
        "supportEmail": "",
    }
    [client] = manifest["client"]
    assert client["introspection_signed_response_alg"] == "ES256"
    jsonschema.validate(provider, PROVIDER_DTO)
    jsonschema.validate(client, CLIENT_DTO)


def test_one_deployment_is_rendered_alone_with_the_whole_renders_bytes(repo, cli) -> None:
    """deploy.yml's sign job renders the deployment it signs, reading its environment's folder
    only: the same bytes as the whole render's file for it, and nothing else written."""
    repo.provider("sp", BASE_SERVICE_PROVIDER)
    repo.provider("sp", BASE_SERVICE_PROVIDER, env="integration", slug="autre")
    repo.commit("providers")
    assert cli("render", "--out", "whole").exit_code == 0
    result = cli("render", "--deployment", "production-internet", "--out", "one")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (repo.root / "one").iterdir()] == ["production-internet.json"]
    assert (repo.root / "one/production-internet.json").read_bytes() == (
        repo.root / "whole/production-internet.json"
    ).read_bytes()
    assert "production-internet.json : 1 FS" in result.stdout

    # A broken file of the other environment does not stop it: no rule spans environments.
    repo.provider("sp", "client_id: [\n", env="integration", slug="autre")
    repo.commit("broken integration file")
    assert cli("render", "--out", "whole").exit_code == 1
    assert cli("render", "--deployment", "production-internet", "--out", "one").exit_code == 0
    assert cli("render", "--deployment", "integration-internet", "--out", "one").exit_code == 1


def test_an_unknown_deployment_is_a_usage_error(repo, capsys) -> None:
    repo.provider("sp", BASE_SERVICE_PROVIDER)
    repo.commit("provider")
    with pytest.raises(SystemExit) as stop:
        main(["render", "--deployment", "production"])
    assert stop.value.code == 2
    assert "valeurs possibles : 'integration-internet'" in capsys.readouterr().err
    assert not (repo.root / "build").exists()
