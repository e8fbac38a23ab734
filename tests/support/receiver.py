"""A ticket webhook receiver for the tests, on 127.0.0.1: it records every request
(headers and body) and answers as scripted.

`answer(status, headers, body)` queues answers for the next requests (200 after
them); `hold(seconds)` makes each answer wait, as a hanging endpoint would;
`down()` closes the port (connections are refused) and `up()` opens it again on
the same port.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what it was answered
    at: float = field(default_factory=time.monotonic)

    @property
    def event_id(self) -> str:
        return self.headers["webhook-id"]


class TicketReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._script: list[tuple[int, dict[str, str], bytes]] = []
        self._hold = 0.0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._httpd = self._bind(0)
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/tickets"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def down(self) -> None:
        """Connections are refused until `up`."""
        self.stop()

    def up(self) -> None:
        self._httpd = self._bind(self.port)
        self.start()

    def answer(self, status: int, headers: dict[str, str] | None = None, body: str = "") -> None:
        with self._lock:
            self._script.append((status, headers or {}, body.encode()))

    def hold(self, seconds: float) -> None:
        self._hold = seconds

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, in order."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def wait_for_delivered(self, count: int, timeout: float = 15.0) -> list[Received]:
        with self._changed:
            done = self._changed.wait_for(
                lambda: sum(200 <= r.status < 300 for r in self.requests) >= count, timeout
            )
            got = [r for r in self.requests if 200 <= r.status < 300]
        if not done:
            raise TimeoutError(f"expected {count} events delivered in {timeout} s, got {len(got)}")
        return got

    def _bind(self, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((HOST, port), partial(_Handler, self))
        server.daemon_threads = True
        return server

    def _next_answer(self) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            return self._script.pop(0) if self._script else (200, {}, b"")

    def _record(self, received: Received) -> None:
        with self._changed:
            self.requests.append(received)
            self._changed.notify_all()


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, receiver: TicketReceiver, *args: object) -> None:
        self.receiver = receiver
        super().__init__(*args)  # type: ignore[arg-type]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.receiver._hold:
            time.sleep(self.receiver._hold)
        status, headers, text = self.receiver._next_answer()
        self.receiver._record(
            Received({k.lower(): v for k, v in self.headers.items()}, body, status)
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format: str, *args: object) -> None:
        return
