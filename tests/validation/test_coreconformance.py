"""The conformance gate: the core's DTO constraints, applied to rendered documents."""

from __future__ import annotations

import pytest

from fedreg.validation.coreconformance import document_violations, manifest_violations

CLIENT = {
    "key": "k" * 64,
    "name": "Démo",
    "active": True,
    "redirect_uris": ["https://demo.gouv.fr/callback"],
    "post_logout_redirect_uris": [],
    "scopes": ["openid"],
    "id_token_signed_response_alg": "ES256",
    "type": "public",
}


def test_a_valid_client_has_no_violation() -> None:
    assert document_violations("client", CLIENT) == []


def test_the_url_regex_is_case_sensitive_as_in_the_core() -> None:
    found = document_violations("client", {**CLIENT, "redirect_uris": ["HTTPS://demo.gouv.fr/cb"]})
    assert [(v.field, v.identifier) for v in found] == [("redirect_uris", "k" * 64)]


def test_a_manifest_reports_every_broken_document() -> None:
    manifest = {
        "client": [CLIENT, {**CLIENT, "key": "b", "type": "interne", "client_secret": "x" * 40}],
        "provider": [],
    }
    assert sorted((v.identifier, v.field) for v in manifest_violations(manifest)) == [
        ("b", "client_secret"),
        ("b", "type"),
    ]


ABSENT = object()
PROVIDER = {
    "uid": "9c716f61-b8a1-435c-a407-ef4d677ec270",
    "name": "fi-demo",
    "title": "FI de démonstration",
    "active": True,
    "discovery": True,
    "discoveryUrl": "https://auth.demo.gouv.fr/.well-known/openid-configuration",
    "endSessionURL": "https://auth.demo.gouv.fr/logout",
    "clientID": "proconnect",
    "token_endpoint_auth_method": "client_secret_post",
    "id_token_signed_response_alg": "ES256",
    "userinfo_signed_response_alg": "",
    "id_token_encrypted_response_alg": "RSA-OAEP",
    "id_token_encrypted_response_enc": "A256GCM",
    "userinfo_encrypted_response_alg": "",
    "userinfo_encrypted_response_enc": "",
    "siret": "",
    "attachedEmailDomains": ["demo.gouv.fr"],
    "extraAcceptedEmailDomains": [],
    "isRoutingEnabled": True,
    "isBlockingForUnlistedEmailDomainsEnabled": False,
    "isEntraID": False,
    "useTheHyyyperbridge": False,
    "isMfaCompliant": True,
}
NO_DISCOVERY = {
    **{k: v for k, v in PROVIDER.items() if k != "discoveryUrl"},
    "discovery": False,
    "url": "https://auth.demo.gouv.fr",
    "authzURL": "https://auth.demo.gouv.fr/authorize",
    "tokenURL": "https://auth.demo.gouv.fr/token",
    "userInfoURL": "https://auth.demo.gouv.fr/userinfo",
    "jwksURL": "https://auth.demo.gouv.fr/jwks",
}
BASES = {"client": CLIENT, "provider": PROVIDER, "no-discovery": NO_DISCOVERY}

