"""The core's own development seed: `fedreg import`, validation, then render, field by field.

The seed (tests/data/core-seed/) holds documents exactly as the core stores and accepts them.
Importing then rendering must give back every field the core reads, compared as the core reads
them: lists as sets, and "", null and absent alike where the core's transforms make them so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bson import json_util

from conftest import REPO_ROOT
from fedreg.deploy.orchestration import check_conformance
from fedreg.manifests.build import build_manifests
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.registry.yamlload import load_located
from fedreg.validation.engine import build_provider, validate_paths

SEED = REPO_ROOT / "tests/data/core-seed"
CLIENTS = SEED / "seed-client.relaxed.json"
PROVIDERS = SEED / "seed-provider.relaxed.json"
OWNER = "@proconnect-gouv/federation"

# What the core reads (proconnect-core.md §2-3), written here independently of the code.
CLIENT_READ = (
    "key",
    "name",
    "active",
    "redirect_uris",
    "post_logout_redirect_uris",
    "scopes",
    "id_token_signed_response_alg",
    "userinfo_signed_response_alg",
    "introspection_signed_response_alg",
    "type",
    "response_types",
    "grant_types",
)
PROVIDER_READ = (
    "uid",
    "name",
    "title",
    "active",
    "discovery",
    "discoveryUrl",
    "authzURL",
    "tokenURL",
    "userInfoURL",
    "jwksURL",
    "endSessionURL",
    "clientID",
    "token_endpoint_auth_method",
    "id_token_signed_response_alg",
    "userinfo_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "siret",
    "supportEmail",
    "attachedEmailDomains",
    "extraAcceptedEmailDomains",
    "isRoutingEnabled",
    "isBlockingForUnlistedEmailDomainsEnabled",
    "isEntraID",
    "useTheHyyyperbridge",
    "isMfaCompliant",
)
# Read by the core but deliberately not carried: with discovery, the issuer comes from the
# discovery document; the file must say so.
NOT_CARRIED_WITH_DISCOVERY = ("url",)
# Stored fields the registry carries under another name (legacy `email` → contacts) or that
# the core and the admin app manage: no comment expected.
CARRIED_ELSEWHERE = {"email", "collaborators", "mfaComplianceNote"}
MANAGED = {"_id", "__v", "createdAt", "updatedAt", "updatedBy"}

# The seed breaks these registry rules, legitimately (see docs/deploy.md, "Importing the core's
# seed"): made-up SIRETs fail the Luhn key, one FI has no support address hence no contact,
# LemonLDAP's encryption settings name an enc without an alg (and a signing algorithm as an
# enc), polyfi.fr and polyfi2.fr are shared by FIs, FSA1 signs with HS256 and leaves userinfo
# unsigned.
EXPECTED_DIAGNOSTICS = [
    ("identity-providers/fia-rie-low.yaml", "I003"),
    ("identity-providers/fia1-low.yaml", "D006"),
    ("identity-providers/fia1-low.yaml", "D006"),
    ("identity-providers/fia2-low.yaml", "D006"),
    ("identity-providers/fia2-low.yaml", "D006"),
    ("identity-providers/fia2-low.yaml", "O005"),
    ("identity-providers/fia2-low.yaml", "S006"),
    ("identity-providers/fia2-low.yaml", "S008"),
    ("identity-providers/fia3-desactive.yaml", "I003"),
    ("identity-providers/lemonldap-ng.yaml", "I003"),
    ("identity-providers/lemonldap-ng.yaml", "O006"),
    ("identity-providers/lemonldap-ng.yaml", "O008"),
    ("identity-providers/lemonldap-ng.yaml", "O008"),
    ("identity-providers/moncomptepro.yaml", "D006"),
    ("identity-providers/moncomptepro.yaml", "I003"),
    ("service-providers/fsa-fsa1-low.yaml", "O004"),
    ("service-providers/fsa-fsa1-low.yaml", "O005"),
]


def _seed(path: Path) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = json_util.loads(path.read_text(encoding="utf-8"))
    return documents


def _as_core_reads(value: Any) -> Any:
    """ "", null and absent are one value for the core's optional fields; lists are sets."""
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return sorted(set(value))
    return value


def _import(cli, export: Path) -> str:
    result = cli(
        "import",
        "--from-json",
        str(export),
        "--env",
        "integration",
        "--network",
        "internet",
        "--owner",
        OWNER,
    )
    assert result.exit_code in (0, 1), result.stderr
    return str(result.stdout)


