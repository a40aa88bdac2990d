"""`fedreg fmt`'s style: one way to write a registry file, through ruamel.yaml's round trip
(pure). Comments, key order and blank lines are kept; what changes is only what reviewers
should never have to comment on:

- two-space indents, block lists written `  - item` under their key, never folded lines;
- `scopes` on one line (`scopes: [openid, email]`), the other lists as blocks (a list whose
  items carry comments stays a block, so that no comment is lost);
- text unquoted where every YAML reader takes it as that text, else in double quotes; `siret`
  and a service provider's `client_id` always in double quotes (never a number to any reader);
- no trailing spaces, one final newline.

A file fmt cannot read as fedreg reads it (a YAML error, a duplicate key, a tag) is refused
with its diagnostics, and a result that fedreg would not read as the same values is refused:
formatting never changes what a file says.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..diagnostics import Finding
from ..registry.yamlload import load_located

ONE_LINE_LISTS = frozenset({"scopes"})
_STR_TAG = "tag:yaml.org,2002:str"


class NotFormattable(Exception):
    """The file is not one fmt may rewrite: `findings` say why (located, as validate does)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.code for f in findings))
        self.findings = findings


def _writer() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _always_quoted(kind: object, key: str) -> bool:
    """Identifiers that must never be read as a number: a SIRET, a service provider's
    client_id (hexadecimal)."""
    return key == "siret" or (key == "client_id" and kind == "ServiceProvider")


def _styled(yaml: YAML, value: str, quoted: bool, flow: bool) -> str:
    """`value` plain when every YAML reader takes it as this text, else double-quoted."""
    if not quoted and "\n" not in value:
        analysis = yaml.emitter.analyze_scalar(value)
        plain = analysis.allow_flow_plain if flow else analysis.allow_block_plain
        if plain and yaml.resolver.resolve(ScalarNode, value, (True, False)) == _STR_TAG:
            return value
    double_quoted: str = DoubleQuotedScalarString(value)
    return double_quoted


def _restyle(yaml: YAML, kind: object, key: str, loaded: Any, value: Any) -> Any:
    """The round-trip `loaded` value restyled; `value` is what fedreg reads there."""
    quoted = _always_quoted(kind, key)
    if isinstance(value, str):
        return loaded if "\n" in value else _styled(yaml, value, quoted, flow=False)
    if isinstance(loaded, CommentedSeq) and isinstance(value, list):
        has_comments = any(any(c) for c in loaded.ca.items.values())
        flow = key in ONE_LINE_LISTS and bool(value) and not has_comments
        for index, item in enumerate(value):
            if isinstance(item, str) and "\n" not in item:
                loaded[index] = _styled(yaml, item, quoted, flow)
        if flow:
            loaded.fa.set_flow_style()
        elif value:
            loaded.fa.set_block_style()
    return loaded


def _dump(yaml: YAML, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def format_text(text: str) -> str:
    """`text` in the registry's style; raises NotFormattable (nothing is ever half-done)."""
    before = load_located(text)
    if before.findings:
        raise NotFormattable(list(before.findings))
    if not isinstance(before.data, dict) or not before.data:
        return text  # nothing to restyle: an empty file, or one validate says is no mapping
    yaml = _writer()
    try:
        data = yaml.load(_tidy(text))  # trailing spaces and tabs out first: ruamel trips on them
    except YAMLError as error:  # fedreg reads it, ruamel does not: leave it as it is
        problem = "la mise en forme ne relit pas ce fichier"
        raise NotFormattable([Finding("P001", params={"problem": problem}, line=1)]) from error
    assert isinstance(data, CommentedMap)
    kind = before.data.get("kind")
    for key in list(data):
        data[key] = _restyle(yaml, kind, str(key), data[key], before.data.get(str(key)))
    formatted = _tidy(_dump(yaml, data))
    after = load_located(formatted)
    if (
        after.findings
        or after.data != before.data
        or _scalar_types(after.data) != _scalar_types(before.data)
    ):
        raise NotFormattable(
            [Finding("P001", params={"problem": "la mise en forme changerait le contenu"}, line=1)]
        )
    return formatted


def _scalar_types(value: Any) -> Any:
    """The value's shape with types, so that `1` never compares equal to `True`."""
    if isinstance(value, dict):
        return {k: _scalar_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scalar_types(v) for v in value]
    return (type(value).__name__, value)
