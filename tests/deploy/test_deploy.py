"""`fedreg deploy`, `drift`, `history`, `rollback`, `secret rotate` and `import`, through the
real CLI, on real git repositories.

Every test runs on two targets: a real file (`--target file:PATH.json`, nothing patched), and
MongoDB. MongoDB cannot be installed from this project's package sources, so that target is
mongomock (patched in for pymongo's MongoClient, as the CLI connects with a mongodb:// URI);
tests about what only a server does are marked `mongodb` and run there only. Set
FEDREG_TEST_MONGODB_URI=mongodb://host:port to run the same module against a real server
(a replica set, as the core needs for its change streams): each test uses its own database,
dropped afterwards.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mongomock
import pyrage
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyrage import x25519

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited
from fedreg.cli import main
from fedreg.deploy import mongostore
from fedreg.deploy.filestore import FileStore
from fedreg.deploy.redaction import redact_text, redact_uri
from fedreg.deploy.state import acquire_lock
from fedreg.manifests.build import content_digest

CIPHER_PASS = "JZBlwxfKnbn/RV025aw+dQxk+xoQT+Yr"  # the core's public development key
SP = "registry/production/service-providers/demo.yaml"
IDP = "registry/production/identity-providers/fi-demo.yaml"
CLIENT_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
IDP_UID = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"
PARTNER = x25519.Identity.generate()
FEDERATION = x25519.Identity.generate()
FI_SECRET = "secret-du-fi-0123456789abcdef0123456789"


def decrypt_core_secret(stored: str) -> str:
    """The core's documented algorithm (proconnect-core.md §5), written independently."""
    raw = base64.b64decode(stored)
    nonce, tag, ciphertext = raw[:12], raw[12:28], raw[28:]
    return AESGCM(CIPHER_PASS.encode()).decrypt(nonce, ciphertext + tag, None).decode()


def sealed_for_federation(secret: str) -> str:
    armored = pyrage.encrypt(secret.encode(), [FEDERATION.to_public()], armored=True).decode()
    return "client_secret_age: |\n" + "".join(f"  {line}\n" for line in armored.splitlines())


def service_provider(*edits: tuple[str, str]) -> str:
    return edited(BASE_SERVICE_PROVIDER, list(edits)) + (
        f"secret_recipients:\n  - {PARTNER.to_public()}\n"
    )


