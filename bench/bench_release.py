"""Benchmark signing and verifying the four release manifests against rendering them.

    .venv/bin/python bench/bench_release.py [--size 10000] [--repeat 3]

Generates a registry of `--size` files, renders the four manifests (validation included, as
`fedreg render` does), then signs each (`render --sign`) and verifies each (what `deploy` runs
first, less the git look-up of main). Prints best-of-N times and the share signing and
verifying add to the render. Both are dominated by hashing the manifest bytes (sha256), so
they scale linearly with the size: the share at 10k holds at 100k.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fedreg.manifests.build import build_manifests, serialize
from fedreg.manifests.release import public_key, sign_release, verify_release
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.validation.engine import build_provider, validate_paths
from registry_generator import generate
from timing import best_of


def render(root: Path) -> dict[str, bytes]:
    result = validate_paths([root / "registry"], DEFAULT_POLICY, base=root)
    providers = [(doc.environment, build_provider(doc)) for doc in result.documents]
    manifests = build_manifests(providers, "0" * 40)
    return {f"{name}.json": serialize(m).encode() for name, m in manifests.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    trusted = [public_key(_pem(key))]
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.size)
        render_time, files = best_of(args.repeat, lambda: render(root))
        assert isinstance(files, dict)

        def sign() -> dict[str, bytes]:
            return {
                name: sign_release(data, name, key, now=now, valid_days=14, workflow=None)
                for name, data in files.items()
            }

        sign_time, envelopes = best_of(args.repeat, sign)
        assert isinstance(envelopes, dict)

        def verify() -> None:
            for name, data in files.items():
                deployment = name.removesuffix(".json")
                verify_release(
                    data,
                    envelopes[name],
                    deployment=deployment,
                    trusted=trusted,
                    other_environment=[],
                    now=now,
                    on_main=lambda commit: True,
                )

        verify_time, _ = best_of(args.repeat, verify)
    megabytes = sum(len(data) for data in files.values()) / 1e6
    print(f"{args.size} fichiers, 4 manifestes, {megabytes:.1f} Mo")
    print(f"render (validation + manifestes) : {render_time:.3f} s")
    print(f"signature des 4 manifestes       : {sign_time:.3f} s ({sign_time / render_time:.1%})")
    print(
        f"vérification des 4 manifestes    : {verify_time:.3f} s ({verify_time / render_time:.1%})"
    )


def _pem(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


if __name__ == "__main__":
    main()
