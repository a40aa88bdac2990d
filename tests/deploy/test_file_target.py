"""`--target file:PATH.json`: a deployment held in a real file, through the real CLI. The
migration day (export, import, adopt, first deploy, drift), the JSON outputs against their
published schemas, secret rotation, and the guards a file target keeps (marker, lock, audit,
all-or-nothing writes)."""

from __future__ import annotations

import json
import stat
import sys
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pyrage
import pytest
from bson import json_util
from test_deploy import (
    CIPHER_PASS,
    CLIENT_KEY,
    FEDERATION,
    IDP,
    PARTNER,
    SP,
    bot_environment,
    decrypt_core_secret,
    github_for,
    identity_provider,
    service_provider,
)

from conftest import BASE_SERVICE_PROVIDER, REPO_ROOT, edited
from fedreg.authoring.importer import import_documents
from fedreg.cli import main
from fedreg.deploy.filestore import FileStore
from fedreg.deploy.plan import PROVENANCE_FIELD, plan_deploy
from fedreg.errors import FedregError
from fedreg.manifests.build import build_manifests
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.validation.engine import build_provider, validate_paths

sys.path.insert(0, str(REPO_ROOT / "bench"))
from core_export import generate_export

__all__ = ["github_for"]  # a fixture, used by name

SCHEMAS = REPO_ROOT / "docs/schemas"
SEED = REPO_ROOT / "tests/data/core-seed"
DEPLOYMENT = "production-internet"


def schema_check(name: str, output: str) -> dict[str, Any]:
    """The output, parsed and checked against its published schema."""
    value: dict[str, Any] = json.loads(output)
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator)
    return value


def read_target(path: Path) -> dict[str, list[dict[str, Any]]]:
    content: dict[str, list[dict[str, Any]]] = json_util.loads(path.read_text(encoding="utf-8"))
    return content


def by_key(path: Path, collection: str) -> dict[str, dict[str, Any]]:
    key = "key" if collection == "client" else "uid"
    return {d[key]: d for d in read_target(path).get(collection, [])}


def write_export(path: Path, export: dict[str, list[dict[str, Any]]]) -> None:
    path.write_text(json_util.dumps(export, json_options=json_util.RELAXED_JSON_OPTIONS))


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENT_SECRET_CIPHER_PASS", CIPHER_PASS)
    monkeypatch.setenv("FEDREG_AGE_IDENTITY", str(FEDERATION))


@pytest.fixture
def deployed(repo, cli, secrets_env) -> Path:
    """The demo registry deployed once to a fresh file target."""
    repo.write(SP, service_provider())
    repo.write(IDP, identity_provider())
    repo.commit("registry")
    target = repo.root / "prod.json"
    assert cli("deploy", DEPLOYMENT, "--target", f"file:{target}", "--init", "--yes").exit_code == 0
    result = cli("deploy", DEPLOYMENT, "--target", f"file:{target}", "--yes")
    assert result.exit_code == 0, result.stderr
    return target


# -- the migration day ---------------------------------------------------------------------


