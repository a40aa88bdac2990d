"""adapters/files.py on real files: JSON read or refused, atomic writes (text and bytes)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from bson import json_util

from fedreg.adapters.files import read_json, write_atomic, write_atomic_bytes
from fedreg.errors import UsageError


def test_read_json_returns_the_value(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "opened", "number": 7}), encoding="utf-8")
    assert read_json(path, "événement") == {"action": "opened", "number": 7}


@pytest.mark.parametrize(
    "content", [None, b"{pas du json", b"\xff\xfe{"], ids=["missing", "not-json", "not-utf-8"]
)
def test_read_json_refuses_with_a_usage_error_naming_what(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        read_json(path, "manifeste")
    assert str(caught.value).startswith(f"manifeste illisible : {path} (")
    assert caught.value.exit_code == 2


def test_read_json_takes_another_parser(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}}]', encoding="utf-8")
    [document] = read_json(path, "export", json_util.loads)
    assert str(document["_id"]) == "65a1b2c3d4e5f60718293a4b"


def test_write_atomic_bytes_is_private_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "client.age"
    write_atomic_bytes(path, b"age-encryption.org/v1\n")
    assert path.read_bytes() == b"age-encryption.org/v1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["client.age"]


def test_write_atomic_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "fs.yaml"
    write_atomic(path, "name: a\n", exclusive=True)
    with pytest.raises(FileExistsError):
        write_atomic(path, "name: b\n", exclusive=True)
    write_atomic(path, "name: c\n")
    assert path.read_text(encoding="utf-8") == "name: c\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fs.yaml"]
