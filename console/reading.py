"""What the detail pane knows about an item beyond its row, and the view built from it.

For the items looked at most recently the console keeps the message's text, what
the manager wrote from another mail client and the ticket's webhook deliveries,
all read from the store when the item is first shown; the emergency pages of
every conversation come with the console's events. `Reading.view` turns these
and the item into what the detail pane draws. No Textual here: the app decides
when to read and when to draw.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from console.widgets.detail_text import DetailView
from core.models import Delivery, Item, OutsideReply, Page, ParsedEmail, TenantContext

BODY_CACHE = 500  # parsed emails kept for the detail view


@dataclass
class Reading:
    bodies: OrderedDict[int, ParsedEmail] = field(default_factory=OrderedDict)
    # What the manager wrote from another mail client, read with each body.
    elsewhere: dict[int, tuple[OutsideReply, ...]] = field(default_factory=dict)
    # Each item's ticket events and what the webhooks answered, read with its body.
    deliveries: dict[int, tuple[Delivery, ...]] = field(default_factory=dict)
    pages: dict[int, list[Page]] = field(default_factory=dict)  # by conversation

    def has_body(self, item_id: int) -> bool:
        return item_id in self.bodies

    def keep(
        self,
        item_id: int,
        email: ParsedEmail,
        elsewhere: tuple[OutsideReply, ...] | None,
        deliveries: tuple[Delivery, ...] | None,
    ) -> None:
        """Keep what was read for an item; the least recently read go past `BODY_CACHE`."""
        if elsewhere is not None:
            self.elsewhere[item_id] = elsewhere
        if deliveries is not None:
            self.deliveries[item_id] = deliveries
        self.bodies[item_id] = email
        while len(self.bodies) > BODY_CACHE:
            dropped, _ = self.bodies.popitem(last=False)
            self.elsewhere.pop(dropped, None)
            self.deliveries.pop(dropped, None)

    def forget_body(self, item_id: int) -> None:
        """Read it again next time (the manager's reply from elsewhere came with it)."""
        self.bodies.pop(item_id, None)

    def deliveries_changed(self, item_id: int, found: tuple[Delivery, ...]) -> bool:
        if found == self.deliveries.get(item_id):
            return False
        self.deliveries[item_id] = found
        return True

    def waiting_deliveries(self, item_id: int) -> bool:
        """Not read yet, or a webhook delivery still waits: worth reading again."""
        known = self.deliveries.get(item_id)
        return known is None or any(d.state == "pending" for d in known)

    def remember_page(self, page: Page) -> None:
        pages = self.pages.setdefault(page.conversation_id, [])
        pages[:] = [p for p in pages if p.id != page.id] + [page]
        pages.sort(key=lambda p: p.id)

    def view(
        self,
        item: Item,
        items: Mapping[int, Item],
        context: TenantContext,
        readers: tuple[str, ...],
    ) -> DetailView:
        return DetailView(
            item,
            context,
            self.bodies.get(item.id),
            earlier(item, items),
            tuple(self.pages.get(item.conversation_id or item.id, ())),
            self.elsewhere.get(item.id, ()),
            readers,
            self.deliveries.get(item.id, ()),
        )


def earlier(item: Item, items: Mapping[int, Item]) -> tuple[Item, ...]:
    """The conversation's messages before this one, as the console holds them."""
    conversation = item.conversation_id
    if conversation is None or conversation == item.id:
        return ()
    return tuple(
        sorted(
            (
                i
                for i in items.values()
                if i.id < item.id and (i.conversation_id or i.id) == conversation
            ),
            key=lambda i: i.id,
        )
    )
