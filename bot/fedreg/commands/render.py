"""`fedreg render`: the deployment manifests, written atomically (and signed with --sign)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..adapters.files import StagedFiles
from ..deploy.orchestration import manifests_to_ship
from ..errors import FedregError
from ..manifests.build import serialized_chunks
from ..manifests.release import (
    ENVELOPE_SUFFIX,
    SIGNING_KEY_VARIABLE,
    private_key,
    sign_manifest_file,
    workflow_from_environment,
)
from .common import EXIT_OK, policy_or_fail


def run_render(
    *, out: Path, policy_file: Path, sign: bool = False, deployment: str | None = None
) -> int:
    """Every deployment's manifest, or `deployment`'s alone (reading only its environment's
    folder). Invalid registry: InvalidRegistry, reported by main() with its diagnostics."""
    policy = policy_or_fail(policy_file)
    key_pem = os.environ.get(SIGNING_KEY_VARIABLE, "")
    if sign and not key_pem.strip():
        raise FedregError(f"--sign : la clé de signature {SIGNING_KEY_VARIABLE} est absente")
    signing_key = private_key(key_pem) if sign else None
    manifests = manifests_to_ship(policy, uncommitted="warn", deployment=deployment)
    now = datetime.now(UTC)
    lines = []  # said once all is written: a manifest is assembled once (not kept)
    with StagedFiles() as staged:
        for name, manifest in manifests.items():
            path = out / f"{name}.json"
            sha256 = hashlib.sha256()
            staged.add(path, _hashed(serialized_chunks(manifest), sha256))
            if signing_key is not None:
                envelope = sign_manifest_file(
                    path.name,
                    sha256.hexdigest(),
                    manifest,
                    signing_key,
                    now=now,
                    valid_days=policy.release_validity_days,
                    workflow=workflow_from_environment(os.environ),
                )
                staged.add(path.with_name(path.name + ENVELOPE_SUFFIX), envelope.decode())
            lines.append(
                f"{path} : {len(manifest['client'])} FS, "
                f"{len(manifest['provider'])} FI, empreinte {manifest['digest'][:12]}"
                + (", signé" if signing_key is not None else "")
            )
    print("\n".join(lines))
    return EXIT_OK


def _hashed(chunks: Iterable[str], sha256: hashlib._Hash) -> Iterator[str]:
    """`chunks` as they are, their UTF-8 bytes hashed on the way (what the file holds)."""
    for chunk in chunks:
        sha256.update(chunk.encode("utf-8"))
        yield chunk
