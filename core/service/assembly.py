"""Wiring: build the whole core from settings, once, for every entry point.

The command line, the console and the tests all call `open_assistant`, so
there is one place where the parts are chosen. Tests pass their own pieces
(a clock, an inbox) through the keyword arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path

from core.config import MailAuth, Provider, Settings
from core.directory import Directory
from core.events import EventBus, ItemChanged
from core.mail.delivery import Sender
from core.mail.inbox import ImapInbox, Inbox
from core.mail.oauth import oauth_app
from core.mail.outbox import SmtpSender
from core.mail.sent_watch import SentWatcher
from core.mail.tokens import TokenSource, token_store
from core.models import Item, Page, State
from core.policy import AutoSendPolicy, seed_policy, stored_policy
from core.providers.offline import OfflineProvider
from core.providers.openai import OpenAIProvider
from core.service.drafting import DraftConfig, Drafter
from core.service.escalation import EscalationConfig, Escalator, HttpWebhook
from core.service.feed import ChangeFeed
from core.service.mailboxes import InboxSettings, inboxes
from core.service.membership import Membership
from core.service.operator import Desk, Operator, Pager
from core.service.pipeline import Pipeline, serve_inboxes
from core.service.signing import secret_key
from core.service.webhooks import Endpoint, OutboxTicketSink, WebhookSender, endpoints
from core.service.worker import ItemWorker, WorkerConfig
from core.store import Store, open_store, utc_now
from core.tickets import FileTicketSink, TicketSinks
from core.triage.classify import TriageProvider


@dataclass
class InboxWork:
    """One inbox's mail work in a service: its datastore, model, worker and pipeline."""

    inbox: InboxSettings
    directory: Directory
    provider: TriageProvider
    worker: ItemWorker
    pipeline: Pipeline


@dataclass
class Assistant:
    """The service: every inbox's mail work, in one process, on one store."""

    settings: Settings
    bus: EventBus
    store: Store
    works: list[InboxWork]
    operator: Operator
    webhooks: WebhookSender | None = None  # delivers the ticket events, when set up

    # The first inbox's parts: a setup without a mailboxes file has only that one.
    @property
    def directory(self) -> Directory:
        return self.works[0].directory

    @property
    def provider(self) -> TriageProvider:
        return self.works[0].provider

    @property
    def worker(self) -> ItemWorker:
        return self.works[0].worker

    @property
    def pipeline(self) -> Pipeline:
        return self.works[0].pipeline

    @property
    def discovered(self) -> int:
        """Messages this run found and recorded, in every inbox."""
        return sum(work.pipeline.discovered for work in self.works)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve every inbox until `stop` is set."""
        also = [self.webhooks.run] if self.webhooks is not None else []
        await serve_inboxes([work.pipeline for work in self.works], stop, also)

    async def run_once(self) -> dict[State, int]:
        """Take every inbox's matching messages to a resting state, one inbox after
        the other, and deliver the ticket events now due; the counts of the store."""
        counts: dict[State, int] = {}
        for work in self.works:
            counts = await work.pipeline.run_once()
        if self.webhooks is not None:
            await self.webhooks.deliver_due()
        return counts


@dataclass
class Client:
    """What a console needs: the store, its changes, and the operator's commands. The
    mail work is a service's, in another process (`open_assistant` there)."""

    settings: Settings
    bus: EventBus
    store: Store
    directory: Directory
    provider: TriageProvider
    operator: Operator
    feed: ChangeFeed
    inboxes: list[InboxSettings]


