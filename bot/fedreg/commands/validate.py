"""`fedreg validate`: check registry files, report located diagnostics."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..checks.readiness import Identity, known_identities
from ..diffing import parse_contents
from ..errors import UsageError
from ..gitrepo import GitRepository
from ..layout import REGISTRY_DIR
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
    base: str | None = None  # a git revision: providers absent from it are new


def identities_at(ref: str) -> set[Identity]:
    """The providers of the registry at git revision `ref`, by identity."""
    repo = GitRepository.discover(Path.cwd())
    commit = repo.resolve(ref)
    paths = repo.list_files(commit, REGISTRY_DIR)
    contents = repo.read_files([(commit, path) for path in paths])
    docs = parse_contents({path: contents[(commit, path)] for path in paths})
    return known_identities((doc.environment, doc.kind, doc.data) for doc in docs)


def run_validate(options: ValidateOptions) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy, policy_diagnostics = load_policy(options.policy_file)
    known = identities_at(options.base) if options.base is not None else None
    result = validate_paths(list(options.paths), policy, known=known)
    diagnostics = sorted(policy_diagnostics + result.diagnostics)
    render = RENDERERS_BY_NAME[options.output_format]
    sys.stdout.write(render(diagnostics, len(result.documents), options.colour))
    failing = [d for d in diagnostics if options.strict or d.severity == "error"]
    return EXIT_FAILED if failing else EXIT_OK
