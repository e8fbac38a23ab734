"""Tickets reach the tools where repairs are dispatched: every ticket event arrives at
a real receiver on loopback, signed (verified with the Standard Webhooks library),
at least once, in order per ticket, across outages and a SIGKILL, and a receiver
that hangs never delays a reply.

Run on the embedded store by default and on PostgreSQL with `--store postgres`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.config import load_settings
from core.errors import ConfigError
from core.events import EventBus, OutageChanged
from core.models import OutboxEvent, Ticket
from core.service.assembly import Assistant, open_assistant
from core.service.webhooks import WebhookSender, endpoints
from core.store import open_store, utc_now
from core.store.webhooks import DELIVERED, FAILED, PENDING
from tests.core.test_escalation import GAS
from tests.core.test_resilience import environment
from tests.core.test_team import start_service
from tests.support.assistant import make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.receiver import Received, TicketReceiver
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "webhook-event.schema.json").read_text()
)
LEAK = make_email(
    "maria.gonzalez@example.com",
    "Kitchen tap dripping",
    "Hello, the kitchen tap has been dripping since yesterday. Could someone look at it?",
    message_id="<tap-1@example.com>",
)
FIXED = make_email(
    "maria.gonzalez@example.com",
    "Re: Kitchen tap dripping",
    "The plumber came this morning and the tap is fixed now, thank you!",
    message_id="<tap-2@example.com>",
    headers={"In-Reply-To": "<tap-1@example.com>", "References": "<tap-1@example.com>"},
)


@pytest.fixture
def receiver() -> Iterator[TicketReceiver]:
    server = TicketReceiver()
    server.start()
    yield server
    server.stop()


def verified(received: Received) -> dict[str, Any]:
    """The event, as a receiver reads it after checking its signature."""
    event: dict[str, Any] = Webhook(SECRET).verify(received.body, received.headers)
    jsonschema.validate(event, SCHEMA)
    return event


async def test_every_ticket_event_arrives_signed_in_order_and_matches_its_schema(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    receiver: TicketReceiver,
    tmp_path: Path,
) -> None:
    settings = make_settings(
        imap_account,
        smtp_server,
        tmp_path,
        auto_send=["maintenance", "general"],
        auto_send_min_confidence=0.0,
        ticket_webhook_url=[receiver.url],
        ticket_webhook_secret=SECRET,
    )
    dovecot.deliver(imap_account, LEAK)
    async with open_assistant(settings) as assistant:
        await assistant.run_once()
    dovecot.deliver(imap_account, FIXED)
    async with open_assistant(settings) as assistant:
        await assistant.run_once()

    created, closed = [verified(r) for r in receiver.wait_for_delivered(2)]
    assert [created["type"], closed["type"]] == ["ticket.created", "ticket.closed"]
    ticket = Ticket.model_validate(closed["data"]["ticket"])
    filed = Ticket.model_validate_json((tmp_path / "tickets" / f"{ticket.id}.json").read_text())
    assert ticket == filed  # the ticket as its file has it
    assert created["data"]["ticket"]["id"] == ticket.id and ticket.status == "resolved"
    assert created["data"]["unit"]["address"].startswith("Harbor View")
    assert "maria.gonzalez@example.com" not in json.dumps(closed)  # no tenant contact data
    assert SECRET not in json.dumps(closed)
    ids = [r.event_id for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 2  # each once


async def test_a_failing_receiver_gets_every_event_once_in_order_honouring_retry_after(
    receiver: TicketReceiver, store_url: str
) -> None:
    store = await open_store(store_url)
    bus = EventBus()
    outages: list[OutageChanged] = []
    bus.add_callback(lambda e: outages.append(e) if isinstance(e, OutageChanged) else None)
    events = [event(receiver.url, "TKT-A", n) for n in range(3)] + [event(receiver.url, "TKT-B", 0)]
    await store.queue_events(events)
    await store.queue_events(events)  # written again (a retry): nothing new
    sender = WebhookSender(
        store, hooks(receiver), bus, utc_now, owner="test", retry_hours=1, first_retry=0.05
    )
    receiver.down()  # refused for a while, then 500 three times, then 429 with Retry-After
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        await asyncio.sleep(1.0)
        for _ in range(3):
            receiver.answer(500)
        receiver.answer(429, {"Retry-After": "1"})
        receiver.up()
        delivered = await asyncio.to_thread(receiver.wait_for_delivered, 4, 20)
    finally:
        stop.set()
        await running
        await sender.aclose()
    ticket_a = [r.event_id for r in delivered if b"TKT-A" in r.body]
    assert ticket_a == [e.event_id for e in events[:3]]  # in the order they were written
    assert sorted(r.event_id for r in delivered) == sorted(e.event_id for e in events)
    refused = next(r for r in receiver.requests if r.status == 429)
    again = next(
        r for r in receiver.requests if r.event_id == refused.event_id and r.at > refused.at
    )
    assert again.at - refused.at >= 0.9  # Retry-After: 1 honoured
    ticket_events = await store.deliveries("TKT-A")
    assert [d.state for d in ticket_events] == [DELIVERED] * 3
    assert outages[-1].since is None  # the status line's outage is over
    assert any(o.since is not None and "webhook 127.0.0.1" in o.service for o in outages)
    await store.close()


async def test_a_receiver_refusing_an_event_stops_it_with_its_words_and_the_next_goes_on(
    receiver: TicketReceiver, store_url: str
) -> None:
    store = await open_store(store_url)
    first, second = event(receiver.url, "TKT-C", 0), event(receiver.url, "TKT-C", 1)
    await store.queue_events([first, second])
    receiver.answer(410, body="this endpoint was retired")
    sender = WebhookSender(store, hooks(receiver), EventBus(), utc_now, owner="t", retry_hours=1)
    await sender.deliver_due()
    await sender.aclose()
    refused, taken = await store.deliveries("TKT-C")
    assert refused.state == FAILED and "410" in refused.answer
    assert "this endpoint was retired" in refused.answer
    assert taken.state == DELIVERED and len(receiver.requests) == 2
    await store.close()


async def test_a_forged_or_replayed_event_fails_verification(
    receiver: TicketReceiver, store_url: str
) -> None:
    store = await open_store(store_url)
    await store.queue_events([event(receiver.url, "TKT-D", 0)])
    sender = WebhookSender(store, hooks(receiver), EventBus(), utc_now, owner="t", retry_hours=1)
    await sender.deliver_due()
    await sender.aclose()
    await store.close()
    (real,) = receiver.requests
    verified_event = Webhook(SECRET).verify(real.body, real.headers)
    assert verified_event["data"]["ticket"]["id"] == "TKT-D"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(real.body.replace(b"TKT-D", b"TKT-E"), real.headers)
    old = dict(real.headers, **{"webhook-timestamp": str(int(time.time()) - 3600)})
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(real.body, old)


@pytest.mark.timeout(120)
async def test_an_event_waiting_when_the_service_is_killed_arrives_after_restart_with_its_id(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    receiver: TicketReceiver,
    tmp_path: Path,
) -> None:
    env = environment(
        imap_account,
        smtp_server,
        tmp_path,
        AUTO_SEND="maintenance",
        AUTO_SEND_MIN_CONFIDENCE="0",
        TICKET_WEBHOOK_URL=receiver.url,
        TICKET_WEBHOOK_SECRET=SECRET,
    )
    receiver.hold(60)  # the receiver hangs: the reply must not wait for it
    dovecot.deliver(imap_account, LEAK)
    service = start_service(env, tmp_path, tmp_path / "service.log")
    try:
        await smtp_server.wait_for_async(1, timeout=30)  # answered while the receiver hangs
        waiting = await wait_for_outbox(store_location(tmp_path))
    finally:
        service.send_signal(signal.SIGKILL)
        await asyncio.to_thread(service.wait)
    receiver.hold(0)
    again = start_service(env, tmp_path, tmp_path / "service.log")
    try:
        delivered = await asyncio.to_thread(receiver.wait_for_delivered, 1, 40)
    finally:
        again.send_signal(signal.SIGTERM)
        await asyncio.to_thread(again.wait, 45)
    assert delivered[0].event_id == waiting
    assert verified(delivered[0])["type"] == "ticket.created"
    assert len(smtp_server.messages) == 1


def test_a_webhook_without_a_secret_or_with_a_bad_one_is_refused_with_how_to_make_one() -> None:
    without = load_settings(None, ticket_webhook_url="https://hooks.example.com/t")
    with pytest.raises(ConfigError, match=r"TICKET_WEBHOOK_SECRET .*make one"):
        endpoints(without)
    bad = load_settings(
        None, ticket_webhook_url="https://h.example.com", ticket_webhook_secret="whsec_x y!"
    )
    with pytest.raises(ConfigError, match="not a whsec_ secret"):
        endpoints(bad)


# --- helpers ---------------------------------------------------------------------------


@asynccontextmanager
async def serving(settings: Any) -> AsyncIterator[Assistant]:
    """Every inbox served, with the webhook sender, until the block ends."""
    async with open_assistant(settings) as opened:
        stop = asyncio.Event()
        running = asyncio.create_task(opened.run(stop))
        try:
            yield opened
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)


def hooks(receiver: TicketReceiver) -> Any:
    settings = load_settings(None, ticket_webhook_url=receiver.url, ticket_webhook_secret=SECRET)
    return endpoints(settings)


def event(url: str, ticket_id: str, number: int) -> OutboxEvent:
    kind = "ticket.updated" if number else "ticket.created"
    body = {
        "type": kind,
        "version": 1,
        "timestamp": (utc_now() + timedelta(seconds=number)).isoformat(),
        "data": {"ticket": {"id": ticket_id, "n": number}, "unit": None, "conversation": 1},
    }
    mark = f"{ticket_id}-{number}"
    return OutboxEvent(url, f"msg_{mark}", ticket_id, kind, mark, json.dumps(body))


async def wait_for_outbox(location: str, timeout: float = 30.0) -> str:
    """The id of the first event waiting in the outbox, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store = await open_store(location)
        try:
            for ticket_id in await ticket_ids(store):
                for delivery in await store.deliveries(ticket_id):
                    if delivery.state == PENDING:
                        return delivery.event_id
        finally:
            await store.close()
        await asyncio.sleep(0.2)
    raise AssertionError("no event was written to the outbox")


