"""`fedreg import`: today's database as registry files."""

from __future__ import annotations

import sys
from pathlib import Path

from bson import json_util

from ..adapters.files import read_json, write_all_atomic
from ..authoring.importer import import_documents
from ..deploy.mongostore import (
    live_documents,
)
from ..deploy.orchestration import (
    connect,
)
from ..errors import UsageError
from ..registry.layout import REGISTRY_DIR
from ..validation.engine import validate_paths
from ..validation.report import render_text
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail


def run_import(
    *,
    source: str | None,
    export: Path | None,
    environment: str,
    network: str,
    owners: list[str],
    policy_file: Path,
) -> int:
    if (source is None) == (export is None):
        raise UsageError("indiquez soit --from mongodb://…, soit --from-json EXPORT")
    if export is not None:
        documents = read_json(export, "export", json_util.loads)
        if not isinstance(documents, list):
            raise UsageError("l'export doit être un tableau JSON (mongoexport --jsonArray)")
        clients = [d for d in documents if "key" in d]
        providers = [d for d in documents if "uid" in d and "key" not in d]
        label = export.name
    else:
        assert source is not None
        live = live_documents(connect(source))
        clients, providers, label = live["client"], live["provider"], "la base"
    root = Path.cwd()
    taken = (
        {p.relative_to(root).as_posix() for p in (root / REGISTRY_DIR).rglob("*") if p.is_file()}
        if (root / REGISTRY_DIR).exists()
        else set()
    )
    files, skipped = import_documents(
        clients, providers, environment, network, owners, label, taken
    )
    write_all_atomic({root / f.path: f.text for f in files})
    for imported in files:
        print(f"Importé : {imported.path} ({len(imported.notes)} champ(s) non repris)")
    for reason in skipped:
        print(f"Ignoré : {reason}")
    policy = policy_or_fail(policy_file)
    result = validate_paths([root / f.path for f in files], policy)
    sys.stdout.write(render_text(result.diagnostics, len(files)))
    return EXIT_FAILED if result.error_count else EXIT_OK
