"""`fedreg watch` against real servers: loopback https (trustme certificates expiring in 5 and
20 days, a JWKS whose x5c certificates expire likewise), a loopback DNS server, the
contract-checked fake GitHub for owners and issues, and a file target (written by a real
`deploy --init`) for secret ages."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited
from fakegithub import FakeGitHub
from fedreg.deploy.filestore import FileStore
from liveservers import DISCOVERY, UID, HttpsServer, LiveServers, discovery

NOW = datetime.now(UTC)
FI = "registry/integration/identity-providers/fi-radar.yaml"
SP_SOON = "registry/production/service-providers/bientot.yaml"
SP_LATER = "registry/production/service-providers/plus-tard.yaml"
BOT = {"login": "fedreg-radar[bot]", "type": "Bot"}
PROOF = f"proconnect-identity-provider-{UID}"


def _signing_key(kid: str, days: int) -> dict[str, object]:
    """A public EC JWK carrying an x5c certificate (of that very key) valid `days` more days."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kid)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=300))
        .not_valid_after(NOW + timedelta(days=days, hours=12))
        .sign(private, hashes.SHA256())
    )
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk = ECKey.import_key(pem, {"kid": kid, "use": "sig"}).as_dict(private=False)
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {**jwk, "x5c": [base64.b64encode(der).decode()]}


@pytest.fixture(scope="module")
def tls_hosts(live_servers: LiveServers) -> Iterator[tuple[HttpsServer, HttpsServer]]:
    """Two https servers of the trusted test CA: one certificate expiring in 5 days, one in
    20 (trustme)."""
    ca = trustme.CA()
    bundle = live_servers.ca_bundle.read_bytes()
    soon = HttpsServer(ca, not_after=NOW + timedelta(days=5, hours=12))
    later = HttpsServer(ca, not_after=NOW + timedelta(days=20, hours=12))
    combined = live_servers.ca_bundle.with_name("radar-ca.pem")
    combined.write_bytes(bundle + ca.cert_pem.bytes())
    for server in (soon, later):
        server.start()
    yield soon, later
    for server in (soon, later):
        server.stop()


@pytest.fixture
def registry(live_servers: LiveServers, tls_hosts, workspace, monkeypatch):
    soon, later = tls_hosts
    https = live_servers.https
    https.serve_json(f"/radar{DISCOVERY}", discovery(https.url("/radar")))
    https.serve_json(
        "/radar/jwks",
        {"keys": [_signing_key("cle-5-jours", 5), _signing_key("cle-20-jours", 20)]},
    )
    zone = live_servers.dns.zone.records
    zone[("radar.gouv.fr", "TXT")] = [PROOF]
    zone[("radar.gouv.fr", "A")] = ["192.0.2.20"]
    zone[("demo.gouv.fr", "A")] = ["192.0.2.10"]
    fi = edited(
        BASE_IDENTITY_PROVIDER,
        [
            (
                "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration",
                f"discovery_url: {https.url('/radar' + DISCOVERY)}",
            ),
            ("  - demo.gouv.fr\n", "  - radar.gouv.fr\n"),
            ("name: fi-demo", "name: fi-radar"),
        ],
    )
    workspace.write(FI, fi)
    for path, server, client_id, owners in (
        (SP_SOON, soon, "a" * 64, '  - "@alice"\n'),
        (SP_LATER, later, "b" * 64, '  - "@demo-org/equipe"\n'),
    ):
        text = edited(
            BASE_SERVICE_PROVIDER,
            [
                (
                    'client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
                    f'client_id: "{client_id}"',
                ),
                ("https://demo.gouv.fr/callback", server.url("/callback")),
                ('  - "@demo-org/equipe"\n', owners),
                ("name: Service de démonstration", f"name: Service {client_id[0]}"),
            ],
        )
        workspace.write(path, text)
    workspace.write("policy.yaml", "radar_dns_proof_grace_days: 14\n")
    monkeypatch.setenv("FEDREG_CA_BUNDLE", str(live_servers.ca_bundle.with_name("radar-ca.pem")))
    return workspace


