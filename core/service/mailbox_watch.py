"""The inbox's mailbox: its one IMAP connection, kept by one process at a time.

    IDLE ──▶ new UIDs ──▶ store (new) ──▶ the pipeline's workers
      ▲                                          │
      └── flags and Sent copies, for items that came to rest

The watch discovers unseen mail and records it in the store, and, between
IDLE sessions, brings IMAP flags in line with the store (replied → \\Seen
\\Answered; dismissed or skipped → \\Seen; waiting for review → untouched),
files Sent copies, and settles replies a stopped process left mid-send.

Signed out (OAuth 2.0): when the stored sign-in is missing or refused, the
watch says so (status `signed out`, with the line to act on) and waits for the
sign-in to change instead of retrying. It resumes on its own after
`python -m console login`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import AuthError, InboxError, SignInRequired
from core.events import EventBus, InboxStatusChanged
from core.mail.delivery import PIPELINE
from core.mail.inbox import IDLE_REFRESH_SECONDS, Fetched, Inbox
from core.mail.parsing import parse_message
from core.models import FINAL_FLAGS, Item, MessageKey, ParsedEmail, State
from core.retry import backoff_delay
from core.service.tasks import until
from core.service.worker import ItemWorker
from core.store import NewMessage, Store
from core.store.lifecycle import NOT_ANSWERED_YET

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailboxSettings:
    """`inbox`: the inbox's name in the mailboxes file ("" without one); `smtp_saves_sent`:
    the SMTP server files its own copies in `sent_mailbox`."""

    inbox: str
    days_back: int
    poll_interval: float
    sent_mailbox: str
    smtp_saves_sent: bool


class MailboxWatch:
    def __init__(
        self,
        settings: MailboxSettings,
        store: Store,
        worker: ItemWorker,
        bus: EventBus,
        inbox_factory: Callable[[], Inbox],
        clock: Callable[[], datetime],
        wait_for_sign_in: Callable[[], Awaitable[None]],
        *,
        enqueue: Callable[[int], None],
        signed_in: Callable[[], None],
        claim: Callable[[int], Awaitable[bool]],
    ) -> None:
        """`enqueue` hands a recorded message to the workers; `signed_in` says that
        signing in works again; `claim` holds an item for this process."""
        self.settings = settings
        self.store = store
        self.worker = worker
        self.bus = bus
        self.inbox_factory = inbox_factory
        self.clock = clock
        self.wait_for_sign_in = wait_for_sign_in
        self._enqueue = enqueue
        self._signed_in = signed_in
        self._claim = claim
        self.status_now = "connecting"
        self.discovered = 0  # messages this process found and recorded
        self._wake = asyncio.Event()
        self._signed_out: SignInRequired | None = None  # found by a worker
        self._failures = 0
        self._orphans: list[Item] = []

    def wake(self) -> None:
        """Interrupt IDLE so flags are synced now rather than at the next mail."""
        self._wake.set()

    def signed_out(self, exc: SignInRequired) -> None:
        """A reply could not sign in to SMTP: the mailbox as a whole is signed out."""
        self._signed_out = exc
        self.wake()

    def status(self, status: str, detail: str = "") -> None:
        self.status_now = status
        self.bus.publish(InboxStatusChanged(status, self.clock(), detail, self.settings.inbox))

    # --- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the mailbox watched until `stop` is set, reconnecting as long as it takes."""
        while not stop.is_set():
            try:
                await self._session(stop)
            except SignInRequired as exc:  # retrying cannot help: wait for a person
                log.warning("inbox: %s", exc)
                self.status("signed out", str(exc))
                await until(stop, self.wait_for_sign_in())
            except (InboxError, AuthError) as exc:
                self._failures += 1
                delay = backoff_delay(self._failures - 1, 1.0, 60.0 if exc.retryable else 300.0)
                log.warning("inbox: %s; reconnecting in %.0f s", exc, delay)
                self.status("reconnecting", str(exc))
                await until(stop, asyncio.sleep(delay))

    async def _session(self, stop: asyncio.Event) -> None:
        inbox = self.inbox_factory()
        try:
            self.status("connecting")
            await inbox.connect()
            self._failures = 0
            self._signed_out = None
            self._signed_in()  # replies waiting for a working sign-in go out
            await self._serve(inbox, stop)
        finally:
            await asyncio.shield(inbox.close())  # runs to its end, even when cancelled again

    async def _serve(self, inbox: Inbox, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.recover_sending(inbox)
            self._raise_if_signed_out()
            await self.discover(inbox)
            await self.notice_answered(inbox)
            await self.sync_flags(inbox)
            mode = "idle" if inbox.supports_idle else "polling"
            self.status(mode)
            timeout = IDLE_REFRESH_SECONDS if inbox.supports_idle else self.settings.poll_interval
            self._wake.clear()
            self._raise_if_signed_out()  # (a later one sets `_wake` and ends the wait)
            await inbox.wait_for_change(timeout, self._wake)

    def _raise_if_signed_out(self) -> None:
        if self._signed_out is not None:
            raise self._signed_out

    # --- replies caught mid-send -------------------------------------------------------------

    async def find_orphans(self) -> None:
        """Replies caught in `sending` by a process that stopped (nobody holds them)."""
        known = {item.id for item in self._orphans}
        sending = await self.store.unclaimed([State.SENDING], self.settings.inbox)
        self._orphans += [item for item in sending if item.id not in known]

    @property
    def has_orphans(self) -> bool:
        return bool(self._orphans)

    async def recover_sending(self, inbox: Inbox) -> None:
        """A reply caught mid-send: found in Sent means sent; otherwise a person decides."""
        orphans, self._orphans = self._orphans, []
        for item in orphans:
            if await self._claim(item.id):
                await self._recover_one_sending(item, inbox)

    async def _recover_one_sending(self, item: Item, inbox: Inbox) -> None:
        """Found in Sent means sent; otherwise the item says what is known, for a person."""
        sent_mailbox = self.settings.sent_mailbox
        looked = False
        if sent_mailbox and item.reply_message_id:
            try:
                if await inbox.contains_message_id(sent_mailbox, item.reply_message_id):
                    await self.store.transition(
                        item.id,
                        State.SENT,
                        actor=PIPELINE,
                        expect={State.SENDING},
                        detail={"recovered": f"found in {sent_mailbox}"},
                    )
                    return
                looked = True
            except InboxError as exc:
                log.warning("could not check %s for #%s: %s", sent_mailbox, item.id, exc)
        searched = sent_mailbox if looked and self.settings.smtp_saves_sent else ""
        await self.store.transition(
            item.id,
            State.IN_DOUBT,
            actor=PIPELINE,
            expect={State.SENDING},
            error=in_doubt_reason(item.reply_message_id, searched),
        )

    # --- new mail ----------------------------------------------------------------------------

    async def discover(self, inbox: Inbox) -> None:
        """Record the unseen mail the store does not know yet, and hand it to the workers."""
        name = self.settings.inbox
        since = (self.clock() - timedelta(days=self.settings.days_back)).date()
        known = await self.store.known_uids(inbox.mailbox, inbox.uidvalidity, name)
        for uid in await inbox.unseen_since(since):
            if uid in known:
                continue
            fetched = await inbox.fetch(uid)
            if fetched is None:  # expunged between SEARCH and FETCH
                continue
            message, email = await self._new_message(inbox, uid, fetched)
            item = await self.store.add(message)
            if item is not None:
                self.worker.drafter.remember_parsed(item.id, email)
                self.discovered += 1
                self._enqueue(item.id)

    async def _new_message(
        self, inbox: Inbox, uid: int, fetched: Fetched
    ) -> tuple[NewMessage, ParsedEmail]:
        """The message to store, and the email parsed (once: the worker gets it too)."""
        raw = fetched.raw
        email = await asyncio.to_thread(parse_message, raw)
        message = NewMessage(
            key=MessageKey(inbox.mailbox, inbox.uidvalidity, uid, self.settings.inbox),
            message_id=email.message_id,
            dedup_key=email.message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
            raw=raw,
            received_at=fetched.arrived or email.date or self.clock(),
            sender=str(email.sender) if email.sender else "",
            subject=email.subject,
        )
        return message, email

    # --- the mailbox in line with the store ----------------------------------------------------

    async def notice_answered(self, inbox: Inbox) -> None:
        """Messages another mail client flagged \\Answered while we still held them."""
        name = self.settings.inbox
        waiting = {
            item.key.uid: item
            for item in await self.store.items(NOT_ANSWERED_YET)
            if item.key == MessageKey(inbox.mailbox, inbox.uidvalidity, item.key.uid, name)
        }
        if not waiting:
            return
        for uid in await inbox.answered_among(waiting):
            retired = await self.store.retire_answered(
                waiting[uid].id, "another mail client marked the message answered"
            )
            if retired is not None:
                await self.worker.answered_elsewhere(retired)

    async def sync_flags(self, inbox: Inbox) -> None:
        """Set IMAP flags (and file Sent copies) for items that came to rest."""
        unsynced = await self.store.unsynced_flags(
            inbox.mailbox, inbox.uidvalidity, self.settings.inbox
        )
        for item in unsynced:
            if item.state is State.SENT and self.settings.sent_mailbox:
                await self._copy_to_sent(inbox, item)
            if item.state in FINAL_FLAGS:  # an operator may have reopened it since
                await inbox.add_flags([item.key.uid], FINAL_FLAGS[item.state])
            await self.store.mark_flags_synced([item.id])

    async def _copy_to_sent(self, inbox: Inbox, item: Item) -> None:
        """File a copy of the reply; a refusal (no such mailbox) is reported, not fatal.
        Not when the SMTP server files its own copies there."""
        sent_mailbox = self.settings.sent_mailbox
        if self.settings.smtp_saves_sent:
            return
        try:
            if await inbox.contains_message_id(sent_mailbox, item.reply_message_id):
                return  # copied before a crash
            await inbox.append(sent_mailbox, await self.store.reply_raw(item.id), ["\\Seen"])
        except InboxError as exc:
            if exc.retryable:
                raise
            log.warning("no copy of #%s in %s: %s", item.id, sent_mailbox, exc)
            self.status(self.status_now, f"IMAP_SENT_MAILBOX {sent_mailbox}: {exc}")


def in_doubt_reason(message_id: str, searched: str = "") -> str:
    """What is known of a reply caught between the server and its answer, truthfully.

    `searched` is the Sent mailbox the server files its own copies in, when it was
    searched and the reply was not there."""
    if searched:
        known = (
            f"it is not in {searched}, where the mail server files what it sends, "
            "so it most likely did not go out"
        )
    else:
        known = (
            "it may have gone out, and the Sent folder cannot tell: a copy is filed "
            "there only after the server's answer"
        )
    return (
        f"interrupted while sending, before the mail server answered: {known}. "
        f"The reply's Message-ID: {message_id or 'unknown'}"
    )
