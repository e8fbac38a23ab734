"""What went wrong with a model call, in the operator's words and with the server's own.

Each failure of the OpenAI client becomes a `TriageError` that quotes what the
server said (trimmed to one line) and says whether a retry can help: rate
limits, timeouts, lost connections and server errors can (they are the
server's own failures: `unavailable`); a 4xx, or a 500 whose body is the
server's own request validation, cannot. A refused response
format becomes `FormatRefused`, so the provider can try the next mode. The API
key is cut out of anything a server echoes back.
"""

from __future__ import annotations

import json

import openai
from pydantic import ValidationError

from core.config import Structured
from core.errors import TriageError
from core.providers.structured import is_format_refusal, is_validation_failure

MESSAGE_LIMIT = 200
_TRANSIENT_4XX = frozenset({408, 429})


class FormatRefused(TriageError):
    """The server does not take this structured-output mode (a retry cannot help)."""

    def __init__(self, mode: Structured, status: int, server_says: str) -> None:
        super().__init__(
            f"the model server does not take structured output {mode.value} "
            f"({status}: {server_says})"
        )
        self.mode = mode
        self.server_says = f"{status}: {server_says}"


def status_error(exc: openai.APIStatusError, mode: Structured, *, secret: str = "") -> TriageError:
    """The error for an HTTP error answer."""
    status = exc.status_code
    says = short(redact(server_message(exc), secret))
    if is_format_refusal(status, says):
        return FormatRefused(mode, status, says)
    if status in _TRANSIENT_4XX:
        busy = "rate-limited" if status == 429 else "too slow to take the request"
        return TriageError(
            f"the model server is {busy} ({status}: {says})",
            unavailable=True,
            retry_after=retry_after(exc),
        )
    if status >= 500 and not is_validation_failure(says):
        return TriageError(f"the model server failed ({status}: {says})", unavailable=True)
    return TriageError(f"the model server refused the request ({status}: {says})")


def connection_error(exc: openai.APIConnectionError, server: str, timeout: float) -> TriageError:
    """The error for a request that got no answer at all."""
    if isinstance(exc, openai.APITimeoutError):
        return TriageError(
            f"the model did not answer within LLM_TIMEOUT ({timeout:g} s)", unavailable=True
        )
    return TriageError(f"cannot reach the model server at {server}", unavailable=True)


def off_schema(exc: ValidationError) -> TriageError:
    """The error for an answer that is not a valid `Draft` (another try may fit)."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(part) for part in error["loc"])
        problems.append(f"{where}: {error['msg']}" if where else error["msg"])
    return TriageError(
        f"the model's answer did not fit the schema ({short('; '.join(problems))})",
        retryable=True,
    )


def server_message(exc: openai.APIStatusError) -> str:
    """What the server said, from the common error bodies."""
    body = exc.body
    text: object = body
    if isinstance(body, dict):
        text = body.get("message") or body.get("detail") or body.get("error") or body
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False) if text is not None else exc.message
    return str(text)


def retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "[key]") if len(secret) >= 4 else text


def short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
