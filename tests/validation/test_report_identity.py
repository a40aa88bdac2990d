"""`fedreg validate`'s whole report does not depend on how the work is spread: one process or
several, and the same bytes as the golden recorded before the engine was reworked for speed
(tests/data/validate-golden/)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, CliResult, Workspace
from fedreg.validation.engine import PARALLEL_MIN_FILES, available_cores, validate_paths

sys.path.insert(0, str(REPO_ROOT / "bench"))
from registry_generator import generate

GOLDEN = Path(__file__).resolve().parent.parent / "data/validate-golden"
SP = "registry/{env}/service-providers/provider-{index:06d}.yaml"
IDP = "registry/{env}/identity-providers/provider-{index:06d}.yaml"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, key: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(line for line in lines if line.startswith(key))


def build_registry(root: Path) -> None:
    """A registry large enough for workers, with problems in files and across files, some of
    them in the same file, spread over the whole list so that they land in different chunks."""
    count = PARALLEL_MIN_FILES + 120
    generate(root, count, error_every=50)
    # Index i lives in integration when i is even; internet when (i // 2) is even.
    first, last = (
        root / SP.format(env="integration", index=0),
        root / SP.format(env="integration", index=count - 8),
    )
    # X001: the first and the last internet integration FS share a client_id; the first also
    # has the planted U004 (two findings, one file).
    _replace(last, _line(last, "client_id"), _line(first, "client_id"))
    # X003: a name reused with another case, on a production RIE FS.
    named = root / SP.format(env="production", index=3)
    renamed = root / SP.format(env="production", index=303)
    _replace(renamed, _line(renamed, "name"), _line(named, "name").upper().replace("NAME", "name"))
    # X002 and D006: production RIE identity providers (index 19 + 40k) share a uid and
    # three of them route one e-mail domain.
    idps = [root / IDP.format(env="production", index=19 + 40 * k) for k in range(4)]
    _replace(idps[3], _line(idps[3], "uid"), _line(idps[0], "uid"))
    for idp in idps[1:]:
        _replace(idp, "attached_email_domains:\n", "attached_email_domains:\n  - partage.gouv.fr\n")
    # A file only the located path reads (a tag), with a finding of its own.
    tagged = root / SP.format(env="integration", index=102)
    _replace(tagged, "active: true", "active: !!str oui")
    # A syntax error, a misplaced file, a bad name, a file that is no UTF-8, a note beside.
    _replace(root / SP.format(env="production", index=201), "scopes:\n", "scopes: [\n")
    (root / "registry/production/divers").mkdir()
    (root / "registry/production/divers/egare.yaml").write_text("kind: ServiceProvider\n")
    (root / "registry/integration/service-providers/Mauvais_Nom.yaml").write_text(
        (root / SP.format(env="integration", index=2)).read_text()
    )
    (root / "registry/production/service-providers/latin1.yaml").write_bytes(
        "name: numéro\n".encode("latin-1")
    )
    (root / "registry/production/service-providers/notes.md").write_text("# notes\n")


@pytest.fixture
def registry(workspace: Workspace) -> Workspace:
    build_registry(workspace.root)
    return workspace


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_report_is_the_golden(registry: Workspace, cli, output_format: str) -> None:
    result: CliResult = cli("validate", "--format", output_format, "--color", "never")
    golden = (GOLDEN / f"report.{output_format}").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert result.stdout == golden


def test_one_process_and_workers_agree(registry: Workspace) -> None:
    one = validate_paths([Path("registry")], jobs=1, keep_documents=False)
    workers = validate_paths([Path("registry")], jobs=2, keep_documents=False)
    whole = validate_paths([Path("registry")], jobs=2)
    assert workers.diagnostics == one.diagnostics == whole.diagnostics
    codes = {d.code for d in one.diagnostics}
    assert {"X001", "X002", "X003", "D006", "U004", "P001", "P003", "P006", "L001", "L002"} <= codes


def test_the_command_uses_workers_here() -> None:
    """The golden test runs the command with one worker per core: it covers the parallel path
    only on a machine with two cores or more (CI's have two)."""
    assert available_cores() >= 2
