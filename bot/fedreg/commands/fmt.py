"""`fedreg fmt [PATH ...] [--check]`: registry files in the registry's one style."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ..adapters.files import write_all_atomic
from ..authoring.formatting import NotFormattable, format_text
from ..diagnostics import Diagnostic
from ..errors import UsageError
from ..registry.layout import YAML_SUFFIX, RegistryDocument, classify, display_path
from ..registry.snapshot import REGULAR_MODES, read_worktree, worktree_paths
from ..registry.yamlload import decode
from ..validation.engine import locate
from ..validation.report import render_text
from .common import EXIT_FAILED, EXIT_OK


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _refusal(path: Path, text: str | None, error: NotFormattable) -> list[Diagnostic]:
    environment, kind, slug, _ = classify(path)
    doc = RegistryDocument(
        path, display_path(path), environment, kind, slug, text=text, findings=error.findings
    )
    return locate(doc)


def run_fmt(paths: tuple[Path, ...], check: bool) -> int:
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    changed: dict[Path, str] = {}
    refused: list[Diagnostic] = []
    files = [p for p in worktree_paths(paths) if p.name.endswith(YAML_SUFFIX)]
    for path in files:
        mode, raw = read_worktree(path)  # a link is never followed, nor written through
        if mode not in REGULAR_MODES or raw is None:
            continue
        text, findings = decode(raw)
        try:
            if findings or text is None:
                raise NotFormattable(findings)
            formatted = format_text(text)
        except NotFormattable as error:
            refused.extend(_refusal(path, text, error))
            continue
        if formatted != text:
            changed[path] = formatted
    if not check:
        permissions = {path: stat.S_IMODE(os.lstat(path).st_mode) for path in changed}
        write_all_atomic(changed)
        for path, bits in permissions.items():
            os.chmod(path, bits)  # an executable bit is git's business, not the style's
    verb = "à reformater" if check else "reformaté"
    for path in changed:
        print(f"{verb} : {display_path(path)}")
    if refused:
        sys.stdout.write(render_text(sorted(refused), len(files)))
        print("fedreg : ces fichiers ne sont pas lus comme YAML valide : laissés tels quels.")
    done = "à reformater" if check else ("reformaté" + ("s" if len(changed) > 1 else ""))
    print(
        f"{_plural(len(changed), 'fichier')} {done}, "
        f"{len(files) - len(changed) - len({d.path for d in refused})} déjà au format.",
        file=sys.stderr,
    )
    return EXIT_FAILED if refused or (check and changed) else EXIT_OK