def test_seed_round_trip_gives_back_every_field_the_core_reads(workspace, cli) -> None:
    clients, providers = _seed(CLIENTS), _seed(PROVIDERS)
    out = _import(cli, CLIENTS) + _import(cli, PROVIDERS)

    # Resource servers are listed with the reason, never imported.
    servers = [d for d in clients if d["redirect_uris"] == []]
    assert len(servers) == 2
    for server in servers:
        assert (
            f"Ignoré : {server['name']} ({server['key']}) : sans redirect_uris, c'est un "
            "serveur de ressources, hors du registre"
        ) in out
    registry = workspace.root / "registry/integration"
    texts = {p.relative_to(registry).as_posix(): p.read_text() for p in registry.rglob("*.yaml")}
    assert len(texts) == len(clients) - len(servers) + len(providers) == 9

    # Validation: exactly the documented diagnostics.
    report = cli("validate", "--format", "json").json()
    found = sorted(
        (d["path"].split("integration/", 1)[1], d["code"]) for d in report["diagnostics"]
    )
    assert found == EXPECTED_DIAGNOSTICS

    # Nothing secret is copied; every field not carried is named in the file.
    for document in clients + providers:
        secret = document["client_secret"]
        assert not any(secret in text for text in texts.values())
    by_name = {}
    for text in texts.values():
        assert "# client_secret : conservé dans la base, jamais dans le dépôt\n" in text
        data = load_located(text).data
        assert data is not None
        by_name[data["name"]] = text
    read_fields = {"client": set(CLIENT_READ), "provider": set(PROVIDER_READ)}
    for collection, documents in (("client", clients), ("provider", providers)):
        for document in documents:
            if document in servers:
                continue
            text = by_name[document["name"]]
            not_carried = set(document) - read_fields[collection] - CARRIED_ELSEWHERE - MANAGED
            not_carried -= {"client_secret"}
            if collection == "provider" and document["discovery"]:
                assert set(NOT_CARRIED_WITH_DISCOVERY) <= not_carried
            for field in sorted(not_carried):
                assert f"# champ non repris : {field} = " in text, (document["name"], field)

    # The operator completes what the database does not know (an FI's contact: the core reads
    # none), then renders: every field the core reads comes back.
    fia2 = registry / "identity-providers/fia2-low.yaml"
    fia2.write_text(fia2.read_text().replace("contacts: []", 'contacts:\n  - "fi@fia2.fr"'))
    report = cli("validate", "--format", "json").json()
    errors = {d["code"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert errors == {"I003", "O006"}  # the seed's own values, not the import's
    assert cli("render").exit_code == 1  # `fedreg render` refuses them, and writes nothing
    assert not (workspace.root / "build").exists()
    result = validate_paths([workspace.root / "registry"], DEFAULT_POLICY)
    manifests = build_manifests(
        [(doc.environment, build_provider(doc)) for doc in result.documents], None
    )
    check_conformance(manifests)  # the core would load every rendered record
    manifest = manifests["integration-internet"]
    rendered = {d["key"]: d for d in manifest["client"]} | {
        d["uid"]: d for d in manifest["provider"]
    }
    assert manifest["sealed_secrets"] == {} and manifest["secret_recipients"] == {}
    mismatches = []
    for collection, documents, fields in (
        ("client", clients, CLIENT_READ),
        ("provider", providers, PROVIDER_READ),
    ):
        for document in documents:
            if document in servers:
                continue
            identifier = document["key" if collection == "client" else "uid"]
            back = rendered[identifier]
            for field in fields:
                before, after = _as_core_reads(document.get(field)), _as_core_reads(back.get(field))
                if before != after:
                    mismatches.append((document["name"], field, before, after))
    assert mismatches == []
    assert len(rendered) == 9


def test_a_secret_named_field_is_never_copied(workspace, cli, tmp_path) -> None:
    [fsa1, *_] = _seed(CLIENTS)
    export = tmp_path / "export.json"
    leaked = "ceci-est-un-ancien-secret-en-clair-0123456789"
    export.write_text(json_util.dumps([{**fsa1, "old_client_secret": leaked}]))
    out = _import(cli, export)
    [path] = list((workspace.root / "registry").rglob("*.yaml"))
    text = path.read_text()
    assert "# old_client_secret : non repris, valeur non recopiée (secret)\n" in text
    assert leaked not in text + out
