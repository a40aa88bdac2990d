"""Webhook event payloads for tests, valid against GitHub's published webhook schemas.

`minimal_instance` builds the smallest document a schema accepts (required fields only, the
first alternative of a union); `event` overlays what a scenario needs and validates the result
against the event's definition, so a payload GitHub would never send fails the test.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent / "data/github-api/webhooks-schema.json"
_STRINGS_BY_FORMAT = {
    "date-time": "2026-11-23T12:00:00Z",
    "uri": "https://github.com/x",
    "uri-template": "https://github.com/x",
    "email": "x@example.invalid",
}


@cache
def webhook_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = webhook_schema()["definitions"][name]
    return schema


def minimal_instance(schema: dict[str, Any]) -> Any:
    schema = _resolve(schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = minimal_instance(part)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for union in ("oneOf", "anyOf"):
        if union in schema:
            return minimal_instance(schema[union][0])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: minimal_instance(properties.get(name, {})) for name in schema.get("required", [])
        }
    if kind == "array":
        return [minimal_instance(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return _STRINGS_BY_FORMAT.get(schema.get("format", ""), "x")
    return {"integer": 1, "number": 1, "boolean": False, "null": None}[kind]


def _overlay(target: Any, changes: Any) -> Any:
    if isinstance(target, dict) and isinstance(changes, dict):
        for key, value in changes.items():
            target[key] = _overlay(target.get(key), value)
        return target
    return copy.deepcopy(changes)


def event(definition: str, **changes: Any) -> dict[str, Any]:
    """A payload of webhook `definition` (e.g. "pull_request$opened"), checked against it."""
    schema = webhook_schema()["definitions"][definition]
    payload = _overlay(minimal_instance(schema), changes)
    resolver_schema = {**schema, "definitions": webhook_schema()["definitions"]}
    jsonschema.Draft7Validator(resolver_schema).validate(payload)
    return payload
