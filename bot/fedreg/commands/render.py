"""`fedreg render`: the deployment manifests, written atomically."""

from __future__ import annotations

import sys
from pathlib import Path

from ..diagnostics import count_errors
from ..files import write_all_atomic
from ..layout import REGISTRY_DIR
from ..render import build_manifests, serialize
from ..report import render_text
from ..validate import build_provider, load_policy, validate_paths
from .common import EXIT_FAILED, EXIT_OK, source_commit


def run_render(out: Path, policy_file: Path) -> int:
    policy, policy_diagnostics = load_policy(policy_file)
    result = validate_paths([Path(REGISTRY_DIR)], policy)
    diagnostics = sorted(policy_diagnostics + result.diagnostics)
    if count_errors(diagnostics):
        sys.stdout.write(render_text(diagnostics, len(result.documents)))
        print("fedreg : registre invalide, aucun manifeste écrit.", file=sys.stderr)
        return EXIT_FAILED
    providers = [(doc.environment, build_provider(doc)) for doc in result.documents]
    manifests = build_manifests(providers, source_commit())
    write_all_atomic({out / f"{name}.json": serialize(m) for name, m in manifests.items()})
    for name, manifest in manifests.items():
        print(
            f"{out / name}.json : {len(manifest['client'])} FS, "
            f"{len(manifest['provider'])} FI, empreinte {manifest['digest'][:12]}"
        )
    return EXIT_OK