@pytest.fixture
def github(tmp_path: Path, monkeypatch) -> Iterator[FakeGitHub]:
    server = FakeGitHub(tmp_path)
    server.tokens["radar-token"] = BOT
    server.users |= {"alice"}
    server.teams |= {("demo-org", "equipe"), ("demo-org", "identite")}
    server.start()
    for name, value in server.client_environment("radar-token").items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()
    assert server.violations == [], "calls outside GitHub's published contract"


def _watch(cli, live_servers: LiveServers, *extra: str):
    options = live_servers.options()
    options = options[2:]  # the CA comes from FEDREG_CA_BUNDLE (both test authorities)
    result = cli("watch", "--state", "radar.json", "--format", "json", *options, *extra)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.json()


def _codes(report: dict[str, Any], path: str) -> list[str]:
    provider = next(p for p in report["providers"] if p["path"] == path)
    return [f["code"] for f in provider["findings"]]


def test_certificates_expiring_in_5_and_20_days(registry, live_servers, cli) -> None:
    report = _watch(cli, live_servers)
    fi = next(p for p in report["providers"] if p["path"] == FI)
    by_code = {f["code"]: f for f in fi["findings"]}
    assert set(by_code) == {"R001", "R002"}
    assert by_code["R002"]["subject"] == "cle-5-jours" and by_code["R002"]["severity"] == "error"
    assert by_code["R001"]["subject"] == "cle-20-jours"
    assert "dans 20 jours" in by_code["R001"]["message"]
    assert _codes(report, SP_SOON) == ["R020", "R041"]  # TLS in 5 days; one owner, no team
    soon = next(p for p in report["providers"] if p["path"] == SP_SOON)
    assert "dans 5 jours" in soon["findings"][0]["message"]
    assert _codes(report, SP_LATER) == []  # 20 days: beyond the 14-day threshold


def test_the_second_pass_reports_changes_not_the_same_list(registry, live_servers, cli) -> None:
    first = _watch(cli, live_servers)
    assert {c["key"] for c in first["changes"]} == {
        p["key"] for p in first["providers"] if p["findings"]
    }
    second = _watch(cli, live_servers)
    assert second["changes"] == []
    # A key rotation: one key vanishes, one appears; the next pass says so (R003).
    live_servers.https.serve_json("/radar/jwks", {"keys": [_signing_key("nouvelle", 200)]})
    third = _watch(cli, live_servers)
    fi = next(p for p in third["providers"] if p["path"] == FI)
    assert [f["code"] for f in fi["findings"]] == ["R003"]
    assert "apparue(s) : nouvelle" in fi["findings"][0]["message"]
    assert "disparue(s) : cle-20-jours, cle-5-jours" in fi["findings"][0]["message"]
    change = next(c for c in third["changes"] if c["key"] == fi["key"])
    assert sorted(change["resolved"]) == ["R001:cle-20-jours", "R002:cle-5-jours"]


def test_a_lapsed_dns_proof_after_the_grace_period(registry, live_servers, cli) -> None:
    live_servers.dns.zone.records[("radar.gouv.fr", "TXT")] = ["v=spf1 -all"]
    first = _watch(cli, live_servers)
    assert "V031" in _codes(first, FI) and "R010" not in _codes(first, FI)
    state = json.loads(Path("radar.json").read_text())
    entry = next(e for e in state["providers"].values() if e["path"] == FI)
    assert entry["proof_missing_since"] == {"radar.gouv.fr": NOW.date().isoformat()}
    # Fifteen days later (the state remembers since when), the grace period is over.
    entry["proof_missing_since"]["radar.gouv.fr"] = (NOW - timedelta(days=15)).date().isoformat()
    Path("radar.json").write_text(json.dumps(state))
    second = _watch(cli, live_servers)
    assert "R010" in _codes(second, FI)
    lapsed = json.loads(Path("radar.json").read_text())
    assert any(
        f["code"] == "R010" for e in lapsed["providers"].values() for f in e["findings"].values()
    )
    # Restored: the finding is resolved and the memory of the absence is gone.
    live_servers.dns.zone.records[("radar.gouv.fr", "TXT")] = [PROOF]
    third = _watch(cli, live_servers)
    assert "R010" not in _codes(third, FI)
    restored = json.loads(Path("radar.json").read_text())
    entry = next(e for e in restored["providers"].values() if e["path"] == FI)
    assert entry["proof_missing_since"] == {}


