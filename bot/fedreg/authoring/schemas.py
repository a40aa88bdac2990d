"""The published JSON Schemas of registry files, generated from the models for editors.

An editor (the YAML language server and those built on it) checks a file against these as the
partner types. Two promises hold them to `fedreg validate`:

* they never reject a value's type that fedreg accepts. fedreg reads every plain scalar as text
  except `true`/`false`/`null`, while an editor reads `siret: 13002526500013` as a number: every
  text field therefore also accepts a number, and a type error in the editor is exactly an
  S003 of fedreg;
* they flag, with fedreg's rule code and in French, what a pattern can see of the per-file
  rules (URL scheme, host, fragment, joker, spaces; scopes), and never more than fedreg does.

The scheme and host rules depend on the environment, which only the file's folder tells: each
kind has one schema per environment (mapped to the folders by `.vscode/settings.json`), and a
generic one with the rules of both, for a file outside the registry.
"""

from __future__ import annotations

import json
from typing import Any

from ..registry.models import ENVIRONMENTS, MODEL_BY_KIND
from ..validation.checks.oidc import KNOWN_SCOPES
from ..validation.checks.uris import DISCOVERY_SUFFIX, IDP_URL_KEYS, MAX_URI_LENGTH
from ..validation.checks.uris import RESERVED_TLDS as _RESERVED_TLDS
from ..validation.rules import RULES_BY_CODE
from ..validation.waivers import WaiversFile
from .scaffold import SCHEMA_FILE_BY_KIND, schema_file
from .schemadocs import MODEL_DOCS, SCOPE_DOCS, field_doc

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
GENERIC = None  # the environment of the generic schema

_URL_LIST_KEYS = ("redirect_uris", "post_logout_redirect_uris")
_PARAMETRISED_SCOPE = r"^lasuite_visio:rooms:[A-Za-z0-9*_.-]+$"
# Spaces, controls and the invisible format characters partners paste: all are refused by
# fedreg's U002 (any Unicode space or "C" category), written out because JSON Schema's regex
# dialect (ECMA-262) and Python's differ on \s and \p{…}.
_INVISIBLE = (
    r"\u0000-\u0020\u007f-\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f"
    r"\u205f-\u206f\u3000\ufeff"
)
_SCHEME_ONLY = r"[A-Za-z][A-Za-z0-9+.-]*://"
_SCHEME = _SCHEME_ONLY + r"(?![^/?#]*@)"  # a scheme, then a host without user information
_HOST_END = r"(?:[:/?#]|$)"


def _anycase(word: str) -> str:
    """A regex matching `word` in any case (fedreg lower-cases schemes and hosts)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _alternatives(words: list[str]) -> str:
    return "|".join(_anycase(w) for w in words)


def _rule_message(code: str, text: str | None = None) -> str:
    """An editor message: the rule's code (as `fedreg rules` lists it), then what to do."""
    rule = RULES_BY_CODE[code]
    advice = text or rule.hint[0].lower() + rule.hint[1:]
    return f"{code} {rule.title} : {advice}"


_LOOPBACK = "localhost|127\\.0\\.0\\.1|\\[::1\\]"  # checks.uris.LOOPBACK_HOSTS, as URL hosts
_INTEGRATION_SCHEME = (
    f"^(?:{_anycase('https')}://|{_anycase('http')}://(?:"
    + _LOOPBACK.replace("localhost", _anycase("localhost"))
    + f"){_HOST_END})"
)
_PRODUCTION_SCHEME = f"^{_anycase('https')}://"
# A local name, an IP literal, a name without a dot or with a reserved extension: never a public
# domain name, which production requires (U012).
_NOT_PUBLIC_HOST = (
    f"^(?!{_SCHEME}(?:"
    + "|".join(
        (
            r"[0-9.]+",
            r"\[[^\]]*\]",
            r"[^/?#:.@]+",
            r"[^/?#:@]*\.(?:" + _alternatives(sorted(_RESERVED_TLDS)) + ")",
        )
    )
    + f"){_HOST_END})"
)


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# IPv4 addresses and ranges (never /0, which is N003 alone) in the private, loopback, link-local
# and shared (CGNAT, the RIE's) blocks: fedreg's N005 on the internet network.
_NON_PUBLIC_IPV4 = (
    r"^(?!(?:(?:10|127)(?:\." + _OCTET + "){3}"
    r"|(?:192\.168|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))"
    r"(?:\." + _OCTET + "){2})"
    r"(?:/(?:[1-9]|[12][0-9]|3[0-2]))?$)"
)


def _internet_ranges() -> dict[str, Any]:
    """On the internet network, the servers' addresses are public ones."""
    message = _rule_message(
        "N005",
        "sur le réseau internet, indiquez les adresses publiques de sortie de vos serveurs "
        "(pas 10.x, 172.16-31.x, 192.168.x, 127.x, 169.254.x ni 100.64-127.x).",
    )
    items = {"pattern": _NON_PUBLIC_IPV4, "patternErrorMessage": message}
    return {
        "if": {"properties": {"network": {"const": "internet"}}, "required": ["network"]},
        "then": {"properties": {"ip_ranges": {"items": items}}},
    }


