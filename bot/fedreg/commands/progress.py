"""Progress of a long run on a terminal: one line rewritten in place, erased at the end."""

from __future__ import annotations

import time
from typing import TextIO

PROGRESS_MIN_FILES = 1000  # below this a run is too short to need a progress line
_INTERVAL = 0.1  # seconds between two redraws


class TerminalProgress:
    """Called with (files done, files in all); draws « Vérification : 45 % (9 000/20 000) »."""

    def __init__(
        self,
        stream: TextIO,
        min_files: int = PROGRESS_MIN_FILES,
        *,
        label: str = "Vérification",
        unit: str = "fichiers",
        delay: float = 0.0,
    ) -> None:
        self.stream = stream
        self.min_files = min_files
        self.label, self.unit = label, unit
        self.drawn = False
        self.last = 0.0
        self.quiet_until = time.monotonic() + delay  # a run shorter than this draws nothing

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_files:
            return
        now = time.monotonic()
        if now < self.quiet_until or (done < total and now - self.last < _INTERVAL):
            return
        self.last = now
        line = f"{self.label} : {done * 100 // total} % ({done:,}/{total:,} {self.unit})"
        self.stream.write("\r" + line.replace(",", "\u202f") + "\033[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