def identity_provider(*edits: tuple[str, str]) -> str:
    return edited(BASE_IDENTITY_PROVIDER, list(edits)) + sealed_for_federation(FI_SECRET)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of this module runs on the file target too, unless it is about what only a
    MongoDB server does (marked `mongodb`: URIs, credentials, the driver's connection)."""
    if "raw_target" in metafunc.fixturenames and not metafunc.definition.get_closest_marker(
        "mongodb"
    ):
        metafunc.parametrize("backend", ["mongodb", "file"])


@pytest.fixture
def backend() -> str:
    return "mongodb"


class _FileCollection:
    """One collection of a file target, each call in its own open-and-save of the file (the
    CLI then finds the file unlocked)."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            with FileStore.opened(self.path) as store:
                result = getattr(store.db[self.name], operation)(*args, **kwargs)
                return list(result) if operation == "find" else result

        return call


class _FileDatabase:
    def __init__(self, path: str) -> None:
        self.path = path

    def __getitem__(self, name: str) -> _FileCollection:
        return _FileCollection(self.path, name)


def connect(target: str) -> Any:
    """The target's collections, for a test to read or change behind fedreg's back."""
    if target.startswith("file:"):
        return _FileDatabase(target.removeprefix("file:"))
    return mongostore.connect(target)


@pytest.fixture
def raw_target(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
) -> Iterator[str]:
    """A fresh database, not yet marked as any deployment's (a MongoDB database, or a file)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(FEDERATION))
    if backend == "file":  # beside the repository, never committed with it
        yield f"file:{tmp_path_factory.mktemp('cible') / 'core-fca-low.json'}"
        return
    name = f"core-fca-low-{uuid.uuid4().hex[:8]}"
    real = os.environ.get("FEDREG_TEST_MONGODB_URI")
    if real:
        uri = f"{real.rstrip('/')}/{name}"
        yield uri
        connect(uri).client.drop_database(name)
        return
    with mongomock.patch(servers=(("mongo.test", 27017),)):
        yield f"mongodb://mongo.test:27017/{name}"


@pytest.fixture
def target(raw_target: str, cli) -> str:
    """A fresh database marked as production-internet's, as an operator does once."""
    result = cli("deploy", "production-internet", "--target", raw_target, "--init", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    return raw_target


@pytest.fixture
def registry(repo):
    repo.write(SP, service_provider())
    repo.write(IDP, identity_provider())
    repo.commit("registry")
    return repo


def client_collection_class(target: str) -> Any:
    """The driver's collection class the deploy code writes through (a file target's is
    mongomock's, like the patched-in client's)."""
    if target.startswith("file:"):
        return mongomock.Collection
    return type(connect(target)["client"])


def all_or_nothing(target: str) -> bool:
    """Whether a deploy to `target` writes all of it or nothing: a replica set, or a file."""
    return target.startswith("file:") or replica_set(target)


def replica_set(target: str) -> bool:
    """Whether the test server is a replica set member, asked of the server itself."""
    if target.startswith("file:"):
        return False
    try:
        return "setName" in connect(target).client.admin.command("hello")
    except NotImplementedError:  # mongomock
        return False


def live(target: str, collection: str) -> dict[str, dict[str, Any]]:
    key = "key" if collection == "client" else "uid"
    return {d[key]: d for d in connect(target)[collection].find({}, {"_id": False})}


def deploy(cli, target: str, *extra: str):
    return cli("deploy", "production-internet", "--target", target, "--yes", *extra)


def test_first_deploy_into_an_empty_database(registry, cli, target) -> None:
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 créé(s)" in result.stdout
    client = live(target, "client")[CLIENT_KEY]
    assert client["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    assert client["type"] == "public" and client["active"] is True
    assert client["updatedBy"].startswith("fedreg@")
    secret = decrypt_core_secret(client["client_secret"])
    assert len(secret) == 64 and int(secret, 16) >= 0  # 32 random bytes, hex
    sealed = Path("build/secrets/production-internet") / f"{CLIENT_KEY}.age"
    assert pyrage.decrypt(sealed.read_bytes(), [PARTNER]).decode() == secret
    provider = live(target, "provider")[IDP_UID]
    assert decrypt_core_secret(provider["client_secret"]) == FI_SECRET
    assert provider["discoveryUrl"].endswith("/.well-known/openid-configuration")
    assert secret not in result.stdout + result.stderr and FI_SECRET not in result.stdout
    [audit] = connect(target)["fedreg_deployments"].find({"kind": "deploy"}, {"_id": False})
    assert (audit["status"], audit["summary"]["create"]) == ("applied", 2)
    recorded = json.dumps(audit, default=str)
    assert secret not in recorded and FI_SECRET not in recorded
    assert "client_secret" not in recorded


@pytest.mark.mongodb  # a file target is read whole in memory: it needs no index
def test_deploy_creates_the_indexes_its_queries_need(registry, cli, target) -> None:
    """Writes by key and provenance, the audit's latest entry, a client's pending secrets:
    each served by an index, created by the deploy itself (and kept by the next one)."""
    db = connect(target)
    db["client"].create_index([("key", 1), ("fedregDeployment", 1)], name="the_core_s_own")
    for _ in range(2):
        assert deploy(cli, target).exit_code == 0
    expected = {
        "client": [[("key", 1), ("fedregDeployment", 1)]],
        "provider": [[("uid", 1), ("fedregDeployment", 1)]],
        "fedreg_deployments": [[("deployment", 1), ("at", 1)]],
        "fedreg_secrets": [
            [("deployment", 1), ("client_id", 1), ("state", 1)],
            [("deployment", 1), ("state", 1), ("createdAt", 1)],
        ],
    }
    for collection, wanted in expected.items():
        found = [
            [(field, int(order)) for field, order in index["key"]]
            for index in db[collection].index_information().values()
        ]
        for keys in wanted:
            assert keys in found, (collection, found)
    assert "fedreg_key_fedregDeployment" not in db["client"].index_information()  # kept theirs


def test_a_deploy_reads_only_its_environment(registry, cli, target) -> None:
    """Every rule across files holds within one environment: production's deploy reads
    registry/production only (an integration file it would not even parse is not read),
    and still refuses its own environment's problems."""
    registry.write("registry/integration/service-providers/casse.yaml", "name: [pas fini\n")
    registry.commit("a broken integration file")
    # another environment's uncommitted change does not stop this one's deploy either
    registry.write("registry/integration/service-providers/brouillon.yaml", "name: [\n")
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert CLIENT_KEY in live(target, "client")
    twin = SP.replace("demo.yaml", "jumeau.yaml")
    registry.write(twin, service_provider(("name: Service de démonstration", "name: Jumeau")))
    registry.commit("a twin in production")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert twin in result.stdout and "casse.yaml" not in result.stdout


def test_a_link_in_place_of_the_environment_is_refused(registry, cli, target) -> None:
    """Not taken for an empty environment (which would deactivate every provider)."""
    shutil.move(registry.root / "registry/production", registry.root / "ailleurs")
    os.symlink(registry.root / "nulle-part", registry.root / "registry/production")
    registry.commit("a link in place of production")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "L004" in result.stdout
    assert live(target, "client") == {}


def test_dry_run_and_no_yes_write_nothing(registry, cli, target) -> None:
    for flags in (("--dry-run",), ()):
        result = cli("deploy", "production-internet", "--target", target, *flags)
        assert result.exit_code == 0 and "Simulation : rien n'est écrit" in result.stdout
    assert live(target, "client") == {} and live(target, "provider") == {}


def test_update_preserves_fields_the_registry_does_not_own(registry, cli, target) -> None:
    deploy(cli, target)
    db = connect(target)
    db["client"].update_one(
        {"key": CLIENT_KEY},
        {
            "$set": {
                "title": "ancien champ",
                "IPServerAddressesAndRanges": ["1.1.1.1"],
                "createdAt": "2024-01-01",
            }
        },
    )
    before = live(target, "client")[CLIENT_KEY]
    registry.write(
        SP,
        service_provider(
            ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2/callback\n")
        ),
    )
    registry.commit("new callback")
    result = deploy(cli, target)
    assert "redirect_uris" in result.stdout and "1 mis à jour" in result.stdout
    after = live(target, "client")[CLIENT_KEY]
    assert after["redirect_uris"] == ["https://demo.gouv.fr/v2/callback"]
    for unowned in (
        "client_secret",
        "secretCreatedAt",
        "createdAt",
        "title",
        "IPServerAddressesAndRanges",
    ):
        assert after[unowned] == before[unowned]
    assert after["updatedBy"] == f"fedreg@{registry.git('rev-parse', 'HEAD')}"


def test_removed_provider_is_deactivated_then_restored(registry, cli, target) -> None:
    deploy(cli, target)
    secret = live(target, "client")[CLIENT_KEY]["client_secret"]
    registry.git("rm", "-q", SP)
    registry.commit("remove")
    result = deploy(cli, target)
    assert "1 désactivé(s)" in result.stdout
    assert live(target, "client")[CLIENT_KEY]["active"] is False  # deactivated, not deleted
    registry.write(SP, service_provider())
    registry.commit("restore")
    deploy(cli, target)
    restored = live(target, "client")[CLIENT_KEY]
    assert restored["active"] is True and restored["client_secret"] == secret


def test_second_apply_is_a_no_op(registry, cli, target) -> None:
    deploy(cli, target)
    before = (live(target, "client"), live(target, "provider"))
    audits = connect(target)["fedreg_deployments"].count_documents({})
    result = deploy(cli, target)
    assert result.exit_code == 0
    assert "Rien à faire : le déploiement est déjà à jour." in result.stdout
    assert (live(target, "client"), live(target, "provider")) == before
    assert connect(target)["fedreg_deployments"].count_documents({}) == audits


def _many_clients(registry, count: int) -> None:
    for index in range(count):
        registry.write(
            f"registry/production/service-providers/fs-{index:02d}.yaml",
            service_provider(
                (CLIENT_KEY[:4], f"{index:04x}"), ("name: Service de", f"name: Service {index} de")
            ),
        )


def test_large_change_needs_the_flag(registry, cli, target) -> None:
    _many_clients(registry, 12)
    registry.commit("twelve more")
    assert deploy(cli, target).exit_code == 0
    for index in (0, 1):
        path = f"registry/production/service-providers/fs-{index:02d}.yaml"
        registry.write(
            path, (registry.root / path).read_text().replace("active: true", "active: false")
        )
    registry.commit("deactivate two")
    refused = deploy(cli, target)
    assert refused.exit_code == 1
    assert "modifie ou désactive 14% des enregistrements" in refused.stderr
    assert all(c["active"] for c in live(target, "client").values())
    assert deploy(cli, target, "--allow-large-change").exit_code == 0
    assert sum(not c["active"] for c in live(target, "client").values()) == 2


def drop_connection_at_client_write(
    monkeypatch: pytest.MonkeyPatch, target: str, nth: int
) -> Callable[[], None]:
    """The database connection drops once, at the `nth` write to `client` (the driver's, as
    the deploy code calls it: nothing of fedreg is replaced). Returns what restores writes."""
    collection_class = client_collection_class(target)
    real_update = collection_class.update_one
    writes = {"client": 0}

    def update_failing_once(self, *args, **kwargs):
        writes["client"] += self.name == "client"
        if self.name == "client" and writes["client"] == nth:
            raise ConnectionError("réseau coupé")
        return real_update(self, *args, **kwargs)

    monkeypatch.setattr(collection_class, "update_one", update_failing_once)
    return lambda: monkeypatch.setattr(collection_class, "update_one", real_update)


def test_failure_midway_then_a_rerun_completes(registry, cli, target, monkeypatch) -> None:
    _many_clients(registry, 3)
    registry.commit("three more")
    drop_connection_at_client_write(monkeypatch, target, 3)
    failed = deploy(cli, target)
    assert failed.exit_code == 1
    statuses = [a["status"] for a in connect(target)["fedreg_deployments"].find({"kind": "deploy"})]
    assert statuses == ["failed"]
    if all_or_nothing(target):  # one transaction, or one rewrite of the file
        assert "rien n'est écrit" in failed.stderr
        assert live(target, "client") == {}
    else:
        assert "déploiement interrompu après 2 écriture(s) sur 5" in failed.stderr
        assert len(live(target, "client")) == 2
    assert deploy(cli, target).exit_code == 0
    assert len(live(target, "client")) == 4 and len(live(target, "provider")) == 1
    again = deploy(cli, target)
    assert "Rien à faire" in again.stdout


def test_history_and_rollback(registry, cli, target) -> None:
    first = registry.git("rev-parse", "HEAD")
    deploy(cli, target)
    registry.write(
        SP,
        service_provider(
            ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2/callback\n")
        ),
    )
    second = registry.commit("v2")
    deploy(cli, target)
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == [
        "https://demo.gouv.fr/v2/callback"
    ]
    result = cli("rollback", "production-internet", "--to", first, "--target", target, "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    lines = cli("history", "production-internet", "--target", target).stdout.splitlines()
    columns = [line.split() for line in lines]
    assert [c[3] for c in columns] == [
        "retour-arrière",
        "déploiement",
        "déploiement",
        "initialisation",
    ]
    assert [c[4] for c in columns[:3]] == [first[:12], second[:12], first[:12]]
    assert all(c[2] == "appliqué" for c in columns)
    assert "inconnu" not in "\n".join(lines) and "applied" not in "\n".join(lines)


def test_drift_reports_changes_made_outside_git(registry, cli, target) -> None:
    deploy(cli, target)
    assert cli("drift", "production-internet", "--target", target).exit_code == 0
    connect(target)["client"].update_one(
        {"key": CLIENT_KEY}, {"$set": {"redirect_uris": ["https://pirate.example.com/cb"]}}
    )
    connect(target)["provider"].insert_one({"uid": "autre", "name": "fi-fantome", "active": True})
    result = cli("drift", "production-internet", "--target", target)
    assert result.exit_code == 4  # drift found: a code of its own (1 is a failure)
    assert 'redirect_uris: ["https://pirate.example.com/cb"]' in result.stdout
    assert "modifiée hors de git depuis le déploiement de" in result.stdout
    assert "documents hors du registre" in result.stdout
    assert "? provider autre « fi-fantome »" in result.stdout


def test_new_service_provider_needs_recipients(registry, cli, target) -> None:
    registry.write(SP, edited(BASE_SERVICE_PROVIDER, []))
    registry.commit("no recipients")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "n'a pas de secret_recipients" in result.stderr
    assert live(target, "client") == {}


def test_secret_rotation(registry, cli, target) -> None:
    deploy(cli, target)
    old = decrypt_core_secret(live(target, "client")[CLIENT_KEY]["client_secret"])
    result = cli(
        "secret",
        "rotate",
        CLIENT_KEY,
        "--deployment",
        "production-internet",
        "--target",
        target,
        "--yes",
    )
    assert result.exit_code == 0, result.stderr
    stored = live(target, "client")[CLIENT_KEY]
    new = decrypt_core_secret(stored["client_secret"])
    assert new != old and "secretUpdatedAt" in stored
    sealed = Path("build/secrets/production-internet") / f"{CLIENT_KEY}.age"
    assert pyrage.decrypt(sealed.read_bytes(), [PARTNER]).decode() == new
    assert new not in result.stdout


def test_changed_identity_provider_secret_is_stored(registry, cli, target) -> None:
    deploy(cli, target)
    registry.write(
        IDP, edited(BASE_IDENTITY_PROVIDER, []) + sealed_for_federation("nouveau-" + "s" * 30)
    )
    registry.commit("new FI secret")
    result = deploy(cli, target)
    assert "client_secret: remplacé par le secret chiffré du dépôt" in result.stdout
    stored = live(target, "provider")[IDP_UID]["client_secret"]
    assert decrypt_core_secret(stored) == "nouveau-" + "s" * 30


EXPORT: list[dict[str, Any]] = [
    {
        "_id": {"$oid": "65a1b2c3d4e5f60718293a4b"},
        "key": CLIENT_KEY,
        "name": "Service importé",
        "active": True,
        "client_secret": "chiffré-dans-la-base-0123456789abcdef",
        "redirect_uris": ["https://demo.gouv.fr/callback"],
        "post_logout_redirect_uris": ["https://demo.gouv.fr/"],
        "scopes": ["openid", "email"],
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "type": "private",
        "email": "equipe@demo.gouv.fr\nchef@demo.gouv.fr",
        "IPServerAddressesAndRanges": ["145.242.17.0/28"],
        "title": "Ancien titre",
        "site": ["https://demo.gouv.fr"],
        "entityId": "a" * 64,
        "idpFilterExclude": True,
        "createdAt": {"$date": "2024-03-01T10:00:00Z"},
    },
    {
        "_id": {"$oid": "65a1b2c3d4e5f60718293a4c"},
        "key": "rs",
        "name": "Serveur de ressources",
        "redirect_uris": [],
        "scopes": ["groups"],
        "id_token_signed_response_alg": "ES256",
        "type": "public",
        "introspection_signed_response_alg": "ES256",
    },
    {
        "uid": IDP_UID,
        "name": "fi-demo",
        "title": "FI de démonstration",
        "active": True,
        "discovery": True,
        "discoveryUrl": "https://auth.demo.gouv.fr/.well-known/openid-configuration",
        "clientID": "proconnect",
        "client_secret": "chiffré",
        "token_endpoint_auth_method": "client_secret_post",
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "",
        "siret": "13002526500013",
        "supportEmail": "support@demo.gouv.fr",
        "fqdns": ["demo.gouv.fr"],
        "extraAcceptedEmailDomains": [],
        "isRoutingEnabled": True,
        "isBlockingForUnlistedEmailDomainsEnabled": False,
        "isEntraID": False,
        "useTheHyyyperbridge": False,
        "isMfaCompliant": True,
        "image": "logo.png",
        "display": True,
    },
]


def test_import_from_an_export_round_trips(workspace, cli, tmp_path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(EXPORT))
    result = cli(
        "import",
        "--from-json",
        str(export),
        "--env",
        "production",
        "--network",
        "internet",
        "--owner",
        "@demo-org/equipe",
    )
    assert result.exit_code == 0, result.stdout
    assert "Ignoré : Serveur de ressources (rs)" in result.stdout
    text = (
        workspace.root / "registry/production/service-providers/service-importe.yaml"
    ).read_text()
    assert "# client_secret : conservé dans la base, jamais dans le dépôt" in text
    assert '# champ non repris : title = "Ancien titre"' in text
    assert "chiffré-dans-la-base" not in text
    assert cli("validate").exit_code == 0
    assert cli("render").exit_code == 0
    manifest = json.loads((workspace.root / "build/manifests/production-internet.json").read_text())
    [client] = manifest["client"]
    source = EXPORT[0]
    for owned in (
        "key",
        "name",
        "active",
        "redirect_uris",
        "post_logout_redirect_uris",
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
        "type",
    ):
        assert client[owned] == source[owned], owned
    assert client["scopes"] == sorted(source["scopes"])
    assert client["collaborators"] == ["chef@demo.gouv.fr", "equipe@demo.gouv.fr"]
    assert manifest["firewall"] == {CLIENT_KEY: ["145.242.17.0/28"]}
    [provider] = manifest["provider"]
    for owned in (
        "uid",
        "name",
        "title",
        "discoveryUrl",
        "clientID",
        "siret",
        "supportEmail",
        "isRoutingEnabled",
        "isMfaCompliant",
        "userinfo_signed_response_alg",
    ):
        assert provider[owned] == EXPORT[2][owned], owned
    assert provider["attachedEmailDomains"] == ["demo.gouv.fr"]  # legacy fqdns


def test_import_from_a_live_database_never_overwrites(workspace, cli, target) -> None:
    db = connect(target)
    db["client"].insert_one({k: v for k, v in EXPORT[0].items() if k not in ("_id", "createdAt")})
    args = (
        "import",
        "--from",
        target,
        "--env",
        "integration",
        "--network",
        "internet",
        "--owner",
        "@demo-org/equipe",
    )
    assert cli(*args).exit_code == 0
    again = cli(*args)
    assert again.exit_code == 0
    names = sorted(
        p.name for p in (workspace.root / "registry/integration/service-providers").iterdir()
    )
    assert names == ["service-importe.yaml"]  # a provider is never imported twice
    assert "Déjà présent : Service importé" in again.stdout
    assert "registry/integration/service-providers/service-importe.yaml" in again.stdout
    assert "0 fichier(s) écrit(s), 1 déjà présent(s)" in again.stdout


def test_changed_deployments_compares_rendered_content(registry, cli) -> None:
    base = registry.git("rev-parse", "HEAD")
    registry.write(SP, "# un commentaire\n" + service_provider())
    registry.commit("comment only")
    assert json.loads(cli("changed-deployments", "--base", base).stdout) == []
    registry.write(
        "registry/integration/service-providers/autre.yaml",
        service_provider(
            (CLIENT_KEY[:4], "abcd"),
            ("network: internet", "network: rie"),
            ("145.242.17.0/28", "100.67.22.0/28"),
        ),
    )
    registry.write(SP, service_provider(("active: true", "active: false")))
    assert json.loads(cli("changed-deployments", "--base", base).stdout) == [
        "integration-rie",
        "production-internet",
    ]


def _changed(cli, base: str, head: str | None = None) -> list[str]:
    args = ["changed-deployments", "--base", base, *(["--head", head] if head else [])]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_changed_deployments_reads_only_the_changed_files(registry, cli) -> None:
    """A push of registry files costs what it touches: a file nobody changed is not read
    (here one that would not even parse: the old, whole-registry comparison refused it)."""
    registry.write("registry/integration/service-providers/casse.yaml", "name: [pas fini\n")
    base = registry.commit("an unreadable file, left alone by the next commits")
    registry.write(SP, service_provider(("active: true", "active: false")))
    head = registry.commit("deactivate")
    assert _changed(cli, base, head) == ["production-internet"]


def test_changed_deployments_follows_a_file_that_moves(registry, cli) -> None:
    base = registry.git("rev-parse", "HEAD")
    registry.write(
        SP,
        service_provider(
            ("network: internet", "network: rie"), ("145.242.17.0/28", "100.67.22.0/28")
        ),
    )
    head = registry.commit("to the RIE")
    assert _changed(cli, base, head) == ["production-internet", "production-rie"]
    moving = registry.root / SP
    registry.write(SP.replace("production", "integration"), moving.read_text())
    moving.unlink()
    moved = registry.commit("to integration")
    assert _changed(cli, head, moved) == ["integration-rie", "production-rie"]


def test_changed_deployments_applies_the_waivers(registry, cli) -> None:
    """A changed file's waived error is judged as a whole render judges it: waived."""
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    registry.write(
        "waivers.yaml",
        f"waivers:\n  - code: N004\n    file: {SP}\n    reason: migration en cours\n"
        f'    granted_by: "@agent-federation"\n    expires: "{expires}"\n',
    )
    base = registry.commit("a waiver")
    registry.write(SP, service_provider(("145.242.17.0/28", "145.242.0.0/16")))
    head = registry.commit("a wide range, waived")
    assert _changed(cli, base, head) == ["production-internet"]
    (registry.root / "waivers.yaml").unlink()
    unwaived = registry.commit("the waiver withdrawn")
    registry.write(SP, service_provider(("145.242.17.0/28", "145.242.0.0/15")))
    refused = cli("changed-deployments", "--base", unwaived, "--head", registry.commit("wider"))
    assert refused.exit_code == 1 and "N004" in refused.stdout + refused.stderr


def test_changed_deployments_refuses_an_invalid_change(registry, cli) -> None:
    base = registry.git("rev-parse", "HEAD")
    registry.write(SP, service_provider(("active: true", "active: peut-être")))
    head = registry.commit("invalid")
    result = cli("changed-deployments", "--base", base, "--head", head)
    assert result.exit_code == 1
    assert f"{SP}:" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_changed_deployments_when_the_base_file_did_not_render(registry, cli) -> None:
    """The file was broken at the base (its network unknown): every deployment of its
    environment may have held it, and is deployed again."""
    registry.write(SP, "kind: ServiceProvider\nname: [cassé\n")
    base = registry.commit("broken")
    registry.write(SP, service_provider())
    head = registry.commit("repaired")
    assert _changed(cli, base, head) == ["production-internet", "production-rie"]


def test_changed_deployments_renders_whole_commits_when_code_changes(registry, cli) -> None:
    """Code, schemas or the policy may change any render: both commits are rendered whole
    (an unchanged manifest is not deployed, whatever changed beside it)."""
    base = registry.git("rev-parse", "HEAD")
    registry.write("bot/fedreg/__init__.py", '__version__ = "9.9.9"\n')
    registry.write(SP, "# un commentaire\n" + service_provider())
    head = registry.commit("code and a comment")
    assert _changed(cli, base, head) == []
    registry.write("registry/integration/service-providers/casse.yaml", "name: [pas fini\n")
    broken = registry.commit("an unreadable file")
    registry.write("policy.yaml", "# politique\n")
    after = registry.commit("policy")
    assert cli("changed-deployments", "--base", broken, "--head", after).exit_code == 1


@pytest.fixture
def github_for(repo):
    from fakegithub import FakeGitHub

    server = FakeGitHub(repo.root)
    server.start()
    yield server
    server.stop()
    assert server.violations == [], "calls outside GitHub's published contract"


def test_deploy_job_reports_on_the_github_deployment(
    registry,
    cli,
    target,
    github_for,
    monkeypatch,
) -> None:
    head = registry.git("rev-parse", "HEAD")
    for name, value in {
        "GITHUB_TOKEN": "bot-token",
        "GITHUB_API_URL": github_for.base_url,
        "GITHUB_REPOSITORY": github_for.full_name,
        "GITHUB_SHA": head,
        "GITHUB_RUN_ID": "42",
        "FEDREG_GITHUB_REQUEST_INTERVAL": "0",
        "FEDREG_GITHUB_WRITE_INTERVAL": "0",
    }.items():
        monkeypatch.setenv(name, value)
    # GitHub Actions created the deployment for the job's environment.
    github_for.deployments.append(
        {"id": 7, "sha": head, "environment": "production-internet", "statuses": []}
    )
    result = cli("bot", "deploy", "production-internet", "--target", target)
    assert result.exit_code == 0, result.stdout + result.stderr
    [deployment] = github_for.deployments
    assert [s["state"] for s in deployment["statuses"]] == ["in_progress", "success"]
    final = deployment["statuses"][-1]
    assert final["description"] == "2 créé(s)"
    assert final["target_url"] == f"https://github.com/{github_for.full_name}/actions/runs/42"
    [release] = github_for.releases
    assert final["environment_url"].endswith(f"/releases/tag/{release['tag']}")
    sealed = release["assets"][f"{CLIENT_KEY}.age"]
    secret = pyrage.decrypt(sealed, [PARTNER]).decode()
    assert decrypt_core_secret(live(target, "client")[CLIENT_KEY]["client_secret"]) == secret
    again = cli("bot", "deploy", "production-internet", "--target", target)
    assert again.exit_code == 0
    assert deployment["statuses"][-1]["description"] == "déjà à jour"
    assert len(github_for.releases) == 1  # nothing new to deliver


def test_the_fedreg_app_records_its_own_deployment_when_given_its_token(
    registry, cli, target, github_for, monkeypatch
) -> None:
    """deploy.yml passes the fedreg App's token (FEDREG_DEPLOYMENT_TOKEN): the deployment and
    its statuses are the App's own, the only records the partner space believes; the one
    GitHub Actions created for the job is left alone."""
    head = registry.git("rev-parse", "HEAD")
    bot_environment(monkeypatch, github_for, head)
    github_for.tokens["fedreg-app-token"] = {"login": "proconnect-fedreg[bot]", "type": "Bot"}
    monkeypatch.setenv("FEDREG_DEPLOYMENT_TOKEN", "fedreg-app-token")
    result = cli("bot", "deploy", "production-internet", "--target", target)
    assert result.exit_code == 0, result.stdout + result.stderr
    actions, own = github_for.deployments
    assert actions["statuses"] == []
    assert (own["sha"], own["environment"]) == (head, "production-internet")
    assert own["creator"]["login"] == "proconnect-fedreg[bot]"
    assert [(s["state"], s["creator"]["login"]) for s in own["statuses"]] == [
        ("in_progress", "proconnect-fedreg[bot]"),
        ("success", "proconnect-fedreg[bot]"),
    ]
    assert len(github_for.releases) == 1  # the sealed secrets still go with GITHUB_TOKEN


def test_resource_servers_are_never_touched(registry, cli, target) -> None:
    """They live in `client` without redirect URIs; the registry does not model them."""
    resource_server = {
        "key": "rs-1",
        "name": "Serveur de ressources",
        "active": True,
        "redirect_uris": [],
        "scopes": ["groups"],
        "introspection_signed_response_alg": "ES256",
        "type": "public",
    }
    connect(target)["client"].insert_one(dict(resource_server))
    assert deploy(cli, target).exit_code == 0
    assert live(target, "client")["rs-1"] == resource_server
    assert cli("drift", "production-internet", "--target", target).exit_code == 0


def test_missing_cipher_key_writes_no_sealed_secret(registry, cli, target, monkeypatch) -> None:
    monkeypatch.delenv("CLIENT_SECRET_CIPHER_PASS")
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "CLIENT_SECRET_CIPHER_PASS manquante" in result.stderr
    assert not Path("build/secrets/production-internet").exists()
    assert live(target, "client") == {}


# --- Issue 10: a deploy that cannot hurt the federation -----------------------------------

LIVE_CLIENT = {
    "name": "FS existant",
    "active": True,
    "redirect_uris": ["https://existant.gouv.fr/cb"],
    "post_logout_redirect_uris": [],
    "scopes": ["openid"],
    "id_token_signed_response_alg": "ES256",
    "type": "public",
    "client_secret": "chiffré-dans-la-base-0123456789abcdef",
}


def run_quietly(*args: str) -> tuple[int, str]:
    """The CLI run from inside another run (a concurrent operator): (exit code, output)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def audits(target: str, **query: Any) -> list[dict[str, Any]]:
    return list(connect(target)["fedreg_deployments"].find(query, {"_id": False}))


def test_an_unmarked_database_is_never_written(registry, cli, raw_target) -> None:
    """An empty production manifest against another database used to deactivate it all."""
    db = connect(raw_target)
    for index in range(5):
        db["client"].insert_one({**LIVE_CLIENT, "key": f"fs-{index}", "fedregDeployment": "x"})
    registry.write("registry/integration/identity-providers/fi-demo.yaml", identity_provider())
    registry.git("rm", "-q", SP, IDP)
    registry.commit("empty production")
    before = live(raw_target, "client")
    for command in (
        ("deploy", "production-internet", "--target", raw_target, "--yes"),
        ("rollback", "production-internet", "--to", "HEAD", "--target", raw_target, "--yes"),
        ("drift", "production-internet", "--target", raw_target),
        ("history", "production-internet", "--target", raw_target),
    ):
        result = cli(*command)
        assert result.exit_code == 1, command
        assert "n'est marquée pour aucun déploiement" in result.stderr
        assert "--init" in result.stderr
    assert live(raw_target, "client") == before
    assert audits(raw_target) == []


def test_init_needs_confirmation_and_names_one_deployment(registry, cli, raw_target) -> None:
    args = ("deploy", "production-internet", "--target", raw_target, "--init")
    simulated = cli(*args)
    assert simulated.exit_code == 0 and "Simulation : rien n'est écrit" in simulated.stdout
    assert connect(raw_target)["fedreg_identity"].count_documents({}) == 0
    assert cli(*args, "--yes").exit_code == 0
    marker = connect(raw_target)["fedreg_identity"].find_one({})
    assert marker is not None
    assert (marker["deployment"], marker["environment"], marker["network"]) == (
        "production-internet",
        "production",
        "internet",
    )
    assert [a["kind"] for a in audits(raw_target)] == ["init"]
    # The production-internet database, named as integration's, is refused everywhere.
    other = cli("deploy", "integration-internet", "--target", raw_target, "--init", "--yes")
    assert other.exit_code == 1
    assert "est celle de production-internet, pas de integration-internet" in other.stderr
    refused = cli("deploy", "integration-internet", "--target", raw_target, "--yes")
    assert refused.exit_code == 1 and "est celle de production-internet" in refused.stderr
    assert live(raw_target, "client") == {}


def test_an_older_commit_is_refused_and_rollback_is_the_way_back(registry, cli, target) -> None:
    first = registry.git("rev-parse", "HEAD")
    assert deploy(cli, target).exit_code == 0
    registry.write(
        SP,
        service_provider(
            ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/v2/callback\n")
        ),
    )
    second = registry.commit("v2")
    assert deploy(cli, target).exit_code == 0
    registry.git("checkout", "-q", first)
    refused = deploy(cli, target)
    assert refused.exit_code == 1
    assert f"ne descend pas du dernier commit déployé ({second[:12]})" in refused.stderr
    assert "fedreg rollback --to COMMIT" in refused.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == [
        "https://demo.gouv.fr/v2/callback"
    ]
    assert [a["commit"] for a in audits(target, kind="deploy")] == [first, second]
    registry.git("checkout", "-q", "main")
    back = cli("rollback", "production-internet", "--to", first, "--target", target, "--yes")
    assert back.exit_code == 0, back.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    [rollback] = audits(target, kind="rollback")
    assert (rollback["commit"], rollback["status"]) == (first, "applied")
    # main descends from the commit rolled back to: deploying it again goes forward.
    assert deploy(cli, target).exit_code == 0
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == [
        "https://demo.gouv.fr/v2/callback"
    ]


@pytest.mark.mongodb  # two runs at once: a file target's lock refuses the second outright
def test_a_second_deploy_fails_fast_while_the_first_holds_the_lock(
    registry,
    cli,
    target,
    monkeypatch,
) -> None:
    _many_clients(registry, 3)
    registry.commit("three more")
    collection_class = client_collection_class(target)
    real_update = collection_class.update_one
    concurrent: list[tuple[int, str]] = []

    def update_then_race(self, *args, **kwargs):
        # Another operator starts the same deploy while the first one is writing.
        if self.name == "client" and not concurrent:
            concurrent.append(
                run_quietly("deploy", "production-internet", "--target", target, "--yes")
            )
        return real_update(self, *args, **kwargs)

    monkeypatch.setattr(collection_class, "update_one", update_then_race)
    first = deploy(cli, target)
    assert first.exit_code == 0, first.stderr
    [(code, output)] = concurrent
    assert code == 1
    assert "production-internet est en cours de déploiement par l'exécution local-" in output
    assert "depuis le" in output and "--break-lock" in output
    assert [a["status"] for a in audits(target, kind="deploy")] == ["applied"]
    assert len(live(target, "client")) == 4
    assert connect(target)["fedreg_locks"].count_documents({}) == 0  # released


def test_a_crashed_runs_lock_expires_and_break_lock_is_audited(registry, cli, target) -> None:
    db = connect(target)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    acquire_lock(db, "production-internet", "github-41-1", "ops-crash", long_ago, 30)
    expired = deploy(cli, target)
    assert expired.exit_code == 0, expired.stderr
    assert "Verrou expiré repris : il était tenu par l'exécution github-41-1" in expired.stdout
    acquire_lock(db, "production-internet", "github-42-1", "ops-en-cours", datetime.now(UTC), 30)
    registry.write(SP, service_provider(("active: true", "active: false")))
    registry.commit("deactivate")
    held = deploy(cli, target)
    assert held.exit_code == 1 and "l'exécution github-42-1 (ops-en-cours)" in held.stderr
    rotation = cli(
        *("secret", "rotate", CLIENT_KEY, "--deployment", "production-internet"),
        *("--target", target, "--yes", "--include-inactive"),
    )
    assert rotation.exit_code == 1 and "l'exécution github-42-1" in rotation.stderr
    assert live(target, "client")[CLIENT_KEY]["active"] is True
    broken = deploy(cli, target, "--break-lock")
    assert broken.exit_code == 0, broken.stderr
    assert "Verrou forcé (--break-lock)" in broken.stdout
    assert live(target, "client")[CLIENT_KEY]["active"] is False
    [audit] = audits(target, kind="break-lock")
    assert audit["brokenLock"]["holder"] == "github-42-1"
    history = cli("history", "production-internet", "--target", target).stdout
    assert "verrou-forcé" in history and "verrou de github-42-1 forcé" in history


def bot_environment(monkeypatch, github, head: str) -> None:
    for name, value in {
        "GITHUB_TOKEN": "bot-token",
        "GITHUB_API_URL": github.base_url,
        "GITHUB_REPOSITORY": github.full_name,
        "GITHUB_SHA": head,
        "GITHUB_RUN_ID": "42",
        "FEDREG_GITHUB_REQUEST_INTERVAL": "0",
        "FEDREG_GITHUB_WRITE_INTERVAL": "0",
    }.items():
        monkeypatch.setenv(name, value)
    github.deployments.append(
        {"id": 7, "sha": head, "environment": "production-internet", "statuses": []}
    )


def test_secrets_of_a_failed_run_are_delivered_by_the_next(
    registry,
    cli,
    target,
    github_for,
    monkeypatch,
) -> None:
    _many_clients(registry, 3)
    head = registry.commit("three more")
    bot_environment(monkeypatch, github_for, head)
    restore = drop_connection_at_client_write(monkeypatch, target, 3)
    failed = cli("bot", "deploy", "production-internet", "--target", target)
    assert failed.exit_code == 1, failed.stdout + failed.stderr
    restore()
    shutil.rmtree(registry.root / "build")  # the next run starts on a fresh runner
    again = cli("bot", "deploy", "production-internet", "--target", target)
    assert again.exit_code == 0, again.stderr
    clients = live(target, "client")
    assert len(clients) == 4
    delivered: dict[str, bytes] = {}
    for release in github_for.releases:
        delivered.update(release["assets"])
    # Every partner got the secret that works, whichever run created it.
    assert sorted(name.removesuffix(".age") for name in delivered) == sorted(clients)
    for key, sealed in delivered.items():
        secret = pyrage.decrypt(sealed, [PARTNER]).decode()
        assert decrypt_core_secret(clients[key.removesuffix(".age")]["client_secret"]) == secret
    records = list(connect(target)["fedreg_secrets"].find({}))
    assert {r["state"] for r in records} <= {"delivered", "obsolete", "superseded"}
    assert sum(r["state"] == "delivered" for r in records) == 4
    stored = json.dumps(records, default=str)
    for sealed in delivered.values():
        assert pyrage.decrypt(sealed, [PARTNER]).decode() not in stored + again.stdout
    nothing = cli("secret", "pending", "production-internet", "--target", target)
    assert "Aucun secret en attente" in nothing.stdout


def test_secret_pending_lists_and_writes_what_was_not_delivered(registry, cli, target) -> None:
    assert deploy(cli, target).exit_code == 0
    shutil.rmtree("build")
    result = cli("secret", "pending", "production-internet", "--target", target)
    assert result.exit_code == 0
    assert "1 secret(s) chiffré(s) pas encore remis pour production-internet" in result.stdout
    sealed = Path("build/secrets/production-internet") / f"{CLIENT_KEY}.age"
    secret = pyrage.decrypt(sealed.read_bytes(), [PARTNER]).decode()
    assert decrypt_core_secret(live(target, "client")[CLIENT_KEY]["client_secret"]) == secret
    assert secret not in result.stdout


def test_a_resource_servers_key_is_refused_at_plan_time(registry, cli, target) -> None:
    resource_server = {
        "key": CLIENT_KEY,
        "name": "Serveur de ressources",
        "active": True,
        "redirect_uris": [],
        "scopes": ["groups"],
        "introspection_signed_response_alg": "ES256",
        "type": "public",
    }
    connect(target)["client"].insert_one(dict(resource_server))
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "a le même identifiant qu'un serveur de ressources de la base" in result.stderr
    assert live(target, "client")[CLIENT_KEY] == resource_server
    assert live(target, "provider") == {}
    assert not Path("build/secrets").exists()


def test_an_imported_document_is_adopted_before_it_is_managed(registry, cli, target) -> None:
    """A document created by the admin app (no provenance) is never overwritten by surprise;
    `--adopt` gives it the registry's provenance, and it keeps its secret."""
    connect(target)["client"].insert_one({**LIVE_CLIENT, "key": CLIENT_KEY})
    refused = deploy(cli, target)
    assert refused.exit_code == 1
    assert "un document de la base sans la provenance du registre" in refused.stderr
    assert "--adopt" in refused.stderr
    assert live(target, "client")[CLIENT_KEY]["name"] == "FS existant"
    args = ("deploy", "production-internet", "--target", target, "--adopt")
    listed = cli(*args)
    assert f"client {CLIENT_KEY}" in listed.stdout and "Simulation" in listed.stdout
    assert cli(*args, "--yes").exit_code == 0
    [adoption] = audits(target, kind="adopt")
    assert adoption["applied"] == [f"client {CLIENT_KEY}"]
    assert deploy(cli, target).exit_code == 0
    client = live(target, "client")[CLIENT_KEY]
    assert client["name"] == "Service de démonstration"
    assert client["client_secret"] == LIVE_CLIENT["client_secret"]


def rendered_manifest(cli) -> dict[str, Any]:
    assert cli("render").exit_code == 0
    return json.loads(Path("build/manifests/production-internet.json").read_text())


def forged(manifest: dict[str, Any], path: Path, *, keep_digest: bool = False) -> Path:
    """What an attacker writes: a manifest with its digest recomputed (as anyone can, with
    fedreg's own function: the digest is no signature), or kept."""
    if not keep_digest:
        manifest = {**manifest, "digest": content_digest(manifest)}
    path.write_text(json.dumps(manifest))
    return path


def test_a_given_manifest_is_verified_before_any_write(registry, cli, target) -> None:
    manifest = rendered_manifest(cli)
    [client] = manifest["client"]
    attacks = {
        "wrong-digest": (
            {**client, "redirect_uris": ["javascript:alert(1)"]},
            CLIENT_KEY,
            True,
            ["empreinte incorrecte", "refusé par le cœur", "javascript:alert(1)"],
        ),
        "private-ip": (
            {**client, "redirect_uris": ["http://10.0.0.1/cb"]},
            CLIENT_KEY,
            False,
            ["n'est pas celui que le registre donne au commit"],
        ),
        "escaping-key": (
            {**client, "key": "../../../escaped"},
            "../../../escaped",
            False,
            ["identifiant refusé dans client.key : '../../../escaped'"],
        ),
    }
    for name, (document, key, keep, expected) in attacks.items():
        attack = {
            **manifest,
            "client": [document],
            "secret_recipients": {key: [str(PARTNER.to_public())]},
        }
        path = forged(attack, Path(f"{name}.json"), keep_digest=keep)
        result = deploy(cli, target, "--manifest", str(path))
        assert result.exit_code == 1, name
        for text in expected:
            assert text in result.stderr, (name, text)
    assert live(target, "client") == {} and live(target, "provider") == {}
    assert audits(target, kind="deploy") == []
    assert not Path("escaped.age").exists() and not Path("build/escaped.age").exists()
    genuine = deploy(cli, target, "--manifest", "build/manifests/production-internet.json")
    assert genuine.exit_code == 0, genuine.stderr


def test_small_deployments_have_absolute_limits(registry, cli, target) -> None:
    _many_clients(registry, 4)
    registry.commit("four more")
    assert deploy(cli, target).exit_code == 0  # 6 records: the relative limit does not apply
    for index in range(4):
        registry.git("rm", "-q", f"registry/production/service-providers/fs-{index:02d}.yaml")
    registry.commit("remove four")
    refused = deploy(cli, target)
    assert refused.exit_code == 1
    assert "ce plan désactive 4 fournisseurs de production-internet (limite : 3" in refused.stderr
    assert all(c["active"] for c in live(target, "client").values())
    allowed = deploy(cli, target, "--allow-large-change")
    assert allowed.exit_code == 0
    assert "autorisée par --allow-large-change (tracé)" in allowed.stdout
    assert sum(not c["active"] for c in live(target, "client").values()) == 4
    last = audits(target, kind="deploy")[-1]
    assert last["overrides"] == [
        "ce plan désactive 4 fournisseurs de production-internet (limite : 3 par déploiement)"
    ]
    history = cli("history", "production-internet", "--target", target).stdout.splitlines()
    assert "--allow-large-change" in history[0]


def test_updates_have_an_absolute_limit_too(registry, cli, target) -> None:
    _many_clients(registry, 11)
    registry.commit("eleven more")
    assert deploy(cli, target).exit_code == 0
    for index in range(11):
        path = f"registry/production/service-providers/fs-{index:02d}.yaml"
        registry.write(
            path, (registry.root / path).read_text().replace("/callback", "/v2/callback")
        )
    registry.commit("eleven new callbacks")
    refused = deploy(cli, target, "--dry-run")
    assert refused.exit_code == 1
    assert "ce plan met à jour 11 fournisseurs de production-internet (limite : 10" in (
        refused.stderr
    )


def test_credentials_in_the_target_never_reach_errors_or_github(
    registry,
    cli,
    raw_target,
    github_for,
    monkeypatch,
) -> None:
    bot_environment(monkeypatch, github_for, registry.git("rev-parse", "HEAD"))
    leaky = "mongodb://operateur:mot-de-passe-secret@127.0.0.1:9/core-fca-low?authSource=admin"
    for args in (
        ("deploy", "production-internet", "--target", leaky, "--yes"),
        ("bot", "deploy", "production-internet", "--target", leaky),
    ):
        result = cli(*args)
        assert result.exit_code == 1
        assert "127.0.0.1:9" in result.stderr
        assert "mot-de-passe" not in result.stdout + result.stderr
        assert "operateur" not in result.stdout + result.stderr
    [deployment] = github_for.deployments
    final = deployment["statuses"][-1]
    assert final["state"] == "failure" and "127.0.0.1:9" in final["description"]
    assert "mot-de-passe" not in json.dumps(deployment)


def test_uris_are_shown_as_host_and_port() -> None:
    assert redact_uri("mongodb://u:p%40ss@db1.example:27018,db2/core?replicaSet=rs0") == (
        "db1.example:27018,db2:27017"
    )
    assert redact_uri("mongodb+srv://u:p@cluster.example/core") == "cluster.example"
    assert redact_uri("mongodb://localhost") == "localhost:27017"
    leaked = "échec sur mongodb://u:secret-pass@h:1/db (auth u:secret-pass)"
    cleaned = redact_text(leaked, "mongodb://u:secret-pass@h:1/db")
    assert "secret-pass" not in cleaned and "h:1" in cleaned


def test_the_write_mode_is_said_and_audited(registry, cli, target) -> None:
    result = deploy(cli, target)
    assert result.exit_code == 0
    if target.startswith("file:"):
        assert "Mode : fichier réécrit d'un bloc (écriture atomique)." in result.stdout
        expected = "file"
    elif replica_set(target):
        assert "Mode : transaction unique (jeu de réplicas)." in result.stdout
        expected = "transaction"
    else:
        assert "Mode : écritures idempotentes document par document" in result.stdout
        expected = "per-document"
    [audit] = audits(target, kind="deploy")
    assert audit["mode"] == expected


def test_drift_tells_a_commit_not_yet_deployed_from_a_change_outside_git(
    registry,
    cli,
    target,
) -> None:
    assert deploy(cli, target).exit_code == 0
    registry.write(SP, service_provider(("active: true", "active: false")))
    registry.commit("not deployed yet")
    pending = cli("drift", "production-internet", "--target", target)
    assert pending.exit_code == 0
    assert "Pas de dérive hors de git" in pending.stdout
    assert "pas encore déployés" in pending.stdout and "hors de git depuis" not in pending.stdout
    connect(target)["client"].update_one(
        {"key": CLIENT_KEY}, {"$set": {"scopes": ["openid", "email", "phone"]}}
    )
    changed = cli("drift", "production-internet", "--target", target)
    assert changed.exit_code == 4
    assert "modifiée hors de git depuis le déploiement de" in changed.stdout
    assert 'scopes: ["openid", "email", "phone"] → ["email", "openid"]' in changed.stdout


def test_history_is_in_french_and_names_the_actor(registry, cli, target, monkeypatch) -> None:
    for variable in ("USER", "LOGNAME", "GITHUB_ACTOR"):
        monkeypatch.delenv(variable, raising=False)
    assert deploy(cli, target).exit_code == 0
    monkeypatch.setenv("GITHUB_ACTOR", "octo-ops")
    registry.write(SP, service_provider(("active: true", "active: false")))
    registry.commit("deactivate")
    assert deploy(cli, target).exit_code == 0
    lines = cli("history", "production-internet", "--target", target).stdout.splitlines()
    assert "appliqué" in lines[0] and "déploiement" in lines[0] and "octo-ops" in lines[0]
    assert "1 mis à jour" in lines[0] and "2 créé(s)" in lines[1]
    assert all("inconnu" not in line and "applied" not in line for line in lines)


def test_secret_pending_publish_delivers_and_marks(
    registry, cli, target, github_for, monkeypatch
) -> None:
    assert deploy(cli, target).exit_code == 0  # by hand: the sealed file stays on this machine
    bot_environment(monkeypatch, github_for, registry.git("rev-parse", "HEAD"))
    published = cli("secret", "pending", "production-internet", "--target", target, "--publish")
    assert published.exit_code == 0, published.stderr
    assert "1 secret(s) chiffré(s) remis" in published.stdout
    [release] = github_for.releases
    secret = pyrage.decrypt(release["assets"][f"{CLIENT_KEY}.age"], [PARTNER]).decode()
    assert decrypt_core_secret(live(target, "client")[CLIENT_KEY]["client_secret"]) == secret
    [record] = connect(target)["fedreg_secrets"].find({})
    assert record["state"] == "delivered" and record["deliveredTo"].endswith(release["tag"])
    again = cli("secret", "pending", "production-internet", "--target", target, "--publish")
    assert "Aucun secret en attente." in again.stdout and len(github_for.releases) == 1


def test_a_database_deployed_before_markers_keeps_its_order(registry, cli, target) -> None:
    """Audit entries written before deploys had kinds still count for ordering."""
    first = registry.git("rev-parse", "HEAD")
    second = registry.commit("later")
    connect(target)["fedreg_deployments"].insert_one(
        {
            "deployment": "production-internet",
            "commit": second,
            "digest": "d" * 64,
            "actor": "ops",
            "at": datetime.now(UTC),
            "status": "applied",
            "summary": {},
            "applied": [],
            "error": "",
        }
    )
    registry.git("checkout", "-q", first)
    refused = deploy(cli, target)
    assert refused.exit_code == 1 and "ne descend pas du dernier commit déployé" in refused.stderr


@pytest.mark.mongodb  # two runs at once: a file target's lock refuses the second outright
def test_a_run_whose_lock_was_broken_stops_writing(registry, cli, target, monkeypatch) -> None:
    _many_clients(registry, 3)
    registry.commit("three more")
    collection_class = client_collection_class(target)
    real_update = collection_class.update_one
    broken: list[bool] = []

    def update_then_break(self, *args, **kwargs):
        # While this run writes, another run believes it dead and forces its lock.
        result = real_update(self, *args, **kwargs)
        if self.name == "client" and not broken:
            broken.append(True)
            acquire_lock(
                connect(target),
                "production-internet",
                "github-77-1",
                "ops",
                datetime.now(UTC),
                30,
                break_lock=True,
            )
        return result

    monkeypatch.setattr(collection_class, "update_one", update_then_break)
    result = deploy(cli, target)
    assert result.exit_code == 1
    assert "a été repris par une autre exécution pendant ce déploiement" in result.stderr
    if not all_or_nothing(target):
        assert len(live(target, "client")) == 1  # stopped right after the first write


@pytest.mark.parametrize("password", ["mot?de-passe", "mot/de-passe"])
def test_an_unescaped_password_never_reaches_errors_or_github(
    registry,
    cli,
    github_for,
    monkeypatch,
    password: str,
) -> None:
    """An operator's slip: a password with a character the URI syntax reserves, not
    percent-encoded. The driver refuses the URI; the refusal must still not show it."""
    bot_environment(monkeypatch, github_for, registry.git("rev-parse", "HEAD"))
    leaky = f"mongodb://operateur:{password}@127.0.0.1:9/core-fca-low"
    for args in (
        ("deploy", "production-internet", "--target", leaky, "--yes"),
        ("bot", "deploy", "production-internet", "--target", leaky),
    ):
        result = cli(*args)
        assert result.exit_code == 1
        assert "127.0.0.1:9" in result.stderr
        assert "operateur" not in result.stdout + result.stderr
        assert "mot" not in result.stdout + result.stderr
    [deployment] = github_for.deployments
    assert "operateur" not in json.dumps(deployment) and "mot" not in json.dumps(deployment)


def test_a_failed_rotation_never_loses_the_secret_still_to_deliver(
    registry, cli, target, monkeypatch
) -> None:
    """The first secret is recorded, not yet delivered; a rotation then fails at its client
    write (the connection drops). The client still holds the first secret: it must stay
    deliverable, or the partner never gets the secret that works."""
    assert deploy(cli, target).exit_code == 0
    restore = drop_connection_at_client_write(monkeypatch, target, 1)
    rotate = ("secret", "rotate", CLIENT_KEY, "--deployment", "production-internet", "--yes")
    assert cli(*rotate, "--target", target).exit_code != 0
    restore()
    shutil.rmtree("build")
    result = cli("secret", "pending", "production-internet", "--target", target)
    assert result.exit_code == 0, result.stderr
    assert "1 secret(s) chiffré(s) pas encore remis" in result.stdout
    sealed = Path("build/secrets/production-internet") / f"{CLIENT_KEY}.age"
    secret = pyrage.decrypt(sealed.read_bytes(), [PARTNER]).decode()
    assert decrypt_core_secret(live(target, "client")[CLIENT_KEY]["client_secret"]) == secret


def test_a_field_removed_from_a_file_is_removed_from_the_database(registry, cli, target) -> None:
    """The registry owns its optional fields too: an FI that drops its end_session_url (or
    moves to discovery) and an FS that drops introspection_signed_response_alg must not
    keep the old values in the database, where the core goes on using them."""
    logout = "end_session_url: https://auth.demo.gouv.fr/logout\nmfa_compliance_note: Bientôt\n"
    introspection = "introspection_signed_response_alg: ES256\n"
    registry.write(IDP, identity_provider() + logout)
    registry.write(SP, service_provider() + introspection)
    registry.commit("logout, note and introspection")
    assert deploy(cli, target).exit_code == 0
    assert live(target, "provider")[IDP_UID]["endSessionURL"] == "https://auth.demo.gouv.fr/logout"
    registry.write(IDP, identity_provider())
    registry.write(SP, service_provider())
    registry.commit("without them")
    result = deploy(cli, target)
    assert result.exit_code == 0, result.stderr
    provider, client = live(target, "provider")[IDP_UID], live(target, "client")[CLIENT_KEY]
    assert "endSessionURL" not in provider and "mfaComplianceNote" not in provider
    assert "introspection_signed_response_alg" not in client
    assert "client_secret" in client  # what the registry does not own stays
    again = deploy(cli, target)
    assert "2 inchangé(s)" in again.stdout


def test_rollback_only_goes_back_along_what_was_deployed(registry, cli, target) -> None:
    """An operator's slip: `--to` names a branch (or a SHA copied from a pull request) that
    was never merged. A rollback must only go back to a configuration the deployment went
    through, never deploy unreviewed content."""
    first = registry.git("rev-parse", "HEAD")
    assert deploy(cli, target).exit_code == 0
    registry.git("checkout", "-q", "-b", "partner-change")
    registry.write(
        SP,
        service_provider(("  - https://demo.gouv.fr/callback\n", "  - https://evil.fr/cb\n")),
    )
    registry.commit("never reviewed")
    registry.git("checkout", "-q", "main")
    refused = cli(
        "rollback", "production-internet", "--to", "partner-change", "--target", target, "--yes"
    )
    assert refused.exit_code == 1
    assert "ne précède pas" in refused.stderr
    assert live(target, "client")[CLIENT_KEY]["redirect_uris"] == ["https://demo.gouv.fr/callback"]
    assert audits(target, kind="rollback") == []
    back = cli("rollback", "production-internet", "--to", first, "--target", target, "--yes")
    assert back.exit_code == 0, back.stderr