def _url_checks(environment: str | None) -> list[dict[str, Any]]:
    """Patterns over one URL, each with its own French message. As in fedreg, a URL too long, or
    with a space, or not absolute gets that one finding and no other."""
    too_long = f"[\\s\\S]{{{MAX_URI_LENGTH + 1}}}"
    spaced = f"[^{_INVISIBLE}]*[{_INVISIBLE}]"
    absolute = f"{_SCHEME_ONLY}[^/?#]"
    reported = f"^(?:{too_long}|{spaced}|(?!{absolute}))|"  # already reported: skip the rest
    if environment == "production":
        scheme = "U011 Schéma d'URL non accepté : en production, seul https:// est accepté."
        scheme_pattern = _PRODUCTION_SCHEME
    else:
        scheme = (
            "U011 Schéma d'URL non accepté : https:// est requis ; http:// n'est accepté qu'en "
            "intégration, pour localhost, 127.0.0.1 et [::1]."
        )
        scheme_pattern = _INTEGRATION_SCHEME
    checks = [
        (f"^(?:{too_long}|[^{_INVISIBLE}]*$)", _rule_message("U002")),
        (f"^(?:{too_long}|{spaced}|{absolute})", _rule_message("U001")),
        # The core's URL_REGEX is case-sensitive: a scheme in capitals is U016, not U011.
        (reported + r"^(?![A-Za-z0-9+.-]*[A-Z][A-Za-z0-9+.-]*://)", _rule_message("U016")),
        (reported + scheme_pattern, scheme),
        (reported + f"^{_SCHEME_ONLY}[^/].", _rule_message("U017")),
        (reported + "^[^#]*$", _rule_message("U004")),
        (reported + r"^[^*]*$", _rule_message("U005")),
        (reported + f"^(?!{_SCHEME_ONLY}[^/?#]*@)", _rule_message("U003")),
    ]
    if environment == "production":
        checks.append(
            (
                reported + _NOT_PUBLIC_HOST,
                _rule_message(
                    "U012",
                    "en production, un nom de domaine public est requis (ni localhost, ni "
                    "adresse IP, ni extension interne).",
                ),
            )
        )
    return [{"pattern": p, "patternErrorMessage": m} for p, m in checks]


def _type_message(field: str, expected: str) -> str:
    return f"S003 Type de valeur incorrect : « {field} » doit être {expected}."


