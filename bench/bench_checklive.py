"""Benchmark `fedreg check-live` over many identity providers served from loopback.

    .venv/bin/python bench/bench_checklive.py [--providers 100] [--latency 0.0] [--repeat 3]

Starts the tests' loopback servers (https with a test CA, DNS with dnslib; tests/liveservers.py),
serves a distinct discovery document and JWKS for each FI, two proven e-mail domains each, and
prints the best-of-N wall time of the real command, with what the servers saw. Every FI is on
the same host, the worst case for the per-host limit (two requests in flight); `--latency`
adds a server delay per request, as a real network would.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fedreg.cli import main
from liveservers import PROOF, running_live_servers


class _Temp:
    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path


def run(providers: int, latency: float, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, running_live_servers(_Temp(Path(tmp))) as servers:
        root = Path(tmp) / "repo"
        folder = root / "registry/integration/identity-providers"
        folder.mkdir(parents=True)
        good = servers.https.routes
        for index in range(providers):
            name = f"fi-{index:04d}"
            for suffix in ("/.well-known/openid-configuration", "/jwks"):
                template = good[f"/good{suffix}"]
                body = template.body.replace(b"/good", f"/{name}".encode())
                servers.https.routes[f"/{name}{suffix}"] = type(template)(
                    body=body, headers=template.headers, delay=latency
                )
            domains = [f"d{index}-{k}.gouv.fr" for k in range(2)]
            for domain in domains:
                servers.dns.zone.records[(domain, "TXT")] = [PROOF]
            text = servers.identity_provider(name).replace(
                "  - demo.gouv.fr\n", "".join(f"  - {d}\n" for d in domains)
            )
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        previous = Path.cwd()
        os.chdir(root)
        try:
            best = float("inf")
            report: dict = {}  # type: ignore[type-arg]
            for _ in range(repeat):
                hits_before = sum(servers.https.hits.values())
                queries_before = sum(servers.dns.zone.queries.values())
                out = io.StringIO()
                start = time.perf_counter()
                with contextlib.redirect_stdout(out):
                    code = main(["check-live", "--format", "json", *servers.options(10.0)])
                elapsed = time.perf_counter() - start
                best = min(best, elapsed)
                report = json.loads(out.getvalue())
                hits = sum(servers.https.hits.values()) - hits_before
                queries = sum(servers.dns.zone.queries.values()) - queries_before
        finally:
            os.chdir(previous)
        summary = report["summary"]
        assert code == 0 and summary["failed"] == 0 and summary["unverified"] == 0, summary
        print(
            f"check-live, {providers} FI, latence serveur {latency * 1000:.0f} ms : "
            f"meilleur de {repeat} = {best:.2f} s ({best / providers * 1000:.1f} ms par FI) ; "
            f"{hits} requêtes https, {queries} requêtes DNS par passe ; "
            f"{summary['passed']} vérifications réussies"
        )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.providers, args.latency, args.repeat)


if __name__ == "__main__":
    cli()
