"""Rules across files (uniqueness per deployment) and rules on where a file lives."""

from __future__ import annotations

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, edited

OTHER_CLIENT = [
    (
        'client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
        'client_id: "0b9c7f2e-5a1d-4c3b-9e8f-7a6b5c4d3e2f"',
    )
]
OTHER_NAME = [("name: Service de démonstration", "name: Autre service")]
OTHER_UID = [
    ("uid: 5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11", "uid: 0b9c7f2e-5a1d-4c3b-9e8f-7a6b5c4d3e2f")
]
OTHER_IDP_NAME = [("name: fi-demo", "name: fi-autre")]
RIE = [("network: internet", "network: rie"), ("145.242.17.0/28", "100.67.22.0/28")]


def _diagnostics(cli) -> list[tuple[str, str, int, int]]:
    result = cli("validate", "--format", "json")
    return [
        (d["path"].rsplit("/", 1)[-1], d["code"], d["line"], d["column"])
        for d in result.json()["diagnostics"]
    ]


def test_client_id_clash_names_both_files(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="alpha")
    workspace.provider("sp", edited(BASE_SERVICE_PROVIDER, OTHER_NAME), slug="beta")
    assert _diagnostics(cli) == [("alpha.yaml", "X001", 4, 12), ("beta.yaml", "X001", 4, 12)]
    report = cli("validate", "--format", "json").json()
    assert "registry/production/service-providers/beta.yaml" in report["diagnostics"][0]["message"]


def test_same_client_id_on_another_network_or_environment(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="alpha")
    workspace.provider("sp", edited(BASE_SERVICE_PROVIDER, RIE), slug="beta")
    workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="alpha", env="integration")
    assert _diagnostics(cli) == []


def test_uid_clash(workspace, cli) -> None:
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="alpha")
    workspace.provider(
        "idp",
        edited(
            BASE_IDENTITY_PROVIDER, [*OTHER_IDP_NAME, ("  - demo.gouv.fr\n", "  - autre.gouv.fr\n")]
        ),
        slug="beta",
    )
    assert _diagnostics(cli) == [("alpha.yaml", "X002", 2, 6), ("beta.yaml", "X002", 2, 6)]


def test_uid_unique_apart(workspace, cli) -> None:
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="alpha")
    workspace.provider(
        "idp",
        edited(
            BASE_IDENTITY_PROVIDER,
            [*OTHER_UID, *OTHER_IDP_NAME, ("  - demo.gouv.fr\n", "  - autre.gouv.fr\n")],
        ),
        slug="beta",
    )
    assert _diagnostics(cli) == []


def test_name_clash_is_case_insensitive(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER, slug="alpha")
    workspace.provider(
        "sp",
        edited(
            BASE_SERVICE_PROVIDER,
            [*OTHER_CLIENT, ("name: Service de démonstration", "name: SERVICE DE DÉMONSTRATION")],
        ),
        slug="beta",
    )
    assert _diagnostics(cli) == [("alpha.yaml", "X003", 2, 7), ("beta.yaml", "X003", 2, 7)]


def test_same_name_for_a_service_and_an_identity_provider(workspace, cli) -> None:
    workspace.provider(
        "sp",
        edited(BASE_SERVICE_PROVIDER, [("name: Service de démonstration", "name: fi-demo")]),
        slug="alpha",
    )
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="beta")
    assert _diagnostics(cli) == []


def test_domain_routed_to_several_identity_providers_is_a_warning(workspace, cli) -> None:
    # The core supports it (the agent chooses among the FIs): D004 is retired, D006 warns.
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="alpha")
    workspace.provider(
        "idp", edited(BASE_IDENTITY_PROVIDER, [*OTHER_UID, *OTHER_IDP_NAME]), slug="beta"
    )
    workspace.provider(
        "idp",
        edited(
            BASE_IDENTITY_PROVIDER,
            [("5f0c3b9e", "7f0c3b9e"), ("name: fi-demo", "name: fi-troisieme")],
        ),
        slug="gamma",
    )
    assert _diagnostics(cli) == [
        ("alpha.yaml", "D006", 18, 5),
        ("beta.yaml", "D006", 18, 5),
        ("gamma.yaml", "D006", 18, 5),
    ]
    result = cli("validate", "--format", "json")
    assert result.exit_code == 0
    first = result.json()["diagnostics"][0]
    assert first["severity"] == "warning"
    assert first["message"] == (
        "Le domaine « demo.gouv.fr » est aussi rattaché à "
        "registry/production/identity-providers/beta.yaml, "
        "registry/production/identity-providers/gamma.yaml dans ce déploiement : les agents "
        "de ce domaine devront choisir leur fournisseur d'identité."
    )
    assert "D004" not in result.stdout


