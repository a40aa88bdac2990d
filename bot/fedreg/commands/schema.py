"""`fedreg schema`: write (or check) the published JSON Schemas."""

from __future__ import annotations

import sys
from pathlib import Path

from ..adapters.files import write_atomic
from ..authoring.schemas import render_schemas
from .common import EXIT_FAILED, EXIT_OK


def run_schema(*, out: Path, check: bool) -> int:
    stale = []
    for name, content in render_schemas().items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        stale.append(path)
        if not check:
            write_atomic(path, content)
            print(f"Écrit : {path}")
    if check and stale:
        print(
            "Schémas périmés, relancez « fedreg schema » : " + ", ".join(map(str, stale)),
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
