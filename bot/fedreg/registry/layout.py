"""Where registry files live and what their path says (reading them is `snapshot`'s job).

`registry/<environment>/<service-providers|identity-providers>/<slug>.yaml`: the environment
and the kind come from the path, never from the content.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Finding
from .models import ENVIRONMENTS, KIND_BY_FOLDER, NETWORKS, SLUG_PATTERN, deployment_name
from .yamlload import LocatedDocument

REGISTRY_DIR = "registry"
YAML_SUFFIX = ".yaml"
DEPLOYMENTS = tuple(deployment_name(env, net) for env in ENVIRONMENTS for net in NETWORKS)
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(slots=True)
class RegistryDocument:
    """One file of the registry as read: where it is, what its path says, what it holds."""

    path: Path
    display_path: str
    environment: str
    kind: str
    slug: str
    text: str | None = None
    data: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    located: LocatedDocument | None = None  # set once positions were needed

    @property
    def deployment(self) -> str:
        network = (self.data or {}).get("network")
        return deployment_name(self.environment, network)


def display_path(path: Path, base: Path | None = None) -> str:
    """`path` relative to `base` (default: the current directory) when below it.

    String work only (no symlink resolution): this runs once per file of the registry.
    """
    absolute = os.path.abspath(path)
    prefix = os.path.join(os.path.abspath(base or os.curdir), "")
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return path.as_posix()


def _folders_in_registry(path: Path) -> list[str] | None:
    """The folders between the registry folder and the file (None: not under one)."""
    parts = path.parts[:-1]
    if REGISTRY_DIR not in parts:
        return None
    last = len(parts) - 1 - parts[::-1].index(REGISTRY_DIR)
    return list(parts[last + 1 :])


def classify(path: Path) -> tuple[str, str, str, list[Finding]]:
    """(environment, kind, slug, layout findings) from a registry file's path. A misplaced
    file still gets the environment its path names, when it names one, so that its other
    findings are reported as for that environment."""
    findings: list[Finding] = []
    environment, folder, name = path.parent.parent.name, path.parent.name, path.name
    kind = KIND_BY_FOLDER.get(folder, "")
    slug = name[: -len(YAML_SUFFIX)] if name.endswith(YAML_SUFFIX) else path.stem
    folders = _folders_in_registry(path)
    if folders is not None and len(folders) != 2:
        kind = ""
        environment = folders[0] if folders and folders[0] in ENVIRONMENTS else ""
    if environment not in ENVIRONMENTS or not kind:
        shown = (
            "/".join([REGISTRY_DIR, *folders]) if folders is not None else f"{environment}/{folder}"
        )
        findings.append(
            Finding(
                "L001",
                params={
                    "reason": (
                        f"le dossier « {shown} » n'est pas "
                        f"{REGISTRY_DIR}/<integration|production>/"
                        "<service-providers|identity-providers>"
                    )
                },
                line=1,
                column=1,
            )
        )
    elif not name.endswith(YAML_SUFFIX):
        findings.append(
            Finding(
                "L001",
                params={"reason": f"l'extension doit être .yaml (« {name} »)"},
                line=1,
                column=1,
            )
        )
    if not _SLUG.match(slug):
        findings.append(Finding("L002", params={"slug": slug}, line=1, column=1))
    return environment, kind, slug, findings
