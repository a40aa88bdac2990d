"""Round-trip YAML writing (ruamel.yaml): change some keys of a file, keep every other byte.

Comments, key order, quoting style, the schema comment and blank lines survive because the
document is loaded and dumped by ruamel.yaml's round-trip mode with the file's own indentation.
A file that ruamel.yaml would not give back byte for byte even unchanged is refused
(`NotRoundTrippable`) rather than silently reformatted.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent


class NotRoundTrippable(Exception):
    """The text cannot be edited without rewriting lines outside the edited keys."""


def _yaml(text: str) -> YAML:
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except YAMLError as error:
        raise NotRoundTrippable(str(error)) from error
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line
    # ruamel's guess: `indent` is where a list item's value starts, `block_seq_indent` where
    # its dash is, both relative to the parent key; files without block lists get our style.
    sequence, offset = (indent, block_seq_indent) if indent else (4, 2)
    yaml.indent(mapping=max(sequence - offset, 2), sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def load_roundtrip(text: str) -> tuple[YAML, CommentedMap]:
    """The configured writer and the document, checked to give `text` back unchanged."""
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except YAMLError as error:
        raise NotRoundTrippable(str(error)) from error
    if not isinstance(data, CommentedMap):
        raise NotRoundTrippable("le fichier n'est pas une table de clés")
    if _dump(yaml, data) != text:
        raise NotRoundTrippable("le fichier ne se relit pas à l'identique")
    return yaml, data


def _styled(values: Sequence[str], like: Sequence[Any]) -> list[Any]:
    """`values` in the quoting style the old items shared (plain when they were mixed)."""
    styles = {type(item) for item in like}
    if styles == {DoubleQuotedScalarString}:
        return [DoubleQuotedScalarString(v) for v in values]
    if styles == {SingleQuotedScalarString}:
        return [SingleQuotedScalarString(v) for v in values]
    return [str(v) for v in values]


def _with_value(token: CommentToken, value: str) -> CommentToken:
    copy = CommentToken(value, token.start_mark, token.end_mark)
    return copy


def _replace_items(seq: CommentedSeq, values: Sequence[str]) -> None:
    """Replace the items in place, so that the list keeps its style and its comments: an
    item's own end-of-line comment follows its value, and what followed the old last item
    (often blank lines and the comment above the next key) follows the new last item."""
    old = list(seq)
    comments = {i: c for i, c in seq.ca.items.items() if c and isinstance(c[0], CommentToken)}
    own = {str(old[i]): c[0] for i, c in comments.items() if i < len(old) - 1}
    following = ""
    last = comments.get(len(old) - 1)
    if last is not None:
        line, _, following = last[0].value.partition("\n")
        if line.strip():
            own[str(old[-1])] = _with_value(last[0], line + "\n")
    seq.ca.items.clear()
    del seq[:]
    seq.extend(_styled(values, old))
    for index, value in enumerate(values):
        if value in own:
            seq.ca.items[index] = [own[value], None, None, None]
    if following and values:
        index = len(values) - 1
        mine = seq.ca.items.get(index)
        head = mine[0].value.rstrip("\n") if mine else ""
        token = last[0] if last is not None else None
        assert token is not None
        seq.ca.items[index] = [_with_value(token, head + "\n" + following), None, None, None]


def replace_lists(
    text: str,
    changes: Mapping[str, Sequence[str]],
    after: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """`text` with each key of `changes` given that list wholesale. A missing key is inserted
    after the first key of `after[key]` that the file has (else at the end)."""
    yaml, data = load_roundtrip(text)
    for key, values in changes.items():
        current = data.get(key)
        if isinstance(current, CommentedSeq):
            if [str(v) for v in current] != list(values):
                _replace_items(current, values)
            continue
        seq = CommentedSeq(_styled(values, []))
        if key in data:
            data[key] = seq
            continue
        neighbour = next((k for k in (after or {}).get(key, ()) if k in data), None)
        position = list(data).index(neighbour) + 1 if neighbour else len(data)
        data.insert(position, key, seq)
    return _dump(yaml, data)


def _null(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _commented(comment: str) -> str:
    """`comment` with `# ` before each line that has any content. ruamel adds it itself only
    where Python's `strip` leaves something, and Python's whitespace is wider than YAML's: a
    line of no-break spaces would be written bare, as content."""
    return "\n".join(
        line if not line.strip(" \t") or line.lstrip(" \t").startswith("#") else f"# {line}"
        for line in comment.split("\n")
    )


def dump_new(
    data: Mapping[str, Any],
    *,
    start_comment: str = "",
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
) -> str:
    """A new file's text from plain values (text, booleans, null, lists of text), written by
    the same round-trip writer: lists as blocks indented like the registry's files, text quoted
    only where YAML needs it (a value already a ruamel quoted string keeps its quotes),
    `start_comment` at the top, comment lines `before` keys and comments `after` them."""
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), _null)
    document = CommentedMap()
    for key, value in data.items():
        document[key] = CommentedSeq(value) if isinstance(value, list | tuple) else value
    if start_comment:
        document.yaml_set_start_comment(_commented(start_comment))
    for key, comment in (before or {}).items():
        document.yaml_set_comment_before_after_key(key, before=comment)
    for key, comment in (after or {}).items():
        document.yaml_add_eol_comment(comment, key)
    return _dump(yaml, document)
