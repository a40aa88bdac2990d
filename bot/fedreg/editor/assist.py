"""What the language server tells an editor besides diagnostics, from the text alone (pure):
the extent of a located value, hover help, completion and the quick fixes that are certain.

Positions here are 0-based (line, character), characters counted in code points; the server
converts them to the editor's units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import netaddr

from ..authoring.schemadocs import SCOPE_DOCS, field_doc
from ..authoring.schemas import build_schema
from ..diagnostics import Finding
from ..registry.models import MODEL_BY_KIND
from ..registry.policy import Policy
from ..validation.checks.oidc import KNOWN_SCOPES
from ..validation.rules import RULES_BY_CODE
from ..validation.rulesdoc import render_rule
from ..validation.shape import suggested_key

Position = tuple[int, int]
_CODE = re.compile(r"\b[A-Z][0-9]{3}\b")
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")
_LIST_ITEM = re.compile(r"^(\s*)-(\s+|$)")


@dataclass(frozen=True)
class Edit:
    start: Position
    end: Position
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class CompletionChoice:
    label: str
    detail: str
    documentation: str
    insert_text: str
    is_key: bool


# -- extents ------------------------------------------------------------------------------------
def _flow_depth(line: str, end: int) -> int:
    """How many flow collections (`[`, `{`) are open before `end` (quotes skipped)."""
    depth, quote = 0, ""
    for char in line[:end]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
    return depth


def token_end(line: str, start: int) -> int:
    """Where the YAML token starting at `start` ends on its line: after the closing quote of
    a quoted scalar, else at the end of the plain scalar (before a comment, a `: ` that makes it
    a key, a flow separator inside `[...]`); at least one character when the line has one."""
    if start >= len(line):
        return start
    if line[start] in "\"'":
        quote, index = line[start], start + 1
        while index < len(line):
            if line[index] == "\\" and quote == '"':
                index += 2
                continue
            if line[index] == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                return index + 1
            index += 1
        return len(line)
    stops = [" #", ": "]
    if _flow_depth(line, start):
        stops += [",", "]", "}"]
    end = len(line)
    for stop in stops:
        found = line.find(stop, start)
        if found != -1:
            end = min(end, found)
    if line.endswith(":") and end == len(line) and line.rstrip() == line:
        end -= 1  # a key ending its line
    end = len(line[:end].rstrip())
    return max(end, start + 1)


def diagnostic_range(lines: list[str], line: int, column: int) -> tuple[Position, Position]:
    """The range of a diagnostic at 1-based (line, column): the token that starts there."""
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[index] if lines else ""
    start = min(max(column - 1, 0), len(text))
    return (index, start), (index, token_end(text, start))


# -- quick fixes --------------------------------------------------------------------------------
def _replace_value(lines: list[str], start: Position, new: str) -> Edit:
    """Replace the scalar at `start` by `new`, keeping its quotes if it has some."""
    line = lines[start[0]]
    end = token_end(line, start[1])
    if line[start[1] : start[1] + 1] in ("'", '"') and end - start[1] >= 2:
        return Edit((start[0], start[1] + 1), (start[0], end - 1), new)
    return Edit(start, (start[0], end), new)


def _remove_list_entry(lines: list[str], start: Position) -> Edit | None:
    """Remove the block-list entry on this line (a one-line `- value`), else nothing."""
    line = lines[start[0]]
    match = _LIST_ITEM.match(line)
    if match is None or start[1] != match.end():
        return None
    following = lines[start[0] + 1] if start[0] + 1 < len(lines) else None
    if following is not None and following.startswith(" " * (len(match.group(1)) + 2)):
        return None  # the entry goes on below: not one line
    return Edit((start[0], 0), (start[0] + 1, 0), "")


def _network_of(value: object) -> str | None:
    try:
        return str(netaddr.IPNetwork(str(value)).cidr)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def quick_fix(finding: Finding, kind: str, lines: list[str], start: Position) -> Fix | None:
    """The fix of a finding when it is certain (one right answer), else None."""
    value = finding.params.get("value")
    if finding.code == "U016":
        fixed = str(finding.params["fixed"])
        return Fix(f"Écrire {fixed}", (_replace_value(lines, start, fixed),))
    if finding.code == "U011" and isinstance(value, str) and value.startswith("http://"):
        fixed = "https://" + value.removeprefix("http://")
        return Fix(f"Écrire {fixed}", (_replace_value(lines, start, fixed),))
    if finding.code == "N002":
        network = _network_of(value)
        if network is not None:
            return Fix(f"Écrire {network}", (_replace_value(lines, start, network),))
    if finding.code == "U005":
        edit = _remove_list_entry(lines, start)
        if edit is not None:
            return Fix("Retirer cette entrée (les jokers ne sont pas pris en charge)", (edit,))
    if finding.code == "S001" and kind in MODEL_BY_KIND:
        key = str(finding.params["key"])
        suggestion = suggested_key(key, list(MODEL_BY_KIND[kind].model_fields))
        if suggestion is not None and f"« {suggestion} »" in str(finding.params.get("detail")):
            line = lines[start[0]]
            if line[start[1] : start[1] + len(key)] == key:
                edit = Edit(start, (start[0], start[1] + len(key)), suggestion)
                return Fix(f"Remplacer « {key} » par « {suggestion} »", (edit,))
    return None


def quote_siret(lines: list[str], line: int) -> Fix | None:
    """Put an unquoted `siret:` value between double quotes (the registry's style)."""
    match = re.match(r"^siret:(\s+)([0-9][0-9 ]*[0-9]|[0-9])(\s*(#.*)?)$", lines[line])
    if match is None:
        return None
    start = match.start(2)
    edit = Edit((line, start), (line, match.end(2)), f'"{match.group(2)}"')
    return Fix("Mettre le SIRET entre guillemets", (edit,))


# -- hover --------------------------------------------------------------------------------------
def word_at(line: str, character: int) -> tuple[str, int]:
    """The word (letters, digits, `_`) under `character`, and where it starts."""
    start = character
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    end = character
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    return line[start:end], start


def rule_markdown(code: str) -> str | None:
    rule = RULES_BY_CODE.get(code)
    return render_rule(rule) if rule is not None else None


def hover_markdown(kind: str, lines: list[str], position: Position) -> str | None:
    """The documentation of the top-level key or of the rule code under the cursor."""
    line = lines[position[0]] if position[0] < len(lines) else ""
    word, start = word_at(line, position[1])
    if _CODE.fullmatch(word) and word in RULES_BY_CODE:
        return rule_markdown(word)
    key = _TOP_KEY.match(line)
    if key is not None and start == 0 and word == key.group(1):
        doc = field_doc(kind, word)
        if doc is not None:
            return f"#### {doc.title}\n\n{doc.markdown}"
    return None


# -- completion ---------------------------------------------------------------------------------
@cache
def _properties(kind: str, environment: str) -> dict[str, Any]:
    properties: dict[str, Any] = build_schema(kind, environment or None)["properties"]
    return properties


def _owning_key(lines: list[str], line: int) -> str | None:
    """The top-level key whose value the cursor's line belongs to (its own line or a list
    item below it)."""
    for index in range(line, -1, -1):
        match = _TOP_KEY.match(lines[index])
        if match is not None:
            return match.group(1)
        if lines[index] and not lines[index][0].isspace() and not lines[index].startswith("#"):
            return None
    return None


def _key_choices(kind: str, environment: str, lines: list[str]) -> list[CompletionChoice]:
    present = {m.group(1) for line in lines if (m := _TOP_KEY.match(line))}
    choices = []
    for key, schema in _properties(kind, environment).items():
        if key in present:
            continue
        doc = field_doc(kind, key)
        title = doc.title if doc else key
        markdown = doc.markdown if doc else str(schema.get("description", ""))
        choices.append(CompletionChoice(key, title, markdown, f"{key}: ", True))
    return choices


def _enum_values(schema: dict[str, Any]) -> list[Any]:
    for part in (schema, schema.get("items") or {}):
        if "enum" in part:
            return list(part["enum"])
        types = part.get("type")
        if types == "boolean" or (isinstance(types, list) and "boolean" in types):
            return [True, False]
    return []


def _value_choices(kind: str, environment: str, key: str, policy: Policy) -> list[CompletionChoice]:
    if key == "scopes":
        return [
            CompletionChoice(
                scope,
                "sur demande à la fédération" if scope in policy.sensitive_scopes else "scope",
                SCOPE_DOCS.get(scope, ""),
                scope,
                False,
            )
            for scope in KNOWN_SCOPES
        ]
    schema = _properties(kind, environment).get(key)
    if schema is None:
        return []
    doc = field_doc(kind, key)
    choices = []
    for value in _enum_values(schema):
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        choices.append(CompletionChoice(text, doc.title if doc else key, "", text, False))
    return choices


def completions(
    kind: str, environment: str, lines: list[str], position: Position, policy: Policy
) -> list[CompletionChoice]:
    """Keys at the start of a top-level line; values (enumerations, booleans, scopes) after
    a key or in a list item below it."""
    if kind not in MODEL_BY_KIND:
        return []
    line = lines[position[0]] if position[0] < len(lines) else ""
    before = line[: position[1]]
    if _TOP_KEY.match(before) is None and not before.startswith((" ", "-", "#")):
        return _key_choices(kind, environment, lines)
    key = _owning_key(lines, position[0])
    if key is None:
        return []
    return _value_choices(kind, environment, key, policy)
