"""`fedreg rules [CODE ...]`: the rules reference, whole or for the codes asked."""

from __future__ import annotations

import sys
from difflib import get_close_matches

from ..errors import UsageError
from ..validation.rules import RULES_BY_CODE
from ..validation.rulesdoc import render_rule, render_rules_markdown
from .common import EXIT_OK


def run_rules(codes: list[str]) -> int:
    if not codes:
        sys.stdout.write(render_rules_markdown())
        return EXIT_OK
    sections = []
    for code in (c.strip().upper() for c in codes):
        if code not in RULES_BY_CODE:
            close = get_close_matches(code, list(RULES_BY_CODE), n=3, cutoff=0.5)
            suggestion = f" ; vouliez-vous dire {', '.join(close)} ?" if close else ""
            raise UsageError(f"code inconnu : {code}{suggestion} (« fedreg rules » les liste tous)")
        sections.append(render_rule(RULES_BY_CODE[code]))
    sys.stdout.write("\n\n".join(sections) + "\n")
    return EXIT_OK
