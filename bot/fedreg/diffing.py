"""`fedreg diff`'s engine: read only what git says changed, at both revisions, and plan it."""

from __future__ import annotations

from pathlib import Path

from .gitrepo import GitRepository
from .layout import REGISTRY_DIR, RegistryDocument, classify, display_path
from .plan import Plan, build_plan
from .policy import Policy
from .validate import collector_paused, parse_document, validate_documents


def read_revision(
    repo: GitRepository, commit: str | None, paths: list[str]
) -> list[RegistryDocument]:
    """The registry files among `paths` as they are at `commit` (None: the working tree)."""
    if commit is not None:
        contents = repo.read_files(commit, paths)
    else:
        contents = {}
        for path in paths:
            file = repo.root / path
            contents[path] = file.read_bytes() if file.is_file() else None
    docs = []
    for path in paths:
        raw = contents[path]
        if raw is None:
            continue
        environment, kind, slug, findings = classify(Path(path))
        doc = RegistryDocument(
            path=repo.root / path,
            display_path=display_path(repo.root / path),
            environment=environment,
            kind=kind,
            slug=slug,
            findings=findings,
        )
        parse_document(doc, raw)
        docs.append(doc)
    return docs


def diff_revisions(repo: GitRepository, base: str, head: str | None, policy: Policy) -> Plan:
    """The plan from `base` to `head` (None: the working tree), with the diagnostics of the
    changed files at `head`: per-file rules, and rules across the changed files."""
    base_commit = repo.resolve(base)
    head_commit = repo.resolve(head) if head is not None else None
    with collector_paused():
        paths = repo.changed_paths(base_commit, head_commit, REGISTRY_DIR)
        before = read_revision(repo, base_commit, paths)
        after = read_revision(repo, head_commit, paths)
        diagnostics = validate_documents(after, policy)
        return build_plan(before, after, diagnostics)