def test_same_domain_on_another_network_is_no_warning(workspace, cli) -> None:
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="alpha")
    workspace.provider(
        "idp",
        edited(BASE_IDENTITY_PROVIDER, [*OTHER_UID, *OTHER_IDP_NAME]),
        slug="beta",
        env="integration",
    )
    assert _diagnostics(cli) == []


def test_domain_accepted_by_one_and_routed_to_another(workspace, cli) -> None:
    workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="alpha")
    workspace.provider(
        "idp",
        edited(
            BASE_IDENTITY_PROVIDER,
            [
                *OTHER_UID,
                *OTHER_IDP_NAME,
                ("attached_email_domains:\n  - demo.gouv.fr\n", "attached_email_domains: []\n"),
                ("  - partenaire-demo.fr\n", "  - demo.gouv.fr\n"),
            ],
        ),
        slug="beta",
    )
    assert _diagnostics(cli) == []


def test_misplaced_and_misnamed_files(workspace, cli) -> None:
    workspace.write("registry/prod/service-providers/alpha.yaml", BASE_SERVICE_PROVIDER)
    workspace.write(
        "registry/production/service-providers/beta.yml",
        edited(BASE_SERVICE_PROVIDER, [*OTHER_CLIENT, *OTHER_NAME]),
    )
    workspace.write(
        "registry/production/service-providers/Mon_Service.yaml",
        edited(
            BASE_SERVICE_PROVIDER, [("9f86", "1f86"), ("name: Service de", "name: Mon service de")]
        ),
    )
    workspace.write("registry/README.md", "# notes\n")
    workspace.write("registry/production/service-providers/.gitkeep", "")
    assert _diagnostics(cli) == [
        ("alpha.yaml", "L001", 1, 1),
        ("Mon_Service.yaml", "L002", 1, 1),
        ("beta.yml", "L001", 1, 1),
    ]


def test_kind_in_the_wrong_folder(workspace, cli) -> None:
    workspace.provider("idp", BASE_SERVICE_PROVIDER)
    assert _diagnostics(cli) == [("demo.yaml", "L003", 1, 7)]


def test_kind_in_the_right_folder(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.provider("idp", BASE_IDENTITY_PROVIDER)
    assert _diagnostics(cli) == []


def test_missing_kind_is_checked_as_the_folder_says(workspace, cli) -> None:
    workspace.provider(
        "sp",
        BASE_SERVICE_PROVIDER.replace("kind: ServiceProvider\n", "").replace(
            "  - email\n", "  - mail\n"
        ),
    )
    assert [c for _, c, _, _ in _diagnostics(cli)] == ["S002", "O002"]


def test_a_misplaced_file_names_the_registry_folder_and_keeps_its_other_errors(
    workspace, cli
) -> None:
    """L001 names the folder inside registry/ (never the clone's own folders), and a file
    whose path still names its environment is checked for it (http refused in production)."""
    workspace.write(
        "registry/production/demo.yaml",
        BASE_SERVICE_PROVIDER.replace("https://demo.gouv.fr/callback", "http://demo.gouv.fr/cb"),
    )
    workspace.write("registry/autre.yaml", edited(BASE_SERVICE_PROVIDER, OTHER_CLIENT))
    report = cli("validate", "--format", "json").json()
    found = {(d["path"].removeprefix("registry/"), d["code"]) for d in report["diagnostics"]}
    assert found == {
        ("production/demo.yaml", "L001"),
        ("production/demo.yaml", "U011"),
        ("autre.yaml", "L001"),
    }
    messages = [d["message"] for d in report["diagnostics"] if d["code"] == "L001"]
    assert any("« registry/production »" in m for m in messages)
    assert any("« registry »" in m for m in messages)
    assert not any(workspace.root.name in m for m in messages)