# (base, field, value the core refuses; ABSENT: the field is missing)
BROKEN = [
    ("client", "key", ABSENT),
    ("client", "key", 42),
    ("client", "name", None),
    ("client", "active", "true"),  # plainToInstance converts nothing
    ("client", "active", ABSENT),
    ("client", "redirect_uris", ABSENT),
    ("client", "redirect_uris", "https://demo.gouv.fr/callback"),
    ("client", "redirect_uris", ["HTTPS://demo.gouv.fr/callback"]),
    ("client", "redirect_uris", ["Https://demo.gouv.fr/callback"]),
    ("client", "redirect_uris", ["https://a"]),
    ("client", "redirect_uris", ["https:///callback"]),
    ("client", "redirect_uris", ["ftp://demo.gouv.fr/callback"]),
    # JavaScript's `$` is the very end and its `.` matches no line terminator.
    ("client", "redirect_uris", ["https://demo.gouv.fr/callback\n"]),
    ("client", "redirect_uris", ["https://demo.gouv.fr/\u2028callback"]),
    ("client", "redirect_uris", [None]),
    ("client", "post_logout_redirect_uris", ABSENT),
    ("client", "post_logout_redirect_uris", ["HTTP://demo.gouv.fr/"]),
    ("client", "scopes", ABSENT),
    ("client", "scopes", ["openid", 3]),
    ("client", "id_token_signed_response_alg", ABSENT),
    ("client", "id_token_signed_response_alg", "none"),
    ("client", "id_token_signed_response_alg", "es256"),
    ("client", "userinfo_signed_response_alg", 7),
    ("client", "introspection_signed_response_alg", True),
    ("client", "type", ABSENT),
    ("client", "type", "interne"),
    ("client", "response_types", "code"),
    ("client", "grant_types", [1]),
    ("client", "collaborators", "equipe@demo.gouv.fr"),
    ("client", "client_secret", "x" * 40),
    ("client", "jwks_uri", "https://demo.gouv.fr/jwks"),
    ("provider", "uid", ABSENT),
    ("provider", "name", 1),
    ("provider", "title", ABSENT),
    ("provider", "active", ABSENT),
    ("provider", "discovery", "true"),
    ("provider", "discoveryUrl", ABSENT),
    ("provider", "discoveryUrl", "HTTPS://auth.demo.gouv.fr/.well-known/openid-configuration"),
    ("provider", "url", "https://a"),
    ("provider", "endSessionURL", "auth.demo.gouv.fr/logout"),
    ("provider", "clientID", ABSENT),
    ("provider", "token_endpoint_auth_method", ABSENT),
    ("provider", "token_endpoint_auth_method", "private_key_jwt"),
    ("provider", "id_token_signed_response_alg", "none"),
    ("provider", "userinfo_signed_response_alg", "PS256"),
    ("provider", "id_token_encrypted_response_alg", 5),
    ("provider", "id_token_encrypted_response_enc", ["A256GCM"]),
    ("provider", "userinfo_encrypted_response_alg", False),
    ("provider", "userinfo_encrypted_response_enc", 0),
    ("provider", "siret", ABSENT),
    ("provider", "siret", "1234"),
    ("provider", "supportEmail", 5),
    ("provider", "attachedEmailDomains", ["Demo.gouv.fr"]),
    ("provider", "attachedEmailDomains", ["mairie.construction"]),
    ("provider", "extraAcceptedEmailDomains", "demo.gouv.fr"),
    ("provider", "isRoutingEnabled", ABSENT),
    ("provider", "isBlockingForUnlistedEmailDomainsEnabled", None),
    ("provider", "isEntraID", "false"),
    ("provider", "useTheHyyyperbridge", ABSENT),
    ("provider", "isMfaCompliant", 1),
    ("provider", "mfaComplianceNote", 3),
    ("provider", "fqdns", ["demo.gouv.fr"]),
    ("no-discovery", "authzURL", ABSENT),
    ("no-discovery", "tokenURL", "http:/auth.demo.gouv.fr/token"),
    ("no-discovery", "userInfoURL", ABSENT),
    ("no-discovery", "jwksURL", "https://a"),
    ("no-discovery", "url", "Https://auth.demo.gouv.fr"),
]


def _with(base: str, field: str, value: object) -> dict[str, object]:
    document = dict(BASES[base])
    if value is ABSENT:
        document.pop(field, None)
    else:
        document[field] = value
    return document


@pytest.mark.parametrize("base", BASES)
def test_the_hand_made_records_are_accepted(base: str) -> None:
    collection = "client" if base == "client" else "provider"
    assert document_violations(collection, BASES[base]) == []


@pytest.mark.parametrize(
    ("base", "field", "value"), BROKEN, ids=[f"{b}-{f}-{v!r}" for b, f, v in BROKEN]
)
def test_the_gate_refuses_each_broken_constraint(base: str, field: str, value: object) -> None:
    collection = "client" if base == "client" else "provider"
    found = document_violations(collection, _with(base, field, value))
    assert [(v.collection, v.field) for v in found] == [(collection, field)]
    assert found[0].message


# The core's transforms before validating: a falsy optional SP value is undefined, and null
# skips an optional field; the other DTO's endpoints are stripped by the whitelist.
ACCEPTED = [
    ("client", "userinfo_signed_response_alg", None),
    ("client", "userinfo_signed_response_alg", ""),
    ("client", "userinfo_signed_response_alg", False),
    ("client", "introspection_signed_response_alg", ""),
    ("client", "introspection_signed_response_alg", "ES256"),
    ("client", "redirect_uris", []),
    ("client", "redirect_uris", ["http://localhost:3000/callback", "https://10.0.0.1/cb"]),
    ("client", "redirect_uris", ["https://Demo.gouv.fr/callback"]),
    ("client", "redirect_uris", ["https://ab"]),
    ("provider", "supportEmail", ABSENT),
    ("provider", "supportEmail", ""),
    ("provider", "url", ABSENT),
    ("provider", "userinfo_encrypted_response_enc", "RS256"),  # the core reads any text
    ("provider", "siret", "81801912700021"),
    ("provider", "authzURL", "https://auth.demo.gouv.fr/authorize"),
    ("no-discovery", "jwksURL", ABSENT),
]


@pytest.mark.parametrize(
    ("base", "field", "value"), ACCEPTED, ids=[f"{b}-{f}-{v!r}" for b, f, v in ACCEPTED]
)
def test_the_gate_accepts_what_the_core_accepts(base: str, field: str, value: object) -> None:
    collection = "client" if base == "client" else "provider"
    assert document_violations(collection, _with(base, field, value)) == []
