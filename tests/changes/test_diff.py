"""`fedreg diff` on real git repositories: every change kind and risk, and the PR comment size."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited
from fedreg.changes.report import GITHUB_COMMENT_LIMIT

SP = "registry/production/service-providers/demo.yaml"
SP_INTEGRATION = "registry/integration/service-providers/demo.yaml"
IDP = "registry/production/identity-providers/fi-demo.yaml"
CALLBACK = "  - https://demo.gouv.fr/callback\n"
# What deploy requires of a provider new to its deployment (I010, I011).
RECIPIENTS = (
    "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
)
SEALED = (
    "client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n"
    "  YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n  -----END AGE ENCRYPTED FILE-----\n"
)
OTHER_CLIENT = [
    (
        'client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
        'client_id: "0b9c7f2e-5a1d-4c3b-9e8f-7a6b5c4d3e2f"',
    )
]


@pytest.fixture
def base(repo):
    """A committed registry: a production FS, an integration FS, a production FI."""
    repo.write(SP, BASE_SERVICE_PROVIDER)
    repo.write(SP_INTEGRATION, edited(BASE_SERVICE_PROVIDER, OTHER_CLIENT))
    repo.write(IDP, BASE_IDENTITY_PROVIDER)
    return repo.commit("base")


def _plan(cli, base: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = cli("diff", "--base", base, "--format", "json", *extra)
    assert result.stderr == ""
    return result.exit_code, result.json()


def _only_change(cli, base: str) -> dict[str, Any]:
    code, plan = _plan(cli, base)
    assert code == 0, plan["diagnostics"]
    assert len(plan["changes"]) == 1, plan["changes"]
    return plan["changes"][0]


def _reasons(change: dict, level: str) -> list[str]:  # type: ignore[type-arg]
    return [r["reason"] for r in change["risks"] if r["level"] == level]


def test_no_change_is_an_empty_plan(repo, cli, base) -> None:
    assert _plan(cli, base) == (
        0,
        {"changes": [], "highest_risk": "none", "deployments": [], "diagnostics": []},
    )


def test_comment_and_whitespace_edits_are_no_change(repo, cli, base) -> None:
    repo.write(
        SP,
        "# Une note pour l'équipe\n"
        + BASE_SERVICE_PROVIDER.replace(
            "network: internet", "network:   internet   # réseau"
        ).replace("\n", "\n\n", 3),
    )
    assert _plan(cli, base)[1]["changes"] == []


def test_reordering_a_list_is_no_change(repo, cli, base) -> None:
    repo.write(
        SP, BASE_SERVICE_PROVIDER.replace("  - openid\n  - email\n", "  - email\n  - openid\n")
    )
    assert _plan(cli, base)[1]["changes"] == []


def test_writing_a_default_explicitly_is_no_change(repo, cli, base) -> None:
    repo.write(IDP, BASE_IDENTITY_PROVIDER + "active: true\n")
    assert _plan(cli, base)[1]["changes"] == []


def test_created_in_integration_is_low_risk(repo, cli, base) -> None:
    repo.write(
        "registry/integration/service-providers/nouveau.yaml",
        edited(
            BASE_SERVICE_PROVIDER,
            [("9f86", "aa86"), ("name: Service de", "name: Nouveau service de")],
        )
        + RECIPIENTS,
    )
    change = _only_change(cli, base)
    assert (change["action"], change["deployment"], change["risk"]) == (
        "create",
        "integration-internet",
        "low",
    )
    assert change["previous_path"] is None
    assert {"field": "name", "before": None, "after": "Nouveau service de démonstration"} in (
        change["fields"]
    )


def test_created_in_production_is_medium_risk(repo, cli, base) -> None:
    repo.write(
        "registry/production/service-providers/nouveau.yaml",
        edited(
            BASE_SERVICE_PROVIDER,
            [("9f86", "aa86"), ("name: Service de", "name: Nouveau service de")],
        )
        + RECIPIENTS,
    )
    change = _only_change(cli, base)
    assert (change["action"], change["risk"]) == ("create", "medium")


def test_deleted_in_production_is_high_risk(repo, cli, base) -> None:
    repo.git("rm", "-q", SP)
    change = _only_change(cli, base)
    assert (change["action"], change["path"], change["risk"]) == ("delete", SP, "high")
    assert "désactivé" in _reasons(change, "high")[0]


def test_rename_is_detected_from_the_identifier(repo, cli, base) -> None:
    repo.git("mv", SP, "registry/production/service-providers/demo-renomme.yaml")
    change = _only_change(cli, base)
    assert (change["action"], change["previous_path"], change["fields"]) == ("rename", SP, [])
    assert change["path"] == "registry/production/service-providers/demo-renomme.yaml"


def test_rename_with_an_edit_shows_both(repo, cli, base) -> None:
    repo.git("rm", "-q", "--cached", SP)
    (repo.root / SP).unlink()
    repo.write(
        "registry/production/service-providers/autre.yaml",
        BASE_SERVICE_PROVIDER.replace("network: internet\n", "network: internet\n").replace(
            "active: true", "active: false"
        ),
    )
    change = _only_change(cli, base)
    assert change["action"] == "rename"
    assert change["fields"] == [{"field": "active", "before": True, "after": False}]
    assert "désactivation" in _reasons(change, "high")[0]


def test_move_between_environments(repo, cli, base) -> None:
    repo.git("rm", "-q", SP_INTEGRATION)
    repo.write(
        "registry/production/service-providers/demo-bis.yaml",
        edited(
            BASE_SERVICE_PROVIDER, [*OTHER_CLIENT, ("name: Service de", "name: Autre service de")]
        )
        + RECIPIENTS,
    )
    change = _only_change(cli, base)
    assert (change["action"], change["previous_path"], change["deployment"], change["risk"]) == (
        "move",
        SP_INTEGRATION,
        "production-internet",
        "high",
    )


def test_removed_redirect_uri(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace(CALLBACK, "  - https://demo.gouv.fr/v2/cb\n"))
    change = _only_change(cli, base)
    assert change["fields"] == [
        {
            "field": "redirect_uris",
            "added": ["https://demo.gouv.fr/v2/cb"],
            "removed": ["https://demo.gouv.fr/callback"],
        }
    ]
    assert change["risk"] == "high"
    assert "Y030031" in _reasons(change, "high")[0]


def test_added_redirect_uri_only(repo, cli, base) -> None:
    repo.write(
        SP, BASE_SERVICE_PROVIDER.replace(CALLBACK, CALLBACK + "  - https://demo.gouv.fr/v2\n")
    )
    assert _only_change(cli, base)["risk"] == "medium"


def test_removed_post_logout_uri_in_integration(repo, cli, base) -> None:
    repo.write(
        SP_INTEGRATION,
        edited(
            BASE_SERVICE_PROVIDER,
            [
                *OTHER_CLIENT,
                (
                    "post_logout_redirect_uris:\n  - https://demo.gouv.fr/\n",
                    "post_logout_redirect_uris: []\n",
                ),
            ],
        ),
    )
    change = _only_change(cli, base)
    assert change["risk"] == "medium"
    assert "Y030111" in _reasons(change, "medium")[0]


def test_widened_ip_range(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace("145.242.17.0/28", "145.242.17.0/26"))
    change = _only_change(cli, base)
    assert change["risk"] == "high"
    assert _reasons(change, "high") == ["plages IP élargies (48 adresses de plus autorisées)"]


def test_narrowed_ip_range_is_not_widening(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace("145.242.17.0/28", "145.242.17.0/29"))
    change = _only_change(cli, base)
    assert change["risk"] == "medium"


def test_new_routed_email_domain(repo, cli, base) -> None:
    repo.write(
        IDP,
        BASE_IDENTITY_PROVIDER.replace(
            "  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - agents.demo.gouv.fr\n"
        ),
    )
    change = _only_change(cli, base)
    assert (change["kind"], change["risk"]) == ("IdentityProvider", "high")
    assert "domaine e-mail routé" in _reasons(change, "high")[0]


def test_new_accepted_but_unrouted_domain_is_lower(repo, cli, base) -> None:
    repo.write(
        IDP,
        BASE_IDENTITY_PROVIDER.replace(
            "  - partenaire-demo.fr\n", "  - partenaire-demo.fr\n  - autre-demo.fr\n"
        ),
    )
    assert _only_change(cli, base)["risk"] == "medium"


def test_deactivation_and_activation(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace("active: true", "active: false"))
    change = _only_change(cli, base)
    assert change["risk"] == "high"
    inactive = repo.commit("deactivate")
    repo.write(SP, BASE_SERVICE_PROVIDER)
    change = _only_change(cli, inactive)
    assert change["fields"] == [{"field": "active", "before": False, "after": True}]
    assert "activation" in _reasons(change, "medium")


def test_changed_client_id_is_critical(repo, cli, base) -> None:
    repo.write(SP, edited(BASE_SERVICE_PROVIDER, OTHER_CLIENT) + RECIPIENTS)
    code, plan = _plan(cli, base)
    assert code == 0  # the integration file holds that client_id in another deployment
    [update] = plan["changes"]
    assert (update["action"], update["risk"], plan["highest_risk"]) == (
        "update",
        "critical",
        "critical",
    )
    assert "client_id modifié" in _reasons(update, "critical")[0]


def test_changed_uid_is_critical(repo, cli, base) -> None:
    repo.write(IDP, BASE_IDENTITY_PROVIDER.replace("5f0c3b9e", "6f0c3b9e") + SEALED)
    change = _only_change(cli, base)
    assert change["risk"] == "critical"
    assert "uid modifié" in _reasons(change, "critical")[0]


def test_owner_change(repo, cli, base) -> None:
    repo.write(
        SP,
        BASE_SERVICE_PROVIDER.replace(
            '  - "@demo-org/equipe"\n', '  - "@demo-org/equipe"\n  - "@jdupont"\n'
        ),
    )
    change = _only_change(cli, base)
    assert change["fields"] == [{"field": "owners", "added": ["@jdupont"], "removed": []}]
    assert "propriétaires modifiés" in _reasons(change, "high")[0]


def test_between_two_commits_and_against_the_working_tree(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace("active: true", "active: false"))
    head = repo.commit("deactivate")
    repo.write(IDP, BASE_IDENTITY_PROVIDER.replace("mfa_compliant: true", "mfa_compliant: false"))
    _, committed = _plan(cli, base, "--head", head)
    _, working = _plan(cli, base)
    assert [c["path"] for c in committed["changes"]] == [SP]
    assert [c["path"] for c in working["changes"]] == [IDP, SP]


def test_untracked_new_file_is_seen(repo, cli, base) -> None:
    repo.write(
        "registry/integration/identity-providers/fi-nouveau.yaml",
        edited(
            BASE_IDENTITY_PROVIDER,
            [("5f0c3b9e", "7f0c3b9e"), ("name: fi-demo", "name: fi-nouveau")],
        )
        + SEALED,
    )
    change = _only_change(cli, base)
    assert (change["action"], change["kind"]) == ("create", "IdentityProvider")


def test_invalid_head_still_gets_a_plan(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace(CALLBACK, "  - http://demo.gouv.fr/cb\n"))
    repo.write(IDP, "kind: IdentityProvider\nname: [\n")
    code, plan = _plan(cli, base)
    assert code == 1
    assert [(d["code"], d["line"]) for d in plan["diagnostics"]] == [("P001", 3), ("U011", 12)]
    update = next(c for c in plan["changes"] if c["path"] == SP)
    assert update["fields"][0]["added"] == ["http://demo.gouv.fr/cb"]


def test_unknown_ref_is_a_usage_error(repo, cli, base) -> None:
    result = cli("diff", "--base", "nope")
    assert result.exit_code == 2
    assert "révision git inconnue : nope" in result.stderr


def test_outside_a_repository(workspace, cli) -> None:
    result = cli("diff", "--base", "main")
    assert result.exit_code == 1
    assert "pas de dépôt git" in result.stderr


def test_text_and_markdown_forms(repo, cli, base) -> None:
    repo.write(SP, BASE_SERVICE_PROVIDER.replace(CALLBACK, "  - https://demo.gouv.fr/v2/cb\n"))
    text = cli("diff", "--base", base).stdout
    assert text.splitlines()[:4] == [
        "1 fournisseur concerné (production-internet). Risque le plus élevé : élevé.",
        f"~ production-internet  FS « Service de démonstration » modifié  {SP}  [risque élevé]",
        "    redirect_uris: + https://demo.gouv.fr/v2/cb",
        "    redirect_uris: - https://demo.gouv.fr/callback",
    ]
    markdown = cli("diff", "--base", base, "--format", "markdown").stdout
    assert markdown.startswith("**Plan de changement** — 1 fournisseur concerné")
    assert "<details><summary><b>Service de démonstration</b> (FS) — modifié" in markdown
    assert (
        "| redirect_uris | `https://demo.gouv.fr/v2/cb` | `https://demo.gouv.fr/callback` |"
        in markdown
    )


def test_markdown_stays_under_the_comment_limit(repo, cli, base) -> None:
    uris = "".join(f"  - https://demo-{i}.gouv.fr/{'x' * 120}/callback\n" for i in range(40))
    for index in range(120):
        repo.write(
            f"registry/integration/service-providers/bulk-{index:03d}.yaml",
            edited(
                BASE_SERVICE_PROVIDER,
                [
                    ("9f86", f"{index:04x}"),
                    ("name: Service de", f"name: Service {index} de"),
                    (CALLBACK, uris),
                    ("  - https://demo.gouv.fr/\n", ""),
                ],
            ),
        )
    markdown = cli("diff", "--base", base, "--format", "markdown").stdout
    assert len(markdown) <= GITHUB_COMMENT_LIMIT
    assert "abrégée(s) pour respecter la limite de 65536 caractères" in markdown
    assert markdown.count("<details>") == 120  # every provider still has its section
    full = cli("diff", "--base", base, "--format", "json").json()
    assert len(full["changes"]) == 120


def test_sealed_secret_change_is_shown_without_its_ciphertext(repo, cli, base) -> None:
    armored = (
        "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n"
        "-----END AGE ENCRYPTED FILE-----\n"
    )
    repo.write(
        IDP,
        BASE_IDENTITY_PROVIDER
        + "client_secret_age: |\n"
        + "".join(f"  {line}\n" for line in armored.splitlines()),
    )
    change = _only_change(cli, base)
    [field] = change["fields"]
    assert field["field"] == "client_secret_age" and field["before"] is None
    assert field["after"].startswith("(chiffré, empreinte ")
    markdown = cli("diff", "--base", base, "--format", "markdown").stdout
    assert "YWdlLWVuY3J5cHRpb24" not in markdown and "BEGIN AGE" not in markdown


IDP_OTHER = "registry/production/identity-providers/fi-autre.yaml"
OTHER_IDP = [
    ("uid: 5f0c3b9e", "uid: 6f0c3b9e"),
    ("name: fi-demo", "name: fi-autre"),
    ("  - demo.gouv.fr\n", "  - autre.gouv.fr\n"),
]


def test_attaching_a_domain_another_fi_routes_needs_review(repo, cli, base) -> None:
    repo.write(IDP_OTHER, edited(BASE_IDENTITY_PROVIDER, OTHER_IDP))
    with_other = repo.commit("another FI")
    # Only fi-autre changes: that fi-demo routes demo.gouv.fr is read from the base revision.
    repo.write(
        IDP_OTHER,
        edited(BASE_IDENTITY_PROVIDER, OTHER_IDP).replace(
            "  - autre.gouv.fr\n", "  - autre.gouv.fr\n  - demo.gouv.fr\n  - neuf.gouv.fr\n"
        ),
    )
    change = _only_change(cli, with_other)
    assert change["path"] == IDP_OTHER
    assert (
        "domaine déjà rattaché à un autre FI : demo.gouv.fr "
        "(registry/production/identity-providers/fi-demo.yaml) ; ses agents devront choisir "
        "leur FI, revue de la fédération requise"
    ) in _reasons(change, "high")


def test_attaching_a_domain_no_other_fi_routes_is_no_shared_domain(repo, cli, base) -> None:
    # demo.gouv.fr is routed by an FI of another deployment only (the RIE).
    repo.write(
        IDP_OTHER,
        edited(
            BASE_IDENTITY_PROVIDER,
            [*OTHER_IDP, ("network: internet", "network: rie")],
        ),
    )
    with_other = repo.commit("an FI on the RIE")
    repo.write(
        IDP,
        BASE_IDENTITY_PROVIDER.replace(
            "  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - autre.gouv.fr\n"
        ),
    )
    change = _only_change(cli, with_other)
    assert change["path"] == IDP
    assert not [r for r in _reasons(change, "high") if "déjà rattaché" in r]
    assert "domaine e-mail routé" in _reasons(change, "high")[0]


def test_encryption_and_support_changes_are_in_the_plan(repo, cli, base) -> None:
    repo.write(
        IDP,
        BASE_IDENTITY_PROVIDER.replace(
            "support_email: support@demo.gouv.fr\n",
            "userinfo_encrypted_response_alg: RSA-OAEP\nuserinfo_encrypted_response_enc: A256GCM\n",
        ),
    )
    code, plan = _plan(cli, base)
    assert code == 0
    [change] = plan["changes"]
    assert change["fields"] == [
        {"field": "support_email", "before": "support@demo.gouv.fr", "after": None},
        {"field": "userinfo_encrypted_response_alg", "before": None, "after": "RSA-OAEP"},
        {"field": "userinfo_encrypted_response_enc", "before": None, "after": "A256GCM"},
    ]
    assert [d["code"] for d in plan["diagnostics"]] == ["S008"]
