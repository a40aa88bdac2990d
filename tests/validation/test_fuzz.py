"""Short hostile inputs (bytes, control characters, CR/LF mixes, YAML punctuation): `validate`
answers exit 0 or 1 with located diagnostics, never a crash (exit 3)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.validation.engine import validate_paths
from fedreg.validation.report import RENDERERS_BY_NAME

# Pieces a YAML reader treats specially: line breaks of every kind (libyaml counts CR, LF,
# CRLF, NEL, LS and PS as breaks), control characters, indicators, a BOM, an invalid byte.
PIECES = [
    b"a",
    b"kind",
    b":",
    b": ",
    b"-",
    b"- ",
    b" ",
    b"  ",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xa9",
    b"\x00",
    b"\x01",
    b"\x1b",
    b"\x7f",
    b"\x0b",
    b"\x0c",
    b";",
    b"#",
    b'"',
    b"'",
    b"\\",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a",
    b"*a",
    b"!",
    b"!!str",
    b"|",
    b">",
    b"%",
    b"@",
    b"`",
    b"?",
    b"---",
    b"...",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"true",
    b"null",
    b"\xe9",
]
SHORT_INPUTS = st.one_of(
    st.binary(max_size=12),
    st.lists(st.sampled_from(PIECES), max_size=12).map(b"".join),
)


@pytest.fixture(scope="module")
def target() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "registry/integration/service-providers/demo.yaml"
        path.parent.mkdir(parents=True)
        yield path


@settings(
    max_examples=5000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=SHORT_INPUTS)
def test_no_short_input_crashes_validate(target: Path, raw: bytes) -> None:
    target.write_bytes(raw)
    result = validate_paths([target], DEFAULT_POLICY, base=target.parents[3], jobs=1)
    for render in RENDERERS_BY_NAME.values():
        render(result.diagnostics, len(result.documents), False)
    for diagnostic in result.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
    assert raw == b"" or result.diagnostics, f"{raw!r} is not a valid provider file"


@pytest.mark.parametrize(
    "raw",
    [b"a:\r;", b"a:\r\n;", b"a\r:", b"a: b\rc", b"\xc2\x85a:\xc2\x85;", b"a:\xe2\x80\xa8;"],
)
def test_cr_line_breaks_give_a_located_error_through_the_cli(workspace, cli, raw) -> None:
    path = workspace.write("registry/integration/service-providers/demo.yaml", raw)
    result = cli("validate", "--format", "json", str(path))
    assert result.exit_code == 1, result.stderr
    codes = {d["code"] for d in result.json()["diagnostics"]}
    assert codes & {"P001", "P002", "P003", "S001", "S002"}, codes
