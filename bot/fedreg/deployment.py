"""Deploying manifests: from the working tree, a file or any commit, to a deployment's database.

Orchestration only: rendering is `render`, planning `deployplan`, writing `mongostore`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pymongo
from pymongo.database import Database
from pymongo.errors import PyMongoError

from .deployplan import DeployAction, DeployPlan
from .diagnostics import Diagnostic, count_errors
from .errors import FedregError, UsageError
from .gitrepo import GitRepository
from .layout import DEPLOYMENTS, REGISTRY_DIR, RegistryDocument
from .mongostore import DEFAULT_DATABASE
from .plan import FieldChange
from .policy import Policy
from .render import build_manifests
from .snapshot import documents_at
from .validate import build_provider, validate_documents, validate_paths


class InvalidRegistry(FedregError):
    def __init__(self, diagnostics: list[Diagnostic], file_count: int) -> None:
        super().__init__("registre invalide : aucun manifeste écrit, rien n'est déployé")
        self.diagnostics = diagnostics
        self.file_count = file_count


def _manifests(
    docs: list[RegistryDocument], diagnostics: list[Diagnostic], commit: str | None
) -> dict[str, dict[str, Any]]:
    if count_errors(diagnostics):
        raise InvalidRegistry(diagnostics, len(docs))
    return build_manifests([(d.environment, build_provider(d)) for d in docs], commit)


def manifests_from_worktree(policy: Policy, commit: str | None) -> dict[str, dict[str, Any]]:
    result = validate_paths([Path(REGISTRY_DIR)], policy)
    return _manifests(result.documents, result.diagnostics, commit)


def manifests_at_commit(repo: GitRepository, ref: str, policy: Policy) -> dict[str, dict[str, Any]]:
    """The manifests rendered from the registry as it was at `ref`."""
    commit = repo.resolve(ref)
    docs = documents_at(repo, commit)
    return _manifests(docs, validate_documents(docs, policy), commit)


def changed_deployments(
    repo: GitRepository, base: str, head: str | None, policy: Policy
) -> list[str]:
    """The deployments whose manifest content differs between `base` and `head` (None: the
    working tree): what a push to main must deploy. No database is read."""
    after = (
        manifests_at_commit(repo, head, policy)
        if head is not None
        else manifests_from_worktree(policy, None)
    )
    try:
        before = manifests_at_commit(repo, base, policy)
    except InvalidRegistry:
        return list(DEPLOYMENTS)  # the base did not render: deploy everything from the head
    return [name for name in DEPLOYMENTS if before[name]["digest"] != after[name]["digest"]]


def load_manifest(path: Path, deployment: str) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"manifeste illisible : {path} ({error})") from error
    if manifest.get("deployment") != deployment:
        raise UsageError(
            f"{path} est le manifeste de {manifest.get('deployment')}, pas de {deployment}"
        )
    return manifest


def connect(target: str) -> Database[dict[str, Any]]:
    """The deployment's database: the one named in the URI, else `core-fca-low`."""
    try:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            target, serverSelectionTimeoutMS=10_000
        )
        db = client.get_default_database(default=DEFAULT_DATABASE)
        client.admin.command("ping")
    except PyMongoError as error:
        raise FedregError(
            f"MongoDB injoignable ({target.split('@')[-1]}) : {type(error).__name__}"
        ) from error
    return db


def actor() -> str:
    return os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "inconnu"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value, ensure_ascii=False, default=str)


def _field_line(change: FieldChange) -> str:
    return f"      {change.field}: {_value(change.before)} → {_value(change.after)}"


def render_deploy_plan(plan: DeployPlan) -> str:
    signs = {DeployAction.CREATE: "+", DeployAction.UPDATE: "~", DeployAction.DEACTIVATE: "-"}
    words = {
        DeployAction.CREATE: "créé",
        DeployAction.UPDATE: "mis à jour",
        DeployAction.DEACTIVATE: "désactivé",
    }
    summary = plan.summary
    lines = [
        f"Déploiement {plan.deployment} : {summary['create']} créé(s), "
        f"{summary['update']} mis à jour, {summary['deactivate']} désactivé(s), "
        f"{summary['unchanged']} inchangé(s)."
    ]
    for change in plan.effective:
        lines.append(
            f"  {signs[change.action]} {change.collection} {change.key} "
            f"« {change.name} » {words[change.action]}"
        )
        if change.action is not DeployAction.CREATE:
            lines.extend(_field_line(f) for f in change.fields)
        if change.sealed_secret is not None:
            lines.append("      client_secret: remplacé par le secret chiffré du dépôt")
        if change.action is DeployAction.CREATE and change.collection == "client":
            lines.append(
                f"      secret généré, remis chiffré à {len(change.recipients)} destinataire(s)"
            )
    return "\n".join(lines) + "\n"
