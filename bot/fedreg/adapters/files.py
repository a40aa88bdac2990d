"""Files: written so that readers see the old content or the new, never a partial one; JSON
read or refused with a usage error."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import UsageError


def read_json(path: Path, what: str, loads: Callable[[str], Any] = json.loads) -> Any:
    """The JSON value in `path`, or a usage error saying which `what` (French) is unreadable."""
    try:
        return loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{what} illisible : {path} ({error})") from error


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _stage(path: Path, content: str | bytes | Iterable[str]) -> str:
    """Write `content` (text, or text in chunks, streamed) to a temporary file beside `path`;
    returns its name. Text honours the umask; bytes (sealed secrets) keep mkstemp's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(content)
                binary.flush()
                os.fsync(binary.fileno())
            return temporary
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a written file honours umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            if isinstance(content, str):
                stream.write(content)
            else:
                stream.writelines(content)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def write_all_atomic(files: dict[Path, str]) -> None:
    """Write several files: all are staged before any replaces its target, so a failure while
    writing (disk full, permissions) leaves every target as it was."""
    with StagedFiles() as staged:
        for path, text in files.items():
            staged.add(path, text)


class StagedFiles:
    """Files staged one by one beside their targets (text, or text in chunks, never held
    whole), then all put in place when the block ends, or none if it raises."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def add(self, path: Path, content: str | Iterable[str]) -> None:
        self._staged.append((_stage(path, content), path))

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            for temporary, _path in self._staged:
                os.unlink(temporary)
            return
        for temporary, path in self._staged:
            os.replace(temporary, path)


def write_atomic(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `path` through a temporary file and a rename.

    With `exclusive`, refuse to replace an existing file (FileExistsError).
    """
    _put(path, text, exclusive=exclusive)


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write binary `data` to `path` through a temporary file and a rename (mode 0600: these
    are sealed secrets, readable by their recipients only, but kept private all the same)."""
    _put(path, data, exclusive=False)


def _put(path: Path, content: str | bytes, *, exclusive: bool) -> None:
    if exclusive and path.exists():
        raise FileExistsError(path)
    temporary = _stage(path, content)
    try:
        if exclusive:
            os.link(temporary, path)  # fails if `path` appeared meanwhile
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
