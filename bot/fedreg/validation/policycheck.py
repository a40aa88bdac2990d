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
    ALWAYS_UNWAIVABLE,
    DEFAULT_POLICY,
    RETIRED_AGE_RECIPIENT_KEY,
    SITUATIONS,
    Policy,
)
from ..registry.snapshot import parse_document
from .checks.ipranges import parse_ip_range
from .checks.oidc import KNOWN_SCOPES
from .engine import locate, read_bytes
from .rules import RULES_BY_CODE
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
    findings.extend(_release_key_findings(policy))
    findings.extend(_code_findings(policy))
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


def _is_ed25519_public_key(pem: str) -> bool:
    # Imported only when a policy lists signing keys: `validate` stays light.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        return isinstance(load_pem_public_key(pem.encode()), Ed25519PublicKey)
    except (ValueError, TypeError):
        return False


def _release_key_findings(policy: Policy) -> Iterator[Finding]:
    keys = policy.release_signing_keys
    for environment in sorted(set(keys) - set(AGE_ENVIRONMENTS)):
        problem = (
            f"« {environment} » n'est pas un environnement (attendu : integration, production)"
        )
        yield Finding("Q001", ("release_signing_keys", environment), {"problem": problem}, True)
    for environment, pems in sorted(keys.items()):
        for index, pem in enumerate(pems):
            if not _is_ed25519_public_key(pem):
                problem = "ce n'est pas une clé publique Ed25519 au format PEM"
                yield Finding(
                    "Q001", ("release_signing_keys", environment, index), {"problem": problem}
                )
    every = [pem.strip() for pems in keys.values() for pem in set(pems)]
    if len(every) != len(set(every)):
        problem = (
            "la même clé signe pour plusieurs environnements : une signature d'intégration "
            "ouvrirait la production"
        )
        yield Finding("Q001", ("release_signing_keys",), {"problem": problem}, on_key=True)


def _code_findings(policy: Policy) -> Iterator[Finding]:
    for index, code in enumerate(policy.unwaivable_codes):
        if code not in RULES_BY_CODE:
            problem = f"« {code} » n'est pas un code de diagnostic"
            yield Finding("Q001", ("unwaivable_codes", index), {"problem": problem})
    for code in sorted(ALWAYS_UNWAIVABLE - set(policy.unwaivable_codes)):
        problem = f"{code} (sécurité YAML ou secret) ne peut jamais faire l'objet d'une dérogation"
        yield Finding("Q001", ("unwaivable_codes",), {"problem": problem}, on_key=True)
    for code, level in sorted(policy.rule_levels.items()):
        if code not in RULES_BY_CODE:
            problem = f"« {code} » n'est pas un code de diagnostic"
            yield Finding("Q001", ("rule_levels", code), {"problem": problem}, on_key=True)
        elif code in policy.unwaivable_codes and level.level == "avertissement":
            problem = f"{code} ne se déroge pas : il ne peut pas devenir un avertissement"
            yield Finding("Q001", ("rule_levels", code), {"problem": problem}, on_key=True)


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
