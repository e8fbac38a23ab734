"""A team on one store: claims, leases, services and presence, on both engines."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from core.events import Event, EventBus, ItemAdded, ItemChanged
from core.models import MessageKey, State
from core.service.feed import ChangeFeed
from core.store import NewMessage, open_store

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def message(uid: int) -> NewMessage:
    return NewMessage(
        key=MessageKey("INBOX", 1, uid),
        message_id=f"<m{uid}@example.com>",
        dedup_key=f"<m{uid}@example.com>",
        raw=b"Subject: hi\r\n\r\nhello\r\n",
        received_at=T0,
        sender="Ana <ana@example.com>",
        subject="hi",
    )


async def test_an_item_is_worked_on_by_one_process_until_its_claim_runs_out(
    store_url: str,
) -> None:
    clock = Clock()
    store = await open_store(store_url, clock=clock)
    item = await store.add(message(1))
    assert item is not None
    assert await store.claim(item.id, "a", 10)
    assert not await store.claim(item.id, "b", 10)  # a holds it
    assert [i.id for i in await store.unclaimed([State.NEW])] == []
    clock.advance(8)
    assert await store.renew_claims("a", 10) == 1  # a is alive: its claim goes on
    clock.advance(8)
    assert not await store.claim(item.id, "b", 10)
    clock.advance(11)  # a stopped renewing (it died): the item is free for b
    assert [i.id for i in await store.unclaimed([State.NEW])] == [item.id]
    assert await store.claim(item.id, "b", 10)
    await store.close()


async def test_an_item_that_comes_to_rest_is_let_go(store_url: str) -> None:
    store = await open_store(store_url)
    item = await store.add(message(1))
    assert item is not None
    assert await store.claim(item.id, "a", 10)
    await store.transition(item.id, State.TRIAGED, actor="pipeline")
    assert not await store.claim(item.id, "b", 10)  # still being worked on
    await store.transition(item.id, State.AWAITING_REVIEW, actor="pipeline")
    assert await store.claim(item.id, "b", 10)  # at rest: nobody held it any more
    await store.close()


async def test_a_stopped_service_frees_what_it_held_at_once(store_url: str) -> None:
    store = await open_store(store_url)
    first, second = await store.add(message(1)), await store.add(message(2))
    assert first is not None and second is not None
    await store.service_beat("a", "host", 1, {})
    assert await store.claim(first.id, "a", 10)
    assert await store.take_lease("inbox:office", "a", 10)
    assert await store.retire_service("a") == 1
    assert await store.claim(first.id, "b", 10)
    assert await store.take_lease("inbox:office", "b", 10)
    [service] = await store.services()
    assert service.stopped
    await store.close()


async def test_one_lease_holder_at_a_time_and_a_takeover_when_it_runs_out(
    store_url: str,
) -> None:
    clock = Clock()
    store = await open_store(store_url, clock=clock)
    assert await store.take_lease("inbox:office", "a", 10)
    assert not await store.take_lease("inbox:office", "b", 10)
    assert await store.lease_holder("inbox:office") == "a"
    clock.advance(5)
    assert await store.take_lease("inbox:office", "a", 10)  # renewed
    clock.advance(9)
    assert not await store.take_lease("inbox:office", "b", 10)
    clock.advance(2)  # a's lease ran out
    assert await store.take_lease("inbox:office", "b", 10)
    assert not await store.take_lease("inbox:office", "a", 10)
    await store.release_lease("inbox:office", "b")
    assert await store.lease_holder("inbox:office") == ""
    await store.close()


async def test_two_processes_racing_for_one_lease_get_it_once(store_url: str) -> None:
    stores = [await open_store(store_url) for _ in range(4)]
    won = await asyncio.gather(
        *(s.take_lease("inbox:office", f"p{n}", 10) for n, s in enumerate(stores))
    )
    assert sum(won) == 1
    for store in stores:
        await store.close()


async def test_presence_says_who_reads_what_and_when_they_last_typed(store_url: str) -> None:
    clock = Clock()
    store = await open_store(store_url, clock=clock)
    await store.set_presence("ana", 7, active=True)
    clock.advance(30)
    await store.set_presence("ana", 8, active=False)
    await store.set_presence("ben", None, active=True)
    ana, ben = await store.presence(T0)
    assert (ana.operator, ana.item_id, ana.active_at, ana.seen_at) == (
        "ana",
        8,
        T0,
        T0 + timedelta(seconds=30),
    )
    assert (ben.operator, ben.item_id) == ("ben", None)
    await store.leave("ana")
    assert [p.operator for p in await store.presence(T0)] == ["ben"]
    await store.close()


async def test_a_change_made_by_another_process_reaches_this_ones_bus(store_url: str) -> None:
    """What a console does at one end, a service learns at the other (and back)."""
    bus = EventBus()
    here = await open_store(store_url, publish=bus.publish)
    there = await open_store(store_url)
    feed = ChangeFeed(here, bus, datetime.now)
    stop = asyncio.Event()
    following = asyncio.create_task(feed.run(stop))
    heard: list[Event] = []
    bus.add_callback(heard.append)
    try:
        item = await there.add(message(1))
        assert item is not None
        await there.transition(item.id, State.TRIAGED, actor="pipeline")
        for _ in range(100):
            if any(isinstance(e, ItemChanged) and e.item.state is State.TRIAGED for e in heard):
                break
            await asyncio.sleep(0.05)
        seen = [
            (type(e).__name__, e.item.state)
            for e in heard
            if isinstance(e, (ItemAdded, ItemChanged))
        ]
        assert seen[-1] == ("ItemChanged", State.TRIAGED) or seen == [("ItemAdded", State.TRIAGED)]
        count = len(heard)
        own = await here.transition(item.id, State.AWAITING_REVIEW, actor="pipeline")
        await asyncio.sleep(0.5)  # the feed looks again: this process's own change is not repeated
        assert [e for e in heard[count:] if isinstance(e, ItemChanged)] == [
            ItemChanged(own, State.TRIAGED)
        ]
    finally:
        stop.set()
        await following
        await here.close()
        await there.close()
