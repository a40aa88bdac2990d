"""`fedreg validate`: check registry files, report located diagnostics."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..report import RENDERERS_BY_NAME
from ..validate import load_policy, validate_paths
from .common import EXIT_FAILED, EXIT_OK


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[Path, ...]
    output_format: str
    strict: bool
    policy_file: Path
    colour: bool


def run_validate(options: ValidateOptions) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy, policy_diagnostics = load_policy(options.policy_file)
    result = validate_paths(list(options.paths), policy)
    diagnostics = sorted(policy_diagnostics + result.diagnostics)
    render = RENDERERS_BY_NAME[options.output_format]
    sys.stdout.write(render(diagnostics, len(result.documents), options.colour))
    failing = [d for d in diagnostics if options.strict or d.severity == "error"]
    return EXIT_FAILED if failing else EXIT_OK
