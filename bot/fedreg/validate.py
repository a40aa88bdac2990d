"""`fedreg validate`'s engine: read every file, run every rule, locate what was found."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .checks import FILE_CHECKS, FileContext
from .checks.crossfile import cross_file_findings
from .checks.ipranges import parse_ip_range
from .diagnostics import Diagnostic, Finding, Severity, count_errors, format_field_path
from .errors import FedregError
from .layout import RegistryDocument, classify, display_path, iter_registry_files
from .models import MODEL_BY_KIND, OWNER_PATTERN
from .policy import DEFAULT_POLICY, Policy
from .rules import RULES_BY_CODE
from .shape import check_shape, describe_value, finding_from_error
from .yamlload import decode, load_fast, load_located


@dataclass
class ValidationResult:
    documents: list[RegistryDocument]
    diagnostics: list[Diagnostic]

    @property
    def error_count(self) -> int:
        return count_errors(self.diagnostics)

    @property
    def warning_count(self) -> int:
        return len(self.diagnostics) - self.error_count


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FedregError(f"impossible de lire {path} : {error.strerror}") from error


def parse_document(doc: RegistryDocument, raw: bytes) -> None:
    """Fill `doc.text` and `doc.data` (None when unreadable), adding parse findings."""
    text, findings = decode(raw)
    doc.findings.extend(findings)
    doc.text = text
    if text is None:
        return
    data = load_fast(text)
    if data is None:
        doc.located = load_located(text)
        doc.findings.extend(doc.located.findings)
        data = doc.located.data
    doc.data = data


def read_document(path: Path, base: Path | None = None) -> RegistryDocument:
    environment, kind, slug, findings = classify(path)
    doc = RegistryDocument(path=path, display_path=display_path(path, base),
                           environment=environment, kind=kind, slug=slug, findings=findings)
    parse_document(doc, read_bytes(path))
    return doc


def _declared_kind(doc: RegistryDocument) -> str:
    """The kind to validate against; records a finding when the file and its folder disagree."""
    assert doc.data is not None
    declared = doc.data.get("kind")
    if declared is None and "kind" not in doc.data:
        doc.findings.append(Finding("S002", ("kind",), {
            "key": "kind", "detail": "ServiceProvider pour un FS, IdentityProvider pour un FI."}))
        return doc.kind
    if not isinstance(declared, str) or declared not in MODEL_BY_KIND:
        doc.findings.append(Finding("S004", ("kind",), {
            "field": "kind", "value": describe_value(declared),
            "allowed": ", ".join(MODEL_BY_KIND)}))
        return doc.kind
    if doc.kind and declared != doc.kind:
        doc.findings.append(Finding("L003", ("kind",), {
            "kind": declared, "folder": doc.path.parent.name}))
    return str(declared)


def check_document(doc: RegistryDocument, policy: Policy) -> None:
    if doc.data is None:
        return
    kind = _declared_kind(doc)
    if not kind:
        return
    provider, findings = check_shape(kind, {**doc.data, "kind": kind})
    doc.provider = provider
    doc.findings.extend(findings)
    context = FileContext(environment=doc.environment, kind=kind, policy=policy)
    for check in FILE_CHECKS:
        doc.findings.extend(check(doc.data, context))


def locate(doc: RegistryDocument) -> list[Diagnostic]:
    """Render a document's findings, re-reading it with positions only if one needs them."""
    if doc.findings and doc.located is None and doc.text is not None and any(
            finding.line is None for finding in doc.findings):
        doc.located = load_located(doc.text)
    diagnostics = []
    for finding in doc.findings:
        if finding.line is not None:
            line, column = finding.line, finding.column or 1
        elif doc.located is not None:
            line, column = doc.located.locate(finding.field, finding.on_key)
        else:
            line, column = 1, 1
        rule = RULES_BY_CODE[finding.code]
        diagnostics.append(Diagnostic(
            path=doc.display_path, line=line, column=column, code=finding.code,
            severity=rule.severity, message=rule.message.format_map(finding.params),
            hint=rule.hint.format_map(finding.params), field=format_field_path(finding.field)))
    return diagnostics


def validate_documents(docs: Sequence[RegistryDocument], policy: Policy) -> list[Diagnostic]:
    for doc in docs:
        check_document(doc, policy)
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    return sorted(d for doc in docs for d in locate(doc))


def validate_paths(paths: list[Path], policy: Policy = DEFAULT_POLICY,
                   base: Path | None = None) -> ValidationResult:
    docs = [read_document(path, base) for path in iter_registry_files(paths)]
    return ValidationResult(documents=docs, diagnostics=validate_documents(docs, policy))


def errors_only(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def _policy_findings(policy: Policy) -> list[Finding]:
    findings = []
    for index, block in enumerate(policy.rie_address_space):
        if parse_ip_range(block) is None:
            findings.append(Finding("Q001", ("rie_address_space", index), {
                "problem": f"« {block} » n'est pas une plage CIDR"}))
    if not re.match(OWNER_PATTERN, policy.federation_team):
        findings.append(Finding("Q001", ("federation_team",), {
            "problem": f"« {policy.federation_team} » n'est pas une équipe GitHub @org/équipe"}))
    return findings


def load_policy(path: Path, base: Path | None = None) -> tuple[Policy, list[Diagnostic]]:
    """The policy in `path` (defaults when the file does not exist) and its diagnostics.

    An invalid policy is reported and replaced by the defaults, so that the registry is still
    checked; the errors make the run fail.
    """
    if not path.is_file():
        return DEFAULT_POLICY, []
    doc = RegistryDocument(path=path, display_path=display_path(path, base), environment="",
                           kind="", slug=path.stem)
    parse_document(doc, read_bytes(path))
    policy = DEFAULT_POLICY
    if doc.data is not None:
        try:
            policy = Policy.model_validate(doc.data)
        except ValidationError as exc:
            doc.findings.extend(finding_from_error(Policy, e, doc.data) for e in exc.errors())
        else:
            doc.findings.extend(_policy_findings(policy))
    diagnostics = locate(doc)
    return (DEFAULT_POLICY if diagnostics else policy), diagnostics
