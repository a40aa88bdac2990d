"""Where the repository root is: the nearest folder holding `registry/` or `policy.yaml`."""

from __future__ import annotations

from pathlib import Path

from .layout import REGISTRY_DIR
from .policy import POLICY_FILE_NAME


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds `registry/` or `policy.yaml`.

    The search stops at the top of a git work tree (a folder holding `.git`), so that a
    registry is never picked up from outside the repository one works in.
    """
    folder = start.absolute()
    for candidate in (folder, *folder.parents):
        if (candidate / REGISTRY_DIR).is_dir():
            return candidate
        if (candidate / POLICY_FILE_NAME).is_file() and not _inside_a_registry(candidate):
            return candidate
        if (candidate / ".git").exists():
            return None
    return None


def _inside_a_registry(folder: Path) -> bool:
    """Whether `folder` lies in some ancestor's `registry/`: a `policy.yaml` there is a file of
    the registry (anyone's pull request), never the policy that checks it."""
    return any(
        parent.name == REGISTRY_DIR and (parent.parent / REGISTRY_DIR).is_dir()
        for parent in (folder, *folder.parents)
    )
