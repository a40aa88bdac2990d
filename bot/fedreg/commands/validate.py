"""`fedreg validate`: check registry files, report located diagnostics."""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path

from ..adapters.git import GitRepository
from ..diagnostics import Diagnostic, Severity, count_errors
from ..errors import UsageError
from ..registry.layout import display_path
from ..registry.snapshot import documents_at
from ..validation.checks.readiness import Identity, known_identities
from ..validation.engine import validate_paths
from ..validation.policycheck import load_policy
from ..validation.report import RENDERERS_BY_NAME
from ..validation.waivers import apply_exceptions, root_relative, waivers_in
from .common import EXIT_FAILED, EXIT_OK
from .progress import TerminalProgress


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[Path, ...]
    output_format: str
    strict: bool
    policy_file: Path
    colour: bool
    cross_check: bool = False
    registry: Path = Path("registry")
    progress: bool = False
    base: str | None = None  # a git revision: providers absent from it are new


def _focus(diagnostics: list[Diagnostic], paths: tuple[Path, ...]) -> list[Diagnostic]:
    """--cross-check: the given files' diagnostics, and every conflict across files."""
    shown = {display_path(path) for path in paths}
    return [d for d in diagnostics if d.path in shown or d.code.startswith("X")]


def identities_at(ref: str) -> set[Identity]:
    """The providers of the registry at git revision `ref`, by identity."""
    repo = GitRepository.discover(Path.cwd())
    docs = documents_at(repo, repo.resolve(ref))
    return known_identities((doc.environment, doc.kind, doc.data) for doc in docs)


def run_validate(options: ValidateOptions) -> int:
    for path in options.paths:
        if not path.exists():
            raise UsageError(f"{path} n'existe pas")
    policy, policy_diagnostics = load_policy(options.policy_file)
    paths = list(options.paths)
    if options.cross_check and options.registry.is_dir():
        paths.append(options.registry)
    known = identities_at(options.base) if options.base is not None else None
    progress = TerminalProgress(sys.stderr) if options.progress else None
    result = validate_paths(paths, policy, progress=progress, known=known, keep_documents=False)
    if progress is not None:
        progress.close()
    found = result.diagnostics
    if options.cross_check:
        found = _focus(found, options.paths)
    root = options.registry.parent
    today = datetime.date.today()
    to_root = root_relative(root)
    whole = options.cross_check or any(
        options.registry.resolve().is_relative_to(path.resolve()) for path in options.paths
    )
    checked = {to_root(path) for path in result.checked_paths}
    diagnostics = apply_exceptions(
        sorted(policy_diagnostics + found),
        waivers_in(root, policy, today),
        policy,
        today,
        to_root,
        checked=lambda file: whole or file in checked,
    )
    render = RENDERERS_BY_NAME[options.output_format]
    sys.stdout.write(render(diagnostics, len(result.checked_paths), options.colour))
    if count_errors(diagnostics):
        return EXIT_FAILED
    warnings = [d for d in diagnostics if d.severity is Severity.WARNING and d.waiver is None]
    if options.strict and warnings:
        print(
            f"fedreg : échec à cause de {len(warnings)} avertissement"
            f"{'s' if len(warnings) > 1 else ''} : --strict les traite comme des erreurs.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
