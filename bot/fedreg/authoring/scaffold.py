"""`fedreg new`: a valid skeleton for a new provider, with a fresh identifier."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from ..registry.layout import REGISTRY_DIR, YAML_SUFFIX
from ..registry.models import FOLDER_BY_KIND, IDENTITY_PROVIDER, SERVICE_PROVIDER
from ..validation.checks.readiness import (
    PLACEHOLDER_DOMAIN,
    PLACEHOLDER_RECIPIENT,
    PLACEHOLDER_RIE_RANGE,
)

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
    # The federation's age public key for the environment (policy.yaml), for which an
    # identity provider seals the secret it made for the federation; None when not set.
    federation_age_recipient: str | None = None


def new_client_id() -> str:
    """A service provider's client_id as the partner API makes them: 32 random bytes, hex."""
    return secrets.token_hex(32)


def new_uid() -> str:
    return str(uuid.uuid4())


def relative_path(spec: NewProvider) -> str:
    return f"{REGISTRY_DIR}/{spec.environment}/{FOLDER_BY_KIND[spec.kind]}/{spec.slug}{YAML_SUFFIX}"


def render_skeleton(spec: NewProvider) -> str:
    """The file's text, written by the round-trip writer in `fedreg fmt`'s style. Placeholders
    are marked « À REMPLACER » in comments and carry the placeholder label or range, which
    rules I012/I013 catch until they are replaced."""
    # The round-trip writer (ruamel.yaml) is imported here: the CLI imports this module to
    # build its parser, and `fedreg validate` must start fast.
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from .formatting import format_text
    from .roundtrip import dump_new

    start = (
        f"yaml-language-server: $schema=../../../schemas/{schema_file(spec.kind, spec.environment)}"
        "\nGuide pas à pas, de la demande de fusion à la production : "
        f"{GUIDE_BY_KIND[spec.kind]}"
    )
    head: dict[str, Any] = {"kind": spec.kind, "name": spec.name, "network": spec.network}
    people = {"owners": list(spec.owners), "contacts": list(spec.contacts)}
    rie = {"ip_ranges": [PLACEHOLDER_RIE_RANGE]} if spec.network == "rie" else {}
    after = {"ip_ranges": "À REMPLACER : adresses de vos serveurs sur le RIE"} if rie else {}
    if spec.kind == SERVICE_PROVIDER:
        base = f"https://{spec.slug}.{PLACEHOLDER_DOMAIN}"
        fields = {
            **head,
            "client_id": DoubleQuotedScalarString(new_client_id()),
            "active": True,
            **people,
            "redirect_uris": [f"{base}/oidc-callback"],
            "post_logout_redirect_uris": [f"{base}/"],
            **rie,
            "scopes": ["openid", "given_name", "usual_name", "email", "uid"],
            "id_token_signed_response_alg": "ES256",
            "userinfo_signed_response_alg": "ES256",
            "accepts_private_sector": False,
            "secret_recipients": [PLACEHOLDER_RECIPIENT],
        }
        before = {
            "redirect_uris": "À REMPLACER : les URL exactes de votre application",
            "secret_recipients": "À REMPLACER : la clé publique age de votre équipe "
            "(age-keygen -o ma-cle.txt) ; le secret généré au déploiement vous est remis "
            "chiffré pour elle",
        }
        return format_text(dump_new(fields, start_comment=start, before=before, after=after))
    host = f"{spec.slug}.{PLACEHOLDER_DOMAIN}"
    fields = {
        **head,
        "uid": new_uid(),
        "title": spec.name,
        "active": False,
        **people,
        "discovery_url": f"https://{host}/.well-known/openid-configuration",
        "client_id": "proconnect",
        "token_endpoint_auth_method": "client_secret_post",
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "support_email": spec.contacts[0],
        "attached_email_domains": [host],
        **rie,
        "routing_enabled": False,
        "block_unlisted_email_domains": False,
        "entra_id": False,
        "uses_hybridge": False,
        "mfa_compliant": False,
        "client_secret_age_recipient": spec.federation_age_recipient or PLACEHOLDER_RECIPIENT,
    }
    before = {
        "discovery_url": "À REMPLACER : l'URL de découverte publique de votre FI",
        "client_secret_age_recipient": "À COMPLÉTER : le secret que votre FI a créé pour la "
        "fédération, chiffré pour cette clé (age -a -r <la clé ci-dessous>), collé sous "
        "client_secret_age: |",
    }
    after = {
        "client_id": "créé par votre FI pour la fédération",
        "attached_email_domains": "À REMPLACER : les domaines de vos agents",
        **after,
    }
    return format_text(dump_new(fields, start_comment=start, before=before, after=after))
