"""Benchmark `fedreg diff` on a large registry with a small change, and `fedreg render`.

    .venv/bin/python bench/bench_diff_render.py [--size 10000] [--changed 10] [--repeat 3]

Builds a real git repository of `--size` files, commits it, edits `--changed` files, then
prints best-of-N cold times of: the diff (git + the changed files at both revisions), the
validation of just those changed files (what the diff should cost about as much as), and the
render of the whole registry (validation included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from fedreg.adapters.git import GitRepository
from fedreg.changes.diff import diff_revisions
from fedreg.manifests.build import build_manifests, serialize
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.validation.engine import build_provider, validate_paths
from registry_generator import generate
from timing import best_of


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def render(root: Path) -> int:
    result = validate_paths([root / "registry"], DEFAULT_POLICY, base=root)
    providers = [(doc.environment, build_provider(doc)) for doc in result.documents]
    manifests = build_manifests(providers, None)
    out = root / "build"
    out.mkdir(exist_ok=True)
    for name, manifest in manifests.items():
        (out / f"{name}.json").write_text(serialize(manifest), encoding="utf-8")
    return len(result.documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fedreg-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.size)
        git(root, "init", "-q", "-b", "main")
        git(root, "-c", "user.email=b@b.invalid", "-c", "user.name=bench", "add", "-A")
        git(
            root,
            "-c",
            "user.email=b@b.invalid",
            "-c",
            "user.name=bench",
            "commit",
            "-q",
            "-m",
            "registry",
        )
        folder = root / "registry/production/service-providers"
        changed = sorted(folder.iterdir())[: args.changed]
        for path in changed:
            path.write_text(path.read_text().replace("active: true", "active: false"))
        os.chdir(root)
        repo = GitRepository.discover(root)

        def diff(base: str, head: str | None) -> object:
            plan = diff_revisions(repo, base, head, DEFAULT_POLICY)
            assert len(plan.changes) == args.changed
            return plan

        worktree_time, _ = best_of(args.repeat, lambda: diff("HEAD", None))
        git(root, "-c", "user.email=b@b.invalid", "-c", "user.name=bench", "commit", "-qam", "c")
        commits_time, _ = best_of(args.repeat, lambda: diff("HEAD~1", "HEAD"))
        validate_time, _ = best_of(args.repeat, lambda: validate_paths(changed, DEFAULT_POLICY))
        render_time, count = best_of(args.repeat, lambda: render(root))
        print(f"registry of {args.size} files, {args.changed} changed:")
        print(f"  {'validate of the changed files alone':38s} {validate_time * 1000:7.1f} ms")
        for label, seconds in (
            ("diff, two commits (the bot's case)", commits_time),
            ("diff, commit vs working tree", worktree_time),
        ):
            print(
                f"  {label:38s} {seconds * 1000:7.1f} ms   ratio to validate "
                f"{seconds / validate_time:5.1f}"
            )
        print(f"  {'render of all files (validation incl.)':38s} {render_time:7.2f} s ({count})")


if __name__ == "__main__":
    main()
