"""`fedreg rules [CODE ...]`: the rules reference, whole or for the codes asked."""

from __future__ import annotations

import datetime
import sys
from difflib import get_close_matches
from pathlib import Path

from ..diagnostics import SEVERITY_FR
from ..errors import UsageError
from ..registry.policy import Policy
from ..validation.rules import RULES_BY_CODE
from ..validation.rulesdoc import render_rule, render_rules_markdown
from .common import EXIT_OK, policy_or_fail


def level_line(code: str, policy: Policy, today: datetime.date) -> str:
    """What the policy says of a code's level (rule_levels), in French; "" when nothing."""
    level = policy.rule_levels.get(code)
    if level is None:
        return ""
    if level.effective is None or today >= level.effective:
        since = f" depuis le {level.effective:%d/%m/%Y}" if level.effective else ""
        return f"Niveau fixé par la politique : {level.level}{since}."
    current = SEVERITY_FR[RULES_BY_CODE[code].severity]
    return (
        f"Niveau : {current} ; deviendra {level.level} le {level.effective:%d/%m/%Y} "
        "(policy.yaml, rule_levels)."
    )


def run_rules(codes: list[str], policy_file: Path | None = None) -> int:
    if not codes:
        sys.stdout.write(render_rules_markdown())
        return EXIT_OK
    sections = []
    for code in (c.strip().upper() for c in codes):
        if code not in RULES_BY_CODE:
            close = get_close_matches(code, list(RULES_BY_CODE), n=3, cutoff=0.5)
            suggestion = f" ; vouliez-vous dire {', '.join(close)} ?" if close else ""
            raise UsageError(f"code inconnu : {code}{suggestion} (« fedreg rules » les liste tous)")
        policy = policy_or_fail(policy_file) if policy_file is not None else None
        level = level_line(code, policy, datetime.date.today()) if policy else ""
        sections.append(render_rule(RULES_BY_CODE[code]) + (f"\n\n{level}" if level else ""))
    sys.stdout.write("\n\n".join(sections) + "\n")
    return EXIT_OK