@asynccontextmanager
async def open_client(
    settings: Settings,
    *,
    provider: TriageProvider | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> AsyncIterator[Client]:
    """A console's view of the store: its events (this process's and, through the feed,
    every other's) and the operator's commands. Redrafts are written here, with each
    inbox's datastore and model; paging now sends from here; all other mail work is a
    service's."""
    setup = inboxes(settings)
    bus = EventBus()
    store = await open_store(settings.store_location, publish=bus.publish, clock=clock)
    desks: dict[str, Desk] = {}
    first: tuple[Directory, TriageProvider] | None = None
    try:
        async with contextlib.AsyncExitStack() as resources:
            for inbox in setup:
                own = inbox.settings
                directory = await asyncio.to_thread(Directory.load, own.data_dir)
                model = provider or build_provider(own, directory)
                resources.push_async_callback(close_if_closable, model)
                smtp = build_sender(own, build_token_source(own, inbox.sign_in_dir))
                resources.push_async_callback(close_if_closable, smtp)
                webhook = build_webhook(own)
                resources.push_async_callback(close_if_closable, webhook)
                drafter = Drafter(
                    store,
                    directory,
                    model,
                    DraftConfig(
                        own_addresses(own), own.max_retries, reply_language=own.reply_language
                    ),
                    clock,
                    build_fallback(model, directory),
                )
                pager = Escalator(
                    store,
                    directory,
                    smtp,
                    drafter.parsed,
                    escalation_config(own, inbox=inbox.name),
                    clock,
                    webhook,
                )
                desks[inbox.name] = Desk(drafter, own.mail_from, pager.page_now)
                first = first or (directory, model)
            assert first is not None
            operator = Operator(store, desks, name=settings.operator_name, clock=clock)
            feed = ChangeFeed(store, bus, clock, team=True)
            yield Client(settings, bus, store, *first, operator, feed, setup)
    finally:
        await store.close()


def own_addresses(settings: Settings) -> frozenset[str]:
    """The mailbox's own addresses: mail from them is never answered."""
    return frozenset(a.lower() for a in (parseaddr(settings.mail_from)[1], settings.imap_user) if a)


def escalation_config(
    settings: Settings, retry_seconds: float = 5.0, *, inbox: str = ""
) -> EscalationConfig:
    return EscalationConfig(
        inbox=inbox,
        minutes=settings.escalate_minutes,
        max_pages=settings.escalate_max,
        webhook_url=settings.escalation_webhook_url,
        holding_reply=settings.emergency_holding_reply.value,
        mail_from=settings.mail_from,
        retry_seconds=retry_seconds,
    )


def structured_mode(provider: TriageProvider) -> str:
    """How the model is asked for JSON, for a status line; empty without a model."""
    return provider.mode_label if isinstance(provider, OpenAIProvider) else ""


def build_provider(settings: Settings, directory: Directory) -> TriageProvider:
    """The configured provider: OpenAI-compatible when a model is set up, else offline."""
    if settings.provider is Provider.OFFLINE:
        return OfflineProvider(directory)
    return build_model_provider(settings)


def build_model_provider(settings: Settings) -> OpenAIProvider:
    """The OpenAI-compatible provider the settings describe."""
    settings.require_model_settings()
    return OpenAIProvider.from_settings(
        settings.openai_api_key.get_secret_value(),
        settings.openai_base_url,
        settings.openai_model,
        settings.llm_timeout,
        structured=settings.openai_structured,
        max_tokens=settings.openai_max_tokens,
    )


def build_fallback(provider: TriageProvider, directory: Directory) -> TriageProvider | None:
    """The provider that drafts when the model fails: offline, unless it is the main one."""
    return None if isinstance(provider, OfflineProvider) else OfflineProvider(directory)


def build_token_source(settings: Settings, sign_in_dir: Path | None = None) -> TokenSource | None:
    """With MAIL_AUTH=oauth2, the one source of access tokens for IMAP and SMTP (of
    the inbox whose sign-in is kept in `sign_in_dir`)."""
    if settings.mail_auth is not MailAuth.OAUTH2:
        return None
    return TokenSource(oauth_app(settings), token_store(sign_in_dir or settings.output_dir))


def build_webhook(settings: Settings) -> HttpWebhook | None:
    """The pages' webhook, signed when it has a secret."""
    url = settings.escalation_webhook_url
    if not url:
        return None
    secret = settings.escalation_webhook_secret.get_secret_value()
    key = secret_key(secret, "ESCALATION_WEBHOOK_SECRET") if secret else b""
    return HttpWebhook(url, key=key)


def build_inbox_factory(
    settings: Settings, tokens: TokenSource | None = None, mailbox: str = ""
) -> Callable[[], ImapInbox]:
    """New IMAP connections to the mailbox (its inbox, or `mailbox`)."""

    def factory() -> ImapInbox:
        return ImapInbox(
            settings.imap_host,
            settings.imap_port,
            settings.imap_security,
            settings.imap_user,
            settings.imap_password.get_secret_value(),
            mailbox or settings.imap_mailbox,
            tokens=tokens,
        )

    return factory


def build_sender(settings: Settings, tokens: TokenSource | None = None) -> SmtpSender:
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password.get_secret_value(),
        local_hostname=domain,
        tokens=tokens,
    )


