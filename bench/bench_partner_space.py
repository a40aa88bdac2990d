"""Benchmark the partner space: from "Envoyer la demande" to the pull request, and page weight.

    .venv/bin/python bench/bench_partner_space.py [--repeat 5]

Runs the real app (uvicorn, loopback) over the contract-checked fake GitHub (tests/fakegithub.py)
and a real clone of a small registry, signed in through a real OIDC provider on loopback
(oidc-provider-mock) as the FI of the agent's domain asserts them; times each
POST /demandes up to its 303 (main's tip fetched, edit validated, commit, branch, pull request,
the previous request closed), and prints the bytes of each page and of its style sheet.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from joserfc.jwk import OKPKey  # noqa: E402
from oidc_provider_mock import run_server_in_thread  # noqa: E402

from conftest import BASE_IDENTITY_PROVIDER  # noqa: E402
from fakegithub import FakeGitHub  # noqa: E402
from fedreg.adapters.github import GitHubClient  # noqa: E402
from fedreg.form.identity import IdentityTrust  # noqa: E402
from fedreg.form.partnerspace import PartnerSpace  # noqa: E402
from fedreg.form.server import ServeSettings, build_app  # noqa: E402
from fedreg.form.signin import OidcClient, OidcSettings  # noqa: E402
from fedreg.prbot.requesterseal import seal  # noqa: E402
from fedreg.registry.policy import DEFAULT_POLICY  # noqa: E402

CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
FI_UID = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"  # the FI of BASE_IDENTITY_PROVIDER: demo.gouv.fr
AGENT = "equipe@demo.gouv.fr"
PROVIDER = """\
kind: ServiceProvider
name: Service de démonstration
network: internet
client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
active: true
owners:
  - "@demo-org/equipe"
contacts:
  - equipe@demo.gouv.fr
redirect_uris:
  - https://demo.gouv.fr/callback
scopes:
  - openid
  - email
id_token_signed_response_alg: ES256
userinfo_signed_response_alg: ES256
accepts_private_sector: false
"""
SESSION_SECRET = "b" * 40


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _sign_in(client: httpx.Client, provider: str) -> str:
    """Sign `client` in through the provider's authorization code flow; the page's CSRF
    token."""
    claims = {"email": AGENT, "idp_id": FI_UID, "siret": "13002526500013"}
    httpx.put(f"{provider}/users/b", json=claims).raise_for_status()
    authorize = client.get("/connexion").headers["location"]
    answer = httpx.post(authorize, data={"sub": "b"}, follow_redirects=False)
    assert client.get(answer.headers["location"]).status_code == 303
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert match, "not signed in"
    return match.group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the loopback provider is http
    with (
        tempfile.TemporaryDirectory() as folder,
        run_server_in_thread(require_nonce=True) as oidc_server,
    ):
        provider = f"http://localhost:{oidc_server.server_port}"
        origin, clone = Path(folder) / "origin", Path(folder) / "clone"
        (origin / "registry/integration/service-providers").mkdir(parents=True)
        (origin / "registry/integration/service-providers/demo.yaml").write_text(PROVIDER)
        (origin / "registry/integration/identity-providers").mkdir(parents=True)
        fi = origin / "registry/integration/identity-providers/demo.yaml"
        fi.write_text(BASE_IDENTITY_PROVIDER)
        _git(origin, "init", "-q", "-b", "main")
        _git(origin, "add", ".")
        _git(origin, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "r")
        _git(Path(folder), "clone", "-q", str(origin), str(clone))
        github = FakeGitHub(origin)
        github.tokens["app-token"] = {"login": "proconnect-espace-partenaires[bot]", "type": "Bot"}
        github.start()
        os.environ.update(
            GITHUB_TOKEN="app-token",
            GITHUB_API_URL=github.base_url,
            GITHUB_REPOSITORY=github.full_name,
            FEDREG_GITHUB_REQUEST_INTERVAL="0",
            FEDREG_GITHUB_WRITE_INTERVAL="0",
        )
        private = OKPKey.generate_key("Ed25519").as_pem(private=True)
        backend = PartnerSpace(
            clone,
            DEFAULT_POLICY,
            GitHubClient.from_environment,
            "main",
            lambda repository, commit, email, idp_id: seal(
                private, repository, commit, email, idp_id
            ),
        )
        settings = ServeSettings(rate_limit=1000)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = build_app(
            backend,
            b"s" * 40,
            settings,
            oidc=OidcClient(OidcSettings(provider, "fedreg-bench", "secret-de-banc", url)),
            session_secret=SESSION_SECRET,
            secure_cookies=False,
            trust=IdentityTrust("integration", "internet", frozenset()),
        )
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not server.started:
            time.sleep(0.01)
        form = {
            "kind": "fs",
            "environment": "integration",
            "network": "internet",
            "identifier": CLIENT_ID,
        }
        times = []
        with httpx.Client(base_url=url, timeout=30) as client:
            form["csrf"] = _sign_in(client, provider)
            for attempt in range(args.repeat):
                uris = f"https://demo.gouv.fr/callback\nhttps://demo.gouv.fr/v{attempt}/cb"
                start = time.perf_counter()
                sent = client.post("/demandes", data={**form, "redirect_uris": uris})
                times.append(time.perf_counter() - start)
                assert sent.status_code == 303, sent.text
            pages = {
                "accueil (connecté)": client.get("/").content,
                "formulaire": client.get("/formulaire", params=form).content,
                "demande": client.get(f"/demandes/{args.repeat}").content,
            }
            assets = {
                name: client.get(f"/static/dsfr/{name}").content
                for name in (
                    "dsfr.min.css",
                    *(f"fonts/Marianne-{w}.woff2" for w in ("Regular", "Medium", "Bold")),
                    *(f"icons/system/{i}.svg" for i in ("fr--error-fill", "fr--info-fill")),
                )
            }
        with httpx.Client(base_url=url, timeout=30) as anonymous:
            pages["connexion"] = anonymous.get("/").content
        server.should_exit = True
        github.stop()
    print(f"submit → pull request ({args.repeat} requests, each superseding the previous):")
    print(
        f"  median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms,"
        f" worst {max(times) * 1000:.0f} ms"
    )
    print("page weight (HTML; plus the style sheet, fonts and icons, cached across pages):")
    for name, body in pages.items():
        print(f"  {name:<20} {len(body) / 1024:6.1f} KiB")
    for name, body in assets.items():
        print(f"  {name.rsplit('/', 1)[-1]:<26} {len(body) / 1024:6.1f} KiB")
    total = sum(len(body) for body in assets.values()) / 1024
    print(f"  {'assets, all (no script)':<26} {total:6.1f} KiB, on the first page only")


if __name__ == "__main__":
    main()
