"""Signed release manifests: an in-toto v1 statement about one manifest file, in a DSSE
envelope signed with Ed25519 (securesystemslib's envelope and keys).

Pure: bytes and keys in, an envelope or a verdict out. Which keys are trusted, what time it
is and whether a commit is on main are the caller's to say. Every refusal names the check
that failed (`ReleaseRefused.check`, stable) with a French message.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import FormatError, VerificationError
from securesystemslib.signer import CryptoSigner, Key, SSlibKey

from ..errors import FedregError
from ..registry.keys import ed25519_public_key

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://github.com/proconnect-gouv/fedreg/release/v1"
ENVELOPE_SUFFIX = ".dsse.json"
SIGNING_KEY_VARIABLE = "FEDREG_RELEASE_SIGNING_KEY"
UNSIGNED = "non signé"


class ReleaseRefused(FedregError):
    """A release that must not be deployed: `check` says which check failed."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"manifeste refusé, rien n'est écrit : {message}")
        self.check = check


class Workflow(BaseModel):
    """The GitHub Actions run that rendered and signed the manifest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: str
    workflow: str
    run_id: str
    ref: str


class ReleasePredicate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    deployment: str
    source_commit: str | None
    content_digest: str
    workflow: Workflow | None
    signed_at: datetime
    valid_until: datetime


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    digest: dict[str, str]


class Statement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: Literal["https://in-toto.io/Statement/v1"] = Field(alias="_type")
    subject: list[Subject] = Field(min_length=1, max_length=1)
    predicateType: Literal["https://github.com/proconnect-gouv/fedreg/release/v1"]
    predicate: ReleasePredicate


@dataclass(frozen=True)
class VerifiedRelease:
    """What a verified release proves: who signed it, for what, until when."""

    keyid: str
    predicate: ReleasePredicate

    def describe(self) -> str:
        return (
            f"signé (clé {self.keyid[:12]}, valable jusqu'au "
            f"{self.predicate.valid_until:%Y-%m-%d %H:%M} UTC)"
        )


def workflow_from_environment(environ: Mapping[str, str]) -> Workflow | None:
    """The rendering workflow's identity when run in GitHub Actions, else None."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    return Workflow(
        repository=environ.get("GITHUB_REPOSITORY", ""),
        workflow=environ.get("GITHUB_WORKFLOW_REF") or environ.get("GITHUB_WORKFLOW", ""),
        run_id=environ.get("GITHUB_RUN_ID", ""),
        ref=environ.get("GITHUB_REF", ""),
    )


