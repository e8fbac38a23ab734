"""Events the core publishes for any front end: facts, named in the past tense.

Producers (the store, the inbox loop) call `EventBus.publish`; a console
subscribes with `subscribe()` (an async iterator) and turns events into its own
messages. The bus never blocks a producer: a slow subscriber's queue grows
rather than stalling the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from core.models import Item, Page, Presence, ServiceInfo, State
from core.policy import AutoSendPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemAdded:
    item: Item


@dataclass(frozen=True)
class ItemChanged:
    item: Item
    previous: State


@dataclass(frozen=True)
class InboxStatusChanged:
    """`status` is one of: connecting, idle, polling, reconnecting, signed out, stopped.

    `detail` says why, in one line (for `signed out`: what a person must do).
    """

    status: str
    since: datetime
    detail: str = ""
    inbox: str = ""  # its name in the mailboxes file; "" for a setup with one inbox


@dataclass(frozen=True)
class SentWatchChanged:
    """Whether the manager's replies from other mail clients are noticed (`watching`) or
    not (`not watched`), and why, in one line."""

    status: str
    detail: str


@dataclass(frozen=True)
class PageChanged:
    """An emergency page was started, delivered or failed (see `core.service.escalation`)."""

    page: Page


@dataclass(frozen=True)
class OutageChanged:
    """A service the pipeline needs (`mail server`, `model`) stopped answering, was
    tried again without luck, or answers again (`since` is None then).

    `next_try` is when it is tried next; `reason` is its last failure, in one line.
    """

    service: str
    since: datetime | None
    next_try: datetime | None = None
    reason: str = ""

    def describe(self, now: datetime) -> str:
        """One line for a person: "mail server unreachable since 10:42, next try in 40 s"."""
        if self.since is None:
            return f"{self.service} answers again"
        down = "unreachable" if self.service == "mail server" else "unavailable"
        line = f"{self.service} {down} since {self.since.astimezone():%H:%M}"
        if self.next_try is not None:
            line += f", next try {_in(self.next_try, now)}"
        return line


@dataclass(frozen=True)
class PolicyChanged:
    """Someone changed the auto-send policy (at another console, say)."""

    policy: AutoSendPolicy


@dataclass(frozen=True)
class TeamChanged:
    """The services that have run on the store, and the operators at a console now."""

    services: tuple[ServiceInfo, ...]
    presence: tuple[Presence, ...]


def _in(when: datetime, now: datetime) -> str:
    seconds = math.ceil((when - now).total_seconds())
    if seconds <= 0:
        return "now"
    return f"in {seconds} s" if seconds < 120 else f"in {round(seconds / 60)} min"


Event = (
    ItemAdded
    | ItemChanged
    | InboxStatusChanged
    | PageChanged
    | OutageChanged
    | SentWatchChanged
    | PolicyChanged
    | TeamChanged
)


class EventBus:
    def __init__(self) -> None:
        self._queues: list[asyncio.Queue[Event]] = []
        self._callbacks: list[Callable[[Event], None]] = []

    def publish(self, event: Event) -> None:
        for queue in self._queues:
            queue.put_nowait(event)
        for callback in self._callbacks:
            # An event is published after its change is committed: a listener that
            # fails must not turn a change that happened into a failure of its maker.
            try:
                callback(event)
            except Exception as exc:
                log.error("a listener failed on %s: %s", type(event).__name__, exc)

    def add_callback(self, callback: Callable[[Event], None]) -> None:
        self._callbacks.append(callback)

    @contextmanager
    def subscription(self) -> Iterator[asyncio.Queue[Event]]:
        """A queue that receives every event published while the block runs."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues.append(queue)
        try:
            yield queue
        finally:
            self._queues.remove(queue)

    async def subscribe(self) -> AsyncIterator[Event]:
        """Yield every event published from now on, until the consumer stops."""
        with self.subscription() as queue:
            while True:
                yield await queue.get()
