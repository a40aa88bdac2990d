"""`fedreg verify-release MANIFEST`: the release checks of a deploy, alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ..adapters.files import read_json
from ..deploy.orchestration import discover_repository, on_main, verified_release
from ..errors import FedregError, UsageError
from ..manifests.release import (
    ENVELOPE_SUFFIX,
    UNSIGNED,
    ReleaseRefused,
    public_key,
    verify_release,
)
from ..registry.layout import DEPLOYMENTS
from .common import EXIT_OK, policy_or_fail


def run_verify_release(*, manifest: Path, public_key_file: Path | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    content = read_json(manifest, "manifeste")
    deployment = content.get("deployment") if isinstance(content, dict) else None
    if deployment not in DEPLOYMENTS:
        raise UsageError(f"{manifest} n'est pas un manifeste de déploiement")
    now = datetime.now(UTC)
    if public_key_file is None:
        release, _ = verified_release(manifest, deployment, policy, now)
        if release == UNSIGNED:
            raise FedregError(
                f"la politique ne liste aucune clé de signature pour {deployment} : passez "
                "--public-key"
            )
    else:
        envelope = manifest.with_name(manifest.name + ENVELOPE_SUFFIX)
        if not envelope.is_file():
            raise ReleaseRefused("unsigned", f"manifeste non signé : {envelope} est absent")
        try:
            key = public_key(public_key_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise UsageError(f"--public-key {public_key_file} : {error}") from None
        repo = discover_repository()
        release = verify_release(
            manifest.read_bytes(),
            envelope.read_bytes(),
            deployment=deployment,
            trusted=[key],
            other_environment=[],
            now=now,
            on_main=lambda commit: on_main(repo, commit),
        ).describe()
    print(f"{manifest} : {deployment}, {release} : déployable.")
    return EXIT_OK
