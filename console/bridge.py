"""Core events in, Textual messages out: the one adapter between the two worlds.

The core knows nothing of Textual; it publishes facts on its `EventBus`.
`pump_events` subscribes and posts them to the app as messages, so widgets
only ever react to messages, on the UI's own schedule.

Item events coalesce: a busy pipeline publishes hundreds a second, and the
screen only needs the newest version of each item a few times a second. The
pump posts one `ItemsUpdated` with everything that arrived since the last one,
at most every `interval` seconds, so a backlog never starves the keyboard.
"""

from __future__ import annotations

import asyncio

from textual.message import Message
from textual.message_pump import MessagePump

from core.events import (
    Event,
    EventBus,
    InboxStatusChanged,
    ItemAdded,
    ItemChanged,
    OutageChanged,
    PageChanged,
    PolicyChanged,
    SentWatchChanged,
    TeamChanged,
)
from core.models import Item, Page
from core.policy import AutoSendPolicy

COALESCE_SECONDS = 0.25


class ItemsUpdated(Message):
    """Items were added or changed in the store: the newest version of each, oldest first."""

    def __init__(self, items: list[Item]) -> None:
        super().__init__()
        self.items = items


class InboxUpdated(Message):
    """The inbox connection changed state (idle, polling, reconnecting, ...)."""

    def __init__(self, status: InboxStatusChanged) -> None:
        super().__init__()
        self.status = status


class PageUpdated(Message):
    """An emergency page was started, sent or failed."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page


class OutageUpdated(Message):
    """A service the pipeline needs (the mail server, the model) went down, was tried
    again, or answers again."""

    def __init__(self, outage: OutageChanged) -> None:
        super().__init__()
        self.outage = outage


class SentWatchUpdated(Message):
    """Whether the manager's replies from other mail clients are noticed, and why not."""

    def __init__(self, watch: SentWatchChanged) -> None:
        super().__init__()
        self.watch = watch


class PolicyUpdated(Message):
    """Someone changed the auto-send policy (at another console, say)."""

    def __init__(self, policy: AutoSendPolicy) -> None:
        super().__init__()
        self.policy = policy


class TeamUpdated(Message):
    """The services running on the store, or the operators at a console, changed."""

    def __init__(self, team: TeamChanged) -> None:
        super().__init__()
        self.team = team


async def pump_events(
    bus: EventBus, target: MessagePump, interval: float = COALESCE_SECONDS
) -> None:
    loop = asyncio.get_running_loop()
    pending: dict[int, Item] = {}
    last_post = 0.0
    with bus.subscription() as queue:
        while True:
            if not pending:
                _take(await queue.get(), pending, target)
            while not queue.empty():
                _take(queue.get_nowait(), pending, target)
            wait = last_post + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)  # more events gather in the queue meanwhile
                continue
            target.post_message(ItemsUpdated(list(pending.values())))
            pending = {}
            last_post = loop.time()


def _take(event: Event, pending: dict[int, Item], target: MessagePump) -> None:
    if isinstance(event, (ItemAdded, ItemChanged)):
        known = pending.get(event.item.id)
        if known is None or known.version < event.item.version:
            pending[event.item.id] = event.item
    elif isinstance(event, InboxStatusChanged):
        target.post_message(InboxUpdated(event))
    elif isinstance(event, PageChanged):
        target.post_message(PageUpdated(event.page))
    elif isinstance(event, OutageChanged):
        target.post_message(OutageUpdated(event))
    elif isinstance(event, SentWatchChanged):
        target.post_message(SentWatchUpdated(event))
    elif isinstance(event, PolicyChanged):
        target.post_message(PolicyUpdated(event.policy))
    elif isinstance(event, TeamChanged):
        target.post_message(TeamUpdated(event))
