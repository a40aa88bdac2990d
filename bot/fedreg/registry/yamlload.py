"""Reading registry YAML: fast when the file is plain, exact positions when they are needed.

Two paths give the same data for the same text:

* `load_fast` uses libyaml's C composer and PyYAML's constructor, and gives up (returns None)
  on anything unusual: a tag, anchor or alias character anywhere, a duplicate or non-text key,
  a document that is not a mapping, or a nesting bound high enough to overflow the C stack
  (libyaml's composer recurses in C and crashes the process at ~30,000 levels).
* `load_located` reads libyaml's event stream with an iterative composer that records the line
  and column of every key and value, and reports every YAML feature the registry refuses.

Validation runs on the fast path; files with findings are re-read on the located path to place
them. Both paths share one scalar schema (`_RegistryResolver`): only `true`/`false` and `null`
are typed, everything else is text. The registry has no numeric field, so `siret: 13002526500013`
and an all-digit client_id stay text, and `active: yes` is a text the schema rejects with a hint
rather than YAML 1.1's silent boolean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode
from yaml.resolver import BaseResolver

from ..diagnostics import FieldPath, Finding

MAX_FILE_BYTES = 64 * 1024
MAX_DEPTH = 20
# Upper bound on characters that can open a nesting level, below which libyaml's recursive C
# composer is safe (it overflows between 20,000 and 32,000 levels on these machines).
_FAST_PATH_MAX_OPENERS = 2_000
_FEATURE_CHARS = "!&*"  # tags, anchors, aliases: their presence sends a file to the located path

# What libyaml counts as a line break (its marks count lines by these), not only "\n".
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"


class _RegistryResolver(BaseResolver):
    """YAML 1.2 core-schema booleans and nulls; every other plain scalar is a string."""


_RegistryResolver.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_RegistryResolver.add_implicit_resolver(
    _NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _NotPlain(Exception):
    """The fast path met something only the located path reports properly."""


class _StrictConstructor(SafeConstructor):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep)
        if len(mapping) != len(node.value) or not all(type(key) is str for key in mapping):
            raise _NotPlain
        return mapping


class _FastLoader(CParser, _StrictConstructor, _RegistryResolver):
    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _StrictConstructor.__init__(self)
        _RegistryResolver.__init__(self)


class _EventLoader(CParser, _RegistryResolver):
    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _RegistryResolver.__init__(self)


def yaml_lines(text: str) -> list[str]:
    """`text`'s lines as libyaml numbers them (CR, LF, CRLF, NEL, LS and PS end a line)."""
    return _LINE_BREAK.split(text)


def decode(raw: bytes) -> tuple[str | None, list[Finding]]:
    """Bytes to text, or the finding that says why not (size, encoding)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Finding("P007", params={"size": len(raw), "limit": MAX_FILE_BYTES}, line=1, column=1)
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        lines = yaml_lines(raw[: error.start].decode("utf-8", errors="replace"))
        line, column = len(lines), len(lines[-1]) + 1
        byte = f"0x{raw[error.start]:02X}"
        return None, [Finding("P006", params={"byte": byte}, line=line, column=column)]
    return text, []


def _nesting_bound(text: str) -> int:
    return sum(text.count(c) for c in "[{-?:")


def load_fast(text: str) -> dict[str, Any] | None:
    """The document as a dict, or None when the located path must read this file."""
    if any(c in text for c in _FEATURE_CHARS) or _nesting_bound(text) > _FAST_PATH_MAX_OPENERS:
        return None
    loader = _FastLoader(text)
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, _NotPlain, RecursionError):
        return None
    finally:
        loader.dispose()
    return data if isinstance(data, dict) else None


@dataclass
class LocatedDocument:
    """A document read with every position: data (None if unreadable) and YAML-level findings."""

    data: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)
    value_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: FieldPath, on_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of a value or key; the closest existing ancestor otherwise."""
        marks = self.key_marks if on_key else self.value_marks
        if path in marks:
            return marks[path]
        while path:
            # A missing key is placed on its parent mapping's first key, which reads naturally
            # ("this mapping lacks X"); the top level's is line 1 when the file starts with it.
            path = path[:-1]
            if path in self.value_marks:
                return self.value_marks[path]
        return self.value_marks.get((), (1, 1))