def test_contacts_domain_without_mail(registry, live_servers, cli) -> None:
    text = Path(SP_LATER).read_text().replace("equipe@demo.gouv.fr", "equipe@disparu.gouv.fr")
    Path(SP_LATER).write_text(text)
    report = _watch(cli, live_servers)
    assert _codes(report, SP_LATER) == ["R042"]


def test_secret_ages_from_the_deploy_records(registry, live_servers, cli, tmp_path) -> None:
    path = tmp_path / "production-internet.json"
    uri = f"file:{path}"
    assert cli("deploy", "production-internet", "--target", uri, "--init", "--yes").exit_code == 0
    with FileStore.opened(str(path)) as store:
        for client_id, age in (("a" * 64, 800), ("b" * 64, 710)):
            store.db["client"].insert_one(
                {
                    "key": client_id,
                    "fedregDeployment": "production-internet",
                    "client_secret": "SECRET-EN-BASE-42",
                    "secretCreatedAt": NOW - timedelta(days=age),
                }
            )
    written = path.read_bytes()
    report = _watch(cli, live_servers, "--records", f"production-internet={uri}")
    # The wrong deployment's database is refused (its marker names another one).
    refused = cli("watch", "--records", f"production-rie={uri}", *live_servers.options())
    not_a_target = cli("watch", "--records", "production-rie=prod.yaml", *live_servers.options())
    assert "R031" in _codes(report, SP_SOON)
    assert "R030" in _codes(report, SP_LATER)
    assert "SECRET-EN-BASE-42" not in json.dumps(report)  # never the secret itself
    assert refused.exit_code == 1
    assert not_a_target.exit_code == 2 and "n'est pas une cible" in not_a_target.stderr
    assert path.read_bytes() == written  # the radar only reads


def test_issues_one_per_provider_edited_closed_and_mentions_only_on_open_and_escalation(
    registry, live_servers, cli, github
) -> None:
    first = _watch(cli, live_servers, "--github")
    radar_issues = {n: i for n, i in github.issues.items() if "fedreg:radar=" in i["body"]}
    assert len(radar_issues) == 2  # the FI and the FS whose certificate expires; not the other
    soon = next(i for i in radar_issues.values() if "bientot.yaml" in i["body"])
    assert set(soon["labels"]) == {"radar", "radar:erreur", "env:production", "réseau:internet"}
    assert "@alice" in soon["body"] and "R020" in soon["body"]
    summary = next(i for i in github.issues.values() if "radar-synthese" in i["body"])
    assert "bientot.yaml" in summary["body"]
    mentions = list(github.mentions)
    assert ("@alice" in {m for _, m in mentions}) and (
        "@demo-org/identite" in {m for _, m in mentions}
    )
    # Owners exist: asked once each (users and teams endpoints).
    asked = [c for c in github.calls if c[1].startswith(("/users/", "/orgs/"))]
    assert len(asked) == 3
    assert first["github_writes"] == 2

    # Second pass, nothing changed: no new issue, no edit, no mention, no owner asked again.
    calls = len(github.calls)
    second = _watch(cli, live_servers, "--github")
    assert second["github_writes"] == 0
    assert github.calls[calls:] == []
    assert len(github.issues) == 3 and github.mentions == mentions

    # The FI's keys rotate: its issue is edited in place, a warning mentions nobody.
    live_servers.https.serve_json("/radar/jwks", {"keys": [_signing_key("nouvelle", 200)]})
    calls = len(github.calls)
    third = _watch(cli, live_servers, "--github")
    writes = [c for c in github.calls[calls:] if c[0] != "get"]
    fi_issue = next(n for n, i in radar_issues.items() if "fi-radar" in i["body"])
    assert ("patch", f"/repos/{github.full_name}/issues/{fi_issue}", 200) in writes
    assert "R003" in github.issues[fi_issue]["body"]
    assert github.mentions == mentions  # a warning-only edit mentions nobody
    assert third["github_writes"] == 1
    assert len(writes) == 2  # the FI's edit and the summary's

    # Everything resolved for the FS (a second owner, a host with a long-lived certificate):
    # its issue is closed.
    Path(SP_SOON).write_text(
        Path(SP_SOON)
        .read_text()
        .replace('owners:\n  - "@alice"\n', 'owners:\n  - "@alice"\n  - "@demo-org/equipe"\n')
    )
    soon_number = next(n for n, i in radar_issues.items() if "bientot.yaml" in i["body"])
    Path(SP_SOON).write_text(
        Path(SP_SOON)
        .read_text()
        .replace(registry_url(Path(SP_SOON).read_text()), live_servers.https.url("/callback"))
    )
    _watch(cli, live_servers, "--github")
    assert github.issues[soon_number]["state"] == "closed"
    assert "Résolu le" in github.issues[soon_number]["body"]


