"""A paging webhook for the tests: records the JSON it receives, on 127.0.0.1.

`fail_next(n)` answers the next n posts with 500 (they are recorded as
attempts, not as pages); `hold(seconds)` makes each answer wait, as a slow
SMS gateway would.
"""

from __future__ import annotations

import json
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


class WebhookServer:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # pages taken (answered 200)
        self.attempts = 0
        self.finished_at: list[float] = []  # time.monotonic() of each 200 answer
        self._failures = 0
        self._hold = 0.0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((HOST, 0), partial(_Handler, self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._httpd.server_address[1]}/page"

    def fail_next(self, times: int) -> None:
        with self._lock:
            self._failures = times

    def hold(self, seconds: float) -> None:
        self._hold = seconds

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _take(self, body: bytes) -> int:
        time.sleep(self._hold)
        with self._lock:
            self.attempts += 1
            if self._failures:
                self._failures -= 1
                return 500
            self.received.append(json.loads(body))
            self.finished_at.append(time.monotonic())
            return 200


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, hook: WebhookServer, *args: Any) -> None:
        self.hook = hook
        super().__init__(*args)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = self.hook._take(body)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
