"""`fedreg import`: today's database (or an export of it) as registry files, each provider
once."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from bson import json_util

from ..adapters.files import read_json, write_all_atomic
from ..authoring.importer import Identity, import_documents
from ..deploy.mongostore import live_documents
from ..deploy.plan import is_managed
from ..deploy.store import check_target, open_store
from ..diagnostics import count_errors
from ..errors import UsageError
from ..registry.layout import REGISTRY_DIR
from ..registry.models import deployment_name
from ..registry.snapshot import read_document, worktree_paths
from ..validation.checks.readiness import identity_of
from ..validation.coreconformance import is_resource_server
from ..validation.engine import validate_paths
from ..validation.report import render_text
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail
from .progress import TerminalProgress


def _export_documents(export: Path) -> dict[str, list[dict[str, Any]]]:
    documents = read_json(export, "export", json_util.loads)
    if not isinstance(documents, list):
        raise UsageError("l'export doit être un tableau JSON (mongoexport --jsonArray)")
    return {
        "client": [d for d in documents if isinstance(d, dict) and "key" in d],
        "provider": [d for d in documents if isinstance(d, dict) and "uid" in d and "key" not in d],
    }


def _registry_identities(root: Path) -> dict[Identity, str]:
    """Every provider of the registry by identity, with its file."""
    folder = root / REGISTRY_DIR
    if not folder.is_dir():
        return {}
    known: dict[Identity, str] = {}
    for path in worktree_paths([folder]):
        doc = read_document(path, root)
        identity = identity_of(doc.environment, doc.kind, doc.data)
        if identity is not None:
            known.setdefault(identity, doc.display_path)
    return known


def _foreign(
    live: dict[str, list[dict[str, Any]]], deployment: str
) -> dict[str, list[dict[str, Any]]]:
    """The documents `drift` calls foreign: without the deployment's provenance, resource
    servers left out."""
    return {
        collection: [
            doc
            for doc in docs
            if not is_managed(doc, deployment)
            and not (collection == "client" and is_resource_server(doc))
        ]
        for collection, docs in live.items()
    }


def run_import(
    *,
    source: str | None,
    export: Path | None,
    environment: str,
    network: str,
    owners: list[str],
    policy_file: Path,
    only_foreign: bool = False,
) -> int:
    if (source is None) == (export is None):
        raise UsageError("indiquez soit --from mongodb://… (ou file:…), soit --from-json EXPORT")
    if export is not None:
        live, label = _export_documents(export), export.name
    else:
        assert source is not None
        check_target(source)
        with open_store(source) as store:
            live, label = live_documents(store.db), "la base"
    if only_foreign:
        live = _foreign(live, deployment_name(environment, network))
    root = Path.cwd()
    taken = (
        {p.relative_to(root).as_posix() for p in (root / REGISTRY_DIR).rglob("*") if p.is_file()}
        if (root / REGISTRY_DIR).exists()
        else set()
    )
    result = import_documents(
        live["client"],
        live["provider"],
        environment,
        network,
        owners,
        label,
        taken,
        _registry_identities(root),
    )
    write_all_atomic({root / f.path: f.text for f in result.files})
    for imported in result.files:
        print(f"Importé : {imported.path} ({len(imported.notes)} champ(s) non repris)")
    for present in result.present:
        print(f"Déjà présent : {present}")
    for reason in result.skipped:
        print(f"Ignoré : {reason}")
    print(
        f"{len(result.files)} fichier(s) écrit(s), {len(result.present)} déjà présent(s), "
        f"{len(result.skipped)} ignoré(s)."
    )
    if not result.files:
        return EXIT_OK
    policy = policy_or_fail(policy_file)
    # The whole registry is read, so that a conflict with an existing file (a client_id, a
    # name) is reported; only the imported files' own findings and the conflicts are shown.
    progress = (
        TerminalProgress(sys.stderr) if sys.stderr.isatty() and not os.environ.get("CI") else None
    )
    report = validate_paths([root / REGISTRY_DIR], policy, progress=progress)
    if progress is not None:
        progress.close()
    written = {(root / f.path).resolve() for f in result.files}
    diagnostics = [
        d
        for d in report.diagnostics
        if (root / d.path).resolve() in written or d.code.startswith("X")
    ]
    sys.stdout.write(render_text(diagnostics, len(result.files)))
    return EXIT_FAILED if count_errors(diagnostics) else EXIT_OK
