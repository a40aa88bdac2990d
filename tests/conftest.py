"""Shared fixtures: real registry folders on disk and the real CLI, run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakegithub import FakeGitHub
from fedreg.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
# The example registry the tests own (a frozen copy): tests never walk the live registry/.
EXAMPLES = Path(__file__).resolve().parent / "data/example-registry"

# A production Internet service provider that validates with no diagnostic at all. Tests refer
# to its line numbers: keep them stable.
BASE_SERVICE_PROVIDER = """\
kind: ServiceProvider
name: Service de démonstration
network: internet
client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
active: true
owners:
  - "@demo-org/equipe"
contacts:
  - equipe@demo.gouv.fr
siret: "13002526500013"
redirect_uris:
  - https://demo.gouv.fr/callback
post_logout_redirect_uris:
  - https://demo.gouv.fr/
ip_ranges:
  - 145.242.17.0/28
scopes:
  - openid
  - email
id_token_signed_response_alg: ES256
userinfo_signed_response_alg: ES256
accepts_private_sector: false
"""

# A production Internet identity provider that validates with no diagnostic at all.
BASE_IDENTITY_PROVIDER = """\
kind: IdentityProvider
uid: 5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11
name: fi-demo
title: FI de démonstration
network: internet
owners:
  - "@demo-org/identite"
contacts:
  - identite@demo.gouv.fr
siret: "13002526500013"
discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration
client_id: proconnect
token_endpoint_auth_method: client_secret_post
id_token_signed_response_alg: ES256
userinfo_signed_response_alg: ES256
support_email: support@demo.gouv.fr
attached_email_domains:
  - demo.gouv.fr
extra_accepted_email_domains:
  - partenaire-demo.fr
routing_enabled: true
block_unlisted_email_domains: false
entra_id: false
uses_hybridge: false
mfa_compliant: true
"""

FOLDER_BY_KIND = {"sp": "service-providers", "idp": "identity-providers"}
BASE_BY_KIND = {"sp": BASE_SERVICE_PROVIDER, "idp": BASE_IDENTITY_PROVIDER}


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.stdout)


class Workspace:
    """A repository root in a temporary folder, with helpers to write registry files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def provider(
        self, kind: str, content: str, *, env: str = "production", slug: str = "demo"
    ) -> Path:
        return self.write(f"registry/{env}/{FOLDER_BY_KIND[kind]}/{slug}.yaml", content)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty repository root, made the current directory (as partners run fedreg)."""
    monkeypatch.chdir(tmp_path)
    return Workspace(tmp_path)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def edited(text: str, replacements: list[tuple[str, str]]) -> str:
    """`text` with each (old, new) applied once; fails loudly if `old` is not there."""
    for old, new in replacements:
        assert old in text, f"test bug: {old!r} not in the base file"
        text = text.replace(old, new, 1)
    return text


class GitWorkspace(Workspace):
    """A workspace that is a real git repository."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "tests@fedreg.invalid")
        self.git("config", "user.name", "fedreg tests")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        process = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True
        )
        return process.stdout.strip()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitWorkspace:
    """An empty git repository, made the current directory."""
    monkeypatch.chdir(tmp_path)
    return GitWorkspace(tmp_path)


# -- Self-contained: no test reads a file beside the repository --------------------------------
# Every file the test process opens is checked (an audit hook sees all of them): one in a
# `shared` folder outside the repository (where reference material sits beside the clone on a
# developer's machine and in CI, but not for a user of the repository) makes the session fail,
# naming the file.

OUTSIDE_READS: list[str] = []


def _outside_repository(path: str) -> bool:
    resolved = Path(os.path.abspath(path))
    return not resolved.is_relative_to(REPO_ROOT) and "shared" in resolved.parts


def _audit_open(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not args:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str) and _outside_repository(path):
        OUTSIDE_READS.append(path)


sys.addaudithook(_audit_open)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if OUTSIDE_READS:
        sys.stderr.write(
            "\nfiles read outside the repository (vendor them into tests/data):\n  "
            + "\n  ".join(sorted(set(OUTSIDE_READS)))
            + "\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- live checks: real https and DNS servers on loopback (tests/liveservers.py) ------------------


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory):
    from liveservers import running_live_servers

    with running_live_servers(tmp_path_factory) as servers:
        yield servers


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's cache (XDG_CACHE_HOME) lives in the test's own folder, never in $HOME."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


# -- the modification form: a registry on GitHub (the fake), a clone of it, the partner space's App

APP = {"login": "proconnect-espace-partenaires[bot]", "type": "Bot"}
FORM_SP = "registry/integration/service-providers/demo.yaml"


@pytest.fixture
def origin(tmp_path: Path) -> GitWorkspace:
    """The repository GitHub holds: `main` with one integration service provider."""
    (tmp_path / "origin").mkdir()
    repo = GitWorkspace(tmp_path / "origin")
    repo.write(FORM_SP, BASE_SERVICE_PROVIDER)
    repo.write("policy.yaml", (REPO_ROOT / "policy.yaml").read_text())
    repo.commit("registry")
    return repo


@pytest.fixture
def app_github(origin: GitWorkspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    server = FakeGitHub(origin.root)
    server.tokens["app-token"] = APP
    server.start()
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    monkeypatch.setenv("GITHUB_API_URL", server.base_url)
    monkeypatch.setenv("GITHUB_REPOSITORY", server.full_name)
    monkeypatch.setenv("FEDREG_GITHUB_BACKOFF", "0.01")
    monkeypatch.setenv("FEDREG_GITHUB_REQUEST_INTERVAL", "0")
    monkeypatch.setenv("FEDREG_GITHUB_WRITE_INTERVAL", "0")
    yield server
    server.stop()
    assert server.violations == [], "calls outside GitHub's published contract"


@pytest.fixture
def checkout(origin: GitWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's (or the partner space's) clone, made the current directory."""
    path = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(origin.root), str(path)], check=True)
    monkeypatch.chdir(path)
    return path
