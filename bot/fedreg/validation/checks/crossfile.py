"""Rules across the files of one environment: identifiers and names are unique; an e-mail
domain routed to several identity providers is reported to each of them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence

from ...diagnostics import Finding
from ...registry.layout import RegistryDocument
from ...registry.models import ENVIRONMENTS, IDENTITY_PROVIDER, SERVICE_PROVIDER
from .context import text_items, text_value

CrossFinding = tuple[RegistryDocument, Finding]


def _clashes(
    docs: Sequence[RegistryDocument],
    keys_of: Callable[[RegistryDocument], Iterator[tuple[Hashable, tuple[str | int, ...], str]]],
    code: str,
) -> Iterator[CrossFinding]:
    """Every document whose key is also another document's, naming the first other one."""
    holders: dict[Hashable, list[tuple[RegistryDocument, tuple[str | int, ...], str]]] = (
        defaultdict(list)
    )
    for doc in docs:
        for key, field, value in keys_of(doc):
            holders[key].append((doc, field, value))
    for group in holders.values():
        if len(group) < 2:
            continue
        for doc, field, value in group:
            other = next(o for o in group if o[0] is not doc)[0]
            yield doc, clash(code, doc, field, value, other.display_path, label(other))


def label(doc: RegistryDocument) -> str:
    """How a clash names the other provider: its name, else its file's slug."""
    return text_value(doc.data or {}, "name") or doc.slug


def clash(
    code: str,
    doc: RegistryDocument,
    field: tuple[str | int, ...],
    value: str,
    other_path: str,
    other_label: str,
) -> Finding:
    """The finding on `doc`, whose key `value` at `field` is also `other_path`'s."""
    return Finding(
        code,
        field,
        {
            "value": value,
            "other_path": other_path,
            "other": other_label,
            "environment": doc.environment,
            "network": text_value(doc.data or {}, "network") or "?",
        },
    )


def _service_client_ids(
    doc: RegistryDocument,
) -> Iterator[tuple[Hashable, tuple[str | int, ...], str]]:
    data = doc.data or {}
    client_id = text_value(data, "client_id")
    if doc.kind == SERVICE_PROVIDER and client_id:
        yield (doc.environment, text_value(data, "network"), client_id), ("client_id",), client_id


def _uids(doc: RegistryDocument) -> Iterator[tuple[Hashable, tuple[str | int, ...], str]]:
    data = doc.data or {}
    uid = text_value(data, "uid")
    if doc.kind == IDENTITY_PROVIDER and uid:
        yield (doc.environment, uid), ("uid",), uid


def _names(doc: RegistryDocument) -> Iterator[tuple[Hashable, tuple[str | int, ...], str]]:
    data = doc.data or {}
    name = text_value(data, "name")
    if name:
        yield (
            (doc.environment, text_value(data, "network"), doc.kind, name.casefold()),
            ("name",),
            name,
        )


def _routed_domains(doc: RegistryDocument) -> Iterator[tuple[Hashable, tuple[str | int, ...], str]]:
    if doc.kind != IDENTITY_PROVIDER:
        return
    data = doc.data or {}
    network = text_value(data, "network")
    first_index: dict[str, int] = {}
    for index, domain in text_items(data, "attached_email_domains"):
        first_index.setdefault(domain, index)
    for domain, index in first_index.items():
        yield (doc.environment, network, domain), ("attached_email_domains", index), domain


def shared_domain(field: tuple[str | int, ...], value: str, others: Iterable[str]) -> Finding:
    """D006 (a warning: the core lets the agent choose) on an FI routing a domain that other
    FIs of the deployment route too, naming all the others."""
    paths = tuple(sorted(set(others)))
    return Finding(
        "D006", field, {"value": value, "others": ", ".join(paths), "other_paths": paths}
    )


def _shared_domains(docs: Sequence[RegistryDocument]) -> Iterator[CrossFinding]:
    """D006 on every FI routing a domain that another FI of the deployment routes too. (D004,
    which refused it, is retired.)"""
    holders: dict[Hashable, list[tuple[RegistryDocument, tuple[str | int, ...], str]]] = (
        defaultdict(list)
    )
    for doc in docs:
        for key, field, value in _routed_domains(doc):
            holders[key].append((doc, field, value))
    for group in holders.values():
        if len({doc.display_path for doc, _, _ in group}) < 2:
            continue
        for doc, field, value in group:
            others = (o.display_path for o, _, _ in group if o is not doc)
            yield doc, shared_domain(field, value, others)


# The keys two files may not share (X: an error naming the first other holder) or may share
# with a warning naming every other holder (D006).
KEYS_BY_RULE = (
    ("X001", _service_client_ids),
    ("X002", _uids),
    ("X003", _names),
    ("D006", _routed_domains),
)


def cross_file_findings(docs: Sequence[RegistryDocument]) -> Iterator[CrossFinding]:
    # A file whose path names no environment (L001) belongs to no deployment: nothing to clash.
    readable = [doc for doc in docs if doc.data is not None and doc.environment in ENVIRONMENTS]
    for code, keys_of in KEYS_BY_RULE:
        if code != "D006":
            yield from _clashes(readable, keys_of, code)
    yield from _shared_domains(readable)


def cross_key_fingerprints(doc: RegistryDocument) -> Iterator[int]:
    """A hash of every key of a document that the rules across files compare. Equal keys
    hash equal in one process and in the workers it forks (they share its hash seed), so
    only documents whose fingerprints meet can clash; a rare collision only costs a look."""
    if doc.data is None or doc.environment not in ENVIRONMENTS:
        return
    for code, keys_of in KEYS_BY_RULE:
        for key, _, _ in keys_of(doc):
            yield hash((code, key))


def cross_keys(doc: RegistryDocument) -> list[tuple[str, str, tuple[str | int, ...], str]]:
    """(code, key as canonical text, field, value) of every key a readable document holds,
    for an index kept outside memory (the bot's whole-registry check)."""
    if doc.data is None:
        return []
    return [
        (code, json.dumps(key, ensure_ascii=False), field, value)
        for code, keys_of in KEYS_BY_RULE
        for key, field, value in keys_of(doc)
    ]
