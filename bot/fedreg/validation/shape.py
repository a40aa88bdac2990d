"""Shape checks: which model a document is, and pydantic's errors turned into findings."""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from ..diagnostics import Finding
from ..registry.models import MODEL_BY_KIND, Provider

# Keys that hold a secret: a partner who writes one has leaked it, and must hear so.
_SECRET_WORDS = ("secret", "password", "passwd", "private_key", "mot_de_passe")
_ENVIRONMENT_KEYS = ("environment", "environnement", "env")

_EXPECTED_BY_TYPE = {
    "string_type": "du texte",
    "bool_type": "true ou false",
    "list_type": "une liste",
    "model_type": "un objet",
    "dict_type": "un objet",
    "int_type": "un nombre",
    "int_parsing": "un nombre entier",
}


def describe_value(value: Any) -> str:
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return f"le booléen {str(value).lower()}"
    if isinstance(value, str):
        return f"le texte « {value} »" if len(value) <= 60 else "un texte"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un objet"
    return "une valeur d'un autre type"


def _field_description(model: type[BaseModel], name: str) -> str:
    info = model.model_fields.get(name)
    return info.description if info and info.description else ""


def _type_hint(error_type: str, value: Any) -> str:
    if error_type == "bool_type":
        return "Écrivez true ou false, sans guillemets."
    if error_type == "list_type":
        return "Écrivez une liste : une entrée par ligne, chacune précédée de « - »."
    if value is None:
        return "La valeur est vide : complétez-la, ou retirez la ligne si le champ est facultatif."
    if isinstance(value, list):
        return "Une seule valeur est attendue ici, pas une liste."
    return "Corrigez la valeur."


def suggested_key(key: str, known: list[str]) -> str | None:
    """The known key an unknown one most likely misspells (what S001 suggests)."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_key_hint(key: str, known: list[str]) -> str:
    if key.lower() in _ENVIRONMENT_KEYS:
        return (
            "L'environnement vient du dossier (registry/integration/ ou "
            "registry/production/) : retirez cette clé."
        )
    close = suggested_key(key, known)
    if close is not None:
        return f"Vouliez-vous dire « {close} » ?"
    return "Clés acceptées : " + ", ".join(sorted(known)) + "."


def french_alternatives(values: list[str]) -> str:
    """`["ES256", "RS256", "HS256"]` -> `ES256, RS256 ou HS256`."""
    if len(values) < 2:
        return "".join(values)
    return ", ".join(values[:-1]) + " ou " + values[-1]


def finding_from_error(model: type[BaseModel], error: Any, data: dict[str, Any]) -> Finding:
    loc = tuple(error["loc"])
    kind = error["type"]
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    value = error.get("input")
    if kind == "extra_forbidden":
        if any(word in name.lower() for word in _SECRET_WORDS):
            return Finding("S005", loc, {"key": name}, on_key=True)
        return Finding(
            "S001",
            loc,
            {"key": name, "detail": unknown_key_hint(name, list(model.model_fields))},
            on_key=True,
        )
    if kind == "missing":
        return Finding("S002", loc, {"key": name, "detail": _field_description(model, name)})
    if kind == "literal_error":
        allowed = french_alternatives(re.findall(r"'([^']*)'", error["ctx"]["expected"]))
        return Finding(
            "S004", loc, {"field": name, "value": describe_value(value), "allowed": allowed}
        )
    if kind == "too_short" and isinstance(value, list):
        return Finding("S006", loc, {"field": name, "detail": _field_description(model, name)})
    if kind in ("string_too_short", "string_too_long"):
        info = model.model_fields[name]
        bounds = {type(m).__name__: m for m in info.metadata}
        return Finding(
            "S007",
            loc,
            {
                "field": name,
                "length": len(value),
                "min": getattr(bounds.get("MinLen"), "min_length", 0),
                "max": getattr(bounds.get("MaxLen"), "max_length", "∞"),
            },
        )
    expected = _EXPECTED_BY_TYPE.get(kind, "d'un autre type")
    return Finding(
        "S003",
        loc,
        {
            "field": name,
            "expected": expected,
            "found": describe_value(value),
            "detail": _type_hint(kind, value),
        },
    )


def check_shape(kind: str, data: dict[str, Any]) -> tuple[Provider | None, list[Finding]]:
    """Validate `data` against the model of `kind`; the model instance when it has no error."""
    model = MODEL_BY_KIND[kind]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [finding_from_error(model, error, data) for error in exc.errors()]
