"""Waiting and stopping for the service's long-running tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def until(stop: asyncio.Event, pause: Awaitable[object]) -> None:
    """Wait for `pause` to finish or `stop` to be set, whichever comes first."""
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(pause)]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


async def stop_tasks(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel tasks and wait for them, cancelling again if a cancellation got lost.

    (On Python 3.11 a cancellation that races with a finishing `wait_for`
    inside a client library can be swallowed; asking again is the remedy.)
    """
    for _ in range(20):
        pending = [task for task in tasks if not task.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.5)
    await asyncio.gather(*tasks, return_exceptions=True)
