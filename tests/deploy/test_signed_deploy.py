"""Signed release manifests through the real CLI: `render --sign` in the render job, verified
first by `deploy`, `rollback`, `bot deploy` and `verify-release`. Keys are generated here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from test_deploy import (  # noqa: F401 - fixtures, used by name
    CLIENT_KEY,
    SP,
    audits,
    backend,
    bot_environment,
    deploy,
    github_for,
    live,
    raw_target,
    registry,
    service_provider,
    target,
)

from fedreg.manifests.release import sign_release

MANIFEST = "build/manifests/production-internet.json"


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def yaml_block(pem: str) -> str:
    return "|\n" + "".join(f"      {line}\n" for line in pem.splitlines())


def write_policy(repo, *, production: list[Ed25519PrivateKey], integration=()) -> None:
    def keys(environment: str, signers) -> str:
        if not signers:
            return f"  {environment}: []\n"
        return f"  {environment}:\n" + "".join(
            f"    - {yaml_block(public_pem(k))}" for k in signers
        )

    repo.write(
        "policy.yaml",
        "release_signing_keys:\n"
        + keys("integration", integration)
        + keys("production", production),
    )


@pytest.fixture
def keys() -> dict[str, Ed25519PrivateKey]:
    return {name: Ed25519PrivateKey.generate() for name in ("production", "integration", "next")}


@pytest.fixture
def signed_registry(registry, keys):
    write_policy(registry, production=[keys["production"]], integration=[keys["integration"]])
    registry.commit("signing keys")
    return registry


def render_signed(cli, monkeypatch, key: Ed25519PrivateKey) -> None:
    monkeypatch.setenv("FEDREG_RELEASE_SIGNING_KEY", private_pem(key))
    result = cli("render", "--sign")
    monkeypatch.delenv("FEDREG_RELEASE_SIGNING_KEY")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "signé" in result.stdout


def assert_nothing_written(target: str) -> None:
    assert live(target, "client") == {} and live(target, "provider") == {}
    assert audits(target, kind="deploy") == []


@pytest.mark.parametrize("backend", ["mongodb", "file"])
def test_a_manifest_signed_by_the_render_jobs_key_deploys(
    signed_registry, cli, target, keys, monkeypatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "proconnect-gouv/federation-registry")
    monkeypatch.setenv(
        "GITHUB_WORKFLOW_REF",
        "proconnect-gouv/federation-registry/.github/workflows/deploy.yml@refs/heads/main",
    )
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    render_signed(cli, monkeypatch, keys["production"])
    envelope = json.loads(Path(MANIFEST + ".dsse.json").read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"][0]["name"] == "production-internet.json"
    predicate = statement["predicate"]
    assert predicate["workflow"]["run_id"] == "4242"
    assert predicate["source_commit"] == signed_registry.git("rev-parse", "HEAD")
    signed_at = datetime.fromisoformat(predicate["signed_at"])
    assert datetime.fromisoformat(predicate["valid_until"]) - signed_at == timedelta(days=14)
    checked = cli("verify-release", MANIFEST)
    assert checked.exit_code == 0, checked.stderr
    assert "signé (clé" in checked.stdout and "déployable" in checked.stdout
    result = deploy(cli, target, "--manifest", MANIFEST)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Manifeste : signé (clé" in result.stdout
    assert CLIENT_KEY in live(target, "client")
    [audit] = audits(target, kind="deploy")
    assert audit["release"].startswith("signé (clé")
    history = cli("history", "production-internet", "--target", target).stdout
    assert "manifeste signé (clé" in history
    entries = json.loads(
        cli("history", "production-internet", "--target", target, "--format", "json").stdout
    )["entries"]
    assert [e["release"] for e in entries if e["kind"] == "deploy"] == [audit["release"]]


def refused(cli, target, expected: str, *extra: str) -> None:
    result = deploy(cli, target, *extra)
    assert result.exit_code == 1, result.stdout
    assert "manifeste refusé, rien n'est écrit" in result.stderr
    assert expected in result.stderr, result.stderr
    assert_nothing_written(target)
    as_json = json.loads(deploy(cli, target, "--format", "json", *extra).stdout)
    assert as_json["status"] == "refused" and as_json["plan"] is None
    assert any(expected in refusal for refusal in as_json["refusals"])


def test_a_tampered_manifest_is_refused(signed_registry, cli, target, keys, monkeypatch) -> None:
    render_signed(cli, monkeypatch, keys["production"])
    path = Path(MANIFEST)
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(manifest, indent=4))  # same content, other bytes
    refused(cli, target, "a changé depuis sa signature", "--manifest", MANIFEST)
    verified = cli("verify-release", MANIFEST)
    assert verified.exit_code == 1 and "a changé depuis sa signature" in verified.stderr


def test_a_signature_by_an_unknown_key_is_refused(
    signed_registry, cli, target, keys, monkeypatch
) -> None:
    render_signed(cli, monkeypatch, keys["next"])
    refused(cli, target, "signature invalide ou clé inconnue", "--manifest", MANIFEST)


def test_the_integration_key_never_signs_production(
    signed_registry, cli, target, keys, monkeypatch
) -> None:
    render_signed(cli, monkeypatch, keys["integration"])
    refused(cli, target, "clé d'un autre environnement", "--manifest", MANIFEST)


def test_an_unsigned_manifest_or_none_is_refused_where_keys_are_listed(
    signed_registry, cli, target
) -> None:
    assert cli("render").exit_code == 0
    refused(cli, target, "production-internet.json.dsse.json est absent", "--manifest", MANIFEST)
    refused(cli, target, "n'accepte que des manifestes signés")  # rendered here: never signed
    rollback = cli("rollback", "production-internet", "--to", "HEAD", "--target", target, "--yes")
    assert rollback.exit_code == 1 and "n'accepte que des manifestes signés" in rollback.stderr
    assert_nothing_written(target)


def test_an_expired_release_is_refused(signed_registry, cli, target, keys) -> None:
    assert cli("render").exit_code == 0
    path = Path(MANIFEST)
    data = path.read_bytes()
    envelope = sign_release(
        data,
        path.name,
        keys["production"],
        now=datetime.now(UTC) - timedelta(days=15),
        valid_days=14,
        workflow=None,
    )
    Path(MANIFEST + ".dsse.json").write_bytes(envelope)
    refused(cli, target, "signature expirée le", "--manifest", MANIFEST)


def test_a_source_commit_not_on_main_is_refused(
    signed_registry, cli, target, keys, monkeypatch
) -> None:
    signed_registry.git("checkout", "-q", "-b", "feature")
    signed_registry.write(
        SP,
        service_provider(
            ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2/callback\n")
        ),
    )
    signed_registry.commit("not merged")
    render_signed(cli, monkeypatch, keys["production"])
    refused(cli, target, "n'est pas sur la branche main", "--manifest", MANIFEST)


def test_key_rotation_two_keys_are_valid_at_once(registry, cli, target, keys, monkeypatch) -> None:
    write_policy(registry, production=[keys["production"], keys["next"]])
    registry.commit("rotation: next key added")
    render_signed(cli, monkeypatch, keys["next"])
    assert deploy(cli, target, "--manifest", MANIFEST).exit_code == 0
    render_signed(cli, monkeypatch, keys["production"])
    assert "Rien à faire" in deploy(cli, target, "--manifest", MANIFEST).stdout
    write_policy(registry, production=[keys["next"]])
    registry.commit("rotation: old key retired")
    render_signed(cli, monkeypatch, keys["production"])
    result = deploy(cli, target, "--manifest", MANIFEST)
    assert result.exit_code == 1 and "clé inconnue" in result.stderr


@pytest.mark.parametrize("backend", ["mongodb", "file"])
def test_an_environment_without_keys_deploys_said_unsigned(registry, cli, target) -> None:
    planned = deploy(cli, target, "--dry-run", "--format", "json")
    assert json.loads(planned.stdout)["release"] == "non signé"
    result = deploy(cli, target)
    assert result.exit_code == 0 and "Manifeste : non signé." in result.stdout
    [audit] = audits(target, kind="deploy")
    assert audit["release"] == "non signé"
    assert "manifeste non signé" in cli("history", "production-internet", "--target", target).stdout


def test_verify_release_with_a_given_public_key(signed_registry, cli, keys, monkeypatch) -> None:
    render_signed(cli, monkeypatch, keys["integration"])
    integration = "build/manifests/integration-internet.json"
    Path("integration.pem").write_text(public_pem(keys["integration"]))
    Path("production.pem").write_text(public_pem(keys["production"]))
    assert cli("verify-release", integration, "--public-key", "integration.pem").exit_code == 0
    wrong = cli("verify-release", integration, "--public-key", "production.pem")
    assert wrong.exit_code == 1 and "clé inconnue" in wrong.stderr
    Path("garbage.pem").write_text("pas une clé")
    usage = cli("verify-release", integration, "--public-key", "garbage.pem")
    assert usage.exit_code == 2 and "clé publique PEM" in usage.stderr


def test_a_broken_envelope_or_signing_key_is_a_clear_error(
    signed_registry, cli, target, monkeypatch
) -> None:
    monkeypatch.setenv("FEDREG_RELEASE_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----\nxx\n")
    result = cli("render", "--sign")
    assert result.exit_code == 1 and "clé privée PEM" in result.stderr
    assert not Path(MANIFEST).exists()
    monkeypatch.delenv("FEDREG_RELEASE_SIGNING_KEY")
    assert cli("render", "--sign").exit_code == 1
    assert cli("render").exit_code == 0
    for broken in ("{}", "[1]", '{"payload": "%%%", "payloadType": "x", "signatures": []}'):
        Path(MANIFEST + ".dsse.json").write_text(broken)
        refused(cli, target, "enveloppe de signature est illisible", "--manifest", MANIFEST)


def test_rollback_takes_the_signed_manifest_of_its_commit(
    signed_registry, cli, target, keys, monkeypatch
) -> None:
    first = signed_registry.git("rev-parse", "HEAD")
    render_signed(cli, monkeypatch, keys["production"])
    Path("first.json").write_bytes(Path(MANIFEST).read_bytes())
    Path("first.json.dsse.json").write_bytes(Path(MANIFEST + ".dsse.json").read_bytes())
    assert deploy(cli, target, "--manifest", MANIFEST).exit_code == 0
    signed_registry.write(
        SP,
        service_provider(
            ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2/callback\n")
        ),
    )
    second = signed_registry.commit("v2")
    render_signed(cli, monkeypatch, keys["production"])
    assert deploy(cli, target, "--manifest", MANIFEST).exit_code == 0

    def rollback(to: str, manifest: str):
        return cli(
            "rollback",
            "production-internet",
            "--to",
            to,
            "--target",
            target,
            "--yes",
            "--manifest",
            manifest,
        )

    wrong = rollback(first, MANIFEST)  # the signed manifest of another commit
    assert wrong.exit_code == 1 and f"n'est pas le manifeste du commit {first}" in wrong.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == [
        "https://demo.gouv.fr/v2/callback"
    ]
    result = rollback(first, "first.json")
    assert result.exit_code == 0, result.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    assert second != first


def test_the_deploy_job_verifies_the_render_jobs_signature(
    signed_registry, cli, target, keys, github_for, monkeypatch
) -> None:
    bot_environment(monkeypatch, github_for, signed_registry.git("rev-parse", "HEAD"))
    render_signed(cli, monkeypatch, keys["integration"])
    [deployment] = github_for.deployments
    refusal = cli(
        "bot", "deploy", "production-internet", "--target", target, "--manifest", MANIFEST
    )
    assert refusal.exit_code == 1 and "clé d'un autre environnement" in refusal.stderr
    assert deployment["statuses"][-1]["state"] == "failure"
    assert "manifeste refusé" in deployment["statuses"][-1]["description"]
    assert_nothing_written(target)
    unsigned = cli("bot", "deploy", "production-internet", "--target", target)
    assert unsigned.exit_code == 1 and "n'accepte que des manifestes signés" in unsigned.stderr
    assert_nothing_written(target)
    render_signed(cli, monkeypatch, keys["production"])
    result = cli("bot", "deploy", "production-internet", "--target", target, "--manifest", MANIFEST)
    assert result.exit_code == 0, result.stderr
    assert deployment["statuses"][-1]["state"] == "success"
    assert CLIENT_KEY in live(target, "client")
