"""`fedreg validate`'s engine: read every file, run every rule, locate what was found."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Finding, count_errors, format_field_path
from ..errors import FedregError
from ..registry.layout import RegistryDocument
from ..registry.models import MODEL_BY_KIND, Provider
from ..registry.policy import (
    DEFAULT_POLICY,
    Policy,
)
from ..registry.snapshot import parse_document as parse_document  # re-exported: the single reader's
from ..registry.snapshot import read_document as read_document
from ..registry.snapshot import worktree_paths
from ..registry.yamlload import load_located, yaml_lines
from .checks import FILE_CHECKS, FileContext
from .checks.crossfile import cross_file_findings
from .checks.readiness import Identity, identity_of, new_provider_findings
from .rules import RULES_BY_CODE
from .shape import check_shape, describe_value

PARALLEL_MIN_FILES = 500  # below this, forking costs more than it saves (bench/)
Progress = Callable[[int, int], None]  # (files done, files in all)


@dataclass
class ValidationResult:
    documents: list[RegistryDocument]
    diagnostics: list[Diagnostic]

    @property
    def error_count(self) -> int:
        return count_errors(self.diagnostics)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FedregError(f"impossible de lire {path} : {error.strerror}") from error


def _declared_kind(doc: RegistryDocument) -> str:
    """The kind to validate against; records a finding when the file and its folder disagree."""
    assert doc.data is not None
    declared = doc.data.get("kind")
    if declared is None and "kind" not in doc.data:
        doc.findings.append(
            Finding(
                "S002",
                ("kind",),
                {
                    "key": "kind",
                    "detail": "ServiceProvider pour un FS, IdentityProvider pour un FI.",
                },
            )
        )
        return doc.kind
    if not isinstance(declared, str) or declared not in MODEL_BY_KIND:
        doc.findings.append(
            Finding(
                "S004",
                ("kind",),
                {
                    "field": "kind",
                    "value": describe_value(declared),
                    "allowed": ", ".join(MODEL_BY_KIND),
                },
            )
        )
        return doc.kind
    if doc.kind and declared != doc.kind:
        doc.findings.append(
            Finding("L003", ("kind",), {"kind": declared, "folder": doc.path.parent.name})
        )
    return str(declared)


def check_document(doc: RegistryDocument, policy: Policy) -> None:
    if doc.data is None:
        return
    kind = _declared_kind(doc)
    if not kind:
        return
    _, findings = check_shape(kind, {**doc.data, "kind": kind})
    doc.findings.extend(findings)
    context = FileContext(environment=doc.environment, kind=kind, policy=policy)
    for check in FILE_CHECKS:
        doc.findings.extend(check(doc.data, context))


def build_provider(doc: RegistryDocument) -> Provider:
    """The model instance of a document that validated (raises on one that did not)."""
    return MODEL_BY_KIND[doc.kind].model_validate(doc.data)


def locate(doc: RegistryDocument) -> list[Diagnostic]:
    """Render a document's findings, re-reading it with positions only if one needs them."""
    if (
        doc.findings
        and doc.located is None
        and doc.text is not None
        and any(finding.line is None for finding in doc.findings)
    ):
        doc.located = load_located(doc.text)
    diagnostics = []
    for finding in doc.findings:
        if finding.line is not None:
            line, column = finding.line, finding.column or 1
        elif doc.located is not None:
            line, column = doc.located.locate(finding.field, finding.on_key)
            if finding.offset is not None and doc.text is not None:
                column = _column_in_value(doc.text, line, column, finding)
        else:
            line, column = 1, 1
        rule = RULES_BY_CODE[finding.code]
        diagnostics.append(
            Diagnostic(
                path=doc.display_path,
                line=line,
                column=column,
                code=finding.code,
                severity=rule.severity,
                message=rule.message.format_map(finding.params),
                hint=rule.hint.format_map(finding.params),
                field=format_field_path(finding.field),
            )
        )
    return diagnostics