def registry_url(text: str) -> str:
    line = next(line for line in text.splitlines() if "/callback" in line)
    return line.strip().removeprefix("- ")


def test_an_error_appearing_on_an_open_issue_mentions_the_owners_once(
    registry, live_servers, cli, github
) -> None:
    _watch(cli, live_servers, "--github")
    mentions = list(github.mentions)
    # The FI's domain loses its proof, and the grace period is over: a new error.
    live_servers.dns.zone.records[("radar.gouv.fr", "TXT")] = ["v=spf1 -all"]
    _watch(cli, live_servers, "--github")
    state = json.loads(Path("radar.json").read_text())
    entry = next(e for e in state["providers"].values() if e["path"] == FI)
    entry["proof_missing_since"]["radar.gouv.fr"] = (NOW - timedelta(days=20)).date().isoformat()
    Path("radar.json").write_text(json.dumps(state))
    _watch(cli, live_servers, "--github")
    new = github.mentions[len(mentions) :]
    assert new == [(entry["issue"], "@demo-org/identite")]
    _watch(cli, live_servers, "--github")
    assert github.mentions[len(mentions) :] == new  # not again the next day


def test_a_lost_state_finds_the_issues_again(registry, live_servers, cli, github) -> None:
    _watch(cli, live_servers, "--github")
    count = len(github.issues)
    Path("radar.json").unlink()
    calls = len(github.calls)
    _watch(cli, live_servers, "--github")
    assert len(github.issues) == count  # no duplicate
    reads = [p for m, p, _ in github.calls[calls:] if m == "get" and "/issues" in p]
    assert reads == [f"/repos/{github.full_name}/issues"]  # one listing, not one read per issue


def test_a_damaged_state_is_refused_and_left_untouched(registry, live_servers, cli) -> None:
    Path("radar.json").write_text("{pas du json")
    result = cli("watch", "--state", "radar.json", *live_servers.options())
    assert result.exit_code == 1
    assert "état du radar illisible" in result.stderr
    assert Path("radar.json").read_text() == "{pas du json"


def test_a_return_host_whose_certificate_is_refused(registry, live_servers, cli) -> None:
    untrusted = live_servers.untrusted.url("/callback")
    text = Path(SP_LATER).read_text()
    Path(SP_LATER).write_text(text.replace(registry_url(text), untrusted))
    report = _watch(cli, live_servers)
    provider = next(p for p in report["providers"] if p["path"] == SP_LATER)
    assert [f["code"] for f in provider["findings"]] == ["R021"]
    assert provider["findings"][0]["subject"] == "localhost"


def test_an_owner_who_left_github(registry, live_servers, cli, github) -> None:
    github.users.discard("alice")
    report = _watch(cli, live_servers, "--github")
    assert _codes(report, SP_SOON) == ["R020", "R040", "R041"]
    soon = next(p for p in report["providers"] if p["path"] == SP_SOON)
    assert "Le propriétaire @alice n'existe plus sur GitHub." in [
        f["message"] for f in soon["findings"]
    ]


def test_two_files_with_one_identifier_are_watched_once(registry, live_servers, cli) -> None:
    twin = FI.replace("fi-radar.yaml", "fi-jumeau.yaml")
    Path(twin).write_text(Path(FI).read_text())
    Path("registry/integration/service-providers").mkdir(parents=True)
    Path("registry/integration/service-providers/casse.yaml").write_text("kind: [\n")
    report = _watch(cli, live_servers)
    assert sorted(report["skipped"]) == [
        "registry/integration/identity-providers/fi-radar.yaml",
        "registry/integration/service-providers/casse.yaml",
    ]
    assert [p["path"] for p in report["providers"]].count(twin) == 1


