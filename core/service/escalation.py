"""Emergencies reach a person at once: pages to the on-call people, and a holding reply.

When an item waits for a person as an emergency (whoever flagged it: a model,
the offline provider or the safety net), its conversation is paged at once:
an email to the on-call list (`emergency` in stakeholders.json) and, when
`ESCALATION_WEBHOOK_URL` is set, the same page as JSON to the webhook. The
page is repeated every `ESCALATE_MINUTES` while the item still waits and no
operator has acted on the conversation, up to `ESCALATE_MAX` pages in all.

Unattended (headless, or nobody at the console's keyboard), the tenant gets
one holding reply: received, the on-call team alerted, and the numbers to call
for the danger flagged, from `emergency_contacts.json`. It never promises a
time or a visit, and the item stays in review for the real answer.

Everything sent here is built by code from the datastore and the email's own
words; nothing is drafted by a model. Each page is recorded in the store before
it goes out (with its audit row), so a crash never pages twice: a page found
`sending` after a restart counts as gone out, and the schedule carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

import httpx2

from core.directory import Directory
from core.errors import AuthError, SendError
from core.mail.outbox import build_reply, new_message_id
from core.models import Channel, Grade, Item, Page, PageState, ParsedEmail, TenantContext
from core.retry import backoff_delay
from core.service.conversations import conversation_of
from core.service.operator import is_operator
from core.service.page_text import PageView, danger_kinds, holding_text
from core.service.signing import sign
from core.store import Store

log = logging.getLogger(__name__)

ESCALATOR = "escalation"
RETRY_CAP_SECONDS = 120.0  # the longest wait before a failed page is tried again


@dataclass(frozen=True)
class EscalationConfig:
    minutes: float = 10.0  # between pages while nobody acts
    max_pages: int = 3  # in all, the first included
    webhook_url: str = ""
    holding_reply: str = "auto"  # on | off | auto (on while nobody is at the console)
    mail_from: str = ""
    retry_seconds: float = 5.0  # a failed channel is tried again after 5 s, 10 s, … 2 min
    inbox: str = ""  # whose emergencies (its name in the mailboxes file)


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> dict[str, str]: ...


class Webhook(Protocol):
    async def post(self, payload: dict[str, Any], event_id: str = "") -> None: ...


@dataclass(frozen=True)
class Due:
    """What the escalation should do for one conversation now, and when to look again."""

    page: int | None  # the number of the page to send now, if any
    holding_reply: bool
    next_look: datetime | None


def due(
    pages: list[Page],
    *,
    waiting: bool,
    acted: bool,
    unattended: bool,
    now: datetime,
    config: EscalationConfig,
) -> Due:
    """Page at once, then every `minutes` while the item waits and nobody acted."""
    if not waiting:
        return Due(None, False, None)
    numbered = sorted({p.number for p in pages if p.channel is not Channel.TENANT})
    held = any(p.channel is Channel.TENANT for p in pages)
    holding = unattended and not held
    if not numbered:
        return Due(1, holding, None)
    if acted or numbered[-1] >= config.max_pages:
        return Due(None, holding and not acted, None)
    last = max(p.at for p in pages if p.number == numbered[-1])
    when = last + timedelta(minutes=config.minutes)
    if when <= now:
        return Due(numbered[-1] + 1, holding, None)
    return Due(None, holding, when)


# --- the I/O: sending pages, retrying failed channels ------------------------------------


class Escalator:
    """Pages the on-call people for emergencies that wait; one task, never the pipeline's."""

    def __init__(
        self,
        store: Store,
        directory: Directory,
        mailer: Mailer,
        parsed: Callable[[Item], Awaitable[ParsedEmail]],
        config: EscalationConfig,
        clock: Callable[[], datetime],
        webhook: Webhook | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.mailer = mailer
        self.parsed = parsed
        self.config = config
        self.clock = clock
        self.webhook = webhook
        # True while a person is at the console; headless, nobody is.
        self.operator_present: Callable[[], bool] = lambda: False
        # Told of each page that reached the on-call people (the webhook outbox).
        self.on_paged: Callable[[Page, Item], Awaitable[None]] | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Look now, then whenever woken or a page or retry falls due, until `stop`."""
        while not stop.is_set():
            self._wake.clear()
            next_look = await self.look()
            wait = 60.0 if next_look is None else (next_look - self.clock()).total_seconds()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.05, min(wait, 60.0)))

    async def look(self) -> datetime | None:
        """Send every page, holding reply and retry that is due; when to look again."""
        async with self._lock:
            by_conversation: dict[int, list[Item]] = {}
            for item in await self.store.waiting_emergencies(self.config.inbox):
                by_conversation.setdefault(conversation_of(item), []).append(item)
            pages = await self.store.pages(by_conversation)
            await self._retry_failed(pages)
            looks = []
            for conversation, items in by_conversation.items():
                mine = [p for p in pages if p.conversation_id == conversation]
                looks.append(await self._escalate(items[0], mine))
            for page in await self.store.pages(by_conversation):  # failed: try again then
                if page.state is PageState.FAILED:
                    looks.append(page.next_try)
            return min((w for w in looks if w is not None), default=None)

    async def page_now(self, item: Item, actor: str) -> Page | None:
        """An operator's "page again now": the next page, whatever the schedule says."""
        async with self._lock:
            pages = await self.store.pages([conversation_of(item)])
            number = max((p.number for p in pages), default=0) + 1
            return await self._page(item, number, actor=actor)

    async def _escalate(self, item: Item, pages: list[Page]) -> datetime | None:
        acted = await self._operator_acted(item, pages)
        now = self.clock()
        plan = due(
            pages,
            waiting=True,
            acted=acted,
            unattended=self._unattended(),
            now=now,
            config=self.config,
        )
        if plan.page is not None:
            await self._page(item, plan.page, actor=ESCALATOR)
            if plan.page < self.config.max_pages:
                plan = replace(plan, next_look=now + timedelta(minutes=self.config.minutes))
        if plan.holding_reply:
            await self._hold(item)
        return plan.next_look

    def _unattended(self) -> bool:
        mode = self.config.holding_reply
        return mode == "on" or (mode == "auto" and not self.operator_present())

    async def _operator_acted(self, item: Item, pages: list[Page]) -> bool:
        """An operator changed an item of the conversation since it was first paged."""
        first = min((p.at for p in pages if p.number >= 1), default=None)
        if first is None:
            return False
        for other in await self.store.conversation_items(conversation_of(item)):
            for entry in await self.store.audit(other.id):
                if is_operator(entry.actor) and entry.at >= first and "page" not in entry.detail:
                    return True
        return False

    async def _page(self, item: Item, number: int, *, actor: str) -> Page | None:
        """Page on every channel; each is recorded first, so none goes out twice."""
        conversation = conversation_of(item)
        proposal = item.proposal
        recipients = self.directory.on_call(
            proposal.intent if proposal else None, proposal.grade if proposal else None
        )
        email_page = await self.store.start_page(
            item.id, conversation, number, Channel.EMAIL, recipients, actor=actor
        )
        if email_page is not None:
            await self._deliver(email_page, item)
        if self.webhook is not None:
            hook = await self.store.start_page(
                item.id, conversation, number, Channel.WEBHOOK, ["webhook"], actor=actor
            )
            if hook is not None:
                await self._deliver(hook, item)
        return email_page

    async def _hold(self, item: Item) -> None:
        proposal = item.proposal
        if proposal is None or not proposal.to:
            return
        page = await self.store.start_page(
            item.id,
            conversation_of(item),
            0,
            Channel.TENANT,
            proposal.to,
            actor=ESCALATOR,
            message_id=new_message_id(self.config.mail_from),
        )
        if page is not None:
            await self._deliver(page, item)

    async def _retry_failed(self, pages: list[Page]) -> None:
        now = self.clock()
        for page in pages:
            if page.state is not PageState.FAILED or (page.next_try and page.next_try > now):
                continue
            again = await self.store.retry_page(page.id)
            if again is not None:
                await self._deliver(again, await self.store.get(page.item_id))

    async def _deliver(self, page: Page, item: Item) -> None:
        try:
            await self._send(page, item)
        except (SendError, AuthError, OSError, WebhookError) as exc:
            delay = backoff_delay(page.attempts - 1, self.config.retry_seconds, RETRY_CAP_SECONDS)
            why = str(exc) or type(exc).__name__
            log.warning("page %s of #%s (%s) failed: %s", page.number, item.id, page.channel, why)
            retry_at = self.clock() + timedelta(seconds=delay)
            await self.store.page_outcome(page.id, why, next_try=retry_at)
            return
        await self.store.page_outcome(page.id)
        if page.channel is Channel.EMAIL and self.on_paged is not None:
            await self.on_paged(page, item)

    async def _send(self, page: Page, item: Item) -> None:
        email = await self.parsed(item)
        context = self.directory.context_for(email.sender_addr)
        if page.channel is Channel.TENANT:
            await self.mailer.send(self._holding_message(item, email, context, page.message_id))
            return
        view = PageView(
            item,
            email,
            context,
            page.number,
            max(self.config.max_pages, page.number),
            self.config.minutes,
            page.recipients,
        )
        if page.channel is Channel.WEBHOOK:
            assert self.webhook is not None
            await self.webhook.post(view.payload(), f"msg_page_{page.id}")
        else:
            await self.mailer.send(view.message(self.config.mail_from, self.clock()))

    def _holding_message(
        self, item: Item, email: ParsedEmail, context: TenantContext, message_id: str
    ) -> EmailMessage:
        proposal = item.proposal
        assert proposal is not None
        kinds = danger_kinds(item, email)
        grade = proposal.grade or Grade.LIFE  # stored before grades: the graver one
        contacts = self.directory.contacts_for(context)
        text = holding_text(context, kinds, grade, contacts, proposal.language or "en")
        holding = proposal.model_copy(update={"body": text, "cc": []})
        return build_reply(
            email,
            holding,
            mail_from=self.config.mail_from,
            message_id=message_id or new_message_id(self.config.mail_from),
            automatic=True,
            now=self.clock(),
        )


class WebhookError(Exception):
    """The webhook did not take the page (its status or the connection error)."""


class HttpWebhook:
    """Posts pages as JSON; a non-2xx answer or a timeout is a `WebhookError`."""

    def __init__(self, url: str, timeout: float = 10.0, key: bytes = b"") -> None:
        """`key`: signs each page as the Standard Webhooks specification says."""
        self.url = url
        self.key = key
        self._client = httpx2.AsyncClient(timeout=timeout)

    async def post(self, payload: dict[str, Any], event_id: str = "") -> None:
        """`event_id`: the same on every attempt of one page (receivers drop repeats)."""
        body = json.dumps(payload, ensure_ascii=False)
        headers = {"Content-Type": "application/json"}
        if self.key:
            timestamp = int(time.time())
            headers |= {
                "webhook-id": event_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self.key, event_id, timestamp, body),
            }
        try:
            response = await self._client.post(self.url, content=body.encode(), headers=headers)
        except httpx2.HTTPError as exc:
            raise WebhookError(f"webhook unreachable: {type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise WebhookError(f"webhook answered {response.status_code}")

    async def aclose(self) -> None:
        await self._client.aclose()
