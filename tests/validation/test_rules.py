"""Every per-file rule: a case it rejects (code, line, column) and a neighbouring case it accepts.

Each case edits one of the two base files of conftest.py, writes it to a real registry folder
and runs `fedreg validate --format json` in-process. The accepted neighbour must produce no
diagnostic at all, so it also proves the rule did not fire for the wrong reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conftest import BASE_BY_KIND, edited
from fedreg.validation.rules import RULES_BY_CODE

CALLBACK = "  - https://demo.gouv.fr/callback\n"
LOGOUT = "  - https://demo.gouv.fr/\n"
RANGE = "  - 145.242.17.0/28\n"
DISCOVERY = "discovery_url: https://auth.demo.gouv.fr/.well-known/openid-configuration\n"
ENDPOINTS = (
    "issuer: https://auth.demo.gouv.fr\n"
    "authorization_url: https://auth.demo.gouv.fr/authorize\n"
    "token_url: https://auth.demo.gouv.fr/token\n"
    "userinfo_url: https://auth.demo.gouv.fr/userinfo\n"
)
RIE = [("network: internet", "network: rie"), (RANGE, "  - 100.67.22.0/28\n")]
SIGNED = "userinfo_signed_response_alg: ES256\n"


def _encryption(**values: str) -> list[tuple[str, str]]:
    """The identity provider with the given encryption settings, written after its algs."""
    return [(SIGNED, SIGNED + "".join(f"{key}: {value}\n" for key, value in values.items()))]


def _redirect(uri: str, logout: str | None = None) -> list[tuple[str, str]]:
    edits = [(CALLBACK, f"  - {uri}\n")]
    if logout is not None:
        edits.append((LOGOUT, f"  - {logout}\n"))
    return edits


@dataclass
class Case:
    id: str
    code: str
    reject: list[tuple[str, str]]
    at: tuple[int, int] | list[tuple[int, int]]
    accept: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "sp"
    env: str = "production"
    accept_env: str | None = None  # when the neighbour is the same value in another environment


CASES = [
    # Reading
    Case(
        "colon-in-plain-value",
        "P001",
        [("name: Service de démonstration", "name: Service: démonstration")],
        (2, 14),
        [("name: Service de démonstration", 'name: "Service: démonstration"')],
    ),
    Case(
        "duplicate-key",
        "P002",
        [("network: internet\n", "network: internet\nnetwork: rie\n")],
        (4, 1),
    ),
    Case(
        "tag",
        "P003",
        [("name: Service de démonstration", "name: !!str Service de démonstration")],
        (2, 7),
        [("name: Service de démonstration", 'name: "Service de démonstration !"')],
    ),
    Case(
        "anchor",
        "P004",
        [("name: Service de démonstration", "name: &nom Service de démonstration")],
        (2, 7),
        [("name: Service de démonstration", "name: Service & démonstration")],
    ),
    Case(
        "alias",
        "P004",
        [
            ("post_logout_redirect_uris:\n" + LOGOUT, "post_logout_redirect_uris: *uris\n"),
            ("redirect_uris:\n", "redirect_uris: &uris\n"),
        ],
        [(11, 16), (13, 28)],
    ),
    Case(
        "top-level-list",
        "P005",
        [(BASE_BY_KIND["sp"], "- https://demo.gouv.fr/callback\n")],
        (1, 1),
    ),
    Case(
        "two-documents",
        "P008",
        [
            (
                "accepts_private_sector: false\n",
                "accepts_private_sector: false\n---\nkind: ServiceProvider\n",
            )
        ],
        (23, 1),
        [("kind: ServiceProvider\n", "---\nkind: ServiceProvider\n")],
    ),
    Case("complex-key", "P009", [("active: true\n", "active: true\n? [a, b]\n: c\n")], (6, 3)),
    # Shape
    Case("misspelt-key", "S001", [("redirect_uris:\n", "redirect_uri:\n")], (11, 1)),
    Case(
        "environment-key",
        "S001",
        [("active: true\n", "active: true\nenvironment: production\n")],
        (6, 1),
    ),
    Case("missing-scopes", "S002", [("scopes:\n  - openid\n  - email\n", "")], (1, 1)),
    Case(
        "yes-for-boolean",
        "S003",
        [("active: true", "active: oui")],
        (5, 9),
        [("active: true", "active: false")],
    ),
    Case("list-for-text", "S003", [("name: Service de démonstration", "name: [a, b]")], (2, 7)),
    Case("unknown-network", "S004", [("network: internet", "network: intranet")], (3, 10), RIE),
    Case(
        "unknown-algorithm",
        "S004",
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: none")],
        (20, 31),
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: RS256")],
    ),
    Case(
        "client-secret",
        "S005",
        [("active: true\n", "active: true\nclient_secret: 0123456789abcdef0123456789abcdef\n")],
        (6, 1),
    ),
    Case(
        "empty-redirect-uris",
        "S006",
        [("redirect_uris:\n" + CALLBACK, "redirect_uris: []\n")],
        (11, 16),
        [("post_logout_redirect_uris:\n" + LOGOUT, "post_logout_redirect_uris: []\n")],
    ),
    Case(
        "empty-name",
        "S007",
        [("name: Service de démonstration", 'name: ""')],
        (2, 7),
        [("name: Service de démonstration", "name: S")],
    ),
    Case(
        "name-too-long",
        "S007",
        [("name: Service de démonstration", "name: " + "n" * 201)],
        (2, 7),
        [("name: Service de démonstration", "name: " + "n" * 200)],
    ),
    # Identifiers and contacts
    Case(
        "client-id-uppercase",
        "I001",
        [('client_id: "9f86', 'client_id: "9F86')],
        (4, 12),
        [
            (
                'client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
                'client_id: "0b9c7f2e-5a1d-4c3b-9e8f-7a6b5c4d3e2f"',
            )
        ],
    ),
    Case(
        "idp-client-id-space",
        "I001",
        [("client_id: proconnect", "client_id: pro connect")],
        (12, 12),
        [("client_id: proconnect", "client_id: proconnect-2024")],
        kind="idp",
    ),
    Case(
        "uid-not-uuid",
        "I002",
        [("uid: 5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11", "uid: fi-demo")],
        (2, 6),
        [
            (
                "uid: 5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11",
                "uid: 0b9c7f2e-5a1d-4c3b-9e8f-7a6b5c4d3e2f",
            )
        ],
        kind="idp",
    ),
    Case(
        "siret-checksum",
        "I003",
        [('siret: "13002526500013"', 'siret: "13002526500012"')],
        (10, 8),
        [('siret: "13002526500013"', 'siret: "35600000000048"')],
    ),
    # La Poste's establishments: digit sum divisible by 5 instead of Luhn.
    Case(
        "siret-la-poste",
        "I003",
        [('siret: "13002526500013"', 'siret: "35600000012340"')],
        (10, 8),
        [('siret: "13002526500013"', 'siret: "35600000012341"')],
    ),
    Case(
        "siret-spaces",
        "I003",
        [('siret: "13002526500013"', 'siret: "130 025 265 00013"')],
        (10, 8),
        [('siret: "13002526500013"', "siret: 13002526500013")],
    ),
    Case(
        "name-charset",
        "I004",
        [("name: Service de démonstration", "name: Ministère de l’Intérieur ★")],
        (2, 7),
        # ordinary French typography is accepted (the core reads any string)
        [("name: Service de démonstration", "name: Ministère de l’Intérieur « Démarches »")],
    ),
    Case(
        "title-charset",
        "I004",
        [("title: FI de démonstration", "title: FI <démo>")],
        (4, 8),
        [("title: FI de démonstration", "title: FI (démo)")],
        kind="idp",
    ),
    Case(
        "owner-email",
        "I005",
        [('  - "@demo-org/equipe"', "  - jean@demo.gouv.fr")],
        (7, 5),
        [('  - "@demo-org/equipe"', '  - "@jean-dupont"')],
    ),
    Case(
        "contact-without-at",
        "I006",
        [("  - equipe@demo.gouv.fr", "  - equipe.demo.gouv.fr")],
        (9, 5),
        [("  - equipe@demo.gouv.fr", "  - equipe+proconnect@demo.gouv.fr")],
    ),
    Case(
        "contact-double-dot",
        "I006",
        [("  - equipe@demo.gouv.fr", "  - jean..dupont@demo.gouv.fr")],
        (9, 5),
        [("  - equipe@demo.gouv.fr", "  - jean.dupont@demo.gouv.fr")],
    ),
    Case(
        "contact-bad-domain",
        "I006",
        [("  - equipe@demo.gouv.fr", "  - equipe@demo_gouv.fr")],
        (9, 5),
        [("  - equipe@demo.gouv.fr", "  - equipe@demo-gouv.fr")],
    ),
    Case(
        "support-email",
        "I006",
        [("support_email: support@demo.gouv.fr", "support_email: support@")],
        (16, 16),
        kind="idp",
    ),
    Case(
        "duplicate-scope",
        "I007",
        [("  - email\n", "  - email\n  - email\n")],
        (20, 5),
        [("  - email\n", "  - email\n  - given_name\n")],
    ),
    Case(
        "ssh-key-as-recipient",
        "I008",
        [
            (
                "accepts_private_sector: false\n",
                "accepts_private_sector: false\nsecret_recipients:\n  - ssh-ed25519 AAAAC3Nz\n",
            )
        ],
        (24, 5),
        [
            (
                "accepts_private_sector: false\n",
                "accepts_private_sector: false\nsecret_recipients:\n"
                "  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
            )
        ],
    ),
    Case(
        "fi-secret-in-clear",
        "I009",
        [("mfa_compliant: true\n", "mfa_compliant: true\nclient_secret_age: mon-secret\n")],
        (26, 20),
        [
            (
                "mfa_compliant: true\n",
                "mfa_compliant: true\nclient_secret_age: |\n"
                "  -----BEGIN AGE ENCRYPTED FILE-----\n  YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n"
                "  -----END AGE ENCRYPTED FILE-----\n",
            )
        ],
        kind="idp",
    ),
    # URLs
    Case("relative-uri", "U001", _redirect("/callback"), (12, 5)),
    Case(
        "trailing-space",
        "U002",
        _redirect('"https://demo.gouv.fr/callback "'),
        (12, 35),  # on the space itself, after the quote and the 29 characters before it
        _redirect("https://demo.gouv.fr/callback%20"),
    ),
    Case(
        "userinfo",
        "U003",
        _redirect("https://user:pw@demo.gouv.fr/callback"),
        (12, 5),
        _redirect("https://demo.gouv.fr/callback?user=a@demo.gouv.fr"),
    ),
    Case(
        "fragment",
        "U004",
        _redirect("https://demo.gouv.fr/callback#login"),
        (12, 5),
        _redirect("https://demo.gouv.fr/callback?login=1"),
    ),
    Case(
        "wildcard",
        "U005",
        _redirect("https://demo.gouv.fr/*"),
        (12, 5),
        _redirect("https://demo.gouv.fr/callback2"),
    ),
    Case(
        "too-long",
        "U006",
        _redirect("https://demo.gouv.fr/callback?" + "a" * 2019),
        (12, 5),
        _redirect("https://demo.gouv.fr/callback?" + "a" * 2018),
    ),
    Case(
        "duplicate-uri",
        "U007",
        [(CALLBACK, CALLBACK + CALLBACK)],
        (13, 5),
        [(CALLBACK, CALLBACK + "  - https://demo.gouv.fr/callback2\n")],
    ),
    Case(
        "trailing-slash-twin",
        "U008",
        [(CALLBACK, CALLBACK + "  - https://demo.gouv.fr/callback/\n")],
        (13, 5),
        [(CALLBACK, CALLBACK + "  - https://demo.gouv.fr/callback/2\n")],
    ),
    Case(
        "federation-host",
        "U009",
        _redirect("https://auth.agentconnect.gouv.fr/callback"),
        (12, 5),
        _redirect("https://demo.gouv.fr/callback?from=auth.agentconnect.gouv.fr"),
    ),
    Case(
        "logout-elsewhere",
        "U010",
        [(LOGOUT, "  - https://autre.gouv.fr/\n")],
        (14, 5),
        [(LOGOUT, "  - https://demo.gouv.fr/au-revoir\n")],
    ),
    Case("http-in-production", "U011", _redirect("http://demo.gouv.fr/callback"), (12, 5)),
    Case(
        "http-non-loopback-in-integration",
        "U011",
        _redirect("http://demo.gouv.fr/callback"),
        (12, 5),
        _redirect("http://localhost:3000/callback", "http://localhost:3000/"),
        env="integration",
    ),
    Case(
        "custom-scheme",
        "U011",
        _redirect("monappli://callback"),
        (12, 5),
        _redirect("http://[::1]:8080/callback", "http://[::1]:8080/"),
        env="integration",
    ),
    Case(
        "localhost-in-production",
        "U012",
        _redirect("https://localhost:3000/callback"),
        (12, 5),
        _redirect("https://localhost:3000/callback", "https://localhost:3000/"),
        accept_env="integration",
    ),
    Case(
        "internal-tld",
        "U012",
        _redirect("https://demo.intranet/callback"),
        (12, 5),
        _redirect("https://demo.interieur.gouv.fr/callback", "https://demo.interieur.gouv.fr/"),
    ),
    Case(
        "ip-literal-in-production",
        "U012",
        _redirect("https://145.242.17.3/callback"),
        (12, 5),
        _redirect("https://145.242.17.3/callback", "https://145.242.17.3/"),
        accept_env="integration",
    ),
    Case(
        "bad-hostname",
        "U013",
        _redirect("https://demo..gouv.fr/callback"),
        (12, 5),
        _redirect("https://demo-2.gouv.fr/callback", "https://demo-2.gouv.fr/"),
    ),
    Case(
        "discovery-suffix",
        "U014",
        [(DISCOVERY, "discovery_url: https://auth.demo.gouv.fr/\n")],
        (11, 16),
        kind="idp",
    ),
    Case(
        "discovery-and-endpoints",
        "U015",
        [(DISCOVERY, DISCOVERY + "issuer: https://auth.demo.gouv.fr\n")],
        (12, 9),
        [(DISCOVERY, ENDPOINTS)],
        kind="idp",
    ),
    Case(
        "endpoints-incomplete",
        "U015",
        [(DISCOVERY, "issuer: https://auth.demo.gouv.fr\n")],
        (11, 9),
        [(DISCOVERY, ENDPOINTS + "jwks_url: https://auth.demo.gouv.fr/jwks\n")],
        kind="idp",
    ),
    Case("no-endpoint", "U015", [(DISCOVERY, "")], (1, 1), kind="idp"),
    Case(
        "idp-url-http",
        "U011",
        [(DISCOVERY, DISCOVERY.replace("https", "http"))],
        (11, 16),
        kind="idp",
    ),
    Case(
        "capitalised-scheme",
        "U016",
        _redirect("HTTPS://demo.gouv.fr/callback"),
        (12, 5),
        # Only the scheme is case-sensitive for the core: a capitalised host is fine.
        _redirect("https://Demo.gouv.fr/callback"),
    ),
    Case(
        "mixed-case-scheme-idp",
        "U016",
        [(DISCOVERY, DISCOVERY.replace("https://", "Https://"))],
        (11, 16),
        kind="idp",
    ),
    Case(
        "host-too-short-for-the-core",
        "U017",
        _redirect("https://a", "https://a"),
        [(12, 5), (14, 5)],
        _redirect("https://ab", "https://ab"),
        env="integration",
    ),
    # IP ranges
    Case(
        "truncated-address",
        "N001",
        [(RANGE, "  - 145.242.17\n")],
        (16, 5),
        [(RANGE, "  - 145.242.17.1\n")],
    ),
    Case(
        "host-bits",
        "N002",
        [(RANGE, "  - 145.242.17.5/28\n")],
        (16, 5),
        [(RANGE, "  - 145.242.17.5/32\n")],
    ),
    Case("any-v4", "N003", [(RANGE, "  - 0.0.0.0/0\n")], (16, 5)),
    Case("any-v6", "N003", [(RANGE, '  - "::/0"\n')], (16, 5), [(RANGE, '  - "2a01:e0a::/48"\n')]),
    Case(
        "too-wide-v4",
        "N004",
        [(RANGE, "  - 145.242.16.0/23\n")],
        (16, 5),
        [(RANGE, "  - 145.242.16.0/24\n")],
    ),
    Case(
        "too-wide-v6",
        "N004",
        [(RANGE, "  - 2a01:e0a::/47\n")],
        (16, 5),
        [(RANGE, "  - 2a01:e0a::/48\n")],
    ),
    Case("private-on-internet", "N005", [(RANGE, "  - 192.168.1.0/28\n")], (16, 5)),
    Case("cgnat-on-internet", "N005", [(RANGE, "  - 100.67.22.0/28\n")], (16, 5), RIE),
    Case("documentation-v6", "N005", [(RANGE, "  - 2001:db8::/48\n")], (16, 5)),
    Case("public-on-rie", "N006", [("network: internet", "network: rie")], (16, 5), RIE),
    Case(
        "overlap",
        "N007",
        [(RANGE, RANGE + "  - 145.242.17.8/29\n")],
        (17, 5),
        [(RANGE, RANGE + "  - 145.242.17.16/29\n")],
    ),
    Case(
        "rie-without-ranges",
        "N008",
        [("network: internet", "network: rie"), ("ip_ranges:\n" + RANGE, "")],
        (3, 10),
        RIE,
    ),
    Case(
        "rie-empty-ranges",
        "N008",
        [("network: internet", "network: rie"), ("ip_ranges:\n" + RANGE, "ip_ranges: []\n")],
        (15, 12),
        RIE,
    ),
    Case(
        "rie-idp-outside-rie-domains",
        "N008",
        [("network: internet", "network: rie")],
        (5, 10),
        [("network: internet", "network: rie"), ("auth.demo.gouv.fr", "auth.demo.rie.gouv.fr")],
        kind="idp",
    ),
    # E-mail domains
    Case(
        "uppercase-domain",
        "D001",
        [("  - demo.gouv.fr\n", "  - Demo.gouv.fr\n")],
        (18, 5),
        kind="idp",
    ),
    Case(
        "unicode-domain",
        "D001",
        [("  - demo.gouv.fr\n", "  - mairie-évry.fr\n")],
        (18, 5),
        [("  - demo.gouv.fr\n", "  - xn--mairie-vry-c7a.fr\n")],
        kind="idp",
    ),
    Case(
        "wildcard-domain",
        "D001",
        [("  - demo.gouv.fr\n", '  - "*.demo.gouv.fr"\n')],
        (18, 5),
        [("  - demo.gouv.fr\n", "  - agents.demo.gouv.fr\n")],
        kind="idp",
    ),
    Case("public-suffix", "D002", [("  - demo.gouv.fr\n", "  - gouv.fr\n")], (18, 5), kind="idp"),
    Case(
        "unknown-tld",
        "D002",
        [("  - demo.gouv.fr\n", "  - demo.zzzz\n")],
        (18, 5),
        [("  - demo.gouv.fr\n", "  - demo.bzh\n")],
        kind="idp",
    ),
    Case(
        "webmail",
        "D003",
        [("  - demo.gouv.fr\n", "  - gmail.com\n")],
        (18, 5),
        [("  - demo.gouv.fr\n", "  - gmail-demo.fr\n")],
        kind="idp",
    ),
    Case(
        "webmail-subdomain",
        "D003",
        [("  - demo.gouv.fr\n", "  - agents.orange.fr\n")],
        (18, 5),
        kind="idp",
    ),
    Case(
        "domain-twice",
        "D005",
        [("  - partenaire-demo.fr\n", "  - demo.gouv.fr\n")],
        (20, 5),
        kind="idp",
    ),
    Case(
        "routed-domain-twice",
        "D007",
        [("  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - demo.gouv.fr\n")],
        (19, 5),
        [("  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - agents.demo.gouv.fr\n")],
        kind="idp",
    ),
    Case(
        "long-top-level-domain",
        "D008",
        [("  - demo.gouv.fr\n", "  - mairie.construction\n")],
        (18, 5),
        [("  - demo.gouv.fr\n", "  - mairie.immobilien\n")],
        kind="idp",
    ),
    # OIDC settings
    Case("no-openid", "O001", [("  - openid\n", "")], (18, 3)),
    Case(
        "unknown-scope",
        "O002",
        [("  - email\n", "  - mail\n")],
        (19, 5),
        [("  - email\n", "  - lasuite_visio:rooms:demo\n")],
    ),
    Case(
        "profile",
        "O003",
        [("  - email\n", "  - profile\n")],
        (19, 5),
        [("  - email\n", "  - given_name\n")],
    ),
    Case(
        "hs256",
        "O004",
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: HS256")],
        (20, 31),
        [("id_token_signed_response_alg: ES256", "id_token_signed_response_alg: RS256")],
    ),
    Case(
        "unsigned-userinfo",
        "O005",
        [("userinfo_signed_response_alg: ES256", "userinfo_signed_response_alg: null")],
        (21, 31),
    ),
    Case(
        "unknown-encryption-alg",
        "O006",
        _encryption(
            id_token_encrypted_response_alg="RSA1_5", id_token_encrypted_response_enc="A256GCM"
        ),
        (16, 34),
        _encryption(
            id_token_encrypted_response_alg="RSA-OAEP", id_token_encrypted_response_enc="A256GCM"
        ),
        kind="idp",
    ),
    Case(
        "signing-alg-as-encryption-enc",
        "O006",
        _encryption(
            userinfo_encrypted_response_alg="ECDH-ES", userinfo_encrypted_response_enc="RS256"
        ),
        (17, 34),
        _encryption(
            userinfo_encrypted_response_alg="ECDH-ES", userinfo_encrypted_response_enc="A256GCM"
        ),
        kind="idp",
    ),
    Case(
        "encryption-enc-without-alg",
        "O008",
        _encryption(id_token_encrypted_response_enc="A256GCM"),
        (16, 34),
        _encryption(
            id_token_encrypted_response_alg="RSA-OAEP-256",
            id_token_encrypted_response_enc="A256GCM",
        ),
        kind="idp",
    ),
    Case(
        "encryption-alg-without-enc",
        "O007",
        _encryption(userinfo_encrypted_response_alg="RSA-OAEP"),
        (16, 34),
        _encryption(userinfo_encrypted_response_alg="null"),
        kind="idp",
    ),
    Case(
        "no-support-email",
        "S008",
        [("support_email: support@demo.gouv.fr\n", "")],
        (1, 1),
        kind="idp",
    ),
    Case(
        "null-support-email",
        "S008",
        [("support_email: support@demo.gouv.fr\n", "support_email: null\n")],
        (16, 16),
        [("support_email: support@demo.gouv.fr", "support_email: support-fi@demo.gouv.fr")],
        kind="idp",
    ),
]


def _validate(workspace, cli, kind: str, env: str, text: str) -> list[dict[str, Any]]:
    workspace.provider(kind, text, env=env)
    result = cli("validate", "--format", "json")
    report = result.json()
    assert result.exit_code == (1 if report["summary"]["errors"] else 0)
    return report["diagnostics"]


@pytest.mark.parametrize("kind", ["sp", "idp"])
def test_base_files_are_clean(workspace, cli, kind) -> None:
    assert _validate(workspace, cli, kind, "production", BASE_BY_KIND[kind]) == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.id}" for c in CASES])
def test_rule_rejects(workspace, cli, case: Case) -> None:
    diagnostics = _validate(
        workspace, cli, case.kind, case.env, edited(BASE_BY_KIND[case.kind], case.reject)
    )
    found = [(d["line"], d["column"]) for d in diagnostics if d["code"] == case.code]
    assert found == (case.at if isinstance(case.at, list) else [case.at]), diagnostics
    match = next(d for d in diagnostics if d["code"] == case.code)
    assert match["severity"] == str(RULES_BY_CODE[case.code].severity)
    assert (
        match["path"]
        == f"registry/{case.env}/"
        + ("service-providers" if case.kind == "sp" else "identity-providers")
        + "/demo.yaml"
    )
    assert match["message"] and match["hint"]
    assert "{" not in match["message"] + match["hint"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.id}" for c in CASES])
def test_rule_accepts_neighbour(workspace, cli, case: Case) -> None:
    assert (
        _validate(
            workspace,
            cli,
            case.kind,
            case.accept_env or case.env,
            edited(BASE_BY_KIND[case.kind], case.accept),
        )
        == []
    )
