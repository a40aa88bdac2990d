"""Client secrets: generated, stored as the core expects, delivered only encrypted.

The core stores `client_secret` as base64(nonce[12] | GCM tag[16] | ciphertext), AES-256-GCM,
keyed by the 32-character string CLIENT_SECRET_CIPHER_PASS used as raw UTF-8 bytes
(proconnect-core.md §5). Cleartext goes to partners only inside age files, encrypted to their
public keys; an identity provider gives its secret to the federation the same way.
Nothing here logs, prints or returns a cleartext secret to anything but its encryption.
"""

from __future__ import annotations

import base64
import os
import secrets

import pyrage
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyrage import x25519

from ..errors import FedregError

CIPHER_KEY_VARIABLE = "CLIENT_SECRET_CIPHER_PASS"
AGE_IDENTITY_VARIABLE = "FEDREG_AGE_IDENTITY"
NONCE_BYTES, TAG_BYTES = 12, 16


class SecretError(FedregError):
    pass


def generate_client_secret() -> str:
    """32 random bytes, hex: what the partner API generates."""
    return secrets.token_hex(32)


def cipher_key(environment: dict[str, str] | None = None) -> bytes:
    value = (environment if environment is not None else os.environ).get(CIPHER_KEY_VARIABLE)
    if not value:
        raise SecretError(
            f"{CIPHER_KEY_VARIABLE} manquante : impossible de chiffrer un secret "
            "comme le cœur l'attend"
        )
    key = value.encode("utf-8")
    if len(key) != 32:
        raise SecretError(f"{CIPHER_KEY_VARIABLE} doit faire 32 octets (AES-256)")
    return key


def encrypt_for_core(cleartext: str, key: bytes) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, cleartext.encode("utf-8"), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]  # cryptography appends the tag
    return base64.b64encode(nonce + tag + ciphertext).decode("ascii")


def seal_for(cleartext: str, recipients: list[str]) -> bytes:
    """An age file (binary) that only `recipients` (age public keys) can open."""
    try:
        keys = [x25519.Recipient.from_str(r) for r in recipients]
        return pyrage.encrypt(cleartext.encode("utf-8"), keys)  # type: ignore[no-any-return]
    except (pyrage.RecipientError, pyrage.EncryptError, ValueError) as error:
        raise SecretError(f"chiffrement age impossible : {error}") from error


def open_sealed(armored: str, identity: str) -> str:
    """The cleartext of an armored age message, with the federation's age identity."""
    try:
        key = x25519.Identity.from_str(identity.strip())
        return pyrage.decrypt(armored.encode("utf-8"), [key]).decode("utf-8")  # type: ignore[no-any-return]
    except (pyrage.IdentityError, pyrage.DecryptError, ValueError) as error:
        raise SecretError(
            "le secret chiffré (client_secret_age) ne s'ouvre pas avec la clé de la fédération"
        ) from error


def identity_recipient(identity: str) -> str:
    """The age public key of an age identity (to check it is the expected environment's)."""
    try:
        return str(x25519.Identity.from_str(identity.strip()).to_public())
    except (pyrage.IdentityError, ValueError) as error:
        raise SecretError(f"{AGE_IDENTITY_VARIABLE} n'est pas une identité age valide") from error
