"""Who may call `fedreg serve`, and how often: HMAC signatures, replays, rates (pure).

The partner space signs each request as its own API does: `X-Timestamp` (Unix seconds) and
`X-Signature`, the hex HMAC-SHA256 of `<timestamp>.<body>` with the shared secret. A request
older or newer than `tolerance` seconds is refused, and so is a signature already seen (kept for
the tolerance window, after which the timestamp alone refuses it). Clocks are passed in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import deque

SIGNATURE_HEADER = "x-signature"
TIMESTAMP_HEADER = "x-timestamp"
MIN_SECRET_LENGTH = 32


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature the partner space sends for `body` at `timestamp`."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


class SignatureChecker:
    """Checks signatures and remembers those seen, to refuse replays."""

    def __init__(self, secret: bytes, tolerance: float = 300.0) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"secret trop court (au moins {MIN_SECRET_LENGTH} octets)")
        self._secret = secret
        self.tolerance = tolerance
        self._seen: dict[str, float] = {}

    def refusal(self, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str:
        """Why the request is refused (French), or "" when it is authentic and new."""
        if not timestamp or not signature:
            return "en-têtes X-Timestamp et X-Signature obligatoires"
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            return "X-Timestamp doit être l'heure Unix en secondes"
        if abs(now - int(timestamp)) > self.tolerance:
            return "X-Timestamp trop éloigné de l'heure du serveur"
        expected = sign(self._secret, timestamp, body)
        given = signature.strip().lower()
        if not given.isascii() or not hmac.compare_digest(expected, given):
            return "signature invalide"
        self._seen = {s: t for s, t in self._seen.items() if now - t <= 2 * self.tolerance}
        if expected in self._seen:
            return "requête déjà reçue (rejeu refusé)"
        self._seen[expected] = now
        return ""


class RateLimiter:
    """At most `limit` requests per `window` seconds for each key (a requester, an address)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._times: dict[str, deque[float]] = {}

    def retry_after(self, key: str, now: float) -> int:
        """0 when the request may go ahead (and counts it); else seconds to wait."""
        times = self._times.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, int(self.window - (now - times[0])) + 1)
        times.append(now)
        if len(self._times) > 10_000:  # forget idle keys rather than grow without bound
            self._times = {k: v for k, v in self._times.items() if v and now - v[-1] < self.window}
        return 0
