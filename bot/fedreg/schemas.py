"""The published JSON Schemas of registry files, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .models import MODEL_BY_KIND
from .scaffold import SCHEMA_FILE_BY_KIND

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def build_schema(kind: str) -> dict[str, Any]:
    schema = MODEL_BY_KIND[kind].model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_FILE_BY_KIND[kind], **schema}


def render_schemas() -> dict[str, str]:
    """File name -> content, byte-for-byte stable."""
    return {
        SCHEMA_FILE_BY_KIND[kind]: json.dumps(build_schema(kind), ensure_ascii=False, indent=2)
        + "\n"
        for kind in MODEL_BY_KIND
    }