def private_key(pem: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise FedregError(
            f"{SIGNING_KEY_VARIABLE} n'est pas une clé privée PEM lisible sans mot de passe"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise FedregError(f"{SIGNING_KEY_VARIABLE} doit être une clé Ed25519")
    return key


def public_key(pem: str) -> Key:
    """A trusted public key (PEM), as securesystemslib verifies with it. ValueError when it
    is not an Ed25519 public key."""
    return SSlibKey.from_crypto(ed25519_public_key(pem))


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_release(
    manifest_bytes: bytes,
    file_name: str,
    signing_key: Ed25519PrivateKey,
    *,
    now: datetime,
    valid_days: int,
    workflow: Workflow | None,
) -> bytes:
    """The DSSE envelope (JSON bytes) of one rendered manifest file."""
    manifest = json.loads(manifest_bytes)
    return sign_manifest_file(
        file_name,
        file_digest(manifest_bytes),
        manifest,
        signing_key,
        now=now,
        valid_days=valid_days,
        workflow=workflow,
    )


def sign_manifest_file(
    file_name: str,
    sha256: str,
    manifest: Mapping[str, Any],
    signing_key: Ed25519PrivateKey,
    *,
    now: datetime,
    valid_days: int,
    workflow: Workflow | None,
) -> bytes:
    """The DSSE envelope of a manifest file written from `manifest`, whose bytes hash to
    `sha256` (computed as they were written: the file is never held whole)."""
    statement = Statement(
        type=STATEMENT_TYPE,
        subject=[Subject(name=file_name, digest={"sha256": sha256})],
        predicateType=PREDICATE_TYPE,
        predicate=ReleasePredicate(
            deployment=manifest["deployment"],
            source_commit=manifest["source_commit"],
            content_digest=manifest["digest"],
            workflow=workflow,
            signed_at=now,
            valid_until=now + timedelta(days=valid_days),
        ),
    )
    payload = statement.model_dump_json(by_alias=True).encode()
    envelope = Envelope(payload, PAYLOAD_TYPE, {})
    envelope.sign(CryptoSigner(signing_key))
    return json.dumps(envelope.to_dict(), indent=2).encode() + b"\n"


def _statement(envelope_bytes: bytes) -> tuple[Envelope, Statement]:
    try:
        envelope = Envelope.from_dict(json.loads(envelope_bytes))
        if envelope.payload_type != PAYLOAD_TYPE:
            raise ValueError(envelope.payload_type)
        statement = Statement.model_validate_json(envelope.payload)
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        binascii.Error,
        FormatError,
        ValidationError,
    ) as error:
        raise ReleaseRefused(
            "envelope",
            "l'enveloppe de signature est illisible (DSSE et déclaration in-toto v1 attendues)",
        ) from error
    return envelope, statement


def _signer(envelope: Envelope, keys: Sequence[Key]) -> str | None:
    if not keys:
        return None
    try:
        accepted = envelope.verify(list(keys), 1)
    except VerificationError:
        return None
    return next(iter(accepted))


def verify_release(
    manifest_bytes: bytes,
    envelope_bytes: bytes,
    *,
    deployment: str,
    trusted: Sequence[Key],
    other_environment: Sequence[Key],
    now: datetime,
    on_main: Callable[[str], bool],
) -> VerifiedRelease:
    """Signature by a trusted key, subject digest equal to the file, the statement about this
    deployment and this content, not expired, its commit on main; else ReleaseRefused."""
    envelope, statement = _statement(envelope_bytes)
    keyid = _signer(envelope, trusted)
    if keyid is None:
        if _signer(envelope, other_environment) is not None:
            raise ReleaseRefused(
                "environment",
                "signé avec une clé d'un autre environnement : une clé d'intégration ne "
                "signe jamais une mise en production (ni l'inverse)",
            )
        raise ReleaseRefused(
            "signature",
            "signature invalide ou clé inconnue : aucune des clés de signature de la politique "
            "pour cet environnement (release_signing_keys) ne vérifie cette enveloppe",
        )
    [subject] = statement.subject
    if subject.digest.get("sha256") != file_digest(manifest_bytes):
        raise ReleaseRefused(
            "digest",
            "le fichier du manifeste a changé depuis sa signature (son sha256 n'est plus celui "
            "de l'enveloppe)",
        )
    predicate = statement.predicate
    manifest = _manifest_object(manifest_bytes)
    if predicate.deployment != deployment or manifest.get("deployment") != deployment:
        raise ReleaseRefused(
            "deployment",
            f"cette signature vaut pour {predicate.deployment}, pas pour {deployment}",
        )
    if predicate.content_digest != manifest.get("digest") or predicate.source_commit != (
        manifest.get("source_commit")
    ):
        raise ReleaseRefused(
            "content", "la déclaration signée ne décrit pas ce manifeste (empreinte ou commit)"
        )
    if now >= predicate.valid_until.astimezone(UTC):
        raise ReleaseRefused(
            "expired",
            f"signature expirée le {predicate.valid_until:%Y-%m-%d %H:%M} UTC : rendez et "
            "signez à nouveau le manifeste",
        )
    commit = predicate.source_commit
    if commit is None or not on_main(commit):
        raise ReleaseRefused(
            "main",
            f"le commit source {str(commit)[:12]} n'est pas sur la branche main (premier parent) : "
            "seul ce qui est fusionné se déploie",
        )
    return VerifiedRelease(keyid=keyid, predicate=predicate)


def _manifest_object(manifest_bytes: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise ReleaseRefused("manifest", "le manifeste n'est pas du JSON") from error
    if not isinstance(manifest, dict):
        raise ReleaseRefused("manifest", "le manifeste n'est pas un objet JSON")
    return manifest