def test_a_2000_provider_database_migrates_with_nothing_changed(repo, cli) -> None:
    target = repo.root / "export.json"
    export = generate_export(2000)
    write_export(target, export)
    uri = f"file:{target}"
    imported = cli(
        *("import", "--from", uri, "--env", "production", "--network", "internet"),
        *("--owner", "@proconnect-gouv/federation"),
    )
    assert imported.exit_code == 0, imported.stdout + imported.stderr
    assert "2000 fichier(s) écrit(s), 0 déjà présent(s)" in imported.stdout
    repo.commit("import")
    assert cli("deploy", DEPLOYMENT, "--target", uri, "--init", "--adopt", "--yes").exit_code == 0

    # The first plan: 0 changes, though the database lists scopes and domains in another
    # order and writes optional fields as null or "" (the core reads them alike).
    plan = cli("deploy", DEPLOYMENT, "--target", uri, "--dry-run", "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    value = schema_check("deploy", plan.stdout)
    assert value["status"] == "up-to-date" and value["plan"]["changes"] == []
    assert value["plan"]["summary"] == {
        "create": 0,
        "update": 0,
        "deactivate": 0,
        "unchanged": 2000,
    }
    first = cli("deploy", DEPLOYMENT, "--target", uri, "--yes")
    assert "Rien à faire : le déploiement est déjà à jour." in first.stdout
    live = by_key(target, "client")
    assert live[export["client"][0]["key"]]["scopes"] == export["client"][0]["scopes"]
    assert "introspection_signed_response_alg" in live[export["client"][0]["key"]]
    drift = cli("drift", DEPLOYMENT, "--target", uri, "--format", "json")
    assert drift.exit_code == 0 and schema_check("drift", drift.stdout)["status"] == "in-sync"

    # A second import writes nothing and says why, provider by provider.
    again = cli(
        *("import", "--from", uri, "--env", "production", "--network", "internet"),
        *("--owner", "@proconnect-gouv/federation"),
    )
    assert again.exit_code == 0
    assert "0 fichier(s) écrit(s), 2000 déjà présent(s)" in again.stdout
    assert again.stdout.count("Déjà présent : ") == 2000
    assert repo.git("status", "--porcelain", "registry") == ""


def test_the_cores_seed_plans_no_change_after_import_and_adoption(workspace, cli) -> None:
    clients = json_util.loads((SEED / "seed-client.relaxed.json").read_text())
    providers = json_util.loads((SEED / "seed-provider.relaxed.json").read_text())
    export = workspace.root / "seed.json"
    write_export(export, {"client": clients, "provider": providers})
    args = ("--env", "integration", "--network", "internet", "--owner", "@org/federation")
    cli("import", "--from", f"file:{export}", *args)
    again = cli("import", "--from", f"file:{export}", *args)
    assert "0 fichier(s) écrit(s), 9 déjà présent(s), 2 ignoré(s)" in again.stdout
    # The operator completes what the database does not know (an FI's contact, which the
    # core never reads). The seed's made-up SIRETs keep `render` from running: the plan is
    # computed from the rendered records directly, against the seed adopted.
    fia2 = workspace.root / "registry/integration/identity-providers/fia2-low.yaml"
    fia2.write_text(fia2.read_text().replace("contacts: []", 'contacts:\n  - "fi@fia2.fr"'))
    result = validate_paths([workspace.root / "registry"], DEFAULT_POLICY)
    manifest = build_manifests(
        [(doc.environment, build_provider(doc)) for doc in result.documents], None
    )["integration-internet"]
    adopted = {  # what --adopt does: the documents the registry names, never a resource server
        "client": [
            {**d, PROVENANCE_FIELD: "integration-internet"} if d["redirect_uris"] else d
            for d in clients
        ],
        "provider": [{**d, PROVENANCE_FIELD: "integration-internet"} for d in providers],
    }
    plan = plan_deploy(manifest, adopted)
    assert [(c.key, c.action.value, c.fields) for c in plan.effective] == [], plan.effective
    assert plan.summary["unchanged"] == 9


def test_a_real_change_still_shows_and_counts(deployed, repo, cli) -> None:
    """Lists compare as sets, not as nothing: an added scope is an update."""
    repo.write(SP, service_provider(("  - email\n", "  - email\n  - given_name\n")))
    repo.commit("one more scope")
    result = cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--format", "json")
    value = schema_check("deploy", result.stdout)
    [change] = value["plan"]["changes"]
    assert change["action"] == "update" and change["key"] == CLIENT_KEY
    assert [f["field"] for f in change["fields"]] == ["scopes"]
    assert value["status"] == "planned"


def test_only_foreign_imports_exactly_what_drift_calls_foreign(deployed, repo, cli) -> None:
    content = read_target(deployed)
    stranger = {**content["client"][0], "key": "c" * 64, "name": "Service écrit à la main"}
    del stranger[PROVENANCE_FIELD], stranger["_id"]
    content["client"].append(stranger)
    deployed.write_text(json_util.dumps(content))
    drift = cli("drift", DEPLOYMENT, "--target", f"file:{deployed}", "--format", "json")
    assert drift.exit_code == 4
    foreign = schema_check("drift", drift.stdout)["foreign"]
    assert foreign == [{"collection": "client", "key": "c" * 64, "name": stranger["name"]}]
    result = cli(
        *("import", "--from", f"file:{deployed}", "--only-foreign", "--env", "production"),
        *("--network", "internet", "--owner", "@org/team"),
    )
    assert "1 fichier(s) écrit(s), 0 déjà présent(s)" in result.stdout
    assert (
        repo.root / "registry/production/service-providers/service-ecrit-a-la-main.yaml"
    ).exists()


def test_import_pure_reports_a_duplicate_within_one_export() -> None:
    document = generate_export(10)["client"][0]
    result = import_documents(
        [document, dict(document)], [], "integration", "internet", ["@o/t"], "x", set()
    )
    assert len(result.files) == 1 and len(result.present) == 1
    assert result.present[0].endswith(
        "registry/integration/service-providers/service-numero-0.yaml"
    )


# -- the file target keeps the database's guards --------------------------------------------


def test_the_file_is_extended_json_private_and_holds_no_cleartext(deployed, cli) -> None:
    assert stat.S_IMODE(deployed.stat().st_mode) == 0o600
    content = read_target(deployed)
    assert set(content) >= {"client", "provider", "fedreg_identity", "fedreg_deployments"}
    stored = by_key(deployed, "client")[CLIENT_KEY]
    secret = decrypt_core_secret(stored["client_secret"])
    assert secret not in deployed.read_text()
    assert '"$date"' in deployed.read_text()  # dates stay dates, as mongoexport writes them
    again = cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes")
    assert "Rien à faire" in again.stdout


def test_a_failure_midway_leaves_the_file_as_it_was(deployed, repo, cli, monkeypatch) -> None:
    repo.write(SP, service_provider(("https://demo.gouv.fr/callback", "https://demo.gouv.fr/cb2")))
    other = "registry/production/service-providers/autre.yaml"
    repo.write(
        other, service_provider((CLIENT_KEY, "f" * 64), ("Service de démonstration", "Autre"))
    )
    repo.commit("an update, then a creation that cannot get a secret")
    before = read_target(deployed)
    monkeypatch.delenv("CLIENT_SECRET_CIPHER_PASS")
    result = cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes")
    assert result.exit_code == 1
    assert "rien n'est écrit" in result.stderr and "CLIENT_SECRET_CIPHER_PASS" in result.stderr
    after = read_target(deployed)
    assert after["client"] == before["client"] and after["provider"] == before["provider"]
    [failed] = [e for e in after["fedreg_deployments"] if e["status"] == "failed"]
    assert failed["applied"] == [] and failed["mode"] == "file"
    assert "Mode : fichier réécrit d'un bloc" in result.stdout


def test_a_second_command_fails_at_once_while_the_file_is_in_use(deployed) -> None:
    with (
        FileStore.opened(str(deployed)),
        pytest.raises(FedregError, match="utilisé par une autre commande fedreg"),
        FileStore.opened(str(deployed)),
    ):
        pass


def test_a_linked_target_or_lock_is_refused_and_nothing_is_written_through_it(
    deployed, repo, cli
) -> None:
    """A link named as the target would be replaced by a copy (the real file left behind) and
    locked apart from the real file's own lock (two commands at once, one run lost); a link
    planted as the lock would make fedreg create or lock the file it points at."""
    link = repo.root / "lien.json"
    link.symlink_to(deployed)
    before = deployed.read_bytes()
    with (
        FileStore.opened(str(deployed)),
        pytest.raises(FedregError, match="lien symbolique"),
        FileStore.opened(str(link)),
    ):
        pass
    repo.write(SP, service_provider(("https://demo.gouv.fr/callback", "https://demo.gouv.fr/v2")))
    repo.commit("a change")
    result = cli("deploy", DEPLOYMENT, "--target", f"file:{link}", "--yes")
    assert result.exit_code == 2 and "lien symbolique" in result.stderr, result.stderr
    assert link.is_symlink() and deployed.read_bytes() == before
    elsewhere = repo.root / "ailleurs"
    planted = repo.root / "neuf.json"
    Path(f"{planted}.lock").symlink_to(elsewhere)
    with pytest.raises(FedregError, match="lien symbolique"), FileStore.opened(str(planted)):
        pass
    assert not elsewhere.exists() and not planted.exists()


def test_an_unmarked_file_is_refused_and_nothing_is_written(repo, cli, secrets_env) -> None:
    # A target that is no URI at all: test_deploy_holes' bare-word test, for every command.
    repo.write(SP, service_provider())
    repo.commit("registry")
    unmarked = cli("deploy", DEPLOYMENT, "--target", "file:vide.json", "--yes")
    assert unmarked.exit_code == 1 and "n'est marquée pour aucun déploiement" in unmarked.stderr
    assert not (repo.root / "vide.json").exists()  # nothing written, not even an empty file


def test_an_unreachable_server_is_named_and_given_five_seconds(repo, cli) -> None:
    repo.write(SP, service_provider())
    repo.commit("registry")
    result = cli("history", DEPLOYMENT, "--target", "mongodb://ops:s3cret@127.0.0.1:9/core")
    assert result.exit_code == 1
    assert "MongoDB injoignable (127.0.0.1:9) en 5 s" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


# -- machine-readable outputs ---------------------------------------------------------------


def test_history_and_deploy_json_follow_their_schemas(deployed, repo, cli) -> None:
    history = cli("history", DEPLOYMENT, "--target", f"file:{deployed}", "--format", "json")
    entries = schema_check("history", history.stdout)["entries"]
    assert [e["kind"] for e in entries] == ["deploy", "init"]
    assert entries[0]["summary"]["create"] == 2 and entries[0]["target"] == f"file:{deployed}"
    assert entries[0]["at"].endswith("+00:00")
    for index in range(12):
        repo.write(
            f"registry/production/service-providers/fs-{index:02d}.yaml",
            service_provider(
                (CLIENT_KEY, f"{index:02d}" + CLIENT_KEY[2:]),
                ("Service de démonstration", f"Service {index}"),
                ("demo.gouv.fr/callback", f"demo.gouv.fr/callback{index}"),
            ),
        )
    repo.commit("twelve")
    assert cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes").exit_code == 0
    for index in range(11):
        path = repo.root / f"registry/production/service-providers/fs-{index:02d}.yaml"
        path.write_text(path.read_text().replace("https://demo.gouv.fr/", "https://demo.gouv.fr/x"))
    repo.commit("eleven updates")
    refused = cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes", "--format", "json")
    assert refused.exit_code == 1
    value = schema_check("deploy", refused.stdout)
    assert value["status"] == "refused" and value["over_limits"] is True
    assert value["plan"]["summary"]["update"] == 11
    applied = cli(
        *("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes"),
        *("--allow-large-change", "--format", "json"),
    )
    value = schema_check("deploy", applied.stdout)
    assert value["status"] == "applied" and value["mode"] == "file"
    assert len(value["applied"]) == 11 and value["overrides"]


def test_drift_exit_codes_tell_in_sync_pending_and_drift(deployed, repo, cli, capsys) -> None:
    uri = f"file:{deployed}"
    assert cli("drift", DEPLOYMENT, "--target", uri).exit_code == 0
    repo.write(SP, service_provider(("active: true", "active: false")))
    repo.commit("not deployed yet")
    pending = cli("drift", DEPLOYMENT, "--target", uri, "--format", "json")
    assert pending.exit_code == 0
    assert schema_check("drift", pending.stdout)["status"] == "not-deployed"
    content = read_target(deployed)
    content["client"][0]["redirect_uris"] = ["https://pirate.example.com/cb"]
    deployed.write_text(json_util.dumps(content))
    drifted = cli("drift", DEPLOYMENT, "--target", uri, "--format", "json")
    assert drifted.exit_code == 4
    value = schema_check("drift", drifted.stdout)
    assert value["status"] == "drift"
    [change] = value["outside_git"]["changes"]
    assert change["fields"][0]["before"] == ["https://pirate.example.com/cb"]
    with pytest.raises(SystemExit):
        main(["drift", "--help"])
    assert "4  dérive trouvée" in capsys.readouterr().out


# -- secret rotation ------------------------------------------------------------------------


ROTATE = ("secret", "rotate", CLIENT_KEY, "--deployment", DEPLOYMENT)


def test_rotation_is_planned_then_confirmed_then_recorded(deployed, cli) -> None:
    uri = f"file:{deployed}"
    old = by_key(deployed, "client")[CLIENT_KEY]["client_secret"]
    for dry in (("--dry-run", "--yes"), ()):
        shown = cli(*ROTATE, "--target", uri, *dry)
        assert shown.exit_code == 0
        assert "Rotation du secret du FS « Service de démonstration »" in shown.stdout
        assert str(PARTNER.to_public()) in shown.stdout
        assert "l'ancien secret cesse de fonctionner dès le remplacement" in shown.stdout
        assert "Simulation : rien n'est écrit" in shown.stdout
        assert by_key(deployed, "client")[CLIENT_KEY]["client_secret"] == old
    done = cli(*ROTATE, "--target", uri, "--yes")
    assert done.exit_code == 0, done.stderr
    stored = by_key(deployed, "client")[CLIENT_KEY]["client_secret"]
    assert stored != old
    sealed = Path("build/secrets/production-internet") / f"{CLIENT_KEY}.age"
    assert pyrage.decrypt(sealed.read_bytes(), [PARTNER]).decode() == decrypt_core_secret(stored)
    history = cli("history", DEPLOYMENT, "--target", uri)
    assert (
        "rotation-secret" in history.stdout
        and f"secret de {CLIENT_KEY} renouvelé" in history.stdout
    )
    entries = schema_check(
        "history", cli("history", DEPLOYMENT, "--target", uri, "--format", "json").stdout
    )["entries"]
    assert entries[0]["kind"] == "secret-rotation" and entries[0]["rotated"] == CLIENT_KEY
    assert decrypt_core_secret(stored) not in deployed.read_text() + history.stdout


def test_rotation_refuses_a_deactivated_provider_unless_told(deployed, repo, cli) -> None:
    repo.write(SP, service_provider(("active: true", "active: false")))
    repo.commit("deactivated")
    assert cli("deploy", DEPLOYMENT, "--target", f"file:{deployed}", "--yes").exit_code == 0
    old = by_key(deployed, "client")[CLIENT_KEY]["client_secret"]
    refused = cli(*ROTATE, "--target", f"file:{deployed}", "--yes")
    assert refused.exit_code == 1 and "est désactivé" in refused.stderr
    assert "--include-inactive" in refused.stderr
    assert by_key(deployed, "client")[CLIENT_KEY]["client_secret"] == old
    told = cli(*ROTATE, "--target", f"file:{deployed}", "--yes", "--include-inactive")
    assert told.exit_code == 0 and "(désactivé)" in told.stdout


def test_rotation_without_recipients_writes_nothing(deployed, repo, cli) -> None:
    repo.write(SP, edited(BASE_SERVICE_PROVIDER, []))
    repo.commit("recipients removed")
    before = deployed.read_text()
    refused = cli(*ROTATE, "--target", f"file:{deployed}", "--yes")
    assert refused.exit_code == 1 and "n'a pas de secret_recipients" in refused.stderr
    assert deployed.read_text() == before


def test_rotation_delivers_the_new_secret_before_replacing_the_old(
    deployed, repo, cli, github_for, monkeypatch
) -> None:
    bot_environment(monkeypatch, github_for, repo.git("rev-parse", "HEAD"))
    old = by_key(deployed, "client")[CLIENT_KEY]["client_secret"]
    # GitHub down: nothing is delivered, so the old secret stays in place.
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    failed = cli(*ROTATE, "--target", f"file:{deployed}", "--yes", "--publish")
    assert failed.exit_code != 0
    assert by_key(deployed, "client")[CLIENT_KEY]["client_secret"] == old
    monkeypatch.setenv("GITHUB_API_URL", github_for.base_url)
    result = cli(*ROTATE, "--target", f"file:{deployed}", "--yes", "--publish")
    assert result.exit_code == 0, result.stderr
    assert "Remis avant le remplacement" in result.stdout
    [release] = github_for.releases
    delivered = pyrage.decrypt(release["assets"][f"{CLIENT_KEY}.age"], [PARTNER]).decode()
    stored = by_key(deployed, "client")[CLIENT_KEY]["client_secret"]
    assert decrypt_core_secret(stored) == delivered
    records = read_target(deployed)["fedreg_secrets"]
    assert [r["state"] for r in records if r["client_id"] == CLIENT_KEY][-1] == "delivered"


def test_a_new_provider_with_the_placeholder_recipient_is_refused_before_any_write(
    repo, cli, secrets_env
) -> None:
    """`fedreg new` writes `secret_recipients: [age1-a-remplacer]` (a warning in integration):
    deploy refuses it at plan time rather than failing midway."""
    made = cli(
        *("new", "service-provider", "demo", "--env", "integration", "--network", "internet"),
        *("--owner", "@o/t", "--contact", "equipe@demo.gouv.fr"),
    )
    assert made.exit_code == 0
    text = (repo.root / "registry/integration/service-providers/demo.yaml").read_text()
    assert "secret_recipients:\n  - age1-a-remplacer\n" in text
    assert "# À REMPLACER : la clé publique age de votre équipe" in text
    report = cli("validate", "--format", "json").json()
    assert ("I013", "secret_recipients") in {
        (d["code"], d["field"].split(".")[0].split("[")[0]) for d in report["diagnostics"]
    }
    repo.commit("new")
    target = repo.root / "integration.json"
    uri = f"file:{target}"
    assert cli("deploy", "integration-internet", "--target", uri, "--init", "--yes").exit_code == 0
    before = target.read_text()
    refused = cli("deploy", "integration-internet", "--target", uri, "--yes")
    assert refused.exit_code == 1
    assert "« age1-a-remplacer », qui n'est pas une clé publique age" in refused.stderr
    assert target.read_text() == before


def test_french_typography_and_decomposed_accents_import_cleanly_and_plan_nothing(
    repo, cli
) -> None:
    export = generate_export(20)
    decomposed = unicodedata.normalize("NFD", "Ministère de l’Écologie « Démarches »")
    export["client"][0]["name"] = decomposed
    export["provider"][0]["title"] = "Préfecture\u00a0: accès agents\u202f!"
    target = repo.root / "export.json"
    write_export(target, export)
    uri = f"file:{target}"
    args = ("--env", "production", "--network", "internet", "--owner", "@o/t")
    imported = cli("import", "--from", uri, *args)
    assert imported.exit_code == 0, imported.stdout
    assert " I004 " not in imported.stdout
    texts = "".join(p.read_text() for p in (repo.root / "registry").rglob("*.yaml"))
    assert unicodedata.normalize("NFC", decomposed) in texts and decomposed not in texts
    repo.commit("import")
    assert cli("deploy", DEPLOYMENT, "--target", uri, "--init", "--adopt", "--yes").exit_code == 0
    plan = schema_check(
        "deploy", cli("deploy", DEPLOYMENT, "--target", uri, "--dry-run", "--format", "json").stdout
    )
    assert plan["status"] == "up-to-date"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["deploy"], ["--format {text,json}", "file:CHEMIN.json", "codes de sortie :"]),
        (["drift"], ["--format {text,json}", "4  dérive trouvée"]),
        (["history"], ["--format {text,json}", "history.schema.json"]),
        (
            ["secret", "rotate"],
            ["--dry-run", "--yes", "--include-inactive", "--publish", "1  refusée"],
        ),
    ],
)
def test_help_shows_the_new_options_and_exit_codes(command, expected, capsys) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for text in expected:
        assert " ".join(text.split()) in shown, text
