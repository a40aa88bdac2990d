"""`fedreg new`: a valid skeleton for a new provider, with a fresh identifier."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from .checks.readiness import PLACEHOLDER_DOMAIN, PLACEHOLDER_RIE_RANGE
from .layout import REGISTRY_DIR, YAML_SUFFIX
from .models import FOLDER_BY_KIND, IDENTITY_PROVIDER, SERVICE_PROVIDER

KIND_BY_COMMAND = {"service-provider": SERVICE_PROVIDER, "identity-provider": IDENTITY_PROVIDER}
GUIDE_BY_KIND = {
    SERVICE_PROVIDER: "docs/guide-fs.md",
    IDENTITY_PROVIDER: "docs/guide-fi.md",
}
SCHEMA_FILE_BY_KIND = {
    SERVICE_PROVIDER: "service-provider.schema.json",
    IDENTITY_PROVIDER: "identity-provider.schema.json",
}


def schema_file(kind: str, environment: str | None = None) -> str:
    """The published schema of a kind, with the rules of one environment (or of both)."""
    generic = SCHEMA_FILE_BY_KIND[kind]
    return generic.replace(".schema.", f".{environment}.schema.") if environment else generic


@dataclass(frozen=True)
class NewProvider:
    kind: str
    environment: str
    network: str
    slug: str
    name: str
    owners: tuple[str, ...]
    contacts: tuple[str, ...]


def new_client_id() -> str:
    """A service provider's client_id as the partner API makes them: 32 random bytes, hex."""
    return secrets.token_hex(32)


def new_uid() -> str:
    return str(uuid.uuid4())


def relative_path(spec: NewProvider) -> str:
    return f"{REGISTRY_DIR}/{spec.environment}/{FOLDER_BY_KIND[spec.kind]}/{spec.slug}{YAML_SUFFIX}"


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "".join(f"\n  - {yaml_string(v)}" for v in values)


def render_skeleton(spec: NewProvider) -> str:
    """The file's text. Placeholders are marked « À REMPLACER » in comments and carry the
    placeholder label or range, which rules I012/I013 catch until they are replaced."""
    schema = f"../../../schemas/{schema_file(spec.kind, spec.environment)}"
    head = (
        f"# yaml-language-server: $schema={schema}\n"
        "# Guide pas à pas, de la demande de fusion à la production : "
        f"{GUIDE_BY_KIND[spec.kind]}\n"
        f"kind: {spec.kind}\n"
        f"name: {yaml_string(spec.name)}\n"
        f"network: {spec.network}\n"
    )
    people = f"owners:{_list(spec.owners)}\ncontacts:{_list(spec.contacts)}\n"
    rie_range = (
        (
            "ip_ranges:  # À REMPLACER : adresses de vos serveurs sur le RIE\n"
            f"  - {PLACEHOLDER_RIE_RANGE}\n"
        )
        if spec.network == "rie"
        else ""
    )
    if spec.kind == SERVICE_PROVIDER:
        base = f"https://{spec.slug}.{PLACEHOLDER_DOMAIN}"
        return (
            head
            + f"client_id: {yaml_string(new_client_id())}\nactive: true\n"
            + people
            + f"# À REMPLACER : les URL exactes de votre application\n"
            f"redirect_uris:\n  - {base}/oidc-callback\n"
            f"post_logout_redirect_uris:\n  - {base}/\n"
            + rie_range
            + "scopes:\n  - openid\n  - given_name\n  - usual_name\n  - email\n  - uid\n"
            "id_token_signed_response_alg: ES256\n"
            "userinfo_signed_response_alg: ES256\n"
            "accepts_private_sector: false\n"
        )
    host = f"{spec.slug}.{PLACEHOLDER_DOMAIN}"
    return (
        head
        + f"uid: {new_uid()}\ntitle: {yaml_string(spec.name)}\nactive: false\n"
        + people
        + "# À REMPLACER : l'URL de découverte publique de votre FI\n"
        f"discovery_url: https://{host}/.well-known/openid-configuration\n"
        "client_id: proconnect  # créé par votre FI pour la fédération\n"
        "token_endpoint_auth_method: client_secret_post\n"
        "id_token_signed_response_alg: ES256\n"
        "userinfo_signed_response_alg: ES256\n"
        f"support_email: {yaml_string(spec.contacts[0])}\n"
        f"attached_email_domains:  # À REMPLACER : les domaines de vos agents\n"
        f"  - {host}\n"
        + rie_range
        + "routing_enabled: false\nblock_unlisted_email_domains: false\nentra_id: false\n"
        "uses_hybridge: false\nmfa_compliant: false\n"
    )
