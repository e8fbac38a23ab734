"""What the other processes committed, as events on this process's bus.

A service learns of an operator's decision (made at a console, in another
process or on another machine), and a console of the service's work, from the
store alone: the feed waits for a commit (PostgreSQL's LISTEN/NOTIFY, SQLite's
`data_version`, with a look every SAFETY_SECONDS as the safety net), reads the
ids and versions of the items written since its last look, and publishes the
newer ones as `ItemChanged` (or `ItemAdded`). Events this process published
itself are known already and are not repeated.

A console's feed (`team=True`) also follows the services' status lines, the
operators at a console, the emergency pages and the auto-send policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.errors import StoreError
from core.events import (
    Event,
    EventBus,
    InboxStatusChanged,
    ItemAdded,
    ItemChanged,
    OutageChanged,
    PageChanged,
    PolicyChanged,
    TeamChanged,
)
from core.models import Item, Page, Presence, ServiceInfo, State
from core.policy import AutoSendPolicy, stored_policy
from core.service.membership import CLAIM_SECONDS, STANDBY, status_events
from core.store import Store

log = logging.getLogger(__name__)

SAFETY_SECONDS = 5.0  # a look even when no commit was noticed
MARGIN_SECONDS = 5.0  # a transaction's clock may be this far behind its commit
PACE_SECONDS = 0.1  # looks come at most this often
NO_SERVICE = "no service"


class ChangeFeed:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        clock: Callable[[], datetime],
        *,
        team: bool = False,
    ) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self.team = team
        self._versions: dict[int, tuple[int, State]] = {}
        self._since: datetime | None = None
        self._pages: dict[int, Page] = {}
        self._policy: AutoSendPolicy | None = None
        self._services: tuple[ServiceInfo, ...] = ()
        self._presence: tuple[Presence, ...] = ()
        self._status: list[Event] = []
        bus.add_callback(self._heard)

    def _heard(self, event: Event) -> None:
        """Remember what this process already knows (its own events, and the feed's)."""
        if isinstance(event, (ItemAdded, ItemChanged)):
            self._know(event.item)
        elif isinstance(event, PageChanged):
            self._pages[event.page.id] = event.page

    def _know(self, item: Item) -> bool:
        known = self._versions.get(item.id)
        if known is not None and known[0] >= item.version:
            return False
        self._versions[item.id] = (item.version, item.state)
        return True

    def knows(self, items: list[Item]) -> None:
        """The items this process has read already (a console's first fill)."""
        for item in items:
            self._know(item)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the store until `stop`; a store that does not answer is tried again."""
        while not stop.is_set():
            try:
                await self.look()
                await self._wait(stop)
            except StoreError as exc:
                log.warning("following the store: %s", exc)
                await _pause(stop, 1.0)

    async def _wait(self, stop: asyncio.Event) -> None:
        changed = asyncio.ensure_future(self.store.wait_for_change(SAFETY_SECONDS))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait([changed, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (changed, stopping):
                task.cancel()
            await asyncio.gather(changed, stopping, return_exceptions=True)
        await _pause(stop, PACE_SECONDS)

    async def look(self) -> None:
        """Publish what changed in the store since the last look."""
        now = self.clock()
        since = self._since or now - timedelta(seconds=MARGIN_SECONDS)
        versions = await self.store.versions_since(since)
        self._since = now - timedelta(seconds=MARGIN_SECONDS)
        newer = [i for i, v in versions if self._versions.get(i, (0, State.NEW))[0] < v]
        for item in await self.store.items_by_id(newer):
            known = self._versions.get(item.id)
            if self._know(item):
                if known is None:
                    self.bus.publish(ItemAdded(item))
                else:
                    self.bus.publish(ItemChanged(item, known[1]))
        if self.team:
            await self._look_at_team(now)

    async def _look_at_team(self, now: datetime) -> None:
        for page in await self.store.pages():
            if self._pages.get(page.id) != page:
                self._pages[page.id] = page
                self.bus.publish(PageChanged(page))
        policy = await stored_policy(self.store)
        if policy != self._policy:
            first = self._policy is None
            self._policy = policy
            if not first:
                self.bus.publish(PolicyChanged(policy))
        services = tuple(await self.store.services())
        presence = tuple(await self.store.presence(now - timedelta(seconds=CLAIM_SECONDS)))
        if (services, presence) != (self._services, self._presence):
            self._services, self._presence = services, presence
            self.bus.publish(TeamChanged(services, presence))
        status = self._status_of(services, now)
        if status != self._status:
            ended = _outages(self._status) - _outages(status)
            self._status = status
            for event in [*status, *(OutageChanged(service, None) for service in ended)]:
                self.bus.publish(event)

    def _status_of(self, services: tuple[ServiceInfo, ...], now: datetime) -> list[Event]:
        """Each inbox's status, as the service watching it tells it (or any live one);
        the outages and the Sent folder's watch, as the first live service tells them."""
        alive = [s for s in services if s.alive(now, CLAIM_SECONDS)]
        if not alive:
            since = max((s.heartbeat_at for s in services), default=now)
            detail = "no service is running on this store: mail is not being read or sent"
            return [InboxStatusChanged(NO_SERVICE, since, detail)]
        told = [status_events(s.status) for s in alive]
        inboxes: dict[str, InboxStatusChanged] = {}
        for event in (e for events in told for e in events):
            if isinstance(event, InboxStatusChanged):
                known = inboxes.get(event.inbox)
                if known is None or (known.status == STANDBY and event.status != STANDBY):
                    inboxes[event.inbox] = event
        watching = [events for events in told if any(_watches(e) for e in events)]
        rest = [e for e in (watching or told)[0] if not isinstance(e, InboxStatusChanged)]
        return [*(inboxes[name] for name in sorted(inboxes)), *rest]


def _watches(event: Event) -> bool:
    return isinstance(event, InboxStatusChanged) and event.status != STANDBY


def _outages(events: list[Event]) -> set[str]:
    return {e.service for e in events if isinstance(e, OutageChanged) and e.since is not None}


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
