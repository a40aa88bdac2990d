"""What a per-file check receives, and typed-defensive access to a document's raw values.

Checks read the raw document rather than a model instance so that they still run when another
field has the wrong shape: a partner sees every problem at once. A value of the wrong type is
skipped here (the shape check reports it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ...diagnostics import Finding
from ...registry.policy import Policy

# Per-value results are cached where values repeat (a ministry's hosts, contacts' domains);
# the bound keeps a whole-registry run's memory flat in the registry's size.
VALUE_CACHE_SIZE = 4096


@dataclass(frozen=True)
class FileContext:
    environment: str
    kind: str
    policy: Policy


FileCheck = Callable[[dict[str, Any], FileContext], Iterable[Finding]]


def text_value(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def text_items(data: dict[str, Any], key: str) -> Sequence[tuple[int, str]]:
    """(index, value) of each text item of the list at `key`. A list, not a generator:
    checks call this for many keys that most documents lack, and a generator costs more to
    start than the rest of the call."""
    values = data.get(key)
    if not isinstance(values, list):
        return ()
    return [(index, value) for index, value in enumerate(values) if isinstance(value, str)]


def duplicate_findings(data: dict[str, Any], key: str, code: str = "I007") -> Iterator[Finding]:
    seen: set[str] = set()
    for index, value in text_items(data, key):
        if value in seen:
            yield Finding(code, (key, index), {"value": value, "list": key})
        seen.add(value)
