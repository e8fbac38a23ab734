"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1.

:class:`LlmServer` serves ``POST /v1/chat/completions`` from a stdlib
``ThreadingHTTPServer`` in a daemon thread, so it works with any event loop.
Point a client at :attr:`LlmServer.base_url` (``http://127.0.0.1:PORT/v1``).

Each request takes the next scripted answer (:meth:`LlmServer.script`); when
the script is empty, :attr:`LlmServer.default` is called with the request body
(by default it answers 500 "no scripted answer").  Every request body is
recorded, parsed, in :attr:`LlmServer.requests`, and when it arrived
(``time.monotonic()``) in :attr:`LlmServer.arrivals`. The assistant's separate
emergency question is answered by :attr:`LlmServer.danger` ("no emergency" by
default) and recorded in :attr:`LlmServer.danger_requests` instead.

How ``openai`` 3.57 ``AsyncOpenAI(..., max_retries=0).chat.completions.parse(
response_format=Model)`` sees each answer (checked in
tests/test_support_servers.py):

- ``Reply(obj)``: ``.choices[0].message.parsed`` is ``Model(**obj)``;
- ``RawContent("{not json")``: ``pydantic.ValidationError`` (openai validates
  the content with ``Model.model_validate_json``; it is not wrapped), and the
  same for JSON that does not fit the model;
- ``Status(429, retry_after=N)``: ``openai.RateLimitError`` whose
  ``err.response.headers["retry-after"]`` is ``N``;
- ``Status(500)``: ``openai.InternalServerError``; other codes map to the
  other ``openai.APIStatusError`` subclasses;
- ``Hang(s)`` longer than the client timeout: ``openai.APITimeoutError``;
- ``Truncated(text)``: ``openai.LengthFinishReasonError``.

With retries enabled (the default, 2) openai retries 408/409/429/5xx and
timeouts, honouring ``retry-after``, and consumes one scripted answer per try.

Real servers differ in the ``response_format`` they take.
:func:`format_gate` builds a responder that plays one of them: it answers when
the request's ``response_format`` passes a test and refuses it otherwise, by
default as llama-cpp-python's server does (:data:`LLAMA_CPP_PYTHON_REFUSAL`,
HTTP 500 with a validation-error body). :func:`takes_json_object_with_schema`
is that server: ``json_object`` with a ``schema`` only.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
_POLL_INTERVAL = 0.02  # how fast stop() takes effect
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A normal completion whose content is ``json.dumps(obj)``."""

    obj: JsonObject


@dataclass(frozen=True)
class RawContent:
    """A normal completion whose content is ``text`` verbatim."""

    text: str


@dataclass(frozen=True)
class Truncated:
    """A completion cut off by the token limit (``finish_reason="length"``)."""

    text: str


@dataclass(frozen=True)
class Status:
    """An HTTP error; ``body`` defaults to an OpenAI-style error object."""

    code: int
    body: JsonObject | str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Hang:
    """Wait ``seconds`` (to provoke client timeouts), then answer ``then``."""

    seconds: float
    then: Answer = Status(504, {"error": {"message": "hung", "type": "timeout"}})


Answer = Reply | RawContent | Truncated | Status | Hang
Responder = Callable[[JsonObject], Answer]


# What llama-cpp-python's server (0.3.36) answers to a `json_schema` response format,
# as it sent it (its request validation error, as an "internal" error).
LLAMA_CPP_PYTHON_REFUSAL = Status(
    500,
    {
        "error": {
            "message": (
                "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                "'response_format', 'type'), 'msg': \"Input should be 'text' or "
                "'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or "
                "'json_object'\"}}\n\n  File \"/usr/lib/python3/site-packages/llama_cpp/server/"
                'app.py", line 376, in create_chat_completion\n    POST /v1/chat/completions'
            ),
            "type": "internal_server_error",
            "param": None,
            "code": None,
        }
    },
)


def format_gate(
    accepts: Callable[[JsonObject], bool],
    answer: Answer,
    refusal: Answer = LLAMA_CPP_PYTHON_REFUSAL,
) -> Responder:
    """A responder that gives `answer` when `accepts(response_format)`, else `refusal`."""

    def respond(request: JsonObject) -> Answer:
        return answer if accepts(request.get("response_format") or {}) else refusal

    return respond


def takes_json_object_with_schema(answer: Answer) -> Responder:
    """llama-cpp-python's server: `json_object` with a `schema`, never `json_schema`."""
    return format_gate(lambda fmt: fmt.get("type") == "json_object" and "schema" in fmt, answer)


NO_DANGER = Reply({"situation": "", "happening_now": False, "grade": "none"})


def is_danger_check(request: JsonObject) -> bool:
    """The assistant's separate emergency question (`core.providers.danger_check`)."""
    messages = request.get("messages") or [{}]
    return str(messages[0].get("content", "")).startswith("You check ONE email")


