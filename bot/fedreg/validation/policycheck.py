"""The policy file: loaded, checked and located, so that a broken policy is reported like a
registry file (the registry is then still checked against the defaults)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from ..diagnostics import Diagnostic, Finding
from ..registry.layout import RegistryDocument, display_path
from ..registry.models import AGE_RECIPIENT_PATTERN, OWNER_PATTERN
from ..registry.policy import (
    AGE_ENVIRONMENTS,
    ALWAYS_FEDERATION,
    DEFAULT_POLICY,
    RETIRED_AGE_RECIPIENT_KEY,
    SITUATIONS,
    Policy,
)
from ..registry.snapshot import parse_document
from .checks.ipranges import parse_ip_range
from .checks.oidc import KNOWN_SCOPES
from .engine import locate, read_bytes
from .shape import finding_from_error


def _policy_findings(policy: Policy) -> list[Finding]:
    findings = []
    for index, block in enumerate(policy.rie_address_space):
        if parse_ip_range(block) is None:
            findings.append(
                Finding(
                    "Q001",
                    ("rie_address_space", index),
                    {"problem": f"« {block} » n'est pas une plage CIDR"},
                )
            )
    for situation in sorted(set(policy.review_rules) - set(SITUATIONS)):
        findings.append(
            Finding(
                "Q001",
                ("review_rules", situation),
                {
                    "problem": f"« {situation} » n'est pas une situation connue (attendu : "
                    + ", ".join(SITUATIONS)
                    + ")"
                },
                on_key=True,
            )
        )
    findings.extend(_age_recipient_findings(policy))
    for index, scope in enumerate(policy.sensitive_scopes):
        if scope not in KNOWN_SCOPES:
            findings.append(
                Finding(
                    "Q009",
                    ("sensitive_scopes", index),
                    {"value": scope, "known": ", ".join(KNOWN_SCOPES)},
                )
            )
    for situation in sorted(ALWAYS_FEDERATION & set(SITUATIONS)):
        if policy.review_rules.get(situation) == "self_service":
            problem = f"« {situation} » est toujours revu par la fédération"
            findings.append(Finding("Q001", ("review_rules", situation), {"problem": problem}))
    if not re.match(OWNER_PATTERN, policy.federation_team):
        findings.append(
            Finding(
                "Q001",
                ("federation_team",),
                {
                    "problem": f"« {policy.federation_team} » n'est pas une équipe GitHub "
                    "@org/équipe"
                },
            )
        )
    return findings


def _age_recipient_findings(policy: Policy) -> Iterator[Finding]:
    recipients = policy.federation_age_recipients
    for environment in sorted(set(recipients) - set(AGE_ENVIRONMENTS)):
        problem = (
            f"« {environment} » n'est pas un environnement (attendu : integration, production)"
        )
        yield Finding(
            "Q008", ("federation_age_recipients", environment), {"problem": problem}, on_key=True
        )
    for environment, recipient in sorted(recipients.items()):
        if recipient is not None and not re.match(AGE_RECIPIENT_PATTERN, recipient):
            yield Finding(
                "Q001",
                ("federation_age_recipients", environment),
                {"problem": f"« {recipient} » n'est pas une clé publique age (age1…)"},
            )
    keys = [key for key in recipients.values() if key is not None]
    if len(keys) != len(set(keys)):
        problem = (
            "la même clé sert à plusieurs environnements : les déploiements d'intégration "
            "pourraient ouvrir les secrets de production"
        )
        yield Finding("Q008", ("federation_age_recipients",), {"problem": problem}, on_key=True)


def load_policy(path: Path, base: Path | None = None) -> tuple[Policy, list[Diagnostic]]:
    """The policy in `path` (defaults when the file does not exist) and its diagnostics.

    An invalid policy is reported and replaced by the defaults, so that the registry is still
    checked; the errors make the run fail.
    """
    if not path.is_file():
        return DEFAULT_POLICY, []
    return check_policy(path, read_bytes(path), base)


def check_policy(
    path: Path, raw: bytes, base: Path | None = None
) -> tuple[Policy, list[Diagnostic]]:
    """The policy `raw` holds (the defaults when it is invalid) and its diagnostics, reported
    at `path` (the editor's unsaved text, or the file's content)."""
    doc = RegistryDocument(
        path=path, display_path=display_path(path, base), environment="", kind="", slug=path.stem
    )
    parse_document(doc, raw)
    policy = DEFAULT_POLICY
    if doc.data is not None and RETIRED_AGE_RECIPIENT_KEY in doc.data:
        doc.findings.append(Finding("Q007", (RETIRED_AGE_RECIPIENT_KEY,), on_key=True))
        doc.data = {k: v for k, v in doc.data.items() if k != RETIRED_AGE_RECIPIENT_KEY}
    if doc.data is not None:
        try:
            policy = Policy.model_validate(doc.data)
        except ValidationError as exc:
            doc.findings.extend(finding_from_error(Policy, e, doc.data) for e in exc.errors())
        else:
            doc.findings.extend(_policy_findings(policy))
    diagnostics = locate(doc)
    return (DEFAULT_POLICY if diagnostics else policy), diagnostics
