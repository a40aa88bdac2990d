"""The language server's pure help: where a located value ends, what a hover shows, which fix
is certain."""

from __future__ import annotations

import pytest

from fedreg.diagnostics import Finding
from fedreg.editor.assist import diagnostic_range, quick_fix, quote_siret, token_end


@pytest.mark.parametrize(
    ("line", "start", "token"),
    [
        ("redirect_uri:", 0, "redirect_uri"),
        ("network: intranet  # commentaire", 9, "intranet"),
        ("scopes: [email, profile, mail]", 16, "profile"),
        ("scopes: [email, profile]", 16, "profile"),
        ('name: "Service « A » \\" B"  # c', 6, '"Service « A » \\" B"'),
        ("name: 'L''équipe'", 6, "'L''équipe'"),
        ('name: "jamais fermé', 6, '"jamais fermé'),
        ("  - https://a.fr/cb", 4, "https://a.fr/cb"),
        ("  - ", 4, ""),
        ("name: Grist, la suite", 6, "Grist, la suite"),
        ("owners: {a: b}", 9, "a"),
    ],
)
def test_a_token_ends_where_yaml_ends_it(line, start, token) -> None:
    assert line[start : token_end(line, start)] == token


def test_a_range_stays_inside_the_text() -> None:
    lines = ["kind: ServiceProvider", ""]
    assert diagnostic_range(lines, 1, 1) == ((0, 0), (0, 4))
    assert diagnostic_range(lines, 9, 40) == ((1, 0), (1, 0))
    assert diagnostic_range([], 1, 1) == ((0, 0), (0, 0))


def test_fixes_only_where_certain() -> None:
    lines = ["ip_ranges:", "  - 145.242.17.10/28", "  - pas une plage"]
    fix = quick_fix(Finding("N002", params={"value": "145.242.17.10/28"}), "", lines, (1, 4))
    assert fix is not None and fix.edits[0].new_text == "145.242.17.0/28"
    assert quick_fix(Finding("N002", params={"value": "x"}), "", lines, (2, 4)) is None
    assert quick_fix(Finding("U011", params={"value": "ftp://a.fr"}), "", lines, (2, 4)) is None
    environment = Finding("S001", params={"key": "env", "detail": "L'environnement vient…"})
    assert quick_fix(environment, "ServiceProvider", ["env: production"], (0, 0)) is None
    nested = ["redirect_uris:", "  - *.a.fr", "    suite"]
    assert quick_fix(Finding("U005", params={"value": "*.a.fr"}), "", nested, (1, 4)) is None


@pytest.mark.parametrize(
    ("line", "quoted"),
    [
        ("siret: 13002526500013", 'siret: "13002526500013"'),
        ("siret: 13002526500013  # Ministère", 'siret: "13002526500013"  # Ministère'),
        ('siret: "13002526500013"', None),
        ("siret:", None),
        ("  siret: 1", None),
    ],
)
def test_only_an_unquoted_siret_is_quoted(line, quoted) -> None:
    fix = quote_siret([line], 0)
    if quoted is None:
        assert fix is None
    else:
        assert fix is not None
        edit = fix.edits[0]
        assert line[: edit.start[1]] + edit.new_text + line[edit.end[1] :] == quoted
