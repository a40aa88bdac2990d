"""`fedreg diff`'s engine: read only what changed, at both revisions, and plan it.

Paths are relative to the repository root, as git and GitHub name them.
"""

from __future__ import annotations

from pathlib import Path

from .checks.readiness import known_identities
from .diagnostics import Finding
from .gitrepo import GitRepository
from .layout import REGISTRY_DIR, YAML_SUFFIX, RegistryDocument, classify
from .plan import DomainHolders, Plan, build_plan, domain_holders
from .policy import Policy
from .validate import collector_paused, parse_document, validate_documents

_IDP_FOLDER = "/identity-providers/"
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
    before: list[RegistryDocument],
    after: list[RegistryDocument],
    policy: Policy,
    base_holders: DomainHolders | None = None,
) -> Plan:
    """The plan between two versions of the changed files, with the diagnostics of the head
    version (per-file rules, and rules across the changed files). `base_holders`: who routes
    each e-mail domain in the whole base registry, when known. A provider whose identity
    (deployment, kind, client_id or uid) is not in `before` is new: deploy-readiness rules
    apply to it."""
    known = known_identities((doc.environment, doc.kind, doc.data) for doc in before)
    with collector_paused():
        return build_plan(before, after, validate_documents(after, policy, known), base_holders)


def adds_routed_domains(plan: Plan) -> bool:
    """Whether a change attaches an e-mail domain: only then are the other FIs worth reading."""
    return any(
        f.field == "attached_email_domains" and f.added for c in plan.changes for f in c.fields
    )


def holders_at_commit(repo: GitRepository, commit: str) -> DomainHolders:
    """Who routes each e-mail domain at `commit` (every identity-provider file, one git read)."""
    paths = [p for p in repo.list_files(commit, REGISTRY_DIR) if _IDP_FOLDER in p]
    contents = repo.read_files([(commit, path) for path in paths])
    return domain_holders(parse_contents({path: contents[(commit, path)] for path in paths}))


def holders_in_tree(root: Path) -> DomainHolders:
    """Who routes each e-mail domain in the registry checked out under `root`."""
    paths = sorted((root / REGISTRY_DIR).glob(f"*{_IDP_FOLDER}*{YAML_SUFFIX}"))
    files = {p.relative_to(root).as_posix(): p for p in paths if p.is_file() and not p.is_symlink()}
    return domain_holders(parse_contents({path: f.read_bytes() for path, f in files.items()}))


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
    before, after = parse_contents(base_contents), parse_contents(head_contents)
    plan = plan_documents(before, after, policy)
    if adds_routed_domains(plan):
        plan = build_plan(before, after, plan.diagnostics, holders_at_commit(repo, base_commit))
    return plan
