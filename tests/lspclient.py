"""A small Language Server Protocol client: drives a real server over stdio JSON-RPC, as an
editor does, for the editor-parity tests (tests/authoring/test_editor.py, tests/editor/)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

TIMEOUT = 30.0


class LspError(Exception):
    pass


def _started(target: Callable[[], None]) -> threading.Thread:
    """A daemon thread running `target`, returned once it runs (its start-up is over)."""
    running = threading.Event()

    def run() -> None:
        running.set()
        target()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not running.wait(timeout=TIMEOUT):
        raise LspError("a thread of the test client did not start")
    return thread


class LspClient:
    """One server process. `settings` answers the server's workspace/configuration requests,
    as an editor answers them from its settings files."""

    def __init__(
        self,
        command: list[str] | None,
        root: Path,
        settings: dict[str, Any],
        serve: Callable[[IO[bytes], IO[bytes]], None] | None = None,
    ) -> None:
        """Run `command`, or `serve(stdin, stdout)` in a thread of this process (over pipes,
        so that the server's code is measured by coverage)."""
        self.root = root
        self.settings = settings
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self._versions: dict[str, int] = {}
        self._closing: dict[str, int] = {}
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        if command is not None:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=root,
            )
            assert self._process.stdin is not None and self._process.stdout is not None
            self._stdin: IO[bytes] = self._process.stdin
            self._stdout: IO[bytes] = self._process.stdout
            self._reader = _started(self._read)
            return
        assert serve is not None
        to_server, from_client = os.pipe()
        to_client, from_server = os.pipe()
        server_in, server_out = os.fdopen(to_server, "rb"), os.fdopen(from_server, "wb")
        self._stdin, self._stdout = os.fdopen(from_client, "wb"), os.fdopen(to_client, "rb")

        def run() -> None:
            try:
                serve(server_in, server_out)
            finally:
                server_in.close()
                server_out.close()

        # One thread starts at a time: under coverage on Python 3.11, two threads installing
        # their trace function at once make one of them fail (python/cpython#98257).
        self._reader = _started(self._read)
        self._thread = _started(run)

    # -- wire ---------------------------------------------------------------------------------
    def _read(self) -> None:
        stream = self._stdout
        while True:
            length = None
            line = stream.readline()
            while line not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                line = stream.readline()
            if not line or length is None:
                self._messages.put(None)
                return
            self._messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        reply = self._wait(lambda m: m.get("id") == ident and "method" not in m)
        if "error" in reply:
            raise LspError(reply["error"])
        return reply.get("result")

    def _answer(self, message: dict[str, Any]) -> None:
        """Answer a request from the server the way an editor would."""
        result: Any = None
        self.server_requests.append(message)
        if message["method"] == "workspace/configuration":
            result = [
                self.settings.get(item.get("section", "")) for item in message["params"]["items"]
            ]
        self._send({"id": message["id"], "result": result})

    def _wait(self, wanted: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LspError("the language server did not answer in time")
            try:
                message = self._messages.get(timeout=remaining)
            except queue.Empty as error:
                raise LspError("the language server did not answer in time") from error
            if message is None:
                raise LspError("the language server stopped")
            if "method" in message and "id" in message:
                self._answer(message)
            elif wanted(message):
                return message
            elif "method" in message:
                self.notifications.append(message)

    # -- editor actions -----------------------------------------------------------------------
    def start(self, locale: str = "fr", watch_files: bool = False) -> None:
        root = self.root.as_uri()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root,
                "locale": locale,
                "workspaceFolders": [{"uri": root, "name": self.root.name}],
                "capabilities": {
                    "workspace": {
                        "configuration": True,
                        "didChangeWatchedFiles": {"dynamicRegistration": watch_files},
                    },
                    "textDocument": {
                        "completion": {
                            "completionItem": {
                                "snippetSupport": True,
                                "documentationFormat": ["markdown", "plaintext"],
                            }
                        },
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {},
                    },
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    def open(self, path: Path, text: str) -> list[dict[str, Any]]:
        """Open (or replace) a document; the diagnostics the server publishes for it."""
        return self.open_many({path: text})[path]

    def open_many(self, texts: dict[Path, str]) -> dict[Path, list[dict[str, Any]]]:
        """Open (or replace) documents at once, as an editor restoring its tabs: the server
        validates each after its debounce delay, all in parallel."""
        waiting = {path.as_uri(): path for path in texts}
        for path, text in texts.items():
            uri = path.as_uri()
            version = self._versions.get(uri, 0) + 1
            self._versions[uri] = version
            if version == 1:
                document = {"uri": uri, "languageId": "yaml", "version": version, "text": text}
                self.notify("textDocument/didOpen", {"textDocument": document})
            else:
                self.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": text}],
                    },
                )
        found: dict[Path, list[dict[str, Any]]] = {}
        while waiting:
            published = self._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
            uri = published["params"]["uri"]
            if self._closing.get(uri):  # the empty list the server sends when a file closes
                self._closing[uri] -= 1
            elif uri in waiting:
                found[waiting.pop(uri)] = list(published["params"]["diagnostics"])
        return found

    def close(self, path: Path) -> None:
        uri = path.as_uri()
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self._versions.pop(uri, None)
        self._closing[uri] = self._closing.get(uri, 0) + 1

    def completion(self, path: Path, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": path.as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        items = result["items"] if isinstance(result, dict) else result or []
        return list(items)

    def code_actions(self, path: Path, span: dict[str, Any]) -> list[dict[str, Any]]:
        result = self.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": path.as_uri()},
                "range": span,
                "context": {"diagnostics": []},
            },
        )
        return list(result or [])

    def hover(self, path: Path, line: int, character: int) -> str:
        result = self.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        return str(result["contents"]["value"]) if result else ""

    def stop(self) -> None:
        if self._process is None:
            self._stop_thread()
            return
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self._process.wait(timeout=10)
        except (LspError, OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            self._reader.join(timeout=10)  # it ends at the end of the server's output
            for stream in (self._stdin, self._stdout):
                stream.close()

    def _stop_thread(self) -> None:
        assert self._thread is not None
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
        finally:
            self._thread.join(timeout=10)
            self._reader.join(timeout=10)
            for stream in (self._stdin, self._stdout):
                stream.close()
