"""`fedreg --help` lists the commands by who runs them: partners, federation operators, the bot
and CI; a command left out of the groups fails here."""

from __future__ import annotations

import contextlib
import io

import pytest

from fedreg.cli import build_parser, main
from fedreg.commands.help import COMMAND_GROUPS, OTHER_COMMANDS, subcommands


def _top_level_help() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["--help"])
    return out.getvalue()


def _groups_in(text: str) -> dict[str, list[str]]:
    """Heading -> the commands listed under it, read back from the help text."""
    section = text[text.index("commandes:") : text.index("exemples :")]
    groups: dict[str, list[str]] = {}
    current = ""
    for line in section.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            current = line.strip().removesuffix(" :")
            groups[current] = []
        elif line.startswith("    ") and not line.startswith("     "):
            groups[current].append(line.split()[0])
    return groups


def test_every_command_has_a_group() -> None:
    grouped = {name for _, names in COMMAND_GROUPS for name in names}
    commands = {name for name, _ in subcommands(build_parser()) if " " not in name}
    assert sorted(commands - grouped) == []


def test_the_help_lists_partners_then_operators_then_the_bot() -> None:
    groups = _groups_in(_top_level_help())
    titles = list(groups)
    assert [t.split(" (")[0] for t in titles] == [
        "pour les partenaires",
        "pour les opérateurs de la fédération",
        "pour le robot et la CI",
    ]
    assert OTHER_COMMANDS not in groups
    assert {"validate", "new", "rules", "schema", "diff"} <= set(groups[titles[0]])
    assert {"deploy", "drift", "secret", "serve"} <= set(groups[titles[1]])
    assert groups[titles[2]] == ["bot", "changed-deployments"]
    assert "extra « federation »" in titles[1]


def test_a_command_outside_the_groups_is_still_listed() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    commands.add_parser("nouvelle", help="une commande pas encore rangée")  # type: ignore[attr-defined]
    groups = _groups_in(parser.format_help())
    assert groups[OTHER_COMMANDS] == ["nouvelle"]
