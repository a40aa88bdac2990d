"""A commit's registry rendered in parallel: each worker reads its share of the files' blobs
(its own `git cat-file --batch`), checks every file, builds its manifest record and checks it
against the core's constraints, and sends back what the rules across files read, the file's
located diagnostics, the violations and the records, pickled per deployment. The parent never
holds the documents, and holds the records packed until a deployment's manifest is asked for
(`RenderedRegistry.manifest`): at 100,000 files, a few hundred bytes a file.
"""

from __future__ import annotations

import multiprocessing
import pickle
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..adapters.git import GitRepository
from ..diagnostics import Diagnostic, count_errors
from ..manifests.build import Manifest, ProviderRecord, assemble_manifest, provider_record
from ..registry.layout import DEPLOYMENTS
from ..registry.policy import Policy
from ..registry.snapshot import Entry, document, git_documents, read_entries
from ..validation.checks.crossfile import cross_key_fingerprints
from ..validation.coreconformance import CoreViolation, document_violations
from ..validation.engine import (
    PARALLEL_MIN_FILES,
    available_cores,
    build_provider,
    check_document,
    collector_paused,
    cross_file_diagnostics,
    locate,
    note_clashes,
)

CHUNKS_PER_WORKER = 4  # a slow chunk (a busy core) then delays the end by a quarter of a share
COLLECTION_ORDER = {"client": 0, "provider": 1}
# (deployment, collection, key, file index): the order a manifest lists its documents in
RecordPlace = tuple[str, str, str, int]


@dataclass
class _Chunk:
    """What a worker sends back for a run of consecutive entries."""

    keys: array[int]  # the fingerprints of the keys the files hold for the rules across files
    holders: array[int]  # the index of the file holding each key
    diagnostics: list[Diagnostic]  # the files' own findings, located
    unbuilt: list[int]  # the files with an error of their own: no record yet
    packed: dict[str, bytes]  # deployment -> pickled [(file index, record)], in file order
    violations: list[tuple[RecordPlace, CoreViolation]]


def _render_chunk(work: tuple[GitRepository, Sequence[Entry], int, Policy]) -> _Chunk:
    repo, entries, first, policy = work
    chunk = _Chunk(array("q"), array("q"), [], [], {}, [])
    records: dict[str, list[tuple[int, ProviderRecord]]] = {}
    with collector_paused():
        contents = read_entries(repo, entries)
        for index, entry in enumerate(entries, first):
            doc = document(Path(entry.path), entry.path, entry.mode, contents.get(entry))
            check_document(doc, policy)
            diagnostics = locate(doc)
            chunk.diagnostics.extend(diagnostics)
            for key in cross_key_fingerprints(doc):
                chunk.keys.append(key)
                chunk.holders.append(index)
            if doc.data is None or count_errors(diagnostics):
                chunk.unbuilt.append(index)
                continue
            record = provider_record(doc.environment, build_provider(doc))
            records.setdefault(record.deployment, []).append((index, record))
            chunk.violations.extend(_violations(record, index))
        chunk.packed = {name: pickle.dumps(found) for name, found in records.items()}
    return chunk


def _violations(record: ProviderRecord, index: int) -> list[tuple[RecordPlace, CoreViolation]]:
    place = (record.deployment, record.collection, record.key, index)
    return [(place, v) for v in document_violations(record.collection, record.document)]


