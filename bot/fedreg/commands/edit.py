"""`fedreg edit`: the modification form applied to the working tree, in place."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..adapters.files import write_atomic
from ..errors import FedregError
from ..form.editing import Edit, edit_provider, parse_request
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.snapshot import read_document, worktree_paths
from ..validation.report import RENDERERS_BY_NAME
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail


def registry_documents(root: Path) -> list[RegistryDocument]:
    """Every registry file under `root`, read and parsed (not checked)."""
    registry = root / REGISTRY_DIR
    if not registry.is_dir():
        raise FedregError(f"pas de dossier {REGISTRY_DIR}/ dans {root}")
    return [read_document(path, root) for path in worktree_paths([registry])]


def report_refusal(edit: Edit, output_format: str) -> int:
    sys.stdout.write(RENDERERS_BY_NAME[output_format](list(edit.diagnostics), 1, False))
    print("fedreg : rien n'est écrit.", file=sys.stderr)
    return EXIT_FAILED


def run_edit(*, fields: dict[str, Any], root: Path, output_format: str, policy_file: Path) -> int:
    policy = policy_or_fail(root / policy_file)
    request, problems = parse_request(fields)
    if request is None:
        return report_refusal(Edit(diagnostics=tuple(problems)), output_format)
    edit = edit_provider(registry_documents(root), request, policy)
    if not edit.ok:
        return report_refusal(edit, output_format)
    write_atomic(root / edit.path, edit.after)
    if output_format == "text":
        print(f"Modifié : {edit.path} ({', '.join(edit.changed)})")
        for key, added, removed in edit.list_changes:
            for value in added:
                print(f"  {key} : + {value}  (ajouté)")
            for value in removed:
                print(f"  {key} : - {value}  (retiré)")
            if not added and not removed:
                print(f"  {key} : mêmes entrées, dans un autre ordre")
    else:
        sys.stdout.write(RENDERERS_BY_NAME[output_format](list(edit.diagnostics), 1, False))
    return EXIT_OK
