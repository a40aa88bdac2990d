"""`fedreg validate`'s engine: read every file, run every rule, locate what was found."""

from __future__ import annotations

import gc
import multiprocessing
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
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
from ..registry.snapshot import worktree_entries, worktree_paths
from ..registry.yamlload import load_located, yaml_lines
from .checks import FILE_CHECKS, FileContext, load_lazy_data
from .checks.crossfile import cross_file_findings, cross_key_fingerprints
from .checks.readiness import Identity, identity_of, new_provider_findings
from .rules import RULES_BY_CODE
from .shape import check_shape, describe_value

_Item = TypeVar("_Item")
PARALLEL_MIN_FILES = 500  # below this, forking costs more than it saves (bench/)
Progress = Callable[[int, int], None]  # (files done, files in all)


@dataclass
class ValidationResult:
    """What a run found. A lean run (`keep_documents=False`) keeps no documents, only the
    display paths of the files it checked (`checked`)."""

    documents: list[RegistryDocument]
    diagnostics: list[Diagnostic]
    checked: list[str] | None = None

    @property
    def error_count(self) -> int:
        return count_errors(self.diagnostics)

    @property
    def checked_paths(self) -> list[str]:
        """The display path of every file checked, in order."""
        if self.checked is not None:
            return self.checked
        return [doc.display_path for doc in self.documents]


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
    `known`: as in `validate_documents`. Without `keep_documents` (and `known`), the result
    keeps no documents (`_validate_lean`): a fraction of the memory and of what workers send
    back."""
    with collector_paused():
        cores = available_cores() if jobs is None else jobs
        if not keep_documents and known is None:
            return _validate_lean(worktree_entries(paths), policy, base, cores, progress)
        files = worktree_paths(paths)
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
    files: Sequence[str], policy: Policy, base: Path | None, jobs: int, progress: Progress | None
) -> ValidationResult:
    """Every file read, checked and located where it is read (in `jobs` workers for a large
    registry); what comes back is its located diagnostics and the fingerprints of its keys
    across files, never the document. Files whose fingerprints meet are read again, and the
    rules across files run on them alone: they find there exactly what they would find in
    the whole registry, since every holder of a shared key is among them."""
    checked: list[str] = []
    diagnostics: list[Diagnostic] = []
    holder_by_key: dict[int, int] = {}
    clashing: set[int] = set()
    for outcome in _lean_outcomes(files, policy, base, jobs, progress):
        diagnostics.extend(outcome.diagnostics)
        note_clashes(outcome.keys, outcome.holders, holder_by_key, clashing)
        checked.extend(outcome.display_paths)  # in order: outcomes come in `files` order
    diagnostics.extend(_cross_file_diagnostics([files[i] for i in sorted(clashing)], base))
    return ValidationResult(documents=[], diagnostics=sorted(diagnostics), checked=checked)


@dataclass(frozen=True)
class LeanOutcome:
    """What checking a run of files sends back: their display paths, located diagnostics,
    and the fingerprint of each key they hold for the rules across files (`keys`), with the
    index in the whole list of the file that holds it (`holders`)."""

    display_paths: list[str]
    diagnostics: list[Diagnostic]
    keys: array[int]
    holders: array[int]


def check_lean(files: Sequence[str], first: int, policy: Policy, base: Path | None) -> LeanOutcome:
    """Read, check and locate `files` (`first` is the first one's index in the whole list)."""
    outcome = LeanOutcome([], [], array("q"), array("q"))
    for index, entry in enumerate(files, first):
        doc = read_document(Path(entry), base)
        check_document(doc, policy)
        outcome.display_paths.append(doc.display_path)
        if doc.findings:
            outcome.diagnostics.extend(locate(doc))
        for key in cross_key_fingerprints(doc):
            outcome.keys.append(key)
            outcome.holders.append(index)
    return outcome


_lean_work: tuple[Sequence[str], Policy, Path | None] = ((), DEFAULT_POLICY, None)


def _set_lean_work(files: Sequence[str], policy: Policy, base: Path | None) -> None:
    """A worker's share of the run, inherited through fork: chunks are sent as two numbers."""
    global _lean_work
    _lean_work = (files, policy, base)


def _check_lean_span(span: tuple[int, int]) -> tuple[int, LeanOutcome]:
    files, policy, base = _lean_work
    start, stop = span
    with collector_paused():
        return start, check_lean(files[start:stop], start, policy, base)


LEAN_CHUNKS_PER_JOB = 16  # enough for the cores to finish together, few enough to cost nothing
LEAN_CHUNK_MAX = 1000


def _lean_outcomes(
    files: Sequence[str], policy: Policy, base: Path | None, jobs: int, progress: Progress | None
) -> Iterator[LeanOutcome]:
    """`check_lean` over `files`, spread over `jobs` forked workers when it gains; the outcomes
    in the order of `files`, whichever worker finished first."""
    size = min(LEAN_CHUNK_MAX, -(-len(files) // (jobs * LEAN_CHUNKS_PER_JOB)))
    spans = [(start, min(start + size, len(files))) for start in range(0, len(files), size)]
    if not _parallel(jobs, len(files)):
        for start, stop in spans:
            yield check_lean(files[start:stop], start, policy, base)
            if progress is not None:
                progress(stop, len(files))
        return
    pending: dict[int, LeanOutcome] = {}
    next_start, done = 0, 0
    load_lazy_data()
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, _set_lean_work, (files, policy, base)) as pool:
        for start, outcome in pool.imap_unordered(_check_lean_span, spans):
            done += len(outcome.display_paths)
            if progress is not None:
                progress(done, len(files))
            pending[start] = outcome
            while next_start in pending:
                ready = pending.pop(next_start)
                next_start += len(ready.display_paths)
                yield ready


def note_clashes(
    keys: Iterable[int], holders: Iterable[int], holder_by_key: dict[int, int], clashing: set[int]
) -> None:
    """Add to `clashing` the files (by index) holding a key fingerprint another file holds."""
    for key, holder in zip(keys, holders, strict=True):
        first = holder_by_key.setdefault(key, holder)
        if first != holder:
            clashing.update((first, holder))


def _cross_file_diagnostics(files: Sequence[str], base: Path | None) -> list[Diagnostic]:
    """The rules across files on `files` alone (read again), located."""
    return cross_file_diagnostics([read_document(Path(entry), base) for entry in files])


def cross_file_diagnostics(docs: Sequence[RegistryDocument]) -> list[Diagnostic]:
    """The rules across files on `docs` alone (read again, whose own findings were located
    already), located."""
    for doc in docs:
        doc.findings = []
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    return [d for doc in docs for d in locate(doc)]
