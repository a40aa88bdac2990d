"""Whether a manifest may be deployed: its shape, its digest, identifiers safe as file names,
and the core's own constraints. Pure: a manifest in, French reasons out (none: deployable)."""

from __future__ import annotations

import re
from typing import Any

from ..validation.coreconformance import manifest_violations
from .build import CONTENT_KEYS, content_digest

# An identifier becomes a file name (`<client_id>.age`): no separator, no leading dot.
SAFE_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_SHAPES: dict[str, type] = {
    "deployment": str,
    "client": list,
    "provider": list,
    "firewall": dict,
    "secret_recipients": dict,
    "sealed_secrets": dict,
}
_IDENTIFIER = {"client": "key", "provider": "uid"}


def _identifiers(manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for collection, field in _IDENTIFIER.items():
        for document in manifest[collection]:
            if isinstance(document, dict):
                found.append((f"{collection}.{field}", document.get(field)))
    for section in ("firewall", "secret_recipients", "sealed_secrets"):
        found.extend((section, key) for key in manifest[section])
    return found


def manifest_problems(manifest: Any, deployment: str) -> list[str]:
    """Every reason not to deploy `manifest` to `deployment`, checked before any write."""
    if not isinstance(manifest, dict):
        return ["le manifeste n'est pas un objet JSON"]
    problems = [
        f"champ « {key} » absent ou mal formé"
        for key, shape in _SHAPES.items()
        if not isinstance(manifest.get(key), shape)
    ]
    if problems:
        return problems
    if manifest["deployment"] != deployment:
        problems.append(f"c'est le manifeste de {manifest['deployment']}, pas de {deployment}")
    recomputed = content_digest({key: manifest[key] for key in CONTENT_KEYS})
    if manifest.get("digest") != recomputed:
        problems.append(
            f"empreinte incorrecte : le manifeste annonce {manifest.get('digest')}, "
            f"son contenu donne {recomputed}"
        )
    for where, identifier in _identifiers(manifest):
        if not isinstance(identifier, str) or not SAFE_IDENTIFIER.fullmatch(identifier):
            problems.append(
                f"identifiant refusé dans {where} : {identifier!r} (lettres, chiffres, « . », "
                "« _ », « - » seulement ; il sert de nom de fichier)"
            )
    problems.extend(
        f"refusé par le cœur : {violation}" for violation in manifest_violations(manifest)
    )
    return problems
