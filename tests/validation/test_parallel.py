"""Large registries are checked by several processes: the result must not depend on it."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO_ROOT
from fedreg.validation.engine import PARALLEL_MIN_FILES, validate_paths

sys.path.insert(0, str(REPO_ROOT / "bench"))
from registry_generator import PLANTED_CODE, PLANTED_POSITION, generate


def test_parallel_and_sequential_runs_agree(tmp_path: Path) -> None:
    count = PARALLEL_MIN_FILES + 100
    planted = generate(tmp_path, count, error_every=50)
    # A clash across chunks: the last file of the same deployment reuses the first's client_id.
    first = tmp_path / "registry/integration/service-providers/provider-000000.yaml"
    last = [
        path
        for path in sorted((tmp_path / "registry/integration/service-providers").iterdir())
        if "network: internet" in path.read_text()
    ][-1]
    client_id = next(line for line in first.read_text().splitlines() if "client_id" in line)
    text = last.read_text().splitlines()
    last.write_text("\n".join(client_id if "client_id" in line else line for line in text) + "\n")

    sequential = validate_paths([tmp_path / "registry"], base=tmp_path, jobs=1)
    parallel = validate_paths([tmp_path / "registry"], base=tmp_path, jobs=2)
    # What `fedreg validate` runs: workers send back located diagnostics and key fingerprints
    lean = [
        validate_paths([tmp_path / "registry"], base=tmp_path, jobs=jobs, keep_documents=False)
        for jobs in (1, 2)
    ]

    assert parallel.diagnostics == sequential.diagnostics
    assert [d.path for d in parallel.documents] == [d.path for d in sequential.documents]
    for result in lean:
        assert result.diagnostics == sequential.diagnostics
        assert result.documents == []
        assert result.checked_paths == sequential.checked_paths
        assert len(result.checked_paths) == count
    codes = {(d.path, d.code, d.line, d.column) for d in parallel.diagnostics}
    for path in planted:
        assert (path.relative_to(tmp_path).as_posix(), PLANTED_CODE, *PLANTED_POSITION) in codes
    clashes = [d for d in parallel.diagnostics if d.code == "X001"]
    assert {d.path.rsplit("/", 1)[-1] for d in clashes} == {first.name, last.name}
    # located on the value, though workers dropped the text of files with nothing to report
    assert {(d.line, d.column) for d in clashes} == {(4, 12)}
