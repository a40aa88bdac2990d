"""`fedreg serve` over real HTTP on loopback: the partner space's signed API and the page.

The app runs in uvicorn; its proposals go to the contract-checked fake GitHub with the partner
space's App token; every response is checked against the published OpenAPI description
(docs/openapi.yaml) with openapi-core.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from joserfc.jwk import OKPKey
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from conftest import APP, BASE_IDENTITY_PROVIDER, FORM_SP, REPO_ROOT
from fedreg.adapters.github import GitHubClient
from fedreg.form.httpserver import HEAD_TIMEOUT, head_deadline_protocol
from fedreg.form.partnerspace import PartnerSpace
from fedreg.form.requestauth import sign
from fedreg.form.server import ServeSettings, build_app
from fedreg.prbot.requesterseal import seal
from fedreg.registry.policy import DEFAULT_POLICY

SECRET = b"s" * 40  # a test secret, not a real one
CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SPEC = REPO_ROOT / "docs/openapi.yaml"
SETTINGS = ServeSettings(rate_limit=3, rate_window=600, read_timeout=1.0)


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


class LiveServer:
    """An ASGI app served by uvicorn on a loopback port, in a thread."""

    def __init__(self, app: Any, head_timeout: float = HEAD_TIMEOUT) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        protocol = head_deadline_protocol(head_timeout)  # fedreg serve's own
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", http=protocol))
        threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        ).start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True


TEST_KEY = OKPKey.generate_key("Ed25519")


def build_form_app(
    root: Path, settings: ServeSettings = SETTINGS, remote: str = "origin", fetch_timeout: float = 8
) -> Any:
    private = TEST_KEY.as_pem(private=True)

    def sealer(repository: str, commit: str, email: str, idp_id: str) -> str:
        return seal(private, repository, commit, email, idp_id)

    backend = PartnerSpace(
        root, DEFAULT_POLICY, GitHubClient.from_environment, "main", sealer, remote, fetch_timeout
    )
    return build_app(backend, SECRET, settings, session_secret="t" * 40)


@pytest.fixture
def server(app_github, checkout) -> Iterator[LiveServer]:
    live = LiveServer(build_form_app(checkout))
    yield live
    live.stop()


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "environment": "integration",
        "network": "internet",
        "client_id": CLIENT_ID,
        "redirect_uris": ["https://demo.gouv.fr/callback", "https://demo.gouv.fr/v2/callback"],
        "requester": {"email": "equipe@demo.gouv.fr", "siret": "13002526500013"},
    }
    data.update(changes)
    return data


def call(
    server: LiveServer,
    data: Any,
    *,
    timestamp: str | None = None,
    signature: str | None = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> httpx.Response:
    """POST a signed request; the response is checked against the OpenAPI description."""
    body = raw if raw is not None else json.dumps(data).encode()
    timestamp = timestamp or str(int(time.time()))
    headers = {
        "content-type": content_type,
        "x-timestamp": timestamp,
        "x-signature": signature or sign(SECRET, timestamp, body),
    }
    response = httpx.post(f"{server.url}/api/demandes", content=body, headers=headers, timeout=30)
    openapi().validate_response(
        MockRequest(
            "http://127.0.0.1:8080",
            "post",
            "/api/demandes",
            headers=headers,
            data=body,
            content_type=content_type,
        ),
        MockResponse(
            response.content,
            status_code=response.status_code,
            content_type=response.headers["content-type"],
            headers=dict(response.headers),
        ),
    )
    return response


def test_a_signed_request_opens_a_pull_request_by_the_partner_space_app(server, app_github) -> None:
    request = form()
    openapi().validate_request(
        MockRequest(
            "http://127.0.0.1:8080",
            "post",
            "/api/demandes",
            headers={"x-timestamp": "1", "x-signature": "0" * 64},
            data=json.dumps(request).encode(),
            content_type="application/json",
        )
    )
    response = call(server, request)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["outcome"] == "created"
    assert answer["url"] == "https://github.com/proconnect-gouv/registre/pull/1"
    assert answer["message"].startswith("Demande envoyée : ")
    pull = app_github.pulls[1]
    assert pull.author == APP["login"]
    # This server binds no e-mail to an FI: nothing sealed (test_identity.py seals one).
    assert pull.body.startswith("<!-- fedreg:formulaire -->")
    assert "non rattachée au fournisseur d'identité" in pull.body
    # sent again a second later (the same signature would be a replay)
    again = call(server, request, timestamp=str(int(time.time()) + 1))
    assert (again.status_code, again.json()["outcome"]) == (200, "exists")
    assert list(app_github.pulls) == [1]


def test_an_invalid_request_answers_the_located_diagnostics(server, app_github) -> None:
    response = call(
        server, form(redirect_uris=["https://demo.gouv.fr/cb", "http://demo.gouv.fr/*"])
    )
    assert response.status_code == 422
    [diagnostic] = response.json()["diagnostics"]
    assert (diagnostic["code"], diagnostic["field"]) == ("F005", "redirect_uris[1]")
    invalid = call(server, form(redirect_uris=["https://demo.gouv.fr/a", "ftp://demo.gouv.fr/b"]))
    assert invalid.status_code == 422
    located = [d for d in invalid.json()["diagnostics"] if d["severity"] == "error"]
    assert {(d["path"], d["line"], d["column"]) for d in located} == {(FORM_SP, 13, 5)}
    assert "rien n'a été écrit" in invalid.json()["message"]
    assert app_github.pulls == {}


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"signature": "0" * 64}, "signature invalide"),
        ({"timestamp": str(int(time.time()) - 3600)}, "trop éloigné"),
        ({"timestamp": "demain"}, "heure Unix"),
    ],
)
def test_unauthentic_requests_are_refused(server, app_github, headers, reason) -> None:
    response = call(server, form(), **headers)
    assert response.status_code == 401
    assert reason in response.json()["message"]
    assert app_github.pulls == {}


def test_a_signature_for_another_body_is_refused(server, app_github) -> None:
    timestamp = str(int(time.time()))
    signed_for = json.dumps(form(redirect_uris=["https://demo.gouv.fr/a"])).encode()
    response = call(
        server, form(), timestamp=timestamp, signature=sign(SECRET, timestamp, signed_for)
    )
    assert (response.status_code, response.json()["message"]) == (401, "signature invalide")


def test_a_replayed_request_is_refused(server, app_github) -> None:
    timestamp = str(int(time.time()))
    assert call(server, form(), timestamp=timestamp).status_code == 201
    replay = call(server, form(), timestamp=timestamp)
    assert replay.status_code == 401
    assert "rejeu" in replay.json()["message"]


def test_body_size_and_content_type_limits(server, app_github) -> None:
    big = json.dumps(form(organisation="x" * 70_000)).encode()
    assert call(server, None, raw=big).status_code == 413
    assert (
        call(server, None, raw=b"environment=integration", content_type="text/plain").status_code
        == 415
    )
    assert call(server, None, raw=b"{not json").status_code == 400
    assert call(server, None, raw=b"[" * 60_000).status_code == 400  # nesting, not a crash
    assert app_github.pulls == {}


def test_requests_are_limited_per_requester_and_refusals_never_count(server, app_github) -> None:
    for attempt in range(5):  # distinct bodies: the same body twice would be a replay
        wildcard = form(redirect_uris=[f"https://demo.gouv.fr/{attempt}/*"])
        assert call(server, wildcard).status_code == 422
    for attempt in range(3):
        sent = call(server, form(redirect_uris=[f"https://demo.gouv.fr/{attempt}/cb"]))
        assert sent.status_code == 201, sent.text
    limited = call(server, form(redirect_uris=["https://demo.gouv.fr/4/cb"]))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    other = form(
        requester={"email": "autre@demo.gouv.fr"}, redirect_uris=["https://demo.gouv.fr/5/cb"]
    )
    assert call(server, other).status_code == 201


def test_malformed_headers_get_a_4xx_never_a_500(server, app_github) -> None:
    """Issue 23: `X-Timestamp: ²` (a digit to str.isdigit) and a non-ASCII signature."""
    body = json.dumps(form()).encode()
    for headers in (
        {"x-timestamp": "²", "x-signature": "0" * 64},
        {"x-timestamp": str(int(time.time())), "x-signature": "é" * 64},
    ):
        raw = {k.encode(): v.encode("utf-8") for k, v in headers.items()}
        response = httpx.post(
            f"{server.url}/api/demandes",
            content=body,
            headers={b"content-type": b"application/json", **raw},
            timeout=10,
        )
        assert response.status_code in (400, 401), response.text
    assert app_github.pulls == {}


def test_a_body_github_would_refuse_is_refused_before_any_write(server, app_github) -> None:
    """Issue 23: padded so that GitHub would refuse the body, nothing is written at all."""
    uris = [f"https://demo.gouv.fr/{i:04d}/" + "a" * 612 for i in range(100)]
    settings = ServeSettings(max_body=1024 * 1024)
    big = LiveServer(build_form_app(Path.cwd(), settings))
    try:
        response = call(big, form(redirect_uris=uris))
    finally:
        big.stop()
    assert response.status_code == 422
    assert [d["code"] for d in response.json()["diagnostics"]] == ["F015"]
    assert [c for c in app_github.calls if c[0] != "get"] == []


def _read_reply(connection: socket.socket) -> str:
    """One whole HTTP/1.1 response (head and Content-Length body) from a raw socket."""
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = connection.recv(4096)
        assert chunk, reply
        reply += chunk
    head, body = reply.split(b"\r\n\r\n", 1)
    length = re.search(rb"content-length: *(\d+)", head.lower())
    while length and len(body) < int(length.group(1)):
        chunk = connection.recv(4096)
        assert chunk, reply
        body += chunk
    return (head + b"\r\n\r\n" + body).decode()


def test_a_body_sent_too_slowly_is_cut_off(server, app_github) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /api/demandes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'X-Timestamp: 1\r\nX-Signature: 00\r\nContent-Length: 100\r\n\r\n{"a"'
        )
        started = time.monotonic()
        text = _read_reply(connection)
        waited = time.monotonic() - started
    assert text.startswith("HTTP/1.1 408")
    assert waited < 5
    status, body = text.split("\r\n", 1)[0], text.split("\r\n\r\n", 1)[1]
    assert "trop lentement" in json.loads(body)["message"], status


def test_headers_that_never_finish_get_a_408_in_time_and_stall_no_one(app_github, checkout) -> None:
    """Issue 23: a client whose head never ends (or trickles in, a byte at a time, on a new or
    a kept-alive connection) gets its own 408 within the deadline, with no reverse proxy, while
    everyone else is served."""
    live = LiveServer(build_form_app(checkout), head_timeout=1.0)
    host, port = live.url.removeprefix("http://").split(":")
    connections = [socket.create_connection((host, int(port)), timeout=10) for _ in range(40)]
    kept_alive = socket.create_connection((host, int(port)), timeout=10)
    try:
        for connection in connections:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        kept_alive.sendall(b"GET /confidentialite HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_reply(kept_alive).startswith("HTTP/1.1 200")
        started = time.monotonic()
        for byte in b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 40:  # keeps sending, never ends
            try:
                kept_alive.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.05)
        assert httpx.get(live.url + "/", timeout=5).status_code == 200  # others are served
        replies = [_read_reply(connection) for connection in [*connections, kept_alive]]
        waited = time.monotonic() - started
    finally:
        for connection in [*connections, kept_alive]:
            connection.close()
        live.stop()
    assert {reply.split("\r\n", 1)[0] for reply in replies} == {"HTTP/1.1 408 Request Timeout"}
    assert "trop lentement" in replies[0] and "connection: close" in replies[0].lower()
    assert waited < 5


def test_a_body_nobody_reads_cannot_hold_a_connection_open(app_github, checkout) -> None:
    """Slowloris past the head: a GET announces a body, is answered without it being read,
    then trickles that body a byte at a time (each byte stops uvicorn's keep-alive timer).
    The connection is closed within the next head's deadline."""
    live = LiveServer(build_form_app(checkout), head_timeout=1.0)
    host, port = live.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    try:
        connection.sendall(
            b"GET /confidentialite HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
        )
        assert _read_reply(connection).startswith("HTTP/1.1 200")
        started, closed = time.monotonic(), False
        while time.monotonic() - started < 4:
            try:
                connection.send(b"a")
            except OSError:
                closed = True
                break
            time.sleep(0.1)
        waited = time.monotonic() - started
    finally:
        connection.close()
        live.stop()
    assert closed and waited < 3


def test_serve_refuses_to_start_without_the_shared_secret(cli, monkeypatch) -> None:
    monkeypatch.delenv("FEDREG_PARTNER_SPACE_SECRET", raising=False)
    result = cli("serve", "--port", "1")
    assert result.exit_code == 2
    assert "FEDREG_PARTNER_SPACE_SECRET" in result.stderr and "au moins 32" in result.stderr


def test_the_real_command_serves_on_loopback(app_github, origin, checkout) -> None:
    origin.write("registry/integration/identity-providers/demo.yaml", BASE_IDENTITY_PROVIDER)
    origin.commit("the default FI")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "FEDREG_PARTNER_SPACE_SECRET": SECRET.decode(),
        "FEDREG_OIDC_ISSUER": "http://127.0.0.1:9",
        "FEDREG_OIDC_CLIENT_ID": "fedreg",
        "FEDREG_OIDC_CLIENT_SECRET": "secret-oidc-de-test",
        "FEDREG_SESSION_SECRET": "k" * 40,
        "FEDREG_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FEDREG_REQUESTER_SIGNING_KEY": TEST_KEY.as_pem(private=True).decode(),
        "FEDREG_OIDC_DEPLOYMENT": "integration-internet",
        "FEDREG_OIDC_ANY_DOMAIN_IDPS": "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "fedreg", "serve", "--port", str(port)],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "fedreg serve did not start"
                time.sleep(0.1)
        assert page.status_code == 200 and "S'identifier avec" in page.text
        # 40 connections that never finish their headers do not turn anyone else away
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        for connection in idle:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        finally:
            for connection in idle:
                connection.close()
        unsigned = httpx.post(
            f"http://127.0.0.1:{port}/api/demandes",
            content=b"{}",
            headers={"content-type": "application/json"},
            timeout=5,
        )
        assert unsigned.status_code == 401
        back = f"http://127.0.0.1:{port}/connexion/retour?code=code-secret-123&state=etat-456"
        assert httpx.get(back, timeout=5).status_code == 401
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert SECRET.decode() not in output and "secret-oidc-de-test" not in output
    assert "GET /connexion/retour HTTP/1.1" in output, output[-2000:]
    assert "code-secret-123" not in output and "etat-456" not in output


def test_the_signature_checker_alone_refuses_non_ascii_digits_and_signatures() -> None:
    from fedreg.form.requestauth import SignatureChecker

    checker = SignatureChecker(SECRET)
    now = time.time()
    assert "heure Unix" in checker.refusal("²", "0" * 64, b"{}", now)
    assert checker.refusal(str(int(now)), "é" * 64, b"{}", now) == "signature invalide"


def test_a_github_that_never_answers_gets_a_503_in_time_and_stalls_no_one(
    app_github, checkout, monkeypatch
) -> None:
    """Issue 23: the submit time limit is enforced, for that request alone."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections, never answers
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
    live = LiveServer(build_form_app(checkout, ServeSettings(submit_timeout=1.0)))
    try:
        started = time.monotonic()
        response = call(live, form())
        waited = time.monotonic() - started
        assert response.status_code == 503 and "GitHub ne répond pas" in response.text
        assert waited < 10
        page = httpx.get(live.url + "/", timeout=5)
        assert page.status_code == 200
    finally:
        live.stop()
        silent.close()


def test_a_registry_remote_that_hangs_gets_a_503_in_time_and_stalls_no_one(
    app_github, checkout, origin, tmp_path
) -> None:
    """Issue 23: the server's fetch of main from a remote that never answers (a real git
    remote whose upload-pack sleeps) is stopped, with its helper, within the fetch's limit."""
    pid_file = tmp_path / "upload-pack.pid"
    git = ["git", "-C", str(checkout)]
    subprocess.run([*git, "remote", "add", "hung", str(origin.root)], check=True)
    upload_pack = f"echo $$ > {pid_file}; exec sleep 60 #"
    subprocess.run([*git, "config", "remote.hung.uploadpack", upload_pack], check=True)
    settings = ServeSettings(submit_timeout=5.0)
    live = LiveServer(build_form_app(checkout, settings, remote="hung", fetch_timeout=1.0))
    try:
        for _ in range(2):  # the next request is not stuck behind the first
            started = time.monotonic()
            response = call(live, form())
            assert time.monotonic() - started < 4
            assert response.status_code == 503, response.text
            assert response.json()["message"].startswith("Le registre ne répond pas à temps")
            assert httpx.get(live.url + "/confidentialite", timeout=2).status_code == 200
    finally:
        live.stop()
    helper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{helper}").exists() and "Z" not in _process_state(helper):
        assert time.monotonic() < deadline, "the hung remote's helper is still running"
        time.sleep(0.05)
    assert app_github.pulls == {}


def _process_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "Z"
