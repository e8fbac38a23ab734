"""Ticket events for the tools where repairs are dispatched: signed webhooks, at least once.

    ticket filed ──▶ OutboxTicketSink ──▶ store (outbox, one row per endpoint)
                                                │
              receiver ◀── POST, signed ── WebhookSender (one process at a time)

Every ticket change becomes one event (`ticket.created`, `ticket.updated`,
`ticket.closed`; `emergency.paged` when the on-call people are paged), written
to the outbox in the store; nothing is sent in the mail path. The sender
delivers each endpoint's events in order per ticket, signed as the Standard
Webhooks specification says (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`), with the
same `webhook-id` on every attempt. Connection errors, timeouts, 408, 429
(after its Retry-After) and 5xx are tried again with capped, jittered backoff
for WEBHOOK_RETRY_HOURS; any other 4xx stops the event with the receiver's words.

The payload (version 1, `docs/webhook-event.schema.json`) carries the ticket as
its file has it, the tenant's unit and the conversation's number; never another
tenant's data, never a secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx2

from core.config import Settings
from core.directory import Directory
from core.errors import ConfigError, StoreError
from core.events import EventBus, OutageChanged
from core.models import Delivery, OutboxEvent, Page, Ticket
from core.service.signing import MAKE_A_SECRET, secret_key, sign
from core.service.tasks import until
from core.store import Store
from core.store.webhooks import DELIVERED, FAILED, PENDING

log = logging.getLogger(__name__)

VERSION = 1
LEASE = "webhooks"  # one process at a time delivers
LEASE_SECONDS = 10.0
TIMEOUT_SECONDS = 10.0
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 600.0
MAX_RETRY_AFTER_SECONDS = 3600.0


@dataclass(frozen=True)
class Endpoint:
    url: str
    key: bytes  # the secret, decoded

    @property
    def label(self) -> str:
        """How the operator sees it: its host, never its path (it may hold a token)."""
        return f"webhook {urlsplit(self.url).netloc}"


def endpoints(settings: Settings) -> list[Endpoint]:
    """The ticket webhooks the settings name, each with its secret."""
    urls = settings.ticket_webhook_url
    if not urls:
        return []
    secrets = [s.strip() for s in settings.ticket_webhook_secret.get_secret_value().split(",")]
    secrets = [s for s in secrets if s]
    if not secrets:
        raise ConfigError(
            "TICKET_WEBHOOK_URL needs TICKET_WEBHOOK_SECRET to sign with; make one: "
            + MAKE_A_SECRET
        )
    if len(secrets) not in (1, len(urls)):
        raise ConfigError(
            f"TICKET_WEBHOOK_SECRET: {len(secrets)} secrets for {len(urls)} URLs "
            "(give one for all, or one per URL in the same order)"
        )
    keys = [
        secret_key(s, f"TICKET_WEBHOOK_SECRET (secret {number})")
        for number, s in enumerate(secrets, start=1)
    ]
    return [Endpoint(url, keys[0] if len(keys) == 1 else keys[i]) for i, url in enumerate(urls)]


# --- events --------------------------------------------------------------------------


def fingerprint(ticket: Ticket) -> str:
    """The ticket's content, without when it was built: equal when nothing changed."""
    content = ticket.model_dump(mode="json", exclude={"created_at"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def ticket_event_type(ticket: Ticket, known: str | None) -> str:
    """The event a filing is: the first one creates, a resolved ticket closes."""
    if known is None:
        return "ticket.created"
    return "ticket.closed" if ticket.status == "resolved" else "ticket.updated"


def payload(kind: str, at: datetime, ticket: Ticket, directory: Directory) -> dict[str, Any]:
    unit = directory.units.get(ticket.unit_id) if ticket.unit_id else None
    return {
        "type": kind,
        "version": VERSION,
        "timestamp": at.isoformat(),
        "data": {
            "ticket": ticket.model_dump(mode="json"),
            "unit": {"id": unit.unit_id, "address": unit.address} if unit else None,
            "conversation": ticket.conversation_id,
        },
    }


def events_for(
    endpoints_: list[Endpoint], kind: str, ticket: Ticket, body: dict[str, Any], mark: str
) -> list[OutboxEvent]:
    """One event per endpoint; its id follows from the ticket and `mark` (its content),
    so the same change written twice is one event."""
    event_id = "msg_" + hashlib.sha256(f"{ticket.id}.{mark}".encode()).hexdigest()[:32]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return [OutboxEvent(e.url, event_id, ticket.id, kind, mark, text) for e in endpoints_]


class OutboxTicketSink:
    """A ticket sink that writes each change of a ticket to the outbox, as an event."""

    def __init__(
        self,
        store: Store,
        endpoints_: list[Endpoint],
        directory: Directory,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.endpoints = endpoints_
        self.directory = directory
        self.clock = clock

    async def file(self, ticket: Ticket) -> Ticket:
        mark = fingerprint(ticket)
        known = await self.store.last_fingerprint(ticket.id)
        if known == mark:
            return ticket  # filed again, unchanged (a retry, a restart)
        kind = ticket_event_type(ticket, known)
        body = payload(kind, self.clock(), ticket, self.directory)
        await self.store.queue_events(events_for(self.endpoints, kind, ticket, body, mark))
        return ticket

    async def paged(self, page: Page, ticket: Ticket | None, summary: str) -> None:
        """An `emergency.paged` event: who was paged, when, and the ticket."""
        if ticket is None:
            return
        body = payload("emergency.paged", self.clock(), ticket, self.directory)
        body["data"]["page"] = {
            "number": page.number,
            "channel": page.channel.value,
            "at": page.at.isoformat(),
            "summary": summary,
        }
        mark = f"page.{page.conversation_id}.{page.number}.{page.channel.value}"
        await self.store.queue_events(
            events_for(self.endpoints, "emergency.paged", ticket, body, mark)
        )


# --- delivery ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What became of one attempt: delivered, tried again at `retry_at`, or failed."""

    state: str
    text: str
    retry_at: datetime | None = None


class WebhookSender:
    """Delivers the outbox. Any number of services may run one: the one holding the
    lease sends, the others stand by."""

    def __init__(
        self,
        store: Store,
        endpoints_: list[Endpoint],
        bus: EventBus,
        clock: Callable[[], datetime],
        *,
        owner: str,
        retry_hours: float,
        timeout: float = TIMEOUT_SECONDS,
        first_retry: float = FIRST_RETRY_SECONDS,
    ) -> None:
        """`first_retry`: seconds before an event is first tried again (then doubling,
        up to ten minutes)."""
        self.store = store
        self.by_url = {e.url: e for e in endpoints_}
        self.bus = bus
        self.clock = clock
        self.owner = owner
        self.retry_hours = retry_hours
        self.first_retry = first_retry
        self._client = httpx2.AsyncClient(timeout=timeout)
        self._failing: dict[str, datetime] = {}  # endpoint → since when it fails

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.store.take_lease(LEASE, self.owner, LEASE_SECONDS):
                    await self.deliver_due()
                wait = await self._until_next()
            except StoreError as exc:
                log.warning("webhook outbox: %s", exc)
                wait = 1.0
            if wait > 0:
                with contextlib.suppress(StoreError):
                    await until(stop, self.store.wait_for_change(wait))
        with contextlib.suppress(StoreError):
            await self.store.release_lease(LEASE, self.owner)

    async def deliver_due(self) -> int:
        """Deliver every event due now (in order per ticket); how many were tried."""
        tried = 0
        while due := await self.store.due_deliveries():
            for delivery in due:
                await self._deliver(delivery)
            tried += len(due)
        return tried

    async def _until_next(self) -> float:
        upcoming = await self.store.next_delivery_at()
        if upcoming is None:
            return LEASE_SECONDS / 3
        return min(LEASE_SECONDS / 3, max(0.0, (upcoming - self.clock()).total_seconds()))

    async def _deliver(self, delivery: Delivery) -> None:
        endpoint = self.by_url.get(delivery.endpoint)
        if endpoint is None:
            answer = Answer(FAILED, "this endpoint is no longer in TICKET_WEBHOOK_URL")
        else:
            answer = self._judge(delivery, await self._post(endpoint, delivery))
        await self.store.delivery_answered(delivery.id, answer.state, answer.text, answer.retry_at)
        if endpoint is not None:
            self._tell(endpoint, answer)

    async def _post(self, endpoint: Endpoint, delivery: Delivery) -> httpx2.Response | str:
        timestamp = int(self.clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.key, delivery.event_id, timestamp, delivery.body),
        }
        try:
            return await self._client.post(
                endpoint.url, content=delivery.body.encode(), headers=headers
            )
        except httpx2.TimeoutException:
            return "no answer in time"
        except httpx2.HTTPError as exc:
            return f"unreachable: {type(exc).__name__}"

    def _judge(self, delivery: Delivery, response: httpx2.Response | str) -> Answer:
        now = self.clock()
        if isinstance(response, str):
            return self._again(delivery, response, now)
        code = response.status_code
        said = f"{code} {response.reason_phrase}".strip()
        if 200 <= code < 300:
            return Answer(DELIVERED, said)
        if code == 429 or code == 408 or code >= 500:
            asked = _retry_after(response.headers.get("retry-after", ""), now)
            return self._again(delivery, said, now, asked)
        words = " ".join(response.text.split())[:200]
        return Answer(FAILED, f"{said}: {words}" if words else said)

    def _again(
        self, delivery: Delivery, said: str, now: datetime, asked: float | None = None
    ) -> Answer:
        if now >= delivery.created_at + timedelta(hours=self.retry_hours):
            return Answer(FAILED, f"gave up after {delivery.attempts + 1} attempts: {said}")
        backoff = min(MAX_RETRY_SECONDS, self.first_retry * 2**delivery.attempts)
        delay = backoff * random.uniform(0.5, 1.0)
        if asked is not None:
            delay = max(delay, min(asked, MAX_RETRY_AFTER_SECONDS))
        return Answer(PENDING, said, now + timedelta(seconds=delay))

    def _tell(self, endpoint: Endpoint, answer: Answer) -> None:
        """A failing endpoint is an outage on the status line until it answers again."""
        if answer.state == DELIVERED:
            if self._failing.pop(endpoint.url, None) is not None:
                self.bus.publish(OutageChanged(endpoint.label, None))
            return
        since = self._failing.setdefault(endpoint.url, self.clock())
        self.bus.publish(OutageChanged(endpoint.label, since, answer.retry_at, answer.text))

    async def aclose(self) -> None:
        await self._client.aclose()


def _retry_after(value: str, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None