def test_github_failing_midway_keeps_what_was_written(registry, live_servers, cli, github) -> None:
    _watch(cli, live_servers, "--github")
    # Next pass: the FI's domain loses its proof (an edit), a new FS has findings (a
    # creation), in that order; the creation fails.
    live_servers.dns.zone.records[("radar.gouv.fr", "TXT")] = ["v=spf1 -all"]
    third = SP_SOON.replace("bientot", "troisieme")
    Path(third).write_text(
        Path(SP_SOON).read_text().replace("a" * 64, "c" * 64).replace("Service a", "Service c")
    )
    github.fail("post", r"/issues$", 422, "Validation Failed", count=1)
    calls = len(github.calls)
    failed = cli("watch", "--state", "radar.json", "--github", *live_servers.options()[2:])
    assert failed.exit_code == 1
    assert "le prochain passage reprend sans doublon" in failed.stderr
    assert "Traceback" not in failed.stderr
    fi_issue = next(n for n, i in github.issues.items() if "fi-radar" in i["body"])
    edits = [c for c in github.calls[calls:] if c[0] == "patch" and c[1].endswith(f"/{fi_issue}")]
    assert len(edits) == 1
    calls = len(github.calls)
    _watch(cli, live_servers, "--github")
    made = [(m, p) for m, p, _ in github.calls[calls:] if m != "get"]
    assert ("post", f"/repos/{github.full_name}/issues") in made
    assert ("patch", f"/repos/{github.full_name}/issues/{fi_issue}") not in made  # done before
    radar_issues = [i for i in github.issues.values() if "fedreg:radar=" in i["body"]]
    assert len(radar_issues) == 3  # each provider once


def test_a_jwks_of_many_keys_makes_a_short_finding(registry, live_servers, cli) -> None:
    _watch(cli, live_servers)
    keys = [_signing_key(f"cle-{i:03d}", 300) for i in range(12)]
    live_servers.https.serve_json("/radar/jwks", {"keys": keys})
    report = _watch(cli, live_servers)
    [finding] = next(p for p in report["providers"] if p["path"] == FI)["findings"]
    assert finding["code"] == "R003"
    assert "cle-000, cle-001, cle-002, cle-003, cle-004 et 7 autre(s)" in finding["message"]
    assert len(finding["subject"]) == 16


def test_the_text_report_and_usage_errors(registry, live_servers, cli) -> None:
    Path("registry/integration/service-providers").mkdir(parents=True)
    Path("registry/integration/service-providers/casse.yaml").write_text("kind: [\n")
    result = cli("watch", *live_servers.options()[2:])
    assert result.exit_code == 0
    assert (
        "registry/production/service-providers/bientot.yaml (production-internet)" in result.stdout
    )
    assert "  R020 erreur        redirect_uris[0] : Le certificat TLS de localhost expire" in (
        result.stdout
    )
    assert "casse.yaml : fichier invalide, non surveillé" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Radar : 3 fournisseurs surveillés, 2 avec")
    assert not Path("radar.json").exists()  # no --state: nothing remembered
    bad = cli("watch", "--records", "production=mongodb://x")
    assert bad.exit_code == 2 and "--records attend DEPLOIEMENT=mongodb://" in bad.stderr
    missing = cli("watch", "registry/absent")
    assert missing.exit_code == 2 and "n'existe pas" in missing.stderr


def test_only_issues_written_by_a_bot_are_found_again(registry, live_servers, cli, github) -> None:
    _watch(cli, live_servers, "--github")
    fi_issue = next(n for n, i in github.issues.items() if "fi-radar" in i["body"])
    forged = dict(github.issues[fi_issue])
    forged.update(number=900, user={"login": "mallory", "type": "User"}, comments=[])
    github.issues[900] = forged
    Path("radar.json").unlink()
    _watch(cli, live_servers, "--github")
    state = json.loads(Path("radar.json").read_text())
    assert {e["issue"] for e in state["providers"].values() if e.get("issue")} == {
        n
        for n, i in github.issues.items()
        if i["user"]["login"] == BOT["login"] and "radar-synthese" not in i["body"]
    }
    assert state["summary_issue"] in github.issues and github.issues[900]["body"] == forged["body"]