def no_scripted_answer(request: JsonObject) -> Answer:
    """The default responder: a 500 saying the test did not script this call."""
    return Status(500, _error_body("no scripted answer", "server_error"))


class LlmServer:
    """A scripted chat-completions server; see the module docstring."""

    def __init__(self, *, keep_alive: bool = False, latency: float = 0.0) -> None:
        self.default: Responder = no_scripted_answer
        # HTTP/1.1 connections kept open between requests, as real servers keep them
        # (the benchmark); the tests' default closes each, as HTTP/1.0 does.
        self.keep_alive = keep_alive
        self.latency = latency  # seconds before each answer, as a model thinks
        # The emergency question is answered apart from the script: "no emergency" unless
        # a test says otherwise; its requests are in `danger_requests`, not `requests`.
        self.danger: Responder = lambda request: NO_DANGER
        self._script: deque[Answer] = deque()
        self._requests: list[JsonObject] = []
        self._danger_requests: list[JsonObject] = []
        self._arrivals: list[float] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd = _Server((HOST, 0), partial(_Handler, self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name="llm-server",
            daemon=True,
        )

    @property
    def port(self) -> int:
        port: int = self._httpd.server_address[1]
        return port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def requests(self) -> list[JsonObject]:
        """A snapshot of the request bodies received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def arrivals(self) -> list[float]:
        """When each request arrived (``time.monotonic()``), in the order of `requests`."""
        with self._lock:
            return list(self._arrivals)

    @property
    def danger_requests(self) -> list[JsonObject]:
        """The emergency questions received so far, oldest first."""
        with self._lock:
            return list(self._danger_requests)

    def script(self, *answers: Answer) -> None:
        """Queue answers for the next requests, in order."""
        with self._lock:
            self._script.extend(answers)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; hanging answers are cut short."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _answer_for(self, request: JsonObject) -> Answer:
        if is_danger_check(request):
            with self._lock:
                self._danger_requests.append(request)
            return self.danger(request)
        with self._lock:
            self._requests.append(request)
            self._arrivals.append(time.monotonic())
            scripted = self._script.popleft() if self._script else None
        return scripted if scripted is not None else self.default(request)

    def _completion(self, request: JsonObject, content: str, finish_reason: str) -> JsonObject:
        prompt_tokens = len(json.dumps(request.get("messages", []))) // 4
        completion_tokens = len(content) // 4
        return {
            "id": f"chatcmpl-test-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "test-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connecting at once are queued, not refused


class _Handler(BaseHTTPRequestHandler):
    """Serves one request of :class:`LlmServer`."""

    disable_nagle_algorithm = True  # TCP_NODELAY: an answer leaves at once

    def __init__(self, llm: LlmServer, *args: Any) -> None:
        self._llm = llm
        if llm.keep_alive:
            self.protocol_version = "HTTP/1.1"
        super().__init__(*args)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(404, _error_body(f"no route {self.path}", "invalid_request_error"))
            return
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        if self._llm.latency:
            self._llm._stopping.wait(self._llm.latency)
        # The client may have given up (e.g. timed out) before the answer.
        with suppress(BrokenPipeError, ConnectionResetError):
            self._play(self._llm._answer_for(request), request)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _play(self, answer: Answer, request: JsonObject) -> None:
        if isinstance(answer, Hang):
            self._llm._stopping.wait(answer.seconds)
            self._play(answer.then, request)
        elif isinstance(answer, Status):
            self._send_status(answer)
        elif isinstance(answer, Reply):
            self._send_completion(request, json.dumps(answer.obj), "stop")
        elif isinstance(answer, RawContent):
            self._send_completion(request, answer.text, "stop")
        else:
            self._send_completion(request, answer.text, "length")

    def _send_completion(self, request: JsonObject, content: str, finish_reason: str) -> None:
        self._send_json(200, self._llm._completion(request, content, finish_reason))

    def _send_status(self, status: Status) -> None:
        headers = {}
        if status.retry_after is not None:
            headers["Retry-After"] = f"{status.retry_after:g}"
        body = status.body
        if body is None:
            body = _error_body(f"scripted status {status.code}", "test_error")
        if isinstance(body, str):
            self._send(status.code, body.encode(), "text/plain; charset=utf-8", headers)
        else:
            self._send_json(status.code, body, headers)

    def _send_json(
        self, code: int, body: JsonObject, headers: dict[str, str] | None = None
    ) -> None:
        self._send(code, json.dumps(body).encode(), "application/json", headers or {})

    def _send(self, code: int, payload: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _error_body(message: str, error_type: str) -> JsonObject:
    return {"error": {"message": message, "type": error_type, "param": None, "code": None}}
