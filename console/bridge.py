"""Core events in, Textual messages out: the one adapter between the two worlds.

The core knows nothing of Textual; it publishes facts on its `EventBus`.
`pump_events` subscribes and posts each fact to the app as a message, so
widgets only ever react to messages, on the UI's own schedule.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump

from core.events import EventBus, InboxStatusChanged, ItemAdded, ItemChanged
from core.models import Item


class ItemUpdated(Message):
    """An item was added or changed in the store."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item


class InboxUpdated(Message):
    """The inbox connection changed state (idle, polling, reconnecting, ...)."""

    def __init__(self, status: InboxStatusChanged) -> None:
        super().__init__()
        self.status = status


async def pump_events(bus: EventBus, target: MessagePump) -> None:
    async for event in bus.subscribe():
        if isinstance(event, (ItemAdded, ItemChanged)):
            target.post_message(ItemUpdated(event.item))
        elif isinstance(event, InboxStatusChanged):
            target.post_message(InboxUpdated(event))
