"""`fedreg lsp`: the language server, over stdin and stdout, until the editor stops it."""

from __future__ import annotations

from ..editor.server import build_server
from .common import EXIT_OK


def run_lsp(base: str | None) -> int:
    build_server(base).start_io()
    return EXIT_OK
