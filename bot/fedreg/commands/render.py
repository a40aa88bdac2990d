"""`fedreg render`: the deployment manifests, written atomically (and signed with --sign)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ..adapters.files import write_all_atomic
from ..deploy.orchestration import manifests_to_ship
from ..errors import FedregError
from ..manifests.build import serialize
from ..manifests.release import (
    ENVELOPE_SUFFIX,
    SIGNING_KEY_VARIABLE,
    private_key,
    sign_release,
    workflow_from_environment,
)
from .common import EXIT_OK, policy_or_fail


def run_render(*, out: Path, policy_file: Path, sign: bool = False) -> int:
    """Invalid registry: InvalidRegistry, reported by main() with its diagnostics."""
    policy = policy_or_fail(policy_file)
    key_pem = os.environ.get(SIGNING_KEY_VARIABLE, "")
    if sign and not key_pem.strip():
        raise FedregError(f"--sign : la clé de signature {SIGNING_KEY_VARIABLE} est absente")
    signing_key = private_key(key_pem) if sign else None
    manifests = manifests_to_ship(policy, uncommitted="warn")
    files: dict[Path, str] = {}
    now = datetime.now(UTC)
    for name, manifest in manifests.items():
        path = out / f"{name}.json"
        files[path] = serialize(manifest)
        if signing_key is not None:
            envelope = sign_release(
                files[path].encode(),
                path.name,
                signing_key,
                now=now,
                valid_days=policy.release_validity_days,
                workflow=workflow_from_environment(os.environ),
            )
            files[path.with_name(path.name + ENVELOPE_SUFFIX)] = envelope.decode()
    write_all_atomic(files)
    for name, manifest in manifests.items():
        print(
            f"{out / name}.json : {len(manifest['client'])} FS, "
            f"{len(manifest['provider'])} FI, empreinte {manifest['digest'][:12]}"
            + (", signé" if signing_key is not None else "")
        )
    return EXIT_OK
