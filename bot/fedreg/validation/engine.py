"""`fedreg validate`'s engine: read every file, run every rule, locate what was found."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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

_Item = TypeVar("_Item")
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
    paths: Sequence[Path],
    policy: Policy,
    base: Path | None,
    progress: Progress | None = None,
    keep_text: bool = True,
) -> list[RegistryDocument]:
    """Read and check each file. Without `keep_text`, the text of a file with nothing to
    report is dropped (`_finish_worktree` reads it again if a rule across files needs
    positions): most of a document's memory, and of what a worker sends back."""
    docs = []
    for path in paths:
        doc = read_document(path, base)
        check_document(doc, policy)
        if not keep_text and not doc.findings:
            doc.text = None
        docs.append(doc)
        if progress is not None:
            progress(len(docs), len(paths))
    return docs


def _read_and_check_chunk(
    args: tuple[Sequence[Path], Policy, Path | None],
) -> list[RegistryDocument]:
    with collector_paused():
        return read_and_check(*args, keep_text=False)


# The top-level fields the rules across files read (checks/crossfile.py).
CROSS_FILE_FIELDS = ("name", "network", "client_id", "uid", "attached_email_domains")
Checked = tuple[RegistryDocument, list[Diagnostic]]


def lean(doc: RegistryDocument) -> Checked:
    """A checked document reduced to what the rules across files need (the fields they
    read), with its own findings located now, while its text is at hand: what a worker sends
    back when nobody needs the documents themselves (a tenth of their size)."""
    diagnostics = locate(doc)
    data = doc.data
    kept = None if data is None else {k: data[k] for k in CROSS_FILE_FIELDS if k in data}
    return (
        RegistryDocument(
            doc.path, doc.display_path, doc.environment, doc.kind, doc.slug, None, kept
        ),
        diagnostics,
    )


def _read_check_and_locate_chunk(
    args: tuple[Sequence[Path], Policy, Path | None],
) -> list[Checked]:
    with collector_paused():
        return [lean(doc) for doc in read_and_check(*args)]


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
    if not _parallel(jobs, len(paths)):
        return read_and_check(paths, policy, base, progress, keep_text=False)
    return [
        doc
        for part in _in_workers(_read_and_check_chunk, paths, policy, base, jobs, progress)
        for doc in part
    ]


def _in_workers(
    work: Callable[[tuple[Sequence[Path], Policy, Path | None]], list[_Item]],
    paths: Sequence[Path],
    policy: Policy,
    base: Path | None,
    jobs: int,
    progress: Progress | None,
) -> Iterator[list[_Item]]:
    """`work` on contiguous chunks of `paths`, in `jobs` forked processes, in order."""
    size = -(-len(paths) // (jobs * 4))
    chunks = [(paths[i : i + size], policy, base) for i in range(0, len(paths), size)]
    done = 0
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for part in pool.imap(work, chunks):
            done += len(part)
            if progress is not None:
                progress(done, len(paths))
            yield part


def _parallel(jobs: int, count: int) -> bool:
    return (
        jobs > 1
        and count >= PARALLEL_MIN_FILES
        and "fork" in multiprocessing.get_all_start_methods()
    )


def check_and_locate_all(
    paths: Sequence[Path],
    policy: Policy,
    base: Path | None,
    jobs: int,
    progress: Progress | None = None,
) -> list[Checked]:
    """Like `read_and_check_all`, each document reduced by `lean` where it was checked: the
    parent receives and keeps a few fields and the located diagnostics, not documents."""
    if not _parallel(jobs, len(paths)):
        checked = []
        for doc in read_and_check(paths, policy, base, progress):
            checked.append(lean(doc))
        return checked
    work = _read_check_and_locate_chunk
    return [
        item for part in _in_workers(work, paths, policy, base, jobs, progress) for item in part
    ]


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
    keep_documents: bool = True,
) -> ValidationResult:
    """Validate every registry file under `paths` with `jobs` processes (default: one per
    available core, used only for large registries); `progress` is told of the files read;
    `known`: as in `validate_documents`. Without `keep_documents` (and `known`), the result's
    documents hold only what the rules across files read (`lean`): a fraction of the memory
    and of what workers send back."""
    with collector_paused():
        files = worktree_paths(paths)
        cores = available_cores() if jobs is None else jobs
        if not keep_documents and known is None:
            return _validate_lean(files, policy, base, cores, progress)
        docs = read_and_check_all(files, policy, base, cores, progress)
        if known is not None:
            check_new_providers(docs, policy, known)
        return ValidationResult(documents=docs, diagnostics=_finish_worktree(docs, base))


def _finish_worktree(docs: Sequence[RegistryDocument], base: Path | None) -> list[Diagnostic]:
    """`_finish` for working-tree documents whose text may have been dropped: a file with a
    finding is read again for its positions."""
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    for doc in docs:
        if doc.findings and doc.text is None and doc.data is not None:
            doc.text = read_document(doc.path, base).text
    return sorted(d for doc in docs for d in locate(doc))


def _validate_lean(
    files: Sequence[Path], policy: Policy, base: Path | None, jobs: int, progress: Progress | None
) -> ValidationResult:
    checked = check_and_locate_all(files, policy, base, jobs, progress)
    docs = [doc for doc, _ in checked]
    diagnostics = [d for _, found in checked for d in found]
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    for doc in docs:
        if doc.findings:  # the text again, for positions: only the few files in a clash
            doc.text = read_document(doc.path, base).text
            diagnostics.extend(locate(doc))
    return ValidationResult(documents=docs, diagnostics=sorted(diagnostics))
