"""The documentation site's rule pages: one per family listing its rules, one per rule."""

from __future__ import annotations

import re

from fedreg.validation.rules import RULES_BY_CODE
from fedreg.validation.rulesdoc import render_rule_pages, rule_families_nav, rule_page_path


def test_every_rule_has_a_page_linked_from_its_family() -> None:
    pages = render_rule_pages()
    families = rule_families_nav()
    assert set(pages) == {rule_page_path(code) for code in RULES_BY_CODE} | set(families)
    for code, rule in RULES_BY_CODE.items():
        page = pages[rule_page_path(code)]
        assert page.startswith(f"# {code} — {rule.title} (")
        assert f"`fedreg rules {code}`" in page and f"]({code[0]}.md)" in page
        assert f"- [{code} — {rule.title}]({code}.md)" in pages[rule_page_path(code[0])]


def test_a_rule_page_holds_one_title_and_its_examples() -> None:
    page = render_rule_pages()[rule_page_path("U005")]
    assert re.findall(r"^#+ ", page, flags=re.MULTILINE) == ["# "]
    assert "Refusé :\n\n```yaml\n- https://*.a.fr/cb\n```" in page


def test_a_retired_rule_says_so_on_its_page_and_in_its_family() -> None:
    retired = [rule for rule in RULES_BY_CODE.values() if rule.retired]
    assert retired
    pages = render_rule_pages()
    for rule in retired:
        assert f"{rule.code} — {rule.title} (retiré)" in pages[rule_page_path(rule.code)]
        assert f"]({rule.code}.md) (retiré)" in pages[rule_page_path(rule.code[0])]
