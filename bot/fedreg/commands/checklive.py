"""`fedreg check-live`: the recette of providers against their live servers and DNS."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..live.fetch import LiveSettings
from ..live.report import LIVE_RENDERERS_BY_NAME
from ..live.run import live_check_documents
from ..registry.snapshot import read_document, worktree_paths
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail


@dataclass(frozen=True)
class CheckLiveOptions:
    paths: tuple[Path, ...]
    output_format: str
    policy_file: Path
    settings: LiveSettings
    colour: bool = False


def run_check_live(options: CheckLiveOptions) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy = policy_or_fail(options.policy_file)
    docs = [read_document(path) for path in worktree_paths(options.paths)]
    report = live_check_documents(docs, policy, options.settings)
    render = LIVE_RENDERERS_BY_NAME[options.output_format]
    sys.stdout.write(render(report, options.colour))
    failed = any(d.severity == "error" for d in report.diagnostics)
    return EXIT_FAILED if failed else EXIT_OK
