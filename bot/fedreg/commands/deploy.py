"""`fedreg deploy`, `rollback`, `drift`, `history`, `secret rotate`, `bot deploy` and
`changed-deployments`: the federation's databases."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..clientsecrets import AGE_IDENTITY_VARIABLE, CIPHER_KEY_VARIABLE, cipher_key
from ..deployment import (
    actor,
    changed_deployments,
    connect,
    load_manifest,
    manifests_at_commit,
    manifests_from_worktree,
    render_deploy_plan,
    sealed_secret_problems,
)
from ..deployplan import plan_deploy
from ..errors import FedregError
from ..githubapi import GitHubClient
from ..gitrepo import GitRepository
from ..mongostore import (
    AUDIT_COLLECTION,
    Provenance,
    SecretKeys,
    apply_plan,
    history,
    live_documents,
    rotate_secret,
)
from ..policy import Policy
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail, source_commit


@dataclass(frozen=True)
class DeployOptions:
    deployment: str
    target: str
    dry_run: bool
    yes: bool
    allow_large_change: bool
    secrets_out: Path


def _secret_keys(secrets_out: Path) -> SecretKeys:
    key = cipher_key() if os.environ.get(CIPHER_KEY_VARIABLE) else None
    return SecretKeys(
        cipher_key=key, age_identity=os.environ.get(AGE_IDENTITY_VARIABLE), sealed_out=secrets_out
    )


@dataclass
class DeployOutcome:
    exit_code: int
    summary: str
    sealed_files: list[Path]


def _deploy(manifest: dict[str, Any], options: DeployOptions, policy: Policy) -> int:
    return _deploy_outcome(manifest, options, policy).exit_code


def _deploy_outcome(
    manifest: dict[str, Any], options: DeployOptions, policy: Policy
) -> DeployOutcome:
    db = connect(options.target)
    plan = plan_deploy(manifest, live_documents(db))
    sys.stdout.write(render_deploy_plan(plan))
    words = {
        "create": "créé(s)",
        "update": "mis à jour",
        "deactivate": "désactivé(s)",
        "unchanged": "inchangé(s)",
    }
    summary = ", ".join(
        f"{count} {words[action]}" for action, count in plan.summary.items() if count
    )
    problems = plan.problems() + sealed_secret_problems(
        plan, policy, os.environ.get(AGE_IDENTITY_VARIABLE)
    )
    if problems:
        for problem in problems:
            print(f"fedreg : {problem}", file=sys.stderr)
        return DeployOutcome(EXIT_FAILED, "refusé : " + problems[0], [])
    if not plan.effective:
        print("Rien à faire : le déploiement est déjà à jour.")
        return DeployOutcome(EXIT_OK, "déjà à jour", [])
    share = plan.large_change_share(policy.max_change_share)
    if share is not None and not options.allow_large_change:
        message = (
            f"refusé : ce plan modifie ou désactive {share:.0%} des enregistrements "
            f"de {plan.deployment} (limite : {policy.max_change_share:.0%})"
        )
        print(
            f"fedreg : {message}. Relancez avec --allow-large-change si c'est voulu.",
            file=sys.stderr,
        )
        return DeployOutcome(EXIT_FAILED, message, [])
    if options.dry_run or not options.yes:
        print("Simulation : rien n'est écrit. Relancez avec --yes pour appliquer.")
        return DeployOutcome(EXIT_OK, "simulation : " + summary, [])
    provenance = Provenance(
        commit=manifest.get("source_commit"), digest=manifest["digest"], actor=actor()
    )
    report = apply_plan(db, plan, provenance, _secret_keys(options.secrets_out))
    print(f"Appliqué : {len(report.applied)} écriture(s), enregistré dans {AUDIT_COLLECTION}.")
    for sealed in report.sealed_files:
        print(f"Secret chiffré pour ses destinataires : {sealed}")
    return DeployOutcome(EXIT_OK, summary, report.sealed_files)


def run_bot_deploy(options: DeployOptions, policy_file: Path) -> int:
    """The deploy job of a push to main: deploy, and report on the GitHub Deployment."""
    policy = policy_or_fail(policy_file)
    sha = os.environ.get("GITHUB_SHA") or source_commit() or ""
    client = GitHubClient.from_environment()
    run_url = (
        "{}/{}/actions/runs/{}".format(
            os.environ.get("GITHUB_SERVER_URL", "https://github.com"),
            client.repository,
            os.environ.get("GITHUB_RUN_ID", ""),
        )
        if os.environ.get("GITHUB_RUN_ID")
        else ""
    )
    deployment = client.deployment_for(sha, options.deployment)
    client.deployment_status(deployment, "in_progress", "fedreg déploie", log_url=run_url)
    try:
        manifest = manifests_from_worktree(policy, sha)[options.deployment]
        outcome = _deploy_outcome(manifest, options, policy)
    except FedregError as error:
        client.deployment_status(deployment, "failure", f"échec : {error}", log_url=run_url)
        raise
    attachments = ""
    if outcome.sealed_files:
        attachments = client.attach_files(
            f"secrets-{options.deployment}-{sha[:12]}",
            f"Secrets chiffrés (age) — {options.deployment} @ {sha[:12]}",
            outcome.sealed_files,
        )
    state = "success" if outcome.exit_code == EXIT_OK else "failure"
    client.deployment_status(
        deployment, state, outcome.summary, log_url=run_url, environment_url=attachments
    )
    return outcome.exit_code


def run_changed_deployments(base: str, head: str | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    print(json.dumps(changed_deployments(repo, base, head, policy)))
    return EXIT_OK


def run_deploy(options: DeployOptions, manifest_file: Path | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    if manifest_file is not None:
        manifest = load_manifest(manifest_file, options.deployment)
    else:
        manifest = manifests_from_worktree(policy, source_commit())[options.deployment]
    return _deploy(manifest, options, policy)


def run_rollback(options: DeployOptions, to: str, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    repo = GitRepository.discover(Path.cwd())
    manifest = manifests_at_commit(repo, to, policy)[options.deployment]
    print(f"Retour de {options.deployment} à la configuration de {manifest['source_commit']}.")
    return _deploy(manifest, options, policy)


def run_drift(deployment: str, target: str, manifest_file: Path | None, policy_file: Path) -> int:
    policy = policy_or_fail(policy_file)
    manifest = (
        load_manifest(manifest_file, deployment)
        if manifest_file is not None
        else manifests_from_worktree(policy, source_commit())[deployment]
    )
    plan = plan_deploy(manifest, live_documents(connect(target)))
    if not plan.effective:
        print(f"Aucune dérive : {deployment} correspond au registre.")
        return EXIT_OK
    print(f"Dérive : la base de {deployment} diffère du registre (modifiée hors de git).")
    sys.stdout.write(render_deploy_plan(plan))
    return EXIT_FAILED


def run_history(deployment: str, target: str) -> int:
    for entry in history(connect(target), deployment):
        summary = ", ".join(f"{k} {v}" for k, v in entry["summary"].items() if v)
        print(
            f"{entry['at']:%Y-%m-%d %H:%M:%S}  {entry['status']:8s}  "
            f"{(entry['commit'] or '-')[:12]:12s}  {entry['digest'][:12]}  "
            f"{entry['actor']}  {summary}"
        )
    return EXIT_OK


def run_rotate(
    client_id: str, deployment: str, target: str, secrets_out: Path, policy_file: Path
) -> int:
    policy = policy_or_fail(policy_file)
    manifest = manifests_from_worktree(policy, source_commit())[deployment]
    recipients = manifest["secret_recipients"].get(client_id, [])
    provenance = Provenance(
        commit=manifest["source_commit"], digest=manifest["digest"], actor=actor()
    )
    sealed = rotate_secret(
        connect(target), client_id, recipients, provenance, _secret_keys(secrets_out)
    )
    print(f"Nouveau secret de {client_id} enregistré ; chiffré pour ses destinataires : {sealed}")
    return EXIT_OK
