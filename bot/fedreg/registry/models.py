"""The registry file format: one pydantic model per provider kind.

The models check shape (keys, types, enumerations, lengths) and give the published JSON Schemas
their descriptions, which partners read in their editor, hence in French. Format rules with
their own codes (URLs, IP ranges, domains, identifiers) live in `fedreg.checks`, so that one
bad value never hides the others. Patterns are published in the schemas for editor help and
enforced by those checks.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

CLIENT_ID_PATTERN = (
    r"^(?:[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# Letters, digits and ordinary French typography: the typographic apostrophe, guillemets and
# (narrow) non-breaking spaces, as the admin app's users type them.
NAME_PATTERN = r"^[A-Za-zÀ-žØ-öø-ÿ0-9 ,.:!()_'\-&/\u2019\u00ab\u00bb\u00a0\u202f]+$"
OWNER_PATTERN = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?$"
SIRET_PATTERN = r"^[0-9]{14}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
AGE_RECIPIENT_PATTERN = r"^age1[02-9ac-hj-np-z]{58}$"
AGE_ARMOR_HEADER = "-----BEGIN AGE ENCRYPTED FILE-----"

Network = Literal["internet", "rie"]
SigningAlg = Literal["ES256", "RS256", "HS256"]
# The admin app's accepted values for an FI's encryption settings (proconnect-core.md §3); the
# core itself reads any text. Enforced by rule O006 (so that an imported value stays readable).
ENCRYPTION_ALGS = ("ECDH-ES", "RSA-OAEP", "RSA-OAEP-256")
ENCRYPTION_ENCS = ("A256GCM",)
# (alg, enc) pairs: one without the other is rule O007.
ENCRYPTION_PAIRS = (
    ("id_token_encrypted_response_alg", "id_token_encrypted_response_enc"),
    ("userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"),
)

SERVICE_PROVIDER = "ServiceProvider"
IDENTITY_PROVIDER = "IdentityProvider"
KIND_SHORT_FR = {SERVICE_PROVIDER: "FS", IDENTITY_PROVIDER: "FI"}  # as partners say it


def _text(description: str, pattern: str | None = None, **kwargs: Any) -> Any:
    extra: JsonDict | None = {"pattern": pattern} if pattern else None
    return Field(description=description, json_schema_extra=extra, **kwargs)


def _choice(description: str, allowed: tuple[str, ...]) -> Any:
    # Free text in the model (the core's DTO takes any string), checked by rule O006: the
    # schemas say so, so that an editor reports O006 as fedreg does, not S004.
    extra: JsonDict = {"enum": [*allowed, None], "x-fedreg-rule": "O006"}
    return Field(None, description=description, json_schema_extra=extra)


def _text_list(description: str, item_pattern: str | None = None, **kwargs: Any) -> Any:
    extra: JsonDict | None = (
        {"items": {"type": "string", "pattern": item_pattern}} if item_pattern else None
    )
    return Field(description=description, json_schema_extra=extra, **kwargs)


class _Provider(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[
        str,
        _text(
            "Nom affiché aux utilisateurs : lettres (accentuées comprises), chiffres, espaces et "
            ", . : ! ( ) _ ' - & /",
            NAME_PATTERN,
            min_length=1,
            max_length=200,
        ),
    ]
    network: Network = Field(description="Réseau du déploiement : internet ou rie.")
    active: bool = Field(True, description="false désactive le fournisseur sans le supprimer.")
    owners: list[str] = _text_list(
        "Comptes « @identifiant » ou équipes « @organisation/équipe » GitHub autorisés à "
        "modifier ce fichier.",
        OWNER_PATTERN,
        min_length=1,
    )
    contacts: list[str] = _text_list(
        "Adresses e-mail de l'équipe responsable (collaborateurs).", min_length=1
    )
    siret: Annotated[
        str | None, _text("SIRET de l'organisation : 14 chiffres, entre guillemets.", SIRET_PATTERN)
    ] = None
    ip_ranges: list[str] = _text_list(
        "Adresses ou plages CIDR avec lesquelles les serveurs appellent la fédération "
        "(obligatoire sur le RIE).",
        default_factory=list,
    )
    id_token_signed_response_alg: SigningAlg = Field(
        description="Algorithme de signature de l'ID token : ES256 ou RS256 (HS256 déconseillé)."
    )
    userinfo_signed_response_alg: SigningAlg | None = Field(
        None,
        description="Signature de userinfo : ES256, RS256, HS256, ou null pour du JSON "
        "non signé (déconseillé).",
    )


class ServiceProvider(_Provider):
    """A service provider (FS): an OIDC client of the federation."""

    model_config = ConfigDict(
        json_schema_extra={
            "description": "Fournisseur de service (FS) de la fédération ProConnect : un fichier "
            "par déploiement (environnement × réseau)."
        }
    )

    kind: Literal["ServiceProvider"] = Field(description="Type de fournisseur.")
    client_id: Annotated[
        str,
        _text(
            "Identifiant OIDC attribué par la fédération (64 caractères hexadécimaux ou UUID).",
            CLIENT_ID_PATTERN,
        ),
    ]
    redirect_uris: list[str] = _text_list(
        "URL de retour après connexion, en correspondance exacte.", min_length=1
    )
    post_logout_redirect_uris: list[str] = _text_list(
        "URL de retour après déconnexion, en correspondance exacte.", default_factory=list
    )
    scopes: list[str] = _text_list("Scopes demandés ; openid est obligatoire.", min_length=1)
    accepts_private_sector: bool = Field(
        False, description="true si le service accepte aussi les salariés du secteur privé."
    )
    introspection_signed_response_alg: SigningAlg | None = Field(
        None,
        description="Signature des réponses d'introspection : ES256, RS256, HS256, ou null "
        "(par défaut) ; utile seulement aux serveurs de ressources.",
    )
    secret_recipients: list[str] = _text_list(
        "Clés publiques age (age1…) qui recevront le secret client, chiffré, à sa création ou "
        "à son renouvellement.",
        AGE_RECIPIENT_PATTERN,
        default_factory=list,
    )


class IdentityProvider(_Provider):
    """An identity provider (FI): an OIDC server the federation sends agents to."""

    model_config = ConfigDict(
        json_schema_extra={
            "description": "Fournisseur d'identité (FI) de la fédération ProConnect : un fichier "
            "par déploiement (environnement × réseau)."
        }
    )

    kind: Literal["IdentityProvider"] = Field(description="Type de fournisseur.")
    uid: Annotated[str, _text("Identifiant du FI dans la fédération (UUID).", UUID_PATTERN)]
    title: Annotated[
        str, _text("Titre affiché aux utilisateurs.", NAME_PATTERN, min_length=1, max_length=200)
    ]
    discovery_url: str | None = Field(
        None,
        description="URL publique du document de découverte OpenID "
        "(…/.well-known/openid-configuration).",
    )
    issuer: str | None = Field(None, description="Issuer, sans découverte.")
    authorization_url: str | None = Field(
        None, description="Point d'autorisation, sans découverte."
    )
    token_url: str | None = Field(None, description="Point token, sans découverte.")
    userinfo_url: str | None = Field(None, description="Point userinfo, sans découverte.")
    jwks_url: str | None = Field(None, description="Clés publiques (JWKS), sans découverte.")
    end_session_url: str | None = Field(None, description="Point de déconnexion, facultatif.")
    client_id: Annotated[
        str,
        _text(
            "Identifiant client créé par le FI pour la fédération.", min_length=1, max_length=256
        ),
    ]
    token_endpoint_auth_method: Literal["client_secret_post"] = Field(
        "client_secret_post", description="Seule méthode acceptée : client_secret_post."
    )
    id_token_encrypted_response_alg: str | None = _choice(
        "Chiffrement de l'ID token, algorithme : ECDH-ES, RSA-OAEP ou RSA-OAEP-256 ; null : "
        "pas de chiffrement.",
        ENCRYPTION_ALGS,
    )
    id_token_encrypted_response_enc: str | None = _choice(
        "Chiffrement de l'ID token, contenu : A256GCM (avec id_token_encrypted_response_alg).",
        ENCRYPTION_ENCS,
    )
    userinfo_encrypted_response_alg: str | None = _choice(
        "Chiffrement de userinfo, algorithme : ECDH-ES, RSA-OAEP ou RSA-OAEP-256 ; null : "
        "pas de chiffrement.",
        ENCRYPTION_ALGS,
    )
    userinfo_encrypted_response_enc: str | None = _choice(
        "Chiffrement de userinfo, contenu : A256GCM (avec userinfo_encrypted_response_alg).",
        ENCRYPTION_ENCS,
    )
    support_email: str | None = Field(
        None, description="Adresse du support, affichée sur les pages d'erreur (recommandée)."
    )
    attached_email_domains: list[str] = _text_list(
        "Domaines e-mail routés vers ce FI.", default_factory=list
    )
    extra_accepted_email_domains: list[str] = _text_list(
        "Domaines acceptés en retour du FI, sans routage.", default_factory=list
    )
    routing_enabled: bool = Field(True, description="Routage par domaine e-mail actif.")
    block_unlisted_email_domains: bool = Field(
        False, description="Refuser les utilisateurs dont le domaine n'est pas listé."
    )
    entra_id: bool = Field(False, description="FI Microsoft Entra ID.")
    uses_hybridge: bool = Field(False, description="FI RIE joint depuis Internet par l'Hybridge.")
    mfa_compliant: bool = Field(False, description="Double authentification conforme.")
    mfa_compliance_note: str | None = Field(None, description="Note sur la conformité MFA.")
    client_secret_age: str | None = Field(
        None,
        description="Le secret client du FI, chiffré avec age pour la clé publique de la "
        "fédération dans cet environnement (federation_age_recipients de la politique), en "
        "texte armuré.",
    )
    client_secret_age_recipient: str | None = Field(
        None,
        description="La clé publique age (age1…) pour laquelle client_secret_age est chiffré : "
        "celle de la fédération dans l'environnement du fichier.",
        json_schema_extra={"pattern": AGE_RECIPIENT_PATTERN},
    )


Provider = ServiceProvider | IdentityProvider

MODEL_BY_KIND: dict[str, type[ServiceProvider] | type[IdentityProvider]] = {
    SERVICE_PROVIDER: ServiceProvider,
    IDENTITY_PROVIDER: IdentityProvider,
}
KIND_BY_FOLDER = {"service-providers": SERVICE_PROVIDER, "identity-providers": IDENTITY_PROVIDER}
FOLDER_BY_KIND = {kind: folder for folder, kind in KIND_BY_FOLDER.items()}
ENVIRONMENTS = ("integration", "production")
NETWORKS = ("internet", "rie")


def deployment_name(environment: str, network: str | None) -> str:
    """A deployment: one environment on one network (`integration-internet`)."""
    return f"{environment}-{network}"


def deployment_parts(deployment: str) -> tuple[str, str]:
    """A deployment's environment and network."""
    environment, _, network = deployment.partition("-")
    return environment, network
