"""Benchmark one radar pass (`fedreg watch --github`) over many providers served from loopback.

    .venv/bin/python bench/bench_radar.py [--providers 1000] [--changed 10]

Half the providers are FIs (a distinct discovery document and JWKS each, the keys carrying x5c
certificates, one expiring within 30 days for every tenth FI, two proven e-mail domains), half
are production FSs (https return URLs on the loopback server, whose certificate is read once
per pass: the same origin for all). Each provider has its own owner team and contact domain.
GitHub is the tests' contract-checked fake. Three passes, each printed with its wall time,
https and DNS requests, GitHub calls (reads and writes) and the process's peak memory (servers
included, they run in the same process):

1. cold: no state, every owner asked, every issue created;
2. nothing changed: no GitHub write expected;
3. `--changed` FIs lose a DNS proof past the grace period: one write per changed issue (two
   with the comment that tells owners of a new error), plus the summary.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bench_checklive import _Temp
from conftest import BASE_SERVICE_PROVIDER, edited
from fakegithub import FakeGitHub
from fedreg.cli import main
from liveservers import UID, running_live_servers

NOW = datetime.now(UTC)


def _x5c(days: int) -> str:
    import base64

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _pass(servers: Any, github: FakeGitHub, label: str) -> dict[str, Any]:
    hits = sum(servers.https.hits.values())
    queries = sum(servers.dns.zone.queries.values())
    calls = len(github.calls)
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(["watch", "--state", "radar.json", "--github", "--format", "json",
                     "--budget", "1200", *servers.options(10.0)[2:]])  # fmt: skip
    elapsed = time.perf_counter() - start
    assert code == 0, out.getvalue()
    report = json.loads(out.getvalue())
    made = github.calls[calls:]
    writes = sum(1 for method, _, _ in made if method != "get")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with_findings = sum(1 for p in report["providers"] if p["findings"])
    print(
        f"{label} : {elapsed:.2f} s ; {sum(servers.https.hits.values()) - hits} requêtes https, "
        f"{sum(servers.dns.zone.queries.values()) - queries} requêtes DNS ; GitHub : "
        f"{len(made)} appels dont {writes} écritures ; {with_findings} fournisseurs avec "
        f"constats ; mémoire max {peak:.0f} Mio"
    )
    return report


def run(providers: int, changed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, running_live_servers(_Temp(Path(tmp))) as servers:
        root = Path(tmp) / "repo"
        fis = root / "registry/integration/identity-providers"
        sps = root / "registry/production/service-providers"
        fis.mkdir(parents=True)
        sps.mkdir(parents=True)
        (root / "policy.yaml").write_text("radar_dns_proof_grace_days: 14\n")
        good = servers.https.routes
        github = FakeGitHub(root)
        github.tokens["bench-token"] = {"login": "fedreg-radar[bot]", "type": "Bot"}
        fi_count = providers // 2
        for index in range(fi_count):
            name = f"fi-{index:04d}"
            template = good["/good/.well-known/openid-configuration"]
            body = template.body.replace(b"/good", f"/{name}".encode())
            servers.https.routes[f"/{name}/.well-known/openid-configuration"] = type(template)(
                body=body, headers=template.headers
            )
            keys = json.loads(good["/good/jwks"].body)
            keys["keys"][0]["x5c"] = [_x5c(20 if index % 10 == 0 else 400)]
            servers.https.serve_json(f"/{name}/jwks", keys)
            domains = [f"d{index}-{k}.gouv.fr" for k in range(2)]
            servers.dns.zone.records[(f"c{index}.gouv.fr", "A")] = ["192.0.2.1"]
            text = (
                servers.identity_provider(name)
                .replace("  - demo.gouv.fr\n", "".join(f"  - {d}\n" for d in domains))
                .replace("@demo-org/identite", f"@org/equipe-{index}")
                .replace("identite@demo.gouv.fr", f"identite@c{index}.gouv.fr")
                .replace(UID, f"5f0c3b9e-2b8e-4a57-9a3e-{index:012x}")
            )
            for domain in domains:  # each FI's own uid: its own proof
                servers.dns.zone.records[(domain, "TXT")] = [
                    f"proconnect-identity-provider-5f0c3b9e-2b8e-4a57-9a3e-{index:012x}"
                ]
            (fis / f"{name}.yaml").write_text(text, encoding="utf-8")
            github.teams.add(("org", f"equipe-{index}"))
        for index in range(providers - fi_count):
            number = fi_count + index
            servers.dns.zone.records[(f"c{number}.gouv.fr", "A")] = ["192.0.2.1"]
            text = edited(
                BASE_SERVICE_PROVIDER,
                [
                    ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     f"{number:064x}"),
                    ("name: Service de démonstration", f"name: Service {number}"),
                    ("https://demo.gouv.fr/callback", servers.https.url(f"/cb/{number}")),
                    ("@demo-org/equipe", f"@org/equipe-{number}"),
                    ("equipe@demo.gouv.fr", f"equipe@c{number}.gouv.fr"),
                ],
            )  # fmt: skip
            (sps / f"sp-{number:04d}.yaml").write_text(text, encoding="utf-8")
            github.teams.add(("org", f"equipe-{number}"))
        github.start()
        environment = {
            **github.client_environment("bench-token"),
            "FEDREG_CA_BUNDLE": str(servers.ca_bundle),
        }
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        previous = Path.cwd()
        os.chdir(root)
        try:
            _pass(servers, github, f"passe 1 (à froid), {providers} fournisseurs")
            _pass(servers, github, "passe 2 (rien n'a changé)")
            for index in range(changed):
                for k in range(2):
                    servers.dns.zone.records[(f"d{index}-{k}.gouv.fr", "TXT")] = ["v=spf1 -all"]
            state = json.loads(Path("radar.json").read_text())
            long_ago = (NOW - timedelta(days=20)).date().isoformat()
            for entry in state["providers"].values():
                entry["proof_missing_since"] = {
                    f"d{i}-{k}.gouv.fr": long_ago for i in range(changed) for k in range(2)
                }
            Path("radar.json").write_text(json.dumps(state))
            _pass(servers, github, f"passe 3 ({changed} FI perdent une preuve DNS)")
        finally:
            os.chdir(previous)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            github.stop()
        assert github.violations == [], github.violations[:3]


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=10)
    args = parser.parse_args()
    run(args.providers, args.changed)


if __name__ == "__main__":
    cli()
