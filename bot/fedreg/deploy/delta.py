"""The incremental deploy: what a change of registry files between the commit a deployment's
database was last deployed from (its base) and the commit being deployed does to that
deployment, read from the changed files alone.

A deployment's manifest is the set of its files' records, and a database deployed from the
base holds the base's records: the records the changed files held at the base (their
identities) and hold now (checked as a whole render checks them) are all a deploy of the
change may write. Whatever this cannot vouch for from the changed files takes the full path
(`FullPath`, with its reason in French): a change outside `registry/` (code, policy, waivers,
schemas) or of a file git reads as configuration, a file unreadable at the base, more files
than a small change. Where a changed file takes an identity another file held at the base,
the database says so (`sequence.py`): the full path then reports the clash, located.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..adapters.git import GitRepository
from ..diagnostics import count_errors
from ..manifests.build import Manifest, ProviderRecord, assemble_manifest, provider_record
from ..registry.layout import REGISTRY_DIR, RegistryDocument
from ..registry.models import SERVICE_PROVIDER, deployment_name, deployment_parts
from ..registry.policy import Policy
from ..registry.snapshot import changes, documents_of_changes, is_git_config
from ..validation.checks.context import text_value
from ..validation.checks.crossfile import cross_file_findings
from ..validation.engine import build_provider, check_document, collector_paused, locate
from ..validation.waivers import apply_exceptions
from .orchestration import InvalidRegistry, check_conformance, waivers_at

# Beyond this many changed files of one environment, reading them is no longer small: the
# full path reads everything once instead.
MAX_CHANGED_FILES = 2_000
COLLECTION_BY_KIND = {SERVICE_PROVIDER: "client"}  # any other provider kind: "provider"


class FullPath(Exception):
    """Why this deploy takes the full path (French): not an error, a decision."""


@dataclass(frozen=True)
class DeploymentChange:
    """The records a change writes to one deployment: the changed files' records now (a
    manifest holding only them), and every identity the change touches on either side."""

    base: str
    commit: str
    files: int  # changed files of the deployment's environment, read on both sides
    manifest: Manifest  # the changed files' records for this deployment, as a manifest
    before: dict[str, frozenset[str]]  # collection -> identities the changed files held at base

    @property
    def keys(self) -> dict[str, frozenset[str]]:
        """collection -> every identity the change touches (held at base, or now)."""
        now = {
            "client": frozenset(d["key"] for d in self.manifest["client"]),
            "provider": frozenset(d["uid"] for d in self.manifest["provider"]),
        }
        return {name: self.before[name] | now[name] for name in now}


def deployment_change(
    repo: GitRepository, base: str, commit: str, deployment: str, policy: Policy
) -> DeploymentChange:
    """The change from `base` to `commit` for `deployment`, read from the changed files;
    FullPath when it cannot be told from them; InvalidRegistry (or NonConformantRecords)
    when a changed file does not render, as a whole render would refuse it."""
    environment, _ = deployment_parts(deployment)
    found = changes(repo, base, commit)
    outside = [c.path for c in found if not c.path.startswith(f"{REGISTRY_DIR}/")]
    configuration = [c.path for c in found if is_git_config(c.path)]
    if outside or configuration:
        raise FullPath(
            f"{(outside or configuration)[0]} a changé depuis le dernier déploiement "
            f"({base[:12]}) : ce changement peut modifier tout le rendu"
        )
    mine = [c for c in found if c.path.startswith(f"{REGISTRY_DIR}/{environment}/")]
    if len(mine) > MAX_CHANGED_FILES:
        raise FullPath(f"{len(mine)} fichiers de {environment} ont changé depuis {base[:12]}")
    before_docs, after_docs = documents_of_changes(repo, mine)
    with collector_paused():
        before = _identities_at_base(before_docs, deployment)
        records = _records_now(repo, commit, after_docs, policy)
    manifest = assemble_manifest(
        deployment, [r for r in records if r.deployment == deployment], commit
    )
    check_conformance({deployment: manifest})
    return DeploymentChange(base, commit, len(mine), manifest, before)


def _identities_at_base(docs: list[RegistryDocument], deployment: str) -> dict[str, frozenset[str]]:
    """collection -> the identities of `deployment` the changed files held at the base."""
    held: dict[str, set[str]] = {"client": set(), "provider": set()}
    for doc in docs:
        data = doc.data
        kind = text_value(data or {}, "kind")
        collection = COLLECTION_BY_KIND.get(kind or "", "provider")
        key = text_value(data or {}, "client_id" if collection == "client" else "uid")
        network = text_value(data or {}, "network")
        if data is None or doc.findings or kind != doc.kind or not key or not network:
            raise FullPath(
                f"{doc.display_path} n'était pas lisible au dernier commit déployé : "
                "impossible de savoir quel enregistrement il tenait"
            )
        if deployment_name(doc.environment, network) == deployment:
            held[collection].add(key)
    return {name: frozenset(keys) for name, keys in held.items()}


def _records_now(
    repo: GitRepository, commit: str, docs: list[RegistryDocument], policy: Policy
) -> list[ProviderRecord]:
    """The changed files' records at `commit`, checked as a whole render checks them (each
    file, the rules across the changed files, the commit's waivers and today's levels)."""
    for doc in docs:
        check_document(doc, policy)
    for doc, finding in cross_file_findings(docs):
        doc.findings.append(finding)
    today = date.today()
    diagnostics = apply_exceptions(
        sorted(d for doc in docs for d in locate(doc)),
        waivers_at(repo, commit, policy, today),
        policy,
        today,
        checked=lambda file: False,  # unused waivers: the whole render's to report
    )
    if count_errors(diagnostics):
        raise InvalidRegistry(diagnostics, len(docs))
    return [provider_record(doc.environment, build_provider(doc)) for doc in docs]


MANIFEST_SECTIONS = ("firewall", "secret_recipients", "sealed_secrets")  # by identifier


def delta_mismatch(change: DeploymentChange, manifest: Mapping[str, Any]) -> str | None:
    """Why a manifest file (its shape checked) does not hold, for every identity the change
    touches, the changed files' record at its commit, or holds one they no longer have
    (None: it holds exactly theirs). What an incremental deploy of a manifest file writes is
    then what the registry gives at that commit."""
    rendered: Mapping[str, Any] = change.manifest
    for collection, key_field in (("client", "key"), ("provider", "uid")):
        given = {d.get(key_field): d for d in manifest[collection] if isinstance(d, dict)}
        wanted = {d[key_field]: d for d in rendered[collection]}
        for key in sorted(change.keys[collection]):
            same = given.get(key) == wanted.get(key) and all(
                manifest[section].get(key) == rendered[section].get(key)
                for section in MANIFEST_SECTIONS
            )
            if not same:
                return (
                    f"ce manifeste n'est pas celui que le registre donne au commit "
                    f"{change.commit[:12]} : l'enregistrement {key} diffère"
                )
    return None