def _column_in_value(text: str, line: int, column: int, finding: Finding) -> int:
    """The column of the character `finding.offset` into its value, when the source shows that
    character there (a value on one line, plain or quoted without escapes); else `column`."""
    value = finding.params.get("value")
    assert finding.offset is not None
    lines = yaml_lines(text)
    source = lines[line - 1] if line <= len(lines) else ""
    start = column + 1 if source[column - 1 : column] in ("'", '"') else column
    target = start + finding.offset
    if isinstance(value, str) and source[target - 1 : target] == value[finding.offset]:
        return target
    return column


def check_new_providers(
    docs: Sequence[RegistryDocument], policy: Policy, known: Set[Identity]
) -> None:
    """Add what deploy requires of the providers it will create: those whose identity is not
    in `known` (the identities of the revision the change starts from)."""
    for doc in docs:
        identity = identity_of(doc.environment, doc.kind, doc.data)
        if doc.data is not None and identity is not None and identity not in known:
            context = FileContext(environment=doc.environment, kind=doc.kind, policy=policy)
            doc.findings.extend(new_provider_findings(doc.data, context))


def _finish(docs: Sequence[RegistryDocument]) -> list[Diagnostic]:
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    return sorted(d for doc in docs for d in locate(doc))


def validate_documents(
    docs: Sequence[RegistryDocument], policy: Policy, known: Set[Identity] | None = None
) -> list[Diagnostic]:
    """Check documents already read, then across them; the located diagnostics, sorted.
    With `known` identities, providers not among them are checked as new (deploy-readiness)."""
    for doc in docs:
        check_document(doc, policy)
    if known is not None:
        check_new_providers(docs, policy, known)
    return _finish(docs)


def read_and_check(
    paths: Sequence[Path], policy: Policy, base: Path | None, progress: Progress | None = None
) -> list[RegistryDocument]:
    docs = []
    for path in paths:
        doc = read_document(path, base)
        check_document(doc, policy)
        docs.append(doc)
        if progress is not None:
            progress(len(docs), len(paths))
    return docs


def _read_and_check_chunk(
    args: tuple[Sequence[Path], Policy, Path | None],
) -> list[RegistryDocument]:
    with collector_paused():
        return read_and_check(*args)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def read_and_check_all(
    paths: Sequence[Path],
    policy: Policy,
    base: Path | None,
    jobs: int,
    progress: Progress | None = None,
) -> list[RegistryDocument]:
    """Per-file work, spread over `jobs` processes when the registry is large enough to gain.

    Files are independent until the cross-file checks, so workers read and check contiguous
    chunks and send the documents back; only fork is used, which costs no re-import.
    """
    if (
        jobs <= 1
        or len(paths) < PARALLEL_MIN_FILES
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        return read_and_check(paths, policy, base, progress)
    size = -(-len(paths) // (jobs * 4))
    chunks = [(paths[i : i + size], policy, base) for i in range(0, len(paths), size)]
    docs: list[RegistryDocument] = []
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for part in pool.imap(_read_and_check_chunk, chunks):
            docs.extend(part)
            if progress is not None:
                progress(len(docs), len(paths))
    return docs


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while documents accumulate.

    A registry run keeps every parsed document alive until the cross-file checks; the
    collector would rescan that growing heap again and again (≈45 % of the run time at 10,000
    files) for data that holds no reference cycle. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_paths(
    paths: list[Path],
    policy: Policy = DEFAULT_POLICY,
    base: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    known: Set[Identity] | None = None,
) -> ValidationResult:
    """Validate every registry file under `paths` with `jobs` processes (default: one per
    available core, used only for large registries); `progress` is told of the files read;
    `known`: as in `validate_documents`."""
    with collector_paused():
        files = worktree_paths(paths)
        cores = available_cores() if jobs is None else jobs
        docs = read_and_check_all(files, policy, base, cores, progress)
        if known is not None:
            check_new_providers(docs, policy, known)
        return ValidationResult(documents=docs, diagnostics=_finish(docs))
