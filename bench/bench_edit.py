"""Benchmark a form request on a large registry: what `fedreg edit` (and each request to
`fedreg serve`) costs, reading and validating the whole registry for the rules across files.

    .venv/bin/python bench/bench_edit.py [--sizes 1000 10000] [--repeat 3]

Prints, per size, the best-of-N cold time of reading the registry and of the edit itself
(round-trip write plus validation of every file), and checks that the edit changed one line.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from functools import partial
from pathlib import Path

from fedreg.commands.edit import registry_documents
from fedreg.form.editing import edit_provider, parse_request
from fedreg.registry.policy import DEFAULT_POLICY
from registry_generator import generate
from timing import best_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    client_id = hashlib.sha256(b"client-0").hexdigest()  # provider 0: integration, internet
    request, problems = parse_request(
        {
            "environment": "integration",
            "network": "internet",
            "client_id": client_id,
            "redirect_uris": ["https://service-0.ministere-0.gouv.fr/auth/callback"],
        }
    )
    assert request is not None, problems
    print(f"{'files':>8} {'read (s)':>10} {'edit+validate (s)':>18}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            generate(root, size)
            read_time, docs = best_of(args.repeat, partial(registry_documents, root))
            edit_time, edit = best_of(
                args.repeat,
                partial(edit_provider, docs, request, DEFAULT_POLICY),  # type: ignore[arg-type]
            )
            assert edit.ok and edit.changed == ("redirect_uris",), edit  # type: ignore[attr-defined]
            removed = set(edit.before.splitlines()) - set(edit.after.splitlines())  # type: ignore[attr-defined]
            assert len(removed) == 1
            print(f"{size:>8} {read_time:>10.3f} {edit_time:>18.3f}")


if __name__ == "__main__":
    main()
