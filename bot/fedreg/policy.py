"""Policy values: reviewed by the federation team in `policy.yaml`, with the same defaults here.

A registry without `policy.yaml` is checked with these defaults; a test keeps the repository's
`policy.yaml` equal to them, so that the file documents what the code does.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Reviewer = Literal["federation", "self_service"]
# What a pull request does, as the review rules name it.
SITUATIONS = (
    "outside_registry",
    "new_provider",
    "deleted_provider",
    "identifier_change",
    "moved_or_renamed",
    "production_change",
    "integration_change",
    "cosmetic_change",
)

POLICY_FILE_NAME = "policy.yaml"


class Policy(BaseModel):
    """Values that the rules read, in one place (lax types: the registry YAML reads numbers as
    text, and pydantic turns "24" into 24 here)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    federation_team: str = Field(
        "@proconnect-gouv/federation",
        description="GitHub team of the federation's operators (reviews what partners can't).",
    )
    federation_hosts: tuple[str, ...] = Field(
        (
            "fca.integ01.dev-agentconnect.fr",
            "fca.integ02.agentconnect.rie.gouv.fr",
            "auth.agentconnect.gouv.fr",
            "auth.agentconnect.rie.gouv.fr",
        ),
        description="Hosts of the federation itself: never a partner's redirect target.",
    )
    rie_address_space: tuple[str, ...] = Field(
        ("100.64.0.0/10",), description="CIDR blocks of the RIE: RIE ip_ranges must be inside."
    )
    rie_host_suffixes: tuple[str, ...] = Field(
        ("rie.gouv.fr", "ader.gouv.fr"),
        description="An RIE identity provider whose hosts are under these domains resolves on "
        "the RIE and needs no ip_ranges.",
    )
    max_prefix_ipv4: int = Field(24, ge=0, le=32, description="Widest IPv4 range allowed.")
    max_prefix_ipv6: int = Field(48, ge=0, le=128, description="Widest IPv6 range allowed.")
    support_contact: str = Field(
        "support.partenaires@mail.proconnect.gouv.fr",
        description="Where partners ask for access or help (named in the bot's comments).",
    )
    federation_age_recipient: str | None = Field(
        None,
        description="The federation's age public key: identity providers encrypt their client "
        "secret to it (client_secret_age); its private key is the deploy's FEDREG_AGE_IDENTITY.",
    )
    max_change_share: float = Field(
        0.10,
        ge=0,
        le=1,
        description="A deploy that updates or deactivates more than this share of a "
        "deployment's records is refused unless --allow-large-change.",
    )
    review_rules: dict[str, Reviewer] = Field(
        {
            "outside_registry": "federation",
            "new_provider": "federation",
            "deleted_provider": "federation",
            "identifier_change": "federation",
            "moved_or_renamed": "federation",
            "production_change": "federation",
            "integration_change": "self_service",
            "cosmetic_change": "self_service",
        },
        description="Who approves each kind of change: the federation team, or the file's "
        "owners alone (the bot approves). A situation missing here needs the federation.",
    )
    webmail_domains: tuple[str, ...] = Field(
        (
            "aol.com",
            "bbox.fr",
            "free.fr",
            "gmail.com",
            "gmx.com",
            "gmx.fr",
            "googlemail.com",
            "hotmail.com",
            "hotmail.fr",
            "icloud.com",
            "laposte.net",
            "live.com",
            "live.fr",
            "me.com",
            "msn.com",
            "neuf.fr",
            "orange.fr",
            "outlook.com",
            "outlook.fr",
            "proton.me",
            "protonmail.com",
            "sfr.fr",
            "wanadoo.fr",
            "yahoo.com",
            "yahoo.fr",
            "yopmail.com",
        ),
        description="Public webmail domains: never an identity provider's e-mail domain.",
    )
    partner_space_app: str | None = Field(
        "proconnect-espace-partenaires[bot]",
        description="Login of the partner space's GitHub App: its pull requests may carry the "
        "requester's e-mail verified by ProConnect, which counts as an owner when it is one of "
        "the file's contacts. Null: no such claim is honoured.",
    )


DEFAULT_POLICY = Policy()
