"""Generate large, realistic registries for benchmarks: unique values, ~25-line files.

Every `error_every`-th service provider carries a fragment in its second redirect URI, at a
known line and column, so that a benchmark can check that positions stay exact at scale.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

PLANTED_CODE = "U004"
PLANTED_POSITION = (13, 5)  # line, column of the second redirect URI below


def _hex(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def service_provider(index: int, network: str, planted: bool) -> str:
    host = f"service-{index}.ministere-{index % 97}.gouv.fr"
    second = f"https://{host}/auth/callback2" + ("#frag" if planted else "")
    ip_a, ip_b = 100 + index % 27, index % 250
    ranges = (
        f"  - 100.{64 + index % 60}.{index // 250 % 250}.{index % 250}\n"
        if network == "rie"
        else f"  - 145.{ip_a}.{ip_b}.0/28\n"
    )
    return (
        "kind: ServiceProvider\n"
        f"name: Service numéro {index}\n"
        f"network: {network}\n"
        f'client_id: "{_hex(f"client-{index}")}"\n'
        "active: true\n"
        "owners:\n"
        f'  - "@ministere-{index % 97}/equipe-{index}"\n'
        "contacts:\n"
        f"  - equipe-{index}@ministere-{index % 97}.gouv.fr\n"
        'siret: "13002526500013"\n'
        "redirect_uris:\n"
        f"  - https://{host}/auth/callback\n"
        f"  - {second}\n"
        "post_logout_redirect_uris:\n"
        f"  - https://{host}/\n"
        "ip_ranges:\n"
        + ranges
        + "scopes:\n  - openid\n  - given_name\n  - usual_name\n  - email\n  - uid\n"
        "id_token_signed_response_alg: ES256\n"
        "userinfo_signed_response_alg: ES256\n"
    )


def identity_provider(index: int, network: str) -> str:
    host = (
        f"auth.ministere-{index}.gouv.fr"
        if network == "internet"
        else (f"auth.ministere-{index}.rie.gouv.fr")
    )
    return (
        "kind: IdentityProvider\n"
        f"uid: {uuid.UUID(_hex(f'uid-{index}')[:32])}\n"
        f"name: fi-{index}\n"
        f"title: Fournisseur d'identité {index}\n"
        f"network: {network}\n"
        f'owners:\n  - "@ministere-{index}/identite"\n'
        f"contacts:\n  - identite@ministere-{index}.gouv.fr\n"
        'siret: "13002526500013"\n'
        f"discovery_url: https://{host}/.well-known/openid-configuration\n"
        "client_id: proconnect\n"
        "id_token_signed_response_alg: ES256\n"
        "userinfo_signed_response_alg: ES256\n"
        f"support_email: support@ministere-{index}.gouv.fr\n"
        f"attached_email_domains:\n  - ministere-{index}.gouv.fr\n"
        "routing_enabled: true\n"
        "mfa_compliant: true\n"
    )


def generate(root: Path, count: int, error_every: int = 0) -> list[Path]:
    """Write `count` files under `root/registry`; returns the paths with a planted error."""
    planted = []
    for index in range(count):
        env = ("integration", "production")[index % 2]
        network = ("internet", "rie")[index // 2 % 2]
        if index % 20 == 19:
            folder, text = "identity-providers", identity_provider(index, network)
        else:
            plant = bool(error_every) and index % error_every == 0
            folder, text = "service-providers", service_provider(index, network, plant)
        path = root / "registry" / env / folder / f"provider-{index:06d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if folder == "service-providers" and bool(error_every) and index % error_every == 0:
            planted.append(path)
    return planted