@dataclass(frozen=True)
class Timings:
    """The first pauses of the model's retries, of a page's, of a reply's, and of the
    model's circuit (tests shorten them)."""

    retry_delay: float = 0.5
    page_retry_seconds: float = 5.0
    send_retry_first: float = 2.0
    model_pause: float = 5.0


@asynccontextmanager
async def open_assistant(
    settings: Settings,
    *,
    provider: TriageProvider | None = None,
    inbox_factory: Callable[[], Inbox] | None = None,
    sender: Sender | None = None,
    clock: Callable[[], datetime] = utc_now,
    retry_delay: float = 0.5,
    page_retry_seconds: float = 5.0,
    send_retry_first: float = 2.0,
    model_pause: float = 5.0,
) -> AsyncIterator[Assistant]:
    """The service for every inbox the settings describe, on one store. `provider`,
    `inbox_factory` and `sender` replace what the settings would build (tests);
    the pauses are `Timings`'."""
    timings = Timings(retry_delay, page_retry_seconds, send_retry_first, model_pause)
    bus = EventBus()
    store = await open_store(settings.store_location, publish=bus.publish, clock=clock)
    member = Membership(store, clock)
    feed = ChangeFeed(store, bus, clock)
    hooks = endpoints(settings)
    webhooks = (
        WebhookSender(
            store, hooks, bus, clock, owner=member.id, retry_hours=settings.webhook_retry_hours
        )
        if hooks
        else None
    )
    try:
        await seed_policy(
            store,
            AutoSendPolicy.from_settings(settings.auto_send, settings.auto_send_min_confidence),
        )
        async with contextlib.AsyncExitStack() as resources:
            works, desks = [], {}
            for inbox in inboxes(settings):
                work, pager = await resources.enter_async_context(
                    _open_inbox(
                        inbox,
                        store,
                        bus,
                        member,
                        clock,
                        timings,
                        provider=provider,
                        inbox_factory=inbox_factory,
                        sender=sender,
                        hooks=hooks,
                    )
                )
                work.pipeline.feed = feed
                works.append(work)
                desks[inbox.name] = Desk(work.worker.drafter, inbox.settings.mail_from, pager)
            operator = Operator(store, desks, name=settings.operator_name, clock=clock)
            yield Assistant(settings, bus, store, works, operator, webhooks)
    finally:
        await close_if_closable(webhooks)
        await store.close()


