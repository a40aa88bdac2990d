"""What a provider's history reads: its file's revisions in git (first-parent history, so a
merged pull request is one revision named by its merge), and its deployment's audit trail
(deploys and secret rotations), on any store.
The events themselves are built by `changes/lifecycle.py` (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..adapters.git import GitRepository
from ..changes.lifecycle import Revision
from ..changes.plan import normalized
from ..errors import UsageError
from ..registry.layout import REGISTRY_DIR
from ..registry.snapshot import document, read_blobs, read_document, worktree_paths
from .mongostore import history
from .state import check_marker
from .store import Store

ABSENT = "0" * 40
COLLECTION_BY_KIND = {"ServiceProvider": "client", "IdentityProvider": "provider"}


@dataclass(frozen=True)
class ProviderIdentity:
    path: str  # relative to the repository root
    kind: str
    identifier: str  # client_id or uid
    deployment: str

    @property
    def key(self) -> str:
        """The radar's key for this provider."""
        return f"{self.deployment}/{self.kind}/{self.identifier}"


def _identity(root: Path, path: Path) -> ProviderIdentity | None:
    doc = read_document(path, root)
    data = doc.data or {}
    field = "uid" if doc.kind == "IdentityProvider" else "client_id"
    value = data.get(field)
    if doc.kind not in COLLECTION_BY_KIND or not isinstance(value, str):
        return None
    return ProviderIdentity(doc.display_path, doc.kind, value, doc.deployment)


def find_provider(root: Path, wanted: str) -> ProviderIdentity:
    """The provider a file path or an identifier (client_id or uid) names, in the working
    tree."""
    candidate = Path(wanted)
    if candidate.is_file():
        found = _identity(root, candidate.resolve())
        if found is None:
            raise UsageError(f"{wanted} n'est pas un fichier de fournisseur lisible")
        return found
    for path in worktree_paths([root / REGISTRY_DIR]):
        found = _identity(root, path)
        if found is not None and found.identifier == wanted:
            return found
    raise UsageError(
        f"aucun fournisseur « {wanted} » : donnez le chemin de son fichier, son client_id ou "
        "son uid"
    )


def file_revisions(repo: GitRepository, path: str) -> list[Revision]:
    """The commits of the current branch's first-parent history that changed `path` (renames
    followed), oldest first, with the documents before and after."""
    raw = repo.git(
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--follow",
        "--raw",
        "--no-abbrev",
        "--format=%x1e%H%x1f%an%x1f%aI%x1f%s",
        "--",
        path,
    ).decode("utf-8", "replace")
    commits = []
    for block in raw.split("\x1e")[1:]:
        header, _, rest = block.partition("\n")
        commit, author, at, subject = header.split("\x1f", 3)
        for line in rest.splitlines():
            if line.startswith(":"):
                meta, *paths = line.split("\t")
                _, _, old, new, _ = meta[1:].split(" ")
                commits.append((commit, author, at, subject, old, new, paths[-1]))
                break
    blobs = read_blobs(repo, {oid for c in commits for oid in c[4:6] if oid != ABSENT})
    revisions = []
    for commit, author, at, subject, old, new, shown in reversed(commits):
        revisions.append(
            Revision(
                commit,
                author,
                datetime.fromisoformat(at),
                subject,
                shown,
                _parsed(shown, blobs.get(old)) if old != ABSENT else None,
                _parsed(shown, blobs.get(new)) if new != ABSENT else None,
            )
        )
    return revisions


def _parsed(path: str, raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return normalized(document(Path(path), path, "100644", raw))


def provider_records(store: Store, provider: ProviderIdentity) -> list[dict[str, Any]]:
    """Every audit entry of the provider's deployment (its marker checked first): the deploys
    that wrote its document and the rotations of its secret are among them."""
    check_marker(store.db, provider.deployment, store.place)
    return history(store.db, provider.deployment, limit=0)
