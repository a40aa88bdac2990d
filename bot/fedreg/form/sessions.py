"""The partner space's live sessions, kept by the server so that sign-out ends one now (pure).

The session cookie is signed (Starlette's SessionMiddleware) and names a session id; a cookie
counts only while its id is here. Each id is opened at sign-in (a new one every time: an id
planted before sign-in is never promoted), carries its own CSRF token, and lasts `max_age`
seconds from sign-in whatever the cookie says; sign-out closes it, so a copied cookie stops
working at once. Memory is bounded: expired ids are purged as new ones open, and past
`capacity` the oldest sessions end first. Nothing is written to disk: a restart signs everyone
out, the safe direction. Clocks are passed in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class LiveSession:
    expires: float
    csrf: str


class SessionStore:
    def __init__(self, max_age: float, capacity: int = 100_000) -> None:
        self.max_age, self.capacity = max_age, capacity
        # Opened in time order with one lifetime: insertion order is expiry order.
        self._live: dict[str, LiveSession] = {}

    def __len__(self) -> int:
        return len(self._live)

    def open(self, now: float) -> str:
        """A new session's id."""
        self._purge(now)
        while len(self._live) >= self.capacity:
            del self._live[next(iter(self._live))]
        sid = secrets.token_urlsafe(32)
        self._live[sid] = LiveSession(now + self.max_age, secrets.token_urlsafe(32))
        return sid

    def csrf(self, sid: object, now: float) -> str | None:
        """The CSRF token of the live session `sid`; None when it is unknown, closed or
        expired."""
        live = self._live.get(sid) if isinstance(sid, str) else None
        if live is None or live.expires <= now:
            return None
        return live.csrf

    def close(self, sid: object) -> None:
        if isinstance(sid, str):
            self._live.pop(sid, None)

    def _purge(self, now: float) -> None:
        while self._live:
            oldest = next(iter(self._live))
            if self._live[oldest].expires > now:
                return
            del self._live[oldest]
