"""The conformance gate: the core's DTO constraints, applied to rendered documents."""

from __future__ import annotations

from fedreg.coreconformance import document_violations, manifest_violations

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