@asynccontextmanager
async def _open_inbox(
    inbox: InboxSettings,
    store: Store,
    bus: EventBus,
    member: Membership,
    clock: Callable[[], datetime],
    timings: Timings,
    *,
    provider: TriageProvider | None,
    inbox_factory: Callable[[], Inbox] | None,
    sender: Sender | None,
    hooks: list[Endpoint],
) -> AsyncIterator[tuple[InboxWork, Pager]]:
    """One inbox's mail work: its datastore, model, mail servers, pipeline and pager."""
    settings = inbox.settings
    directory = await asyncio.to_thread(Directory.load, settings.data_dir)
    files = FileTicketSink(settings.output_dir / "tickets")
    outbox = OutboxTicketSink(store, hooks, directory, clock) if hooks else None
    provider = provider or build_provider(settings, directory)
    tokens = build_token_source(settings, inbox.sign_in_dir)
    smtp = sender or build_sender(settings, tokens)
    worker = ItemWorker(
        store,
        directory,
        provider,
        smtp,
        TicketSinks(files, outbox) if outbox is not None else files,
        WorkerConfig(
            settings.mail_from,
            settings.max_retries,
            own_addresses(settings),
            timings.retry_delay,
            send_retry_first=timings.send_retry_first,
            send_retry_hours=settings.send_retry_hours,
            model_pause=timings.model_pause,
            model_wait_seconds=settings.model_wait_seconds,
            reply_language=settings.reply_language,
        ),
        policy=lambda: stored_policy(store),
        clock=clock,
        fallback=build_fallback(provider, directory),
    )
    pipeline = Pipeline(
        store,
        worker,
        inbox_factory or build_inbox_factory(settings, tokens),
        bus,
        concurrency=settings.concurrency,
        poll_interval=settings.poll_interval,
        days_back=settings.unread_days_back,
        sent_mailbox=settings.imap_sent_mailbox,
        smtp_saves_sent=settings.smtp_saves_sent,
        clock=clock,
        wait_for_sign_in=tokens.wait_for_change if tokens is not None else None,
        member=member,
        inbox=inbox.name,
    )
    webhook = build_webhook(settings)
    escalator = Escalator(
        store,
        directory,
        smtp,
        worker.parsed,
        escalation_config(settings, timings.page_retry_seconds, inbox=inbox.name),
        clock,
        webhook,
    )
    pipeline.escalator = escalator
    watcher = SentWatcher(
        store,
        build_inbox_factory(settings, tokens),
        bus,
        configured=settings.imap_sent_mailbox,
        days_back=settings.unread_days_back,
        clock=clock,
        inbox=inbox.name,
    )
    watcher.on_retired = worker.answered_elsewhere
    worker.look_before_sending = watcher.answered_elsewhere
    pipeline.sent_watcher = watcher
    escalator.operator_present = lambda: member.someone_at_a_keyboard
    member.board.model_mode = lambda: structured_mode(provider)
    bus.add_callback(lambda event: _wake_for_emergency(event, escalator, inbox.name))
    if outbox is not None:
        escalator.on_paged = functools.partial(_paged_event, outbox, files)
    try:
        yield InboxWork(inbox, directory, provider, worker, pipeline), escalator.page_now
    finally:
        await watcher.close()
        await close_if_closable(provider)
        await close_if_closable(webhook)
        await close_if_closable(smtp)


async def _paged_event(
    outbox: OutboxTicketSink, files: FileTicketSink, page: Page, item: Item
) -> None:
    """The on-call people were paged: an `emergency.paged` event, with the ticket."""
    ticket = await files.read(item.ticket_id) if item.ticket_id else None
    summary = item.proposal.summary if item.proposal else ""
    await outbox.paged(page, ticket, summary)


def _wake_for_emergency(event: object, escalator: Escalator, inbox: str) -> None:
    """A new emergency waits for a person: page at once, not at the next look."""
    if not isinstance(event, ItemChanged) or event.item.state is not State.AWAITING_REVIEW:
        return
    if event.item.key.inbox != inbox:
        return
    if event.item.proposal is not None and event.item.proposal.emergency:
        escalator.wake()


async def close_if_closable(resource: object) -> None:
    """Close a provider or sender that holds connections (not all of them do)."""
    aclose = getattr(resource, "aclose", None)
    if aclose is not None:
        await aclose()