_FRENCH_YAML_PROBLEMS = [
    (
        "mapping values are not allowed",
        "deux-points inattendu (une valeur qui contient « : » "
        "doit être entre guillemets, ou l'indentation est décalée)",
    ),
    ("did not find expected key", "clé attendue à cet endroit : l'indentation est décalée"),
    (
        "did not find expected '-' indicator",
        "élément de liste « - » attendu : l'indentation est décalée",
    ),
    ("could not find expected ':'", "« : » attendu après la clé"),
    (
        "found character that cannot start any token",
        "caractère qui ne peut pas commencer une valeur sans guillemets",
    ),
    (
        "found unexpected end of stream",
        "fin de fichier inattendue (un guillemet n'est pas fermé ?)",
    ),
    ("control characters are not allowed", "caractère de contrôle interdit"),
    ("unacceptable character", "caractère interdit dans un fichier YAML"),
    ("block sequence entries are not allowed", "élément de liste « - » inattendu ici"),
    ("did not find expected node content", "valeur attendue à cet endroit"),
    (
        "found unknown escape character",
        "séquence d'échappement inconnue dans une chaîne entre "
        "guillemets doubles (utilisez des guillemets simples)",
    ),
    ("did not find expected ',' or ']'", "« , » ou « ] » attendu dans la liste entre crochets"),
    ("did not find expected ',' or '}'", "« , » ou « } » attendu dans l'objet entre accolades"),
    ("found a tab character", "tabulation interdite : indentez avec des espaces"),
    ("expected <document start>", "début de document attendu"),
]


def _french_problem(problem: str) -> str:
    for english, french in _FRENCH_YAML_PROBLEMS:
        if english in problem:
            return french
    return problem


_NOTHING = object()


class _Frame:
    __slots__ = ("container", "first_key_line", "is_key", "mark", "path", "pending_key")

    def __init__(
        self,
        container: dict[str, Any] | list[Any],
        path: FieldPath,
        is_key: bool,
        mark: tuple[int, int],
    ) -> None:
        self.container = container
        self.mark = mark
        self.path = path
        self.is_key = is_key
        self.pending_key: str | None = None
        self.first_key_line: dict[str, int] = {}


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 1-based position of `text` ("" past the end)."""
    lines = yaml_lines(text)
    if line > len(lines) or column > len(lines[line - 1]):
        return ""
    return lines[line - 1][column - 1]


def _syntax_problem(error: yaml.MarkedYAMLError, text: str) -> tuple[str, int, int]:
    """What to say about a YAML syntax error, and where: libyaml's own mark is sometimes past
    the mistake (a key without its colon is reported where the scan gave up, a line later)."""
    problem = str(error.problem or error.context)
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    found = _char_at(text, line, column)
    if "could not find expected ':'" in problem and error.context_mark is not None:
        line, column = error.context_mark.line + 1, error.context_mark.column + 1
        lines = yaml_lines(text)
        key = lines[line - 1][column - 1 :].strip() if line <= len(lines) else ""
        return f"« : » attendu après la clé (« {key} » : écrivez « clé: valeur »)", line, column
    if found == "\t":
        return (
            "tabulation à cet endroit : YAML n'accepte que des espaces pour indenter ou "
            "séparer ; remplacez-la par des espaces",
            line,
            column,
        )
    if found in ("@", "`"):
        example = ' (« "@organisation/équipe" »)' if found == "@" else ""
        return (
            f"une valeur ne peut pas commencer par « {found} » sans guillemets : "
            f"écrivez-la entre guillemets{example}",
            line,
            column,
        )
    return _french_problem(problem), line, column


def load_located(text: str) -> LocatedDocument:
    """Read `text` through libyaml's events, recording positions and refused YAML features."""
    doc = LocatedDocument(data=None)
    loader = _EventLoader(text)
    try:
        _compose(loader, doc)
    except yaml.MarkedYAMLError as error:
        problem, line, column = _syntax_problem(error, text)
        doc.findings.append(Finding("P001", params={"problem": problem}, line=line, column=column))
        doc.data = None
    except yaml.reader.ReaderError as error:  # a forbidden character; libyaml gives its offset
        line, column = _position_of_offset(text, error.position)
        doc.findings.append(
            Finding(
                "P001", params={"problem": _french_problem(error.reason)}, line=line, column=column
            )
        )
        doc.data = None
    finally:
        loader.dispose()
    return doc


