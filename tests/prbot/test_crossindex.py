"""The bot's cross-file index on real git repositories: what a warm run reads, and that its
clashes are those `fedreg validate` finds on the whole registry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import BASE_SERVICE_PROVIDER, edited
from fedreg.adapters.git import GitRepository
from fedreg.prbot.crossindex import CrossIndex
from fedreg.registry.snapshot import changes, documents_of_changes
from fedreg.validation.engine import validate_paths

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's empty tree


def _provider(i: int, name: str | None = None) -> str:
    return edited(
        BASE_SERVICE_PROVIDER,
        [
            ('client_id: "9f86', f'client_id: "{i:04d}'),
            ("name: Service de démonstration", f"name: {name or f'Service {i}'}"),
        ],
    )


def _tree(repo, files: dict[str, str]) -> str:
    for path, text in files.items():
        repo.write(path, text)
    repo.commit()
    return str(repo.git("rev-parse", "HEAD^{tree}"))


def test_warm_sync_reads_only_the_changed_files(repo, tmp_path: Path) -> None:
    folder = "registry/integration/service-providers"
    first = _tree(repo, {f"{folder}/s{i:03d}.yaml": _provider(i) for i in range(40)})
    git = GitRepository(repo.root)
    cache = tmp_path / "cache" / "index.sqlite"
    index = CrossIndex(cache)
    index.sync(git, first)
    assert index.files_read == 40
    index.close()

    second = _tree(repo, {f"{folder}/s041.yaml": _provider(41, name="Service 7")})
    index = CrossIndex(cache)  # a later run, restored from the cache
    index.sync(git, second)
    assert index.files_read == 1
    _, after = documents_of_changes(git, changes(git, first, second))
    [(doc, finding)] = index.clashes(after, git)
    assert (doc.display_path, finding.code, finding.params["other_path"]) == (
        f"{folder}/s041.yaml",
        "X003",
        f"{folder}/s007.yaml",
    )
    # the same clash as the whole-registry validation finds
    full = validate_paths([repo.root / "registry"], base=repo.root)
    assert sorted((d.path, d.code) for d in full.diagnostics) == [
        (f"{folder}/s007.yaml", "X003"),
        (f"{folder}/s041.yaml", "X003"),
    ]
    index.close()


def test_damaged_cache_is_rebuilt(repo, tmp_path: Path) -> None:
    tree = _tree(repo, {"registry/integration/service-providers/a.yaml": _provider(1)})
    cache = tmp_path / "index.sqlite"
    cache.write_bytes(b"not a database" * 100)
    index = CrossIndex(cache)
    index.sync(GitRepository(repo.root), tree)
    assert index.files_read == 1
    index.close()


def test_cache_restored_in_a_fresh_clone_stays_warm(repo, tmp_path: Path) -> None:
    """A workflow run starts from a new checkout: the merge trees of earlier runs are gone,
    the default branch's commits are not. The index follows the base, so it stays usable."""
    folder = "registry/integration/service-providers"
    _tree(repo, {f"{folder}/s{i:03d}.yaml": _provider(i) for i in range(30)})
    cache = tmp_path / "index.sqlite"

    def judge(root: Path, pr_files: dict[str, str]) -> tuple[int, list[str]]:
        git = GitRepository(root)
        base = git.resolve_tree("main")
        git.git("checkout", "-q", "-b", f"pr-{len(pr_files)}", "main")
        for path, text in pr_files.items():
            (root / path).write_text(text)
        git.git("-c", "user.email=t@t.invalid", "-c", "user.name=t", "commit", "-qam", "pr")
        merged, conflicts = git.merge_tree("main", "HEAD")
        git.git("checkout", "-q", "main")
        assert not conflicts
        _, after = documents_of_changes(git, changes(git, base, merged))
        index = CrossIndex(cache)
        try:
            found = index.clashes_in_merge(git, base, merged, after)
            return index.files_read, [f.code for _, f in found]
        finally:
            index.close()

    assert judge(repo.root, {f"{folder}/s001.yaml": _provider(1, name="Service 2")}) == (
        31,  # cold: the base's 30 files, and the changed one
        ["X003"],
    )
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.root), str(clone))
    read, codes = judge(
        clone,
        {
            f"{folder}/s003.yaml": _provider(3, name="Nouveau"),
            f"{folder}/s004.yaml": _provider(4, name="Nouveau"),
        },
    )
    assert (read, sorted(codes)) == (2, ["X003", "X003"])


def test_hash_collisions_neither_invent_nor_hide_a_clash(repo, tmp_path: Path) -> None:
    """With one-byte hashes, 60 files' keys collide all over: every clash the index reports is
    confirmed on the other file's real keys, so the findings are exactly validate's."""
    folder = "registry/integration/service-providers"
    files = {f"{folder}/s{i:03d}.yaml": _provider(i) for i in range(60)}
    files[f"{folder}/s059.yaml"] = _provider(59, name="Service 12")  # one real clash
    tree = _tree(repo, files)
    git = GitRepository(repo.root)
    for width in (1, 8):
        index = CrossIndex(tmp_path / f"index-{width}.sqlite", hash_bytes=width)
        index.sync(git, tree)
        docs = documents_of_changes(git, changes(git, EMPTY_TREE, tree))[1]
        found = sorted(
            (doc.display_path, f.code, f.params["other_path"])
            for doc, f in index.clashes(docs, git)
        )
        assert found == [
            (f"{folder}/s012.yaml", "X003", f"{folder}/s059.yaml"),
            (f"{folder}/s059.yaml", "X003", f"{folder}/s012.yaml"),
        ]
        if width == 1:
            assert index.files_confirmed > 2  # collisions were read, and set aside
        index.close()


def test_an_older_cache_format_is_rebuilt(repo, tmp_path: Path) -> None:
    tree = _tree(repo, {"registry/integration/service-providers/a.yaml": _provider(1)})
    cache = tmp_path / "index.sqlite"
    old = sqlite3.connect(cache)
    old.executescript(
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('format', '2:0.1.0'), ('tree', 'x');"
        "CREATE TABLE blobs (id TEXT PRIMARY KEY, keys TEXT NOT NULL, label TEXT);"
    )
    old.close()
    index = CrossIndex(cache)
    index.sync(GitRepository(repo.root), tree)
    assert index.files_read == 1
    tables = {
        name for (name,) in index.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert "blobs" not in tables and {"files", "keys", "shared"} <= tables
    index.close()
