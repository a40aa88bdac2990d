"""`fedreg diff`'s engine: read only what git says changed, at both revisions, and plan it."""

from __future__ import annotations

from pathlib import Path

from .gitrepo import GitRepository
from .layout import REGISTRY_DIR, RegistryDocument, classify, display_path
from .plan import Plan, build_plan
from .policy import Policy
from .validate import collector_paused, parse_document, validate_documents


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


def parse_contents(
    repo: GitRepository, contents: dict[str, bytes | None]
) -> list[RegistryDocument]:
    docs = []
    for path, raw in contents.items():
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
        base_contents, head_contents = read_contents(repo, (base_commit, head_commit), paths)
        before = parse_contents(repo, base_contents)
        after = parse_contents(repo, head_contents)
        diagnostics = validate_documents(after, policy)
        return build_plan(before, after, diagnostics)
