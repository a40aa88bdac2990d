"""The loader: bytes that are not a document, and properties that hold for any input."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_SERVICE_PROVIDER
from fedreg.registry.layout import RegistryDocument
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.registry.yamlload import MAX_FILE_BYTES, decode, load_fast, load_located
from fedreg.validation.engine import locate, parse_document, validate_documents


def _codes_at(workspace, cli, content: bytes) -> list[tuple[str, int, int]]:
    workspace.provider("sp", content)
    result = cli("validate", "--format", "json")
    assert result.exit_code == 1
    return [(d["code"], d["line"], d["column"]) for d in result.json()["diagnostics"]]


def test_latin1_is_located(workspace, cli) -> None:
    content = BASE_SERVICE_PROVIDER.replace("démonstration", "d\xe9monstration").encode("latin-1")
    assert _codes_at(workspace, cli, content) == [("P006", 2, 19)]


def test_utf8_with_bom_is_accepted(workspace, cli) -> None:
    workspace.provider("sp", b"\xef\xbb\xbf" + BASE_SERVICE_PROVIDER.encode())
    assert cli("validate").exit_code == 0


def test_oversized_file(workspace, cli) -> None:
    padding = "# " + "x" * 100 + "\n"
    content = (BASE_SERVICE_PROVIDER + padding * (MAX_FILE_BYTES // len(padding) + 1)).encode()
    assert _codes_at(workspace, cli, content) == [("P007", 1, 1)]


def test_file_just_under_the_limit_is_read(workspace, cli) -> None:
    text = BASE_SERVICE_PROVIDER
    text += "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n"
    assert len(text.encode()) == MAX_FILE_BYTES
    workspace.provider("sp", text)
    assert cli("validate").exit_code == 0


def test_empty_file(workspace, cli) -> None:
    assert _codes_at(workspace, cli, b"") == [("P005", 1, 1)]


def test_nul_byte_is_a_syntax_error(workspace, cli) -> None:
    assert _codes_at(workspace, cli, b"kind: Service\x00Provider\n") == [("P001", 1, 14)]


def test_deep_nesting_does_not_crash_the_process(workspace, cli) -> None:
    # libyaml's C composer overflows the stack near 30,000 levels; this must never reach it.
    codes = _codes_at(workspace, cli, b"a: " + b"[" * 32_000 + b"]" * 32_000 + b"\n")
    assert codes[0][0] == "P001"


def test_yaml_11_booleans_and_numbers_stay_text() -> None:
    data = load_fast("a: yes\nb: 013\nc: 1.5\nd: 2024-01-01\ne: true\nf: ~\n")
    assert data == {"a": "yes", "b": "013", "c": "1.5", "d": "2024-01-01", "e": True, "f": None}


def test_only_plain_scalars_are_typed_and_only_text_keys_pass_the_fast_path() -> None:
    text = "a: 'true'\nb: \"null\"\nc: |\n  true\nd:\ne: FALSE\nf: [Null, x]\ng: {h: ~}\n"
    expected = {
        "a": "true",
        "b": "null",
        "c": "true\n",
        "d": None,
        "e": False,
        "f": [None, "x"],
        "g": {"h": None},
    }
    assert load_fast(text) == expected == load_located(text).data
    for refused in ("true: 1\n", "~: 1\n", "a: 1\na: 2\n", "[a]: 1\n", "- a\n", "", "x\n"):
        assert load_fast(refused) is None, refused


def test_position_of_nested_values() -> None:
    doc = load_located("a:\n  - x\n  - y: [1, 2]\n")
    assert doc.value_marks[("a", 1, "y", 1)] == (3, 12)
    assert doc.key_marks[("a", 1, "y")] == (3, 5)
    assert doc.locate(("a", 1, "missing")) == (3, 5)


def _validate_bytes(raw: bytes) -> None:
    doc = RegistryDocument(
        path=Path("registry/production/service-providers/x.yaml"),
        display_path="x.yaml",
        environment="production",
        kind="ServiceProvider",
        slug="x",
    )
    parse_document(doc, raw)
    diagnostics = validate_documents([doc], DEFAULT_POLICY)
    for d in diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.message and d.hint


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    _validate_bytes(raw)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
_yaml_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
_field_names = st.sampled_from(
    [
        "kind",
        "name",
        "network",
        "client_id",
        "owners",
        "contacts",
        "redirect_uris",
        "scopes",
        "ip_ranges",
        "siret",
        "uid",
        "attached_email_domains",
        "discovery_url",
        "unknown",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(_field_names, _yaml_values, max_size=10),
    st.sampled_from([None, "flow", "block"]),
)
def test_arbitrary_yaml_never_crashes(document: dict, style: str | None) -> None:  # type: ignore[type-arg]
    flow = {"flow": True, "block": False}.get(style or "")
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    _validate_bytes(text.encode())


@settings(max_examples=300, deadline=None)  # under load, one example may take >200 ms
@given(st.dictionaries(st.text(max_size=12), _yaml_values, max_size=8))
def test_fast_and_located_paths_agree(document: dict) -> None:  # type: ignore[type-arg]
    text = yaml.safe_dump(document, allow_unicode=True)
    fast = load_fast(text)
    located = load_located(text)
    if fast is not None:
        assert located.findings == []
        assert located.data == fast
    else:
        assert (
            located.data is None
            or located.findings
            or not isinstance(located.data, dict)
            or any(c in text for c in "!&*")
        )


def test_decode_reports_position_of_the_bad_byte() -> None:
    text, findings = decode(b"a: 1\nbb: \xff\n")
    assert text is None
    assert (findings[0].code, findings[0].line, findings[0].column) == ("P006", 2, 5)


def test_locate_without_text_falls_back_to_the_file_start() -> None:
    doc = RegistryDocument(
        path=Path("x.yaml"), display_path="x.yaml", environment="", kind="", slug="x"
    )
    _, doc.findings = decode(b"\xff")
    assert [(d.line, d.column) for d in locate(doc)] == [(1, 1)]
