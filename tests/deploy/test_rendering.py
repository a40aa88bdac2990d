"""A commit's registry rendered in parallel workers (`deploy/rendering.py`): the same bytes
as the serial renderer always wrote, the same located diagnostics, the same refusals."""

from __future__ import annotations

import hashlib
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited
from fedreg.adapters.git import GitRepository
from fedreg.deploy.orchestration import manifests_at_commit
from fedreg.deploy.rendering import RenderedRegistry, render_entries
from fedreg.manifests.build import serialize
from fedreg.registry.policy import DEFAULT_POLICY
from fedreg.registry.snapshot import tree_entries
from fedreg.validation.coreconformance import CoreViolation

sys.path.insert(0, str(REPO_ROOT / "bench"))
from registry_generator import generate

# sha256 of each manifest file (its source commit written COMMIT), as the serial renderer
# (validate_documents, build_manifests, json.dumps) wrote them before the parallel one: the
# bytes must never change by accident. Regenerate only for a change of output on purpose.
GOLDEN = {
    "example": {
        "integration-internet": "8724088f3b52d6ba473a455cf24af7805054d794ed062689105c10aaba57c7e6",
        "integration-rie": "e33441a2d63d38bb329aa19bec2c2019dbb77f5588222c26bab1cd53c5b1bd40",
        "production-internet": "cf9d6291a50788d0908921cb39466edae9b94ff101aacd033453f119597fd4c8",
        "production-rie": "f7f1701ceabe658ffd4e5a4ac90b6e54aa23c8d7a875df3f2b5d83c40d1c8a5b",
    },
    "generated-1200": {
        "integration-internet": "5591b94c27e70351d05c30bfbc16bf9684672990091ee1c074019e0102e6296d",
        "integration-rie": "b7c5e0d369659bd64519a5275abc82f973ee9e32cdc28fb8267b7c709e5cfe6e",
        "production-internet": "fc82d1a30b7b7350b318d165e868e6de41a8eff4defdb045d92d373fea9acc65",
        "production-rie": "3a54d23c25bb8db216a910240c793abc0b6d09bf9a2c7e859c88f28ef97eb2e7",
    },
}


def _files(out: Path, commit: str) -> dict[str, str]:
    return {
        path.stem: hashlib.sha256(path.read_bytes().replace(commit.encode(), b"COMMIT")).hexdigest()
        for path in sorted(out.glob("*.json"))
    }


@pytest.mark.parametrize("registry_name", ["example", "generated-1200"])
def test_render_writes_the_bytes_the_serial_renderer_wrote(repo, cli, registry_name) -> None:
    if registry_name == "example":
        shutil.copytree(EXAMPLES / "registry", repo.root / "registry")
    else:
        generate(repo.root, 1200)  # above the parallel threshold: workers on two cores
    commit = repo.commit("registry")
    result = cli("render", "--out", "out")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _files(repo.root / "out", commit) == GOLDEN[registry_name]


def test_workers_and_one_process_agree_to_the_diagnostic(repo) -> None:
    """Planted errors, located, and a clash across files found in two different workers'
    chunks, located from the text read again: the same list either way."""
    generate(repo.root, 1200, error_every=97)
    twin = repo.root / "registry/production/service-providers/provider-001197.yaml"
    first = repo.root / "registry/production/service-providers/provider-000001.yaml"
    twin.write_text(twin.read_text().replace("Service numéro 1197", "Service numéro 1"))
    repo.commit("registry")
    git = GitRepository(repo.root)
    entries = tree_entries(git, "HEAD")
    serial = render_entries(git, entries, DEFAULT_POLICY, jobs=1)
    parallel = render_entries(git, entries, DEFAULT_POLICY, jobs=2)
    assert serial.diagnostics == parallel.diagnostics
    codes = {(d.path, d.code, d.line, d.column) for d in parallel.diagnostics}
    assert ("registry/production/service-providers/provider-000097.yaml", "U004", 13, 5) in codes
    clash = {d.path for d in parallel.diagnostics if d.code == "X003"}
    assert clash == {str(first.relative_to(repo.root)), str(twin.relative_to(repo.root))}
    assert all(d.line == 2 for d in parallel.diagnostics if d.code == "X003")
    for deployment in ("production-internet", "production-rie"):
        assert serial.records(deployment) == parallel.records(deployment)


def test_a_file_whose_errors_are_waived_is_built(repo) -> None:
    """A file with an error of its own has no record from its worker; waived, it is built
    after all, as every file of a registry without errors always was."""
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    sp = "registry/production/service-providers/demo.yaml"
    repo.write(
        "waivers.yaml",
        f"waivers:\n  - code: N004\n    file: {sp}\n    reason: migration en cours\n"
        f'    granted_by: "@agent-federation"\n    expires: "{expires}"\n',
    )
    repo.write(sp, edited(BASE_SERVICE_PROVIDER, [("145.242.17.0/28", "145.242.0.0/16")]))
    commit = repo.commit("a wide range, waived")
    manifest = manifests_at_commit(GitRepository(repo.root), commit, DEFAULT_POLICY)[
        "production-internet"
    ]
    [client] = manifest["client"]
    assert manifest["firewall"] == {client["key"]: ["145.242.0.0/16"]}
    assert serialize(manifest).count('"145.242.0.0/16"') == 1


def test_core_violations_are_listed_in_the_manifests_order() -> None:
    """As the serial gate listed them: by deployment, clients before providers, by key,
    then by file."""

    def violation(key: str) -> CoreViolation:
        return CoreViolation("client", key, "name", "trop long")

    places = [
        (("production-rie", "client", "a", 3), violation("a")),
        (("integration-internet", "provider", "b", 1), violation("b")),
        (("integration-internet", "client", "z", 2), violation("z")),
        (("integration-internet", "client", "c", 9), violation("c9")),
        (("integration-internet", "client", "c", 4), violation("c4")),
    ]
    rendered = RenderedRegistry([], [], [], {}, list(places))
    assert [v.identifier for _, v in rendered.core_violations()] == ["c4", "c9", "z", "b", "a"]
    assert [d for d, _ in rendered.core_violations()][-1] == "production-rie"