def _editor_value(field: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One value's schema, typed as fedreg reads YAML, with French error messages."""
    schema = dict(schema)
    nullable = False
    if "anyOf" in schema:
        branches = [b for b in schema.pop("anyOf") if b != {"type": "null"}]
        nullable = len(branches) == 1
        assert nullable, f"{field}: unions other than X | None have no editor form yet"
        schema = {**branches[0], **schema}
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if schema.pop("x-fedreg-rule", None) == "O006":
        return _checked_text(field, schema, nullable)
    if "enum" in schema:
        # fedreg reports any other value, whatever its type, as S004: no `type` here.
        schema.pop("type", None)
        allowed = list(schema["enum"])
        if nullable:
            schema["enum"] = [*allowed, None]
        schema["errorMessage"] = (
            f"S004 Valeur non acceptée pour « {field} » : "
            + ", ".join(str(v) for v in allowed)
            + (" ou null" if nullable else "")
            + "."
        )
        return schema
    kind = schema["type"]
    if kind == "string":
        schema["type"] = ["string", "number", "null"] if nullable else ["string", "number"]
        expected = "du texte"
    elif kind == "boolean":
        expected = "true ou false, sans guillemets"
    elif kind == "array":
        schema["items"] = _editor_value(field, schema.get("items", {"type": "string"}))
        expected = "une liste : une entrée par ligne, précédée de « - »"
    else:
        raise AssertionError(f"{field}: no editor form for type {kind}")
    if nullable:
        expected += ", ou vide"
    if "pattern" in schema:
        schema["patternErrorMessage"] = _pattern_message(field)
    schema["errorMessage"] = _type_message(field, expected)
    return schema


def _checked_text(field: str, schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    """Free text that rule O006 checks against a list: a type error is S003, as for any text;
    another text is O006 (fedreg reads an unquoted number as text too, but JSON Schema can
    only test strings against the list, so the editor leaves numbers to fedreg)."""
    allowed = [v for v in schema.pop("enum") if v is not None]
    schema.pop("type", None)
    return {
        **schema,
        "type": ["string", "number", "null"] if nullable else ["string", "number"],
        "errorMessage": _type_message(field, "du texte" + (", ou vide" if nullable else "")),
        "if": {"type": "string"},
        "then": {
            "enum": allowed,
            "errorMessage": f"O006 Chiffrement non accepté : « {field} » accepte "
            + ", ".join(allowed)
            + ".",
        },
    }


_PATTERN_RULES = {
    "name": "I004",
    "title": "I004",
    "owners": "I005",
    "siret": "I003",  # message below: the rule's hint asks for quotes, which are optional
    "client_id": "I001",
    "uid": "I002",
    "secret_recipients": "I008",
}


def _pattern_message(field: str) -> str:
    code = _PATTERN_RULES.get(field)
    if code == "I003":
        return _rule_message(code, "un SIRET compte 14 chiffres.")
    if code is None:
        return f"« {field} » n'a pas la forme attendue : voyez sa description."
    return _rule_message(code)


def _url_list(schema: dict[str, Any], environment: str | None) -> dict[str, Any]:
    items = dict(schema["items"])
    items["maxLength"] = MAX_URI_LENGTH
    items["allOf"] = _url_checks(environment)
    return {**schema, "items": items}


def _scopes(schema: dict[str, Any]) -> dict[str, Any]:
    unknown = _rule_message("O002", "voyez la liste des scopes de la fédération (complétion).")
    scopes = list(KNOWN_SCOPES)
    items = dict(schema["items"])
    items["pattern"] = "^(?!profile$)"
    items["patternErrorMessage"] = _rule_message("O003")
    items["anyOf"] = [
        {
            "enum": scopes,
            "markdownEnumDescriptions": [SCOPE_DOCS[s] for s in scopes],
            "errorMessage": unknown,
        },
        {"type": "string", "pattern": _PARAMETRISED_SCOPE, "errorMessage": unknown},
        {"type": "string", "pattern": "^profile$"},  # O003 above says why
        {"type": ["boolean", "null", "array", "object"]},  # not text: S003 alone, as in fedreg
    ]
    openid = {"contains": {"const": "openid"}, "errorMessage": _rule_message("O001")}
    return {**schema, "items": items, "allOf": [openid]}


def _idp_url(field: str, schema: dict[str, Any], environment: str | None) -> dict[str, Any]:
    checks = [*_url_checks(environment), {"maxLength": MAX_URI_LENGTH}]
    if field == "discovery_url":
        checks.append(
            {
                "pattern": DISCOVERY_SUFFIX.replace(".", "\\.") + "$",
                "patternErrorMessage": _rule_message("U014"),
            }
        )
    return {**schema, "allOf": checks}


def _property(
    kind: str, field: str, schema: dict[str, Any], environment: str | None
) -> dict[str, Any]:
    doc = field_doc(kind, field)
    assert doc is not None, f"{kind}.{field} has no French title: add it to schemadocs.py"
    schema = _editor_value(field, {k: v for k, v in schema.items() if k != "title"})
    if kind == "ServiceProvider" and field in _URL_LIST_KEYS:
        schema = _url_list(schema, environment)
    elif kind == "ServiceProvider" and field == "scopes":
        schema = _scopes(schema)
    elif kind == "IdentityProvider" and field in IDP_URL_KEYS:
        schema = _idp_url(field, schema, environment)
    return {"title": doc.title, "markdownDescription": doc.markdown, **schema}


def build_schema(kind: str, environment: str | None = GENERIC) -> dict[str, Any]:
    base = MODEL_BY_KIND[kind].model_json_schema()
    doc = MODEL_DOCS[kind]
    properties = {
        field: _property(kind, field, schema, environment)
        for field, schema in base["properties"].items()
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_file(kind, environment),
        "title": doc.title,
        "description": base["description"],
        "markdownDescription": doc.markdown,
        "type": "object",
        "properties": properties,
        # one `required` per field, so that each missing one has its own French message
        "allOf": [
            {
                "required": [field],
                "errorMessage": f"S002 Champ obligatoire manquant : « {field} » "
                f"({properties[field]['title']}).",
            }
            for field in base["required"]
        ],
        "additionalProperties": False,
        **_internet_ranges(),
    }


WAIVERS_SCHEMA_FILE = "waivers.schema.json"


def build_waivers_schema() -> dict[str, Any]:
    """The schema of `waivers.yaml` (what an editor checks; `fedreg validate` checks more:
    the code exists and may be waived, the date is within a year)."""
    base = WaiversFile.model_json_schema()
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": WAIVERS_SCHEMA_FILE,
        "title": "Dérogations aux règles du registre (waivers.yaml)",
        "description": "Chaque entrée accepte un code de diagnostic pour un fichier du "
        "registre, jusqu'à une date (au plus un an), accordée par l'équipe de la fédération.",
        **{key: value for key, value in base.items() if key not in ("title", "description")},
    }


def render_schemas() -> dict[str, str]:
    """File name -> content, byte-for-byte stable."""
    schemas = {
        schema_file(kind, environment): build_schema(kind, environment)
        for kind in MODEL_BY_KIND
        for environment in (GENERIC, *ENVIRONMENTS)
    }
    schemas[WAIVERS_SCHEMA_FILE] = build_waivers_schema()
    return {
        name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        for name, schema in schemas.items()
    }


__all__ = ["SCHEMA_FILE_BY_KIND", "build_schema", "render_schemas", "schema_file"]
