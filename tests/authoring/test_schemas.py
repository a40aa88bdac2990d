"""The published schemas' words and patterns, checked against the models and fedreg's rules
without an editor (tests/authoring/test_editor.py drives the real one)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, REPO_ROOT
from fedreg.authoring.schemadocs import COMMON, FIELD_DOCS, SCOPE_DOCS, field_doc
from fedreg.authoring.schemas import _INVISIBLE, build_schema, render_schemas, schema_file
from fedreg.registry.models import ENVIRONMENTS, MODEL_BY_KIND
from fedreg.registry.yamlload import load_located
from fedreg.validation.checks.ipranges import inspect_ip_range
from fedreg.validation.checks.oidc import KNOWN_SCOPES
from fedreg.validation.checks.uris import LOOPBACK_HOSTS, has_invisible, inspect_uri


@pytest.mark.parametrize("kind", list(MODEL_BY_KIND))
def test_every_model_field_has_french_words(kind: str) -> None:
    """Fails when a field is added to the models without its title and help in schemadocs.py."""
    for field, info in MODEL_BY_KIND[kind].model_fields.items():
        doc = field_doc(kind, field)
        assert doc is not None, f"{kind}.{field}: add its French title to schemadocs.FIELD_DOCS"
        assert doc.title and doc.markdown, f"{kind}.{field}"
        assert info.description, f"{kind}.{field}: the model's own description is missing"


def test_schemadocs_names_only_real_fields() -> None:
    for model, docs in FIELD_DOCS.items():
        kinds = list(MODEL_BY_KIND) if model == COMMON else [model]
        for field in docs:
            assert all(field in MODEL_BY_KIND[k].model_fields for k in kinds), (model, field)


def test_every_scope_has_its_french_description() -> None:
    assert list(SCOPE_DOCS) == list(KNOWN_SCOPES)


def test_no_english_title_and_no_title_twice() -> None:
    for kind in MODEL_BY_KIND:
        schema = build_schema(kind, "production")
        titles = [p["title"] for p in schema["properties"].values()]
        assert len(titles) == len(set(titles))
        assert schema["title"] not in titles
        for field, prop in schema["properties"].items():
            doc = field_doc(kind, field)
            assert doc is not None and prop["title"] == doc.title  # not pydantic's English one
            assert "markdownDescription" in prop and "errorMessage" in prop, field


def test_every_schema_variant_is_written_and_valid() -> None:
    rendered = render_schemas()
    assert sorted(rendered) == sorted(
        [
            *(schema_file(kind, env) for kind in MODEL_BY_KIND for env in (None, *ENVIRONMENTS)),
            "waivers.schema.json",
        ]
    )
    for content in rendered.values():
        jsonschema.Draft202012Validator.check_schema(json.loads(content))


def test_the_invisible_characters_are_all_refused_by_fedreg() -> None:
    """The schema's class of invisible characters is a subset of U002's."""
    ranges = re.findall(r"\\u([0-9a-f]{4})(?:-\\u([0-9a-f]{4}))?", _INVISIBLE)
    characters = [
        chr(code)
        for first, last in ranges
        for code in range(int(first, 16), int(last or first, 16) + 1)
    ]
    assert len(characters) > 100
    assert [c for c in characters if not has_invisible(c)] == []


def test_the_loopback_hosts_are_fedreg_s() -> None:
    assert {"localhost", "127.0.0.1", "::1"} == LOOPBACK_HOSTS  # written out in the schemas


# URLs each environment's schema must accept because fedreg does, and ones it must reject.
ACCEPTED = {
    "integration": [
        "https://demo.gouv.fr/callback",
        "http://localhost:3000/cb",
        "http://LOCALHOST/cb",
        "http://127.0.0.1:8080/cb?x=1",
        "http://[::1]:3000/cb",
        "https://localhost/cb",
        "https://10.1.2.3/cb",
    ],
    "production": [
        "https://demo.gouv.fr/callback",
        "https://1password.com/cb",
        "https://123.fr/cb",
        "https://localhost.fr/cb",
        "https://app.localhost-demo.fr:8443/cb?next=/a",
    ],
}
REJECTED = {
    "integration": [
        "http://demo.gouv.fr/cb",
        "ftp://a.fr/cb",
        "/cb",
        "https://a.fr/cb#x",
        "HTTPS://demo.gouv.fr/cb",
        "Https://demo.gouv.fr/cb",
        "https://a",
    ],
    "production": [
        "http://localhost/cb",
        "https://localhost:3000/cb",
        "https://a.localhost/cb",
        "https://10.1.2.3/cb",
        "https://[2001:db8::1]/cb",
        "https://intranet/cb",
        "https://app.local/cb",
        "https://a.fr/c b",
        "https://a.fr/cb\u200b",
        "https://*.a.fr/cb",
        "https://u:p@a.fr/cb",
        "HTTPS://demo.gouv.fr/cb",
    ],
}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_url_patterns_agree_with_fedreg(environment: str) -> None:
    """With Python's regex engine; tests/authoring/test_editor.py checks the editor's."""
    base = load_located(BASE_SERVICE_PROVIDER).data
    assert base is not None
    validator = jsonschema.Draft202012Validator(build_schema("ServiceProvider", environment))
    for url in ACCEPTED[environment]:
        assert inspect_uri(url, environment, ())[1] == (), url
        assert validator.is_valid({**base, "redirect_uris": [url]}), url
    for url in REJECTED[environment]:
        assert inspect_uri(url, environment, ())[1] != (), url
        assert not validator.is_valid({**base, "redirect_uris": [url]}), url


def test_the_bases_pass_every_variant() -> None:
    for kind, text in (
        ("ServiceProvider", BASE_SERVICE_PROVIDER),
        ("IdentityProvider", BASE_IDENTITY_PROVIDER),
    ):
        data = load_located(text).data
        for environment in (None, *ENVIRONMENTS):
            jsonschema.Draft202012Validator(build_schema(kind, environment)).validate(data)


def test_new_skeletons_name_their_environment_schema(workspace, cli) -> None:
    for env in ENVIRONMENTS:
        result = cli(
            "new",
            "service-provider",
            f"demo-{env}",
            "--env",
            env,
            "--network",
            "internet",
            "--owner",
            "@demo-org/equipe",
            "--contact",
            "equipe@demo.gouv.fr",
        )
        assert result.exit_code == 0, result.stderr
        path = workspace.root / f"registry/{env}/service-providers/demo-{env}.yaml"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        name = schema_file("ServiceProvider", env)
        assert first == f"# yaml-language-server: $schema=../../../schemas/{name}"
        assert (REPO_ROOT / "schemas" / name).is_file()


PUBLIC_RANGES = [
    "145.242.17.0/28",
    "8.8.8.8",
    "11.0.0.1",
    "172.32.0.0/24",
    "100.128.0.0/24",
    "192.169.0.0/24",
    "2001:67c:2e8::/48",
    "10.0.0.0/0",
    "10.1.2.300",
    "010.1.2.3",
]
PRIVATE_RANGES = [
    "10.0.0.0/24",
    "10.1.2.3",
    "172.16.0.0/24",
    "172.31.255.0/28",
    "192.168.1.0/24",
    "127.0.0.1",
    "169.254.1.0/24",
    "100.64.0.0/24",
    "100.127.255.255",
    "10.1.2.3/28",
]


@pytest.mark.parametrize("network", ["internet", "rie"])
def test_private_addresses_are_flagged_on_internet_as_fedreg_does(network: str) -> None:
    base = load_located(BASE_SERVICE_PROVIDER).data
    assert base is not None
    validator = jsonschema.Draft202012Validator(build_schema("ServiceProvider", "production"))
    for text in PUBLIC_RANGES + PRIVATE_RANGES:
        codes = {code for code, _ in inspect_ip_range(text, network, 24, 48, ("100.64.0.0/10",))[0]}
        flagged = not validator.is_valid({**base, "network": network, "ip_ranges": [text]})
        assert flagged == (network == "internet" and text in PRIVATE_RANGES), text
        if flagged:
            assert "N005" in codes, text
