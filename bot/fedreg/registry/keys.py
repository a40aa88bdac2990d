"""The policy's Ed25519 public keys (PEM): the release signing keys and the partner space's
key are read by this one helper (pure; the federation extra's `cryptography`)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def ed25519_public_key(pem: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its PEM text. ValueError (French) for anything else."""
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as error:
        raise ValueError("ce n'est pas une clé publique PEM") from error
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("ce n'est pas une clé Ed25519")
    return key
