"""One retry policy for every stage: capped, jittered exponential backoff.

Only errors that say `retryable` are tried again, so a permanent refusal (a bad
API key, a 5xx from SMTP) fails at once with its own words; an error may also
carry a `retry_limit` lower than the stage's own.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from core.errors import AssistantError

T = TypeVar("T")


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Delay before retry number `attempt` (0-based): base·2^attempt, capped, ±20 % jitter."""
    return float(min(cap, base * 2**attempt) * random.uniform(0.8, 1.2))


async def with_retries(
    call: Callable[[], Awaitable[T]],
    max_retries: int,
    *,
    base_delay: float = 0.5,
    cap: float = 30.0,
) -> T:
    """Await `call()`, retrying retryable `AssistantError`s up to `max_retries` times."""
    attempt = 0
    while True:
        try:
            return await call()
        except AssistantError as exc:
            limit = getattr(exc, "retry_limit", None)
            allowed = max_retries if limit is None else min(max_retries, limit)
            if not exc.retryable or attempt >= allowed:
                raise
            hinted = getattr(exc, "retry_after", None)
            await asyncio.sleep(
                min(hinted, cap) if hinted else backoff_delay(attempt, base_delay, cap)
            )
            attempt += 1
