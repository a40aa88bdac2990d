"""The release envelope alone (pure): what each check refuses, with keys generated here."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from fedreg.errors import FedregError
from fedreg.manifests.release import (
    ReleaseRefused,
    private_key,
    public_key,
    sign_release,
    verify_release,
    workflow_from_environment,
)
from fedreg.validation.policycheck import load_policy

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
MANIFEST = json.dumps(
    {"deployment": "production-rie", "digest": "ab" * 32, "source_commit": "c0ffee" * 6 + "abcd"}
).encode()
KEY = Ed25519PrivateKey.generate()


def pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def verify(envelope: bytes, manifest: bytes = MANIFEST, **overrides):
    arguments = {
        "deployment": "production-rie",
        "trusted": [public_key(pem(KEY))],
        "other_environment": [],
        "now": NOW,
        "on_main": lambda commit: True,
    }
    return verify_release(manifest, envelope, **{**arguments, **overrides})


def signed(manifest: bytes = MANIFEST, now: datetime = NOW) -> bytes:
    return sign_release(manifest, "production-rie.json", KEY, now=now, valid_days=14, workflow=None)


def refusal(envelope: bytes, **overrides) -> str:
    with pytest.raises(ReleaseRefused) as caught:
        verify(envelope, **overrides)
    return caught.value.check


def test_each_check_has_its_own_refusal() -> None:
    release = verify(signed())
    assert release.predicate.deployment == "production-rie" and release.keyid
    assert refusal(signed(), deployment="production-internet") == "deployment"
    assert refusal(signed(), now=NOW + timedelta(days=14)) == "expired"
    assert refusal(signed(), on_main=lambda commit: False) == "main"
    assert refusal(signed(), trusted=[]) == "signature"
    other = json.loads(MANIFEST) | {"digest": "cd" * 32}
    forged_statement = signed(json.dumps(other).encode())
    assert refusal(forged_statement) == "digest"
    assert refusal(b"not json") == "envelope"


def test_a_statement_about_other_content_is_refused() -> None:
    """A valid signature over a statement whose subject digest matches, but whose predicate
    names other content, cannot happen without the key: the envelope's payload is signed."""
    envelope = json.loads(signed())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["content_digest"] = "ef" * 32
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    assert refusal(json.dumps(envelope).encode()) == "signature"


def test_the_subject_is_the_file_by_name_and_sha256() -> None:
    data = b"[1, 2]"
    envelope = sign_release(
        b'{"deployment": "production-rie", "digest": "x", "source_commit": null}',
        "m.json",
        KEY,
        now=NOW,
        valid_days=14,
        workflow=None,
    )
    statement = json.loads(base64.b64decode(json.loads(envelope)["payload"]))
    assert statement["subject"][0]["name"] == "m.json"
    assert refusal(envelope, manifest=data) == "digest"


def test_keys_other_than_ed25519_are_refused() -> None:
    ec = generate_private_key(SECP256R1())
    with pytest.raises(FedregError, match="Ed25519"):
        private_key(ec.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode())
    with pytest.raises(ValueError, match="Ed25519"):
        public_key(
            ec.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        )
    with pytest.raises(ValueError, match="PEM"):
        public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_the_workflow_identity_only_in_github_actions() -> None:
    assert workflow_from_environment({}) is None
    workflow = workflow_from_environment(
        {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_WORKFLOW": "deploy"}
    )
    assert workflow is not None and (workflow.repository, workflow.workflow) == ("o/r", "deploy")


def policy_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    _, diagnostics = load_policy(path)
    return [f"{d.line}:{d.code}:{d.message}" for d in diagnostics]


def test_the_policys_signing_keys_and_codes_are_checked(tmp_path: Path) -> None:
    key = "    - |\n" + "".join(f"      {line}\n" for line in pem(KEY).splitlines())
    shared = "release_signing_keys:\n  integration:\n" + key + "  production:\n" + key
    [problem] = policy_problems(tmp_path, shared)
    assert "Q001" in problem and "plusieurs environnements" in problem
    garbage = "release_signing_keys:\n  production:\n    - pas une clé\n  staging: []\n"
    problems = policy_problems(tmp_path, garbage)
    assert any("n'est pas une clé publique Ed25519" in p for p in problems)
    assert any("« staging » n'est pas un environnement" in p for p in problems)
    floor = policy_problems(tmp_path, "unwaivable_codes: [P001]\n")
    assert any("S005 (sécurité YAML ou secret)" in p for p in floor)
    lowered = policy_problems(tmp_path, "rule_levels:\n  S005: {level: avertissement}\n")
    assert any("S005 ne se déroge pas" in p for p in lowered)
    unknown = policy_problems(tmp_path, "unwaivable_codes: [P001, Z999]\n")
    assert any("« Z999 » n'est pas un code" in p for p in unknown)
