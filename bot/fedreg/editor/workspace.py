"""A repository as the language server sees it: the policy, the registry files on disk (what
the rules across files read besides the open file) and the providers of the default branch
(what deploy-readiness compares with). An open file is checked by `fedreg validate`'s engine,
on the editor's unsaved text, as if that text were on disk."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..adapters.git import GitRepository
from ..diagnostics import Diagnostic, Finding
from ..errors import FedregError
from ..registry.layout import REGISTRY_DIR, RegistryDocument, display_path
from ..registry.policy import POLICY_FILE_NAME
from ..registry.snapshot import (
    REGULAR_MODES,
    changes,
    document,
    documents_at,
    documents_of_changes,
    is_note,
    tree_entries,
    worktree_paths,
)
from ..validation.checks.crossfile import cross_file_findings, cross_keys
from ..validation.checks.readiness import Identity, known_identities
from ..validation.engine import (
    check_document,
    check_new_providers,
    collector_paused,
    locate,
    read_document,
)
from ..validation.policycheck import check_policy, load_policy

# Where the default branch is looked for when the remote does not say (origin/HEAD).
DEFAULT_BRANCHES = ("origin/main", "origin/master", "main", "master")
CrossKey = tuple[str, str]  # (rule code, the key as canonical text)
# How long the default branch's commit is trusted before git is asked again (a fetch or a
# checkout moves it without a file of the registry changing).
BASE_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Checked:
    """A diagnostic of the open file and the finding it renders (what a quick fix reads; None
    for the policy file's)."""

    diagnostic: Diagnostic
    finding: Finding | None


def default_branch(repo: GitRepository) -> str | None:
    """The branch a pull request would merge into, when git can say: the remote's HEAD, else
    the first of main and master that exists (remote first)."""
    try:
        head = repo.git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").decode().strip()
        return head.removeprefix("refs/remotes/")
    except FedregError:
        pass
    for branch in DEFAULT_BRANCHES:
        try:
            repo.git("rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
        except FedregError:
            continue
        return branch
    return None


class RegistryWorkspace:
    """One repository root. The registry is read once, at the first check; `refresh` re-reads
    the files the editor reports as changed on disk (saved, created, deleted)."""

    def __init__(self, root: Path, base: str | None = None) -> None:
        self.root = root
        self.registry = root / REGISTRY_DIR
        self.policy_file = root / POLICY_FILE_NAME
        self.policy, _ = load_policy(self.policy_file)
        self._base = base
        self._base_commit: str | None = None
        self._base_identities: set[Identity] | None = None  # those of `_base_commit`
        self._known: set[Identity] | None = None
        self._known_until = 0.0  # when to ask git for the default branch's commit again
        self.problems: list[str] = []  # what the editor should be told (the server empties it)
        self._base_reported = False
        self._on_disk: dict[Path, RegistryDocument] | None = None
        self._holders: dict[CrossKey, set[Path]] = defaultdict(set)

    # -- which files ---------------------------------------------------------------------------
    def is_registry_file(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.registry)
        except ValueError:
            return False
        if ".." in relative.parts:
            return False  # `registry/../x`: not in the registry, whatever the text says
        return not is_note(f"{REGISTRY_DIR}/{relative.as_posix()}")

    # -- the files on disk ---------------------------------------------------------------------
    def _documents_on_disk(self) -> dict[Path, RegistryDocument]:
        if self._on_disk is None:
            self._on_disk = {}
            with collector_paused():
                paths = worktree_paths([self.registry]) if self.registry.is_dir() else []
                for path in paths:
                    self._add(read_document(path, self.root))
        return self._on_disk

    def _add(self, doc: RegistryDocument) -> None:
        assert self._on_disk is not None
        self._on_disk[doc.path] = doc
        for code, key, _, _ in cross_keys(doc):
            self._holders[(code, key)].add(doc.path)

    def _drop(self, path: Path) -> None:
        assert self._on_disk is not None
        doc = self._on_disk.pop(path, None)
        if doc is not None:
            for code, key, _, _ in cross_keys(doc):
                self._holders[(code, key)].discard(path)

    def refresh(self, paths: Iterable[Path]) -> None:
        """Re-read these files from disk (a deleted one is forgotten; the policy file is
        loaded again). Git is asked again for the default branch at the next check."""
        self._known_until = 0.0
        paths = list(paths)
        if self.policy_file in paths:
            self.policy, _ = load_policy(self.policy_file)
        if self._on_disk is None:
            return  # not read yet: the first check reads everything
        for path in paths:
            if not self.is_registry_file(path):
                continue
            self._drop(path)
            if path.exists() or path.is_symlink():
                self._add(read_document(path, self.root))

    # -- the default branch --------------------------------------------------------------------
    def known(self) -> set[Identity] | None:
        """The providers of the default branch, by identity; None when git cannot say (no
        repository, no such branch): deploy-readiness of new providers is then not checked,
        as `fedreg validate` without --base. Asked of git at most every BASE_RECHECK_SECONDS,
        or after a file changed on disk."""
        if time.monotonic() < self._known_until:
            return self._known
        self._known_until = time.monotonic() + BASE_RECHECK_SECONDS
        self._known = self._identities_at_base()
        return self._known

    def _identities_at_base(self) -> set[Identity] | None:
        try:
            repo = GitRepository.discover(self.root)
            ref = self._base or default_branch(repo)
            if ref is None:
                return None
            commit = repo.resolve(ref)
        except FedregError as error:
            if self._base is not None and not self._base_reported:  # asked for: say so, once
                self.problems.append(f"--base {self._base} : {error}")
                self._base_reported = True
            return None
        if commit != self._base_commit or self._base_identities is None:
            self._base_identities = self._identities_at(repo, commit)
            self._base_commit = commit
        return self._base_identities

    def _identities_at(self, repo: GitRepository, commit: str) -> set[Identity]:
        """The identities of the registry at `commit`. A file the work tree holds unchanged
        since `commit` has the identity of the document already read from disk: only the
        changed ones are read from git (as `fedreg diff` does), not the whole registry."""
        if os.path.realpath(repo.root) != os.path.realpath(self.root):
            docs = documents_at(repo, commit)  # the registry is not at the repository's top
            return known_identities((d.environment, d.kind, d.data) for d in docs)
        found = changes(repo, commit, None, under=REGISTRY_DIR)
        changed = {self.root / change.path for change in found}
        at_commit = {self.root / entry.path for entry in tree_entries(repo, commit)}
        before, _ = documents_of_changes(repo, found)
        unchanged = [
            doc
            for path, doc in self._documents_on_disk().items()
            if path in at_commit and path not in changed
        ]
        return known_identities((d.environment, d.kind, d.data) for d in [*unchanged, *before])

    # -- checking the open file ----------------------------------------------------------------
    def check_policy(self, text: str) -> list[Diagnostic]:
        """What `fedreg validate` reports on the policy file if it held `text`."""
        return check_policy(self.policy_file, text.encode(), self.root)[1]

    def check(self, path: Path, text: str, known: set[Identity] | None = None) -> list[Checked]:
        """What `fedreg validate` reports on `path` if it held `text`: per-file rules, the rules
        across files against the other files on disk, and what deploy requires of a provider
        absent from `known`."""
        on_disk = self._documents_on_disk()
        doc = document(path, display_path(path, self.root), REGULAR_MODES[0], text.encode())
        check_document(doc, self.policy)
        if known is not None:
            check_new_providers([doc], self.policy, known)
        # The rules across files compare keys: only the files sharing one can clash with this
        # one, and the engine sees them in the order `fedreg validate` does (sorted paths).
        sharing = {
            other
            for code, key, _, _ in cross_keys(doc)
            for other in self._holders.get((code, key), ())
            if other != path
        }
        together = sorted([doc, *(on_disk[p] for p in sharing)], key=lambda d: d.path)
        doc.findings.extend(
            finding for owner, finding in cross_file_findings(together) if owner is doc
        )
        return [
            Checked(diagnostic, finding)
            for diagnostic, finding in zip(locate(doc), doc.findings, strict=True)
        ]
