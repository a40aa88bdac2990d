"""`fedreg diff`'s engine: read only what changed, at both revisions, and plan it.

Paths are relative to the repository root, as git and GitHub name them.
"""

from __future__ import annotations

from pathlib import Path

from .checks.readiness import known_identities
from .diagnostics import Finding
from .gitrepo import GitRepository
from .layout import REGISTRY_DIR, RegistryDocument, classify
from .plan import Plan, build_plan
from .policy import Policy
from .validate import collector_paused, parse_document, validate_documents

SYMLINK = b"\0symlink"  # the content readers give for a symbolic link: refused, never followed


def read_contents(
    repo: GitRepository, commits: tuple[str | None, ...], paths: list[str]
) -> list[dict[str, bytes | None]]:
    """For each commit (None: the working tree), the content of each path (None: absent).
    Files at commits are read in one git call."""
    from_git = repo.read_files([(c, p) for c in commits if c is not None for p in paths])
    contents = []
    for commit in commits:
        if commit is not None:
            contents.append({path: from_git[(commit, path)] for path in paths})
        else:
            files = {path: repo.root / path for path in paths}
            contents.append({p: f.read_bytes() if f.is_file() else None for p, f in files.items()})
    return contents


def parse_contents(contents: dict[str, bytes | None]) -> list[RegistryDocument]:
    """Documents for the files in `contents` (path relative to the repository root -> bytes,
    None when absent). A symbolic link is refused, never followed."""
    docs = []
    for path, raw in sorted(contents.items()):
        if raw is None:
            continue
        environment, kind, slug, findings = classify(Path(path))
        doc = RegistryDocument(
            path=Path(path),
            display_path=path,
            environment=environment,
            kind=kind,
            slug=slug,
            findings=findings,
        )
        if raw == SYMLINK:
            doc.findings.append(
                Finding(
                    "L001",
                    params={"reason": "c'est un lien symbolique, pas un fichier"},
                    line=1,
                    column=1,
                )
            )
        else:
            parse_document(doc, raw)
        docs.append(doc)
    return docs


def plan_documents(
    before: list[RegistryDocument], after: list[RegistryDocument], policy: Policy
) -> Plan:
    """The plan between two versions of the changed files, with the diagnostics of the head
    version (per-file rules, and rules across the changed files). A provider whose identity
    (deployment, kind, client_id or uid) is not in `before` is new: deploy-readiness rules
    apply to it."""
    known = known_identities((doc.environment, doc.kind, doc.data) for doc in before)
    with collector_paused():
        return build_plan(before, after, validate_documents(after, policy, known))


def plan_from_contents(
    base: dict[str, bytes | None], head: dict[str, bytes | None], policy: Policy
) -> Plan:
    return plan_documents(parse_contents(base), parse_contents(head), policy)


def diff_revisions(repo: GitRepository, base: str, head: str | None, policy: Policy) -> Plan:
    """The plan from `base` to `head` (None: the working tree), reading only the registry
    files git reports as changed."""
    base_commit = repo.resolve(base)
    head_commit = repo.resolve(head) if head is not None else None
    paths = repo.changed_paths(base_commit, head_commit, REGISTRY_DIR)
    base_contents, head_contents = read_contents(repo, (base_commit, head_commit), paths)
    return plan_from_contents(base_contents, head_contents, policy)
