"""What a warm dry run asks of git: nothing that goes through every file of the registry
but one `git status` (a stat of each, no read), whatever the registry's size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BASE_SERVICE_PROVIDER, GitWorkspace, edited

FOLDER = "registry/integration/service-providers"


def _registry(repo: GitWorkspace, count: int) -> None:
    for index in range(count):
        repo.write(
            f"{FOLDER}/service-{index:03d}.yaml",
            edited(
                BASE_SERVICE_PROVIDER,
                [
                    ('client_id: "9f86', f'client_id: "{index:04d}'),
                    ("Service de démonstration", f"Service {index}"),
                ],
            ),
        )
    repo.commit("registry")


def _git_commands(trace: Path) -> list[list[str]]:
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    return [e["argv"][1:] for e in events if e["event"] == "start"]


def test_a_warm_dry_run_lists_no_tree_and_diffs_once(
    repo: GitWorkspace, cli, tmp_path_factory: pytest.TempPathFactory, monkeypatch
) -> None:
    _registry(repo, 12)
    cache = tmp_path_factory.mktemp("cache") / "index.sqlite"
    args = ("bot", "pr", "--dry-run", "--author", "alice", "--base", "main")
    assert cli(*args, "--cache", str(cache)).exit_code in (0, 1)  # cold: the index is built
    repo.write(
        f"{FOLDER}/service-003.yaml",
        edited(
            BASE_SERVICE_PROVIDER,
            [
                ('client_id: "9f86', 'client_id: "0003'),
                ("Service de démonstration", "Renommé"),
            ],
        ),
    )
    trace = tmp_path_factory.mktemp("trace") / "git.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))

    result = cli(*args, "--cache", str(cache))

    monkeypatch.delenv("GIT_TRACE2_EVENT")
    assert "Renommé" in result.stdout
    commands = _git_commands(trace)
    names = [c[0] for c in commands]
    assert names.count("status") == 1
    assert names.count("diff") == 1  # the merge's changes, shared with the cross-file index
    assert not [c for c in commands if c[0] == "ls-tree" and "-r" in c]  # no whole listing
    assert not {"add", "write-tree", "read-tree"} & set(names)