def _position_of_offset(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset into the UTF-8 form of `text`, as libyaml
    counts it."""
    lines = yaml_lines(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    return len(lines), len(lines[-1]) + 1


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _compose(loader: _EventLoader, doc: LocatedDocument) -> None:
    stack: list[_Frame] = []
    documents = 0
    root: Any = _NOTHING
    while loader.check_event():
        event: Any = loader.get_event()
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents == 2:
                line, column = _mark(event)
                doc.findings.append(Finding("P008", line=line, column=column))
                doc.data = None
                return
            continue
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
            continue
        if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            frame = stack.pop()
            root = _attach(stack, frame.container, frame.mark, doc, root)
            continue

        line, column = _mark(event)
        path, is_key = _child_path(stack), _is_key(stack)
        if not is_key:
            doc.value_marks[path] = (line, column)
        if isinstance(event, yaml.AliasEvent):
            doc.findings.append(Finding("P004", line=line, column=column))
            root = _attach(stack, None, (line, column), doc, root)
            continue
        if event.anchor is not None:
            doc.findings.append(Finding("P004", line=line, column=column))
        if event.tag is not None and event.tag != "!":
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            doc.findings.append(Finding("P003", params={"tag": tag}, line=line, column=column))
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar_value(loader, event)
            root = _attach(stack, value, (line, column), doc, root)
        else:
            if len(stack) >= MAX_DEPTH:
                doc.findings.append(
                    Finding(
                        "P001",
                        params={"problem": f"imbrication de plus de {MAX_DEPTH} niveaux"},
                        line=line,
                        column=column,
                    )
                )
                doc.data = None
                return
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            stack.append(_Frame(container, path, is_key, (line, column)))

    if documents == 0 or root is _NOTHING or root is None:
        doc.findings.append(Finding("P005", params={"found": "un fichier vide"}, line=1, column=1))
    elif not isinstance(root, dict):
        found = "une liste" if isinstance(root, list) else "une valeur seule"
        doc.findings.append(Finding("P005", params={"found": found}, line=1, column=1))
    else:
        doc.data = root


def _scalar_value(loader: _EventLoader, event: yaml.ScalarEvent) -> Any:
    tag = loader.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _BOOL_TAG:
        return event.value.lower() == "true"
    if tag == _NULL_TAG:
        return None
    return event.value


def _is_key(stack: list[_Frame]) -> bool:
    if not stack:
        return False
    top = stack[-1]
    return top.is_key or (isinstance(top.container, dict) and top.pending_key is None)


def _child_path(stack: list[_Frame]) -> FieldPath:
    if not stack:
        return ()
    top = stack[-1]
    if isinstance(top.container, list):
        return (*top.path, len(top.container))
    return (*top.path, top.pending_key if top.pending_key is not None else "?")


def _attach(
    stack: list[_Frame], value: Any, mark: tuple[int, int], doc: LocatedDocument, root: Any
) -> Any:
    """Put a finished node into its parent; returns the root (set once the top node ends)."""
    if not stack:
        return value
    parent = stack[-1]
    if isinstance(parent.container, list):
        parent.container.append(value)
        return root
    if parent.is_key:
        # Inside a complex key: its content is dropped; the key is reported once, as a whole.
        parent.pending_key = None if parent.pending_key is not None else "?"
        return root
    if parent.pending_key is not None:
        parent.container[parent.pending_key] = value
        parent.pending_key = None
        return root
    line, column = mark
    if isinstance(value, str):
        key = value
        if key in parent.first_key_line:
            doc.findings.append(
                Finding(
                    "P002",
                    params={"key": key, "first_line": parent.first_key_line[key]},
                    line=line,
                    column=column,
                )
            )
        else:
            parent.first_key_line[key] = line
    else:
        if isinstance(value, dict | list):
            shown = "complexe (liste ou objet)"
        else:
            shown = "vide" if value is None else f"« {str(value).lower()} »"
        doc.findings.append(Finding("P009", params={"key": shown}, line=line, column=column))
        key = f"?{line}:{column}"
    doc.key_marks.setdefault((*parent.path, key), (line, column))
    parent.pending_key = key
    return root