@dataclass
class RenderedRegistry:
    """Every file checked, the rules across files run; the records packed by deployment."""

    entries: Sequence[Entry]
    diagnostics: list[Diagnostic]  # every file's and the rules across files', located, sorted
    unbuilt: list[int]
    packed: dict[str, list[bytes]]
    violations: list[tuple[RecordPlace, CoreViolation]]
    rebuilt: list[tuple[int, ProviderRecord]] = field(default_factory=list)

    def build_unbuilt(self, repo: GitRepository) -> None:
        """Build the files whose own errors were all waived (as a registry without errors
        always had every file built), and check them against the core's constraints."""
        missing = [self.entries[index] for index in self.unbuilt]
        docs = git_documents(missing, read_entries(repo, missing))
        for index, doc in zip(self.unbuilt, docs, strict=True):
            record = provider_record(doc.environment, build_provider(doc))
            self.rebuilt.append((index, record))
            self.violations.extend(_violations(record, index))
        self.unbuilt = []

    def core_violations(self) -> list[tuple[str, CoreViolation]]:
        """(deployment, violation), in the order the manifests list their documents."""
        ordered = sorted(
            self.violations,
            key=lambda item: (
                DEPLOYMENTS.index(item[0][0]),
                COLLECTION_ORDER[item[0][1]],
                item[0][2],
                item[0][3],
            ),
        )
        return [(place[0], violation) for place, violation in ordered]

    def records(self, deployment: str) -> list[ProviderRecord]:
        """The deployment's records, in file order."""
        packs = self.packed.get(deployment, [])
        found = [pair for packed in packs for pair in pickle.loads(packed)]
        rebuilt = [pair for pair in self.rebuilt if pair[1].deployment == deployment]
        if rebuilt:
            found = sorted(found + rebuilt, key=lambda pair: pair[0])
        return [record for _, record in found]


class Manifests(Mapping[str, Manifest]):
    """Every deployment's manifest of a rendered commit, each assembled when asked for (and
    not kept): rendering the registry holds one manifest at a time."""

    def __init__(self, rendered: RenderedRegistry, source_commit: str | None) -> None:
        self._rendered = rendered
        self._source_commit = source_commit

    def __getitem__(self, deployment: str) -> Manifest:
        if deployment not in DEPLOYMENTS:
            raise KeyError(deployment)
        with collector_paused():  # a record per file, no cycle: rescanning them costs seconds
            records = self._rendered.records(deployment)
            return assemble_manifest(deployment, records, self._source_commit)

    def __iter__(self) -> Iterator[str]:
        return iter(DEPLOYMENTS)

    def __len__(self) -> int:
        return len(DEPLOYMENTS)


def render_entries(
    repo: GitRepository, entries: Sequence[Entry], policy: Policy, jobs: int | None = None
) -> RenderedRegistry:
    """Read, check and build every entry (in `jobs` forked processes, default one per
    available core, for a registry large enough to gain), then run the rules across files."""
    cores = available_cores() if jobs is None else jobs
    with collector_paused():
        if cores > 1 and len(entries) >= PARALLEL_MIN_FILES and _can_fork():
            size = -(-len(entries) // (cores * CHUNKS_PER_WORKER))
            work = [(repo, entries[i : i + size], i, policy) for i in range(0, len(entries), size)]
            with multiprocessing.get_context("fork").Pool(cores) as pool:
                chunks = list(pool.imap(_render_chunk, work))
        else:
            chunks = [_render_chunk((repo, entries, 0, policy))]
        rendered = RenderedRegistry(entries, [], [], {}, [])
        holder_by_key: dict[int, int] = {}
        clashing: set[int] = set()
        for chunk in chunks:
            note_clashes(chunk.keys, chunk.holders, holder_by_key, clashing)
            rendered.diagnostics.extend(chunk.diagnostics)
            rendered.unbuilt.extend(chunk.unbuilt)
            rendered.violations.extend(chunk.violations)
            for name, packed in chunk.packed.items():
                rendered.packed.setdefault(name, []).append(packed)
        del chunks
        rendered.diagnostics.extend(
            _cross_file_diagnostics(repo, [entries[i] for i in sorted(clashing)])
        )
        rendered.diagnostics.sort()
        return rendered


def _cross_file_diagnostics(repo: GitRepository, clashing: Sequence[Entry]) -> list[Diagnostic]:
    """The rules across files on the files whose key fingerprints meet (read again: every
    holder of a shared key is among them, so they find what the whole registry would)."""
    if not clashing:
        return []
    return cross_file_diagnostics(git_documents(clashing, read_entries(repo, clashing)))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
