"""Policy values: reviewed by the federation team in `policy.yaml`, with the same defaults here.

A registry without `policy.yaml` is checked with these defaults; a test keeps the repository's
`policy.yaml` equal to them, so that the file documents what the code does.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Reviewer = Literal["federation", "self_service"]
# What a pull request does, as the review rules name it.
SITUATIONS = (
    "outside_registry",
    "new_file",
    "network_change",
    "sensitive_scope",
    "new_email_domain",
    "new_provider",
    "deleted_provider",
    "identifier_change",
    "moved_or_renamed",
    "production_change",
    "integration_change",
    "cosmetic_change",
    # a registry entry whose git mode changed (executable bit, file ↔ link or submodule)
    "file_type_change",
)

# Situations the policy cannot make self-service: a new file has no base owners to trust; a
# domain another FI already routes puts a second FI in front of that domain's agents; a commit
# pushed by someone else than the pull request's author carries none of the author's rights.
# An exception to a rule (waivers.yaml) is the federation's to grant, whoever asks.
ALWAYS_FEDERATION = frozenset(
    {"new_file", "shared_email_domain", "pushed_by_other", "git_config_change", "waivers_change"}
)
# The environments that each have their own federation age key.
AGE_ENVIRONMENTS = ("integration", "production")
# The key `federation_age_recipients` replaced (Q007 names it).
RETIRED_AGE_RECIPIENT_KEY = "federation_age_recipient"

POLICY_FILE_NAME = "policy.yaml"
# Codes no waiver may bend: YAML safety, secrets in files, and what the federation core would
# refuse (a waived value would be rendered, then excluded by the core at load).
# What the policy itself cannot make waivable or lower: YAML safety and secrets.
ALWAYS_UNWAIVABLE = frozenset({*(f"P00{n}" for n in range(1, 10)), "S005", "I009"})
UNWAIVABLE_CODES = (
    *(f"P00{n}" for n in range(1, 10)),
    *(f"S00{n}" for n in range(1, 8)),
    *("I001", "I002", "I004", "I008", "I009", "I010", "I011", "I014", "I015", "I016"),
    *("L001", "L002", "L003", "L004"),
    *("U001", "U002", "U003", "U004", "U005", "U006", "U011", "U013", "U014", "U015"),
    *("U016", "U017", "O001", "O002", "O003", "O006", "O007", "X001", "X002", "X003"),
    *("D001", "D007", "D008", "Q001", "Q007", "Q008", "Q009"),
)


class RuleLevel(BaseModel):
    """A code's level set by the policy, from a date on (before it, the catalogue's level,
    with a notice of the change to come)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Literal["avertissement", "erreur"]
    effective: datetime.date | None = Field(
        None, description="Day the level applies from (none: at once)."
    )


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
    # Absolute limits, whatever the deployment's size (octoDNS-like; --allow-large-change).
    max_deactivations_per_deploy: int = Field(
        3,
        ge=0,
        description="Most providers one deploy may deactivate unless --allow-large-change.",
    )
    max_updates_per_deploy: int = Field(
        10, ge=0, description="Most providers one deploy may update unless --allow-large-change."
    )
    # The relative limit (max_change_share) only means something for larger deployments.
    min_records_for_change_share: int = Field(
        10, ge=0, description="max_change_share applies from this many records in a deployment."
    )
    # A crashed run's lock expires after this; a deploy renews it at every write.
    deploy_lock_minutes: int = Field(
        30, ge=1, description="How long a deploy's lock lasts before another run may take it."
    )
    sensitive_scopes: tuple[str, ...] = Field(
        (
            "organizational_unit",
            "belonging_population",
            "chorusdt",
            "siren",
            "groups",
            "lasuite_visio",
        ),
        description="Scopes the federation grants only on request: adding one needs its "
        "review. An entry also covers its parametrised forms (lasuite_visio:rooms:…).",
    )
    max_ipv4_addresses_per_file: int = Field(
        4096,
        ge=1,
        description="Most IPv4 addresses one file's ip_ranges may open, all entries together.",
    )
    max_ipv6_48_blocks_per_file: int = Field(
        16,
        ge=1,
        description="Most IPv6 /48 blocks one file's ip_ranges may open, all entries together.",
    )
    federation_age_recipients: dict[str, str | None] = Field(
        {"integration": None, "production": None},
        description="The federation's age public key of each environment: an identity "
        "provider encrypts its client secret to its own environment's key "
        "(client_secret_age); the private key is FEDREG_AGE_IDENTITY of that environment's "
        "deploys only.",
    )

    release_signing_keys: dict[str, tuple[str, ...]] = Field(
        {"integration": (), "production": ()},
        description="Ed25519 public keys (PEM) whose signature a release of each environment "
        "needs; two at once during a rotation. None listed: unsigned manifests deploy, marked "
        "« non signé ».",
    )
    release_validity_days: int = Field(
        14, ge=1, le=28, description="How long a signed release manifest may be deployed."
    )
    unwaivable_codes: tuple[str, ...] = Field(
        UNWAIVABLE_CODES, description="Codes that no entry of waivers.yaml may waive."
    )
    rule_levels: dict[str, RuleLevel] = Field(
        {}, description="A code's level (avertissement or erreur) from a date on."
    )

    def age_recipient(self, environment: str) -> str | None:
        return self.federation_age_recipients.get(environment)

    partner_space_app: str | None = Field(
        "proconnect-espace-partenaires[bot]",
        description="Login of the partner space's GitHub App: its pull requests may carry the "
        "requester's e-mail verified by ProConnect, which counts as an owner when it is one of "
        "the file's contacts. Null: no such claim is honoured.",
    )
    fedreg_app: str | None = Field(
        "proconnect-fedreg[bot]",
        description="Login of the fedreg GitHub App (FEDREG_APP_ID): deploy.yml records each "
        "deployment on GitHub with its token, and the partner space shows a request as "
        "deployed only from the deployments and statuses this App created (anyone with write "
        "access may create others). Null: no request is ever shown as deployed.",
    )
    # The lifecycle radar (`fedreg watch`).
    radar_dns_proof_grace_days: int = Field(
        14,
        ge=0,
        description="Days an FI's e-mail domain may lack its DNS proof before the radar sends "
        "every change of that FI's domains to the federation (R010).",
    )
    radar_secret_max_age_days: int = Field(
        730, ge=1, description="Oldest a service provider's client secret may be (R031)."
    )
    partner_space_key: str | None = Field(
        None,
        description="The partner space's Ed25519 public key (PEM): the requester it seals for "
        "a commit (the first line of its pull request's body) is trusted only when the seal "
        "verifies with this key and names the commit judged. Null: no requester is trusted.",
    )


DEFAULT_POLICY = Policy()
