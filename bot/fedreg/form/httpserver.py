"""uvicorn as `fedreg serve` runs it: h11 with a deadline on each request's head.

uvicorn bounds the size of an incomplete head (h11) but not the time it takes: a client that
sends its headers a byte at a time, or never ends them, holds its connection for as long as it
likes, and the keep-alive timer stops as soon as one byte arrives. `HeadDeadlineProtocol` gives
every request's head (the first one of a connection, and each next one on a kept-alive
connection) `head_timeout` seconds; past it, that client alone gets a 408 and its connection is
closed. The body's own time limit is the app's (`server._read_body`); a body still arriving
once the response is sent (one the app did not read: a GET's) counts against the next head's
deadline, as uvicorn's keep-alive timer stops at its first byte.
"""

from __future__ import annotations

import asyncio
import os
from http import HTTPStatus
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_TIMEOUT = 10.0  # seconds from the connection (or the previous response) to a whole head
TIMEOUT_REASON = HTTPStatus.REQUEST_TIMEOUT.phrase.encode()
TIMEOUT_MESSAGE = "En-têtes reçus trop lentement : connexion fermée.".encode()


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with `head_timeout` seconds for each request's head."""

    head_timeout = HEAD_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        # the head is complete and its request is being served: the app's limits hold now (a
        # body still arriving after the response, which nobody reads, keeps the deadline)
        if self.conn.their_state is not h11.IDLE and not self._answered():
            self._disarm()

    def _answered(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():  # kept alive: the next head has its own deadline
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or not self._answered():
            return
        if self.conn.our_state is h11.IDLE:  # nothing sent yet on this cycle: say why
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(TIMEOUT_MESSAGE)).encode()),
                (b"connection", b"close"),
            ]
            self.transport.write(
                self.conn.send(
                    h11.Response(status_code=408, headers=headers, reason=TIMEOUT_REASON)
                )
                + self.conn.send(h11.Data(data=TIMEOUT_MESSAGE))
                + self.conn.send(h11.EndOfMessage())
            )
        self.transport.close()


def head_deadline_protocol(seconds: float) -> type[HeadDeadlineProtocol]:
    """The protocol with another deadline (the tests use a short one)."""
    return type("HeadDeadlineProtocol", (HeadDeadlineProtocol,), {"head_timeout": seconds})


def server_config(app: Any, host: str, port: int, head_timeout: float = HEAD_TIMEOUT) -> Any:
    """uvicorn's configuration for the partner space."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        http=head_deadline_protocol(head_timeout),
        # No connection cap (a cap lets idle connections turn everyone away); h11 bounds the
        # head's size, the protocol the head's time, the app bodies and the rest.
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FEDREG_TRUSTED_PROXIES", "127.0.0.1"),
    )