async def ticket_ids(store: Any) -> list[str]:
    return [item.ticket_id for item in await store.items() if item.ticket_id]


async def test_an_emergency_page_is_an_event_and_the_pages_webhook_is_signed_too(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    receiver: TicketReceiver,
    tmp_path: Path,
) -> None:
    pager = TicketReceiver()  # an SMS gateway, say
    pager.start()
    settings = make_settings(
        imap_account,
        smtp_server,
        tmp_path,
        escalate_minutes=60,
        ticket_webhook_url=[receiver.url],
        ticket_webhook_secret=SECRET,
        escalation_webhook_url=pager.url,
        escalation_webhook_secret=SECRET,
    )
    dovecot.deliver(imap_account, GAS)
    try:
        async with serving(settings):  # as `python -m console --headless` runs it
            events = await asyncio.to_thread(receiver.wait_for_delivered, 2, 20)
            (page,) = await asyncio.to_thread(pager.wait_for_delivered, 1, 20)
    finally:
        pager.stop()
    created, paged = [verified(r) for r in events]
    assert [created["type"], paged["type"]] == ["ticket.created", "emergency.paged"]
    assert paged["data"]["ticket"]["emergency"] and paged["data"]["page"]["number"] == 1
    assert Webhook(SECRET).verify(page.body, page.headers)["type"] == "emergency_page"
