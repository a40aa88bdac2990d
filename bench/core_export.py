"""Generate a federation database as the core stores it: `client` and `provider` documents
with the shapes real exports have (lists in any order, `null` optional fields, "" for "not
encrypted", admin-app fields, ciphertext secrets), for migration tests and benchmarks."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

CREATED = datetime(2023, 3, 14, 9, 26, 53, tzinfo=UTC)


def _hex(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def client(index: int) -> dict[str, Any]:
    host = f"service-{index}.ministere-{index % 97}.gouv.fr"
    document: dict[str, Any] = {
        "key": _hex(f"client-{index}"),
        "name": f"Service numéro {index}",
        "active": index % 50 != 7,
        "client_secret": _hex(f"ciphertext-{index}")[:48] + "==",
        "redirect_uris": [f"https://{host}/auth/callback2", f"https://{host}/auth/callback"],
        "post_logout_redirect_uris": [f"https://{host}/"],
        # as the admin app saves them: in the order they were ticked
        "scopes": ["uid", "openid", "email", "usual_name", "given_name"],
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "type": "private" if index % 3 == 0 else "public",
        "collaborators": [f"equipe-{index}@ministere-{index % 97}.gouv.fr"],
        "createdAt": CREATED,
        "updatedAt": CREATED,
        "updatedBy": "admin",
        "secretCreatedAt": CREATED,
    }
    if index % 4 == 0:
        document["introspection_signed_response_alg"] = None
    return document


def provider(index: int) -> dict[str, Any]:
    host = f"auth.ministere-{index}.gouv.fr"
    return {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fi-{index}")),
        "name": f"fi-ministere-{index}",
        "title": f"Ministère numéro {index}",
        "active": True,
        "siret": "13002526500013",
        "discovery": True,
        "discoveryUrl": f"https://{host}/.well-known/openid-configuration",
        "url": f"https://{host}",
        "clientID": f"proconnect-{index}",
        "client_secret": _hex(f"fi-ciphertext-{index}")[:48] + "==",
        "token_endpoint_auth_method": "client_secret_post",
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "id_token_encrypted_response_alg": "",
        "id_token_encrypted_response_enc": "",
        "userinfo_encrypted_response_alg": "",
        "userinfo_encrypted_response_enc": "",
        "supportEmail": f"support@ministere-{index}.gouv.fr",
        "attachedEmailDomains": [f"ministere-{index}.gouv.fr", f"agents-{index}.gouv.fr"],
        "extraAcceptedEmailDomains": [],
        "isRoutingEnabled": True,
        "isBlockingForUnlistedEmailDomainsEnabled": False,
        "isEntraID": False,
        "useTheHyyyperbridge": False,
        "isMfaCompliant": index % 2 == 0,
        "createdAt": CREATED,
        "updatedAt": CREATED,
        "updatedBy": "admin",
    }


def generate_export(count: int) -> dict[str, list[dict[str, Any]]]:
    """`count` providers, one identity provider for nine service providers."""
    providers = count // 10
    return {
        "client": [client(i) for i in range(count - providers)],
        "provider": [provider(i) for i in range(providers)],
    }
