"""`fedreg render`: the deployment manifests, written atomically."""

from __future__ import annotations

from pathlib import Path

from ..adapters.files import write_all_atomic
from ..deploy.orchestration import manifests_to_ship
from ..manifests.build import serialize
from .common import EXIT_OK, policy_or_fail


def run_render(*, out: Path, policy_file: Path) -> int:
    """Invalid registry: InvalidRegistry, reported by main() with its diagnostics."""
    manifests = manifests_to_ship(policy_or_fail(policy_file), uncommitted="warn")
    write_all_atomic({out / f"{name}.json": serialize(m) for name, m in manifests.items()})
    for name, manifest in manifests.items():
        print(
            f"{out / name}.json : {len(manifest['client'])} FS, "
            f"{len(manifest['provider'])} FI, empreinte {manifest['digest'][:12]}"
        )
    return EXIT_OK
