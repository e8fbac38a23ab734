"""Orchestration: the inbox loop, a bounded pool of workers, and crash recovery.

    inbox ──(new UIDs)──▶ store (new) ──▶ queue ──▶ CONCURRENCY workers ──▶ store
      ▲                                                                  │
      └──────────── flags and Sent copies for items that came to rest ◀──┘

The inbox loop owns the one IMAP connection: it discovers unseen mail, records
it in the store, and, between IDLE sessions, brings IMAP flags in line with
the store (replied → \\Seen \\Answered; dismissed or skipped → \\Seen; waiting
for review → untouched). `run` is the long-running service; `run_once` is the
burst mode that takes every matching message to a resting state and returns.

Signed out (OAuth 2.0): when the stored sign-in is missing or refused, the
inbox loop says so (status `signed out`, with the line to act on) and waits
for the sign-in to change instead of retrying; replies that could not sign
in to SMTP stay approved and wait with it. Both resume on their own after
`python -m console login`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from core.circuit import Outage
from core.errors import AuthError, InboxError, SignInRequired, StoreError
from core.events import (
    Event,
    EventBus,
    InboxStatusChanged,
    ItemAdded,
    ItemChanged,
    OutageChanged,
)
from core.mail.delivery import PIPELINE
from core.mail.inbox import IDLE_REFRESH_SECONDS, Fetched, Inbox
from core.mail.parsing import parse_message
from core.mail.sent_watch import SentWatcher
from core.models import FINAL_FLAGS, Item, MessageKey, ParsedEmail, State
from core.retry import backoff_delay
from core.service.escalation import Escalator
from core.service.feed import ChangeFeed
from core.service.membership import BEAT_SECONDS, CLAIM_SECONDS, STANDBY, Membership
from core.service.worker import ItemWorker
from core.store import NewMessage, Store
from core.store.lifecycle import NOT_ANSWERED_YET

log = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({State.NEW, State.TRIAGED, State.APPROVED, State.RETRYING})
SHUTDOWN_GRACE_SECONDS = 30.0
LEASE_CHECK_SECONDS = 2.0  # how often the mailbox's lease is renewed, or looked at
# `run_once` waits for replies and drafts due again within this many seconds; later
# ones stay in the store for the next run.
ONCE_WAIT_SECONDS = 60.0


class Pipeline:
    def __init__(
        self,
        store: Store,
        worker: ItemWorker,
        inbox_factory: Callable[[], Inbox],
        bus: EventBus,
        *,
        concurrency: int,
        poll_interval: float,
        days_back: int,
        sent_mailbox: str = "",
        smtp_saves_sent: bool = False,
        clock: Callable[[], datetime],
        wait_for_sign_in: Callable[[], Awaitable[None]] | None = None,
        member: Membership | None = None,
        inbox: str = "",
    ) -> None:
        """`wait_for_sign_in` returns when the stored sign-in may have changed;
        `smtp_saves_sent`: the SMTP server files its own copies in `sent_mailbox`;
        `member`: this process in the team on the store; `inbox`: the inbox's name in the
        mailboxes file ("" without one): its items, and the lease that lets one process
        at a time watch its mailbox."""
        self.store = store
        self.worker = worker
        self.inbox_factory = inbox_factory
        self.bus = bus
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.days_back = days_back
        self.sent_mailbox = sent_mailbox
        self.smtp_saves_sent = smtp_saves_sent
        self.clock = clock
        self.member = member or Membership(store, clock)
        self.inbox = inbox
        self.lease = f"inbox:{inbox or 'inbox'}"
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._pending: set[int] = set()  # queued or being worked on
        self._timers: dict[int, asyncio.TimerHandle] = {}  # items due later
        self._wake = asyncio.Event()
        self._orphans: list[Item] = []
        self._inbox_status = "connecting"
        self._busy: set[int] = set()  # items a worker holds right now
        self._closing = False
        self.discovered = 0  # messages this run found and recorded
        self._all_put_down = asyncio.Event()
        self.wait_for_sign_in = wait_for_sign_in or _a_minute
        self._parked: set[int] = set()  # approved replies waiting for a working sign-in
        self._auth_problem: AuthError | None = None
        self._auth_failures = 0
        self._signed_out: SignInRequired | None = None  # found by a worker, for the inbox loop
        self._serving = False
        self._failures = 0
        # Awaited before each message is recorded and each step of an item. A
        # console in the same process makes the pipeline give way while a person
        # is at the keyboard (see `OperatorConsole.give_way`); by default, no wait.
        self.give_way: Callable[[], Awaitable[None]] = _no_wait
        # Pages emergencies that wait for a person (set by `open_assistant`).
        self.escalator: Escalator | None = None
        # Notices the manager's replies from other mail clients (set by `open_assistant`).
        self.sent_watcher: SentWatcher | None = None
        # Tells this process what the others committed (set by `open_assistant`).
        self.feed: ChangeFeed | None = None
        worker.mail_server.on_change(self._mail_server_changed)
        worker.model.on_change(self._model_changed)
        bus.add_callback(self.member.board.observe)
        bus.add_callback(self._heard)

    # --- entry points ----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Serve this inbox alone until `stop` is set (`serve_inboxes` for several)."""
        await serve_inboxes([self], stop)

    async def serve(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: discover mail, handle it, keep flags in line.

        Any number of processes may serve one store: each works on the items it
        claims, and the one holding the mailbox's lease watches the mailbox. The
        process's membership runs beside it (`serve_inboxes`)."""
        await self._find_orphans()
        await self._resume_active()
        self._serving = True
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        loops = [
            asyncio.create_task(self._sweep(stop)),
            asyncio.create_task(self._watch_mailbox(stop)),
        ]
        if self.sent_watcher is not None:
            loops.append(asyncio.create_task(self.sent_watcher.run(stop)))
        try:
            await stop.wait()
        finally:
            await stop_tasks(loops)
            await self._let_workers_finish(workers)
            self._serving = False
            for timer in self._timers.values():
                timer.cancel()
            self._status("stopped")

    async def _watch_mailbox(self, stop: asyncio.Event) -> None:
        """Watch the mailbox (and page for emergencies) while this process holds the
        mailbox's lease; stand by while another one does, ready to take over."""
        held: list[asyncio.Task[None]] = []
        watching = asyncio.Event()  # set: stop watching
        try:
            while not stop.is_set():
                mine = await self._hold_lease(bool(held))
                if mine and not held:
                    watching = asyncio.Event()
                    held = [asyncio.create_task(self._inbox_loop(watching))]
                    if self.escalator is not None:
                        held.append(asyncio.create_task(self.escalator.run(watching)))
                elif not mine and held:
                    watching.set()
                    await stop_tasks(held)
                    held = []
                if not mine and self._inbox_status != STANDBY:
                    self._status(STANDBY, "another service watches this mailbox")
                await _until(stop, asyncio.sleep(LEASE_CHECK_SECONDS))
        finally:
            watching.set()
            await stop_tasks(held)
            with contextlib.suppress(StoreError):
                await self.store.release_lease(self.lease, self.member.id)

    async def _hold_lease(self, holding: bool) -> bool:
        """Take or renew the mailbox's lease; while the store does not answer, keep on
        doing what this process did."""
        try:
            return await self.store.take_lease(self.lease, self.member.id, CLAIM_SECONDS)
        except StoreError as exc:
            log.warning("mailbox lease: %s", exc)
            return holding

    async def _sweep(self, stop: asyncio.Event) -> None:
        """Take over what nobody holds: work a stopped process left, replies caught
        mid-send (recovered by the mailbox's watcher)."""
        while not stop.is_set():
            await _until(stop, asyncio.sleep(BEAT_SECONDS))
            try:
                await self.member.reap()
                await self._resume_active()
                await self._find_orphans()
            except StoreError as exc:
                log.warning("looking for work nobody holds: %s", exc)
            if self._orphans:
                self.wake()

    async def _let_workers_finish(self, workers: list[asyncio.Task[None]]) -> None:
        """On shutdown, an item in hand (a reply being sent, say) is finished, not cut off."""
        self._closing = True
        if self._busy:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._all_put_down.wait(), SHUTDOWN_GRACE_SECONDS)
        await stop_tasks(workers)

    async def run_once(self) -> dict[State, int]:
        """Take every matching message to a resting state, then return the counts.

        Connection and login errors propagate: the caller reports them and exits;
        so does a sign-in that SMTP refused (the replies stay approved).
        """
        inbox = self.inbox_factory()
        await inbox.connect()
        await self.member.join()
        await self._find_orphans()
        await self._look_in_sent()  # replies the manager sent while we were not running
        done = asyncio.Event()
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        workers.append(asyncio.create_task(self.member.run(done)))
        try:
            await self._recover_sending(inbox)
            await self._resume_active()
            await self._discover(inbox)
            await self._notice_answered(inbox)
            await self._finish_burst()
            if self.escalator is not None:  # pages for emergencies found in this run
                await self.escalator.look()
            await self._sync_flags(inbox)
        finally:
            done.set()
            await stop_tasks(workers)
            await inbox.close()
            if self.sent_watcher is not None:
                await self.sent_watcher.close()
            await self.member.leave()
        if self._parked and self._auth_problem is not None:
            raise self._auth_problem
        return await self.store.counts()

    async def _finish_burst(self) -> None:
        """Wait until every item rests, or waits for a later run (a retry not due soon)."""
        while True:
            await self._queue.join()
            due: list[tuple[datetime, int]] = []
            for item in await self.store.unclaimed(ACTIVE_STATES, self.inbox):
                if item.id not in self._parked:
                    due.append((self.worker.next_step_at(item) or self.clock(), item.id))
            if not due:
                return
            first = min(when for when, _ in due)
            wait = (first - self.clock()).total_seconds()
            if wait > ONCE_WAIT_SECONDS:
                return
            await asyncio.sleep(max(0.0, wait))
            for when, item_id in sorted(due):
                if when <= self.clock():
                    self.enqueue(item_id)

    def enqueue(self, item_id: int) -> None:
        """Ask a worker to advance this item (after an operator decision, say).

        An item is never queued or worked on twice at the same time.
        """
        if item_id not in self._pending:
            self._pending.add(item_id)
            self._queue.put_nowait(item_id)

    def enqueue_at(self, item_id: int, when: datetime | None) -> None:
        """Advance this item once `when` has come (now, when it is None or past); one
        timer per item, the earliest."""
        delay = (when - self.clock()).total_seconds() if when is not None else 0.0
        timer = self._timers.get(item_id)
        if delay <= 0:
            if timer is not None:
                timer.cancel()
                del self._timers[item_id]
            self.enqueue(item_id)
            return
        loop = asyncio.get_running_loop()
        if timer is not None:
            if timer.when() <= loop.time() + delay:
                return
            timer.cancel()
        self._timers[item_id] = loop.call_later(delay, self._due, item_id)

    def _due(self, item_id: int) -> None:
        self._timers.pop(item_id, None)
        self.enqueue(item_id)

    def wake(self) -> None:
        """Interrupt IDLE so flags are synced now rather than at the next mail."""
        self._wake.set()

    # --- recovery ------------------------------------------------------------------------

    async def _resume_active(self) -> None:
        """Queue whatever nobody holds (a previous run left it half-done, or the process
        that held it stopped); the store says where each stands."""
        for item in await self.store.unclaimed(ACTIVE_STATES, self.inbox):
            if item.id not in self._pending:
                self.enqueue_at(item.id, self.worker.next_step_at(item))

    async def _find_orphans(self) -> None:
        """Replies caught in `sending` by a process that stopped (nobody holds them)."""
        known = {item.id for item in self._orphans}
        sending = await self.store.unclaimed([State.SENDING], self.inbox)
        self._orphans += [item for item in sending if item.id not in known]

    async def _recover_sending(self, inbox: Inbox) -> None:
        """A reply caught mid-send: found in Sent means sent; otherwise a person decides."""
        orphans, self._orphans = self._orphans, []
        for item in orphans:
            if await self.store.claim(item.id, self.member.id, CLAIM_SECONDS):
                await self._recover_one_sending(item, inbox)

    async def _recover_one_sending(self, item: Item, inbox: Inbox) -> None:
        """Found in Sent means sent; otherwise the item says what is known, for a person."""
        looked = False
        if self.sent_mailbox and item.reply_message_id:
            try:
                if await inbox.contains_message_id(self.sent_mailbox, item.reply_message_id):
                    await self.store.transition(
                        item.id,
                        State.SENT,
                        actor=PIPELINE,
                        expect={State.SENDING},
                        detail={"recovered": f"found in {self.sent_mailbox}"},
                    )
                    return
                looked = True
            except InboxError as exc:
                log.warning("could not check %s for #%s: %s", self.sent_mailbox, item.id, exc)
        await self.store.transition(
            item.id,
            State.IN_DOUBT,
            actor=PIPELINE,
            expect={State.SENDING},
            error=in_doubt_reason(
                item.reply_message_id,
                self.sent_mailbox if looked and self.smtp_saves_sent else "",
            ),
        )

    # --- workers ---------------------------------------------------------------------------

    async def _work(self) -> None:
        while not self._closing:
            item_id = await self._queue.get()
            advanced = False
            try:
                if await self._claim(item_id):
                    await self._advance(item_id)
                    advanced = True
            finally:
                self._pending.discard(item_id)
                try:
                    # Out of hand now, so what became due meanwhile (an operator's "send
                    # now" while the worker held the item) is queued again; before
                    # `task_done`, so a run that waits for the queue waits for it too.
                    if advanced and item_id not in self._parked:
                        await self._requeue_if_active(item_id)
                finally:
                    self._queue.task_done()

    async def _claim(self, item_id: int) -> bool:
        """Hold the item while working on it; another process may hold it already."""
        try:
            return await self.store.claim(item_id, self.member.id, CLAIM_SECONDS)
        except StoreError as exc:
            log.warning("#%s: cannot claim it now (%s); trying again later", item_id, exc)
            self.enqueue_at(item_id, self.clock() + timedelta(seconds=BEAT_SECONDS))
            return False

    async def _advance(self, item_id: int) -> None:
        self._busy.add(item_id)
        self._all_put_down.clear()
        try:
            item = await self.worker.advance(item_id, self.give_way)
            self._auth_failures = 0
            if item.state in FINAL_FLAGS:
                self.wake()
        except AuthError as exc:
            self._park(item_id, exc)
        except Exception:  # one failing item never stops the others
            log.exception("item #%s could not be advanced", item_id)
        finally:
            self._busy.discard(item_id)
            if not self._busy:
                self._all_put_down.set()

    def _park(self, item_id: int, exc: AuthError) -> None:
        """Hold an item whose reply could not sign in until signing in works again."""
        log.warning("#%s waits: %s", item_id, exc)
        first = not self._parked
        self._parked.add(item_id)
        self._auth_problem = exc
        if isinstance(exc, SignInRequired):
            self._signed_out = exc  # the inbox loop reports it and waits for `login`
            self.wake()
            return
        self._status(self._inbox_status, str(exc))
        if first and self._serving:  # a token refused by SMTP alone: try again later
            self._auth_failures += 1
            delay = backoff_delay(self._auth_failures - 1, 1.0, 300.0)
            asyncio.get_running_loop().call_later(delay, self._release_parked)

    def _release_parked(self) -> None:
        parked, self._parked = self._parked, set()
        for item_id in sorted(parked):
            self.enqueue(item_id)

    async def _requeue_if_active(self, item_id: int) -> None:
        """An operator may have acted while a worker held the item: do not lose that.
        An item that waits (a reply to retry, a draft for the model) is let go, and
        comes back when due (here, or in another process: whichever claims it)."""
        try:
            item = await self.store.get(item_id)
            if item.state in ACTIVE_STATES:
                await self.store.release(item_id, self.member.id)
        except StoreError:
            return
        if item.state is State.RETRYING and item.send_after is None:
            self.worker.mail_server.try_now()  # a person asked for it to go now
        if item.state in ACTIVE_STATES:
            self.enqueue_at(item_id, self.worker.next_step_at(item))

    def _heard(self, event: Event) -> None:
        """A change to an item (an operator's decision, in this process or another):
        work that became due is queued; a message that came to rest gets its flags."""
        if not self._serving or not isinstance(event, (ItemAdded, ItemChanged)):
            return
        item = event.item
        if item.key.inbox != self.inbox:
            return
        if item.state in FINAL_FLAGS:
            self.wake()
        if item.state not in ACTIVE_STATES or item.id in self._pending:
            return
        if item.state is State.RETRYING and item.send_after is None:
            self.worker.mail_server.try_now()  # a person asked for it to go now
        self.enqueue_at(item.id, self.worker.next_step_at(item))

    # --- outages -------------------------------------------------------------------------

    def _mail_server_changed(self, outage: Outage | None) -> None:
        self._publish_outage("mail server", outage)
        if outage is None:  # it answers again: the replies that waited go now
            for item_id in self.worker.delivery.release_behind_server():
                self.enqueue(item_id)

    def _model_changed(self, outage: Outage | None) -> None:
        self._publish_outage("model", outage)
        if outage is None:
            for item_id in self.worker.waiting_for_model.release():
                self.enqueue(item_id)

    def _publish_outage(self, service: str, outage: Outage | None) -> None:
        if outage is None:
            self.bus.publish(OutageChanged(service, None))
        else:
            self.bus.publish(OutageChanged(service, outage.since, outage.next_try, outage.reason))

    # --- the inbox -------------------------------------------------------------------------

    async def _inbox_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._inbox_session(stop)
            except SignInRequired as exc:  # retrying cannot help: wait for a person
                log.warning("inbox: %s", exc)
                self._status("signed out", str(exc))
                await _until(stop, self.wait_for_sign_in())
            except (InboxError, AuthError) as exc:
                self._failures += 1
                delay = backoff_delay(self._failures - 1, 1.0, 60.0 if exc.retryable else 300.0)
                log.warning("inbox: %s; reconnecting in %.0f s", exc, delay)
                self._status("reconnecting", str(exc))
                await _until(stop, asyncio.sleep(delay))

    async def _inbox_session(self, stop: asyncio.Event) -> None:
        inbox = self.inbox_factory()
        try:
            self._status("connecting")
            await inbox.connect()
            self._failures = 0
            self._signed_out = None
            self._release_parked()  # signing in works: replies waiting for it go out
            await self._serve(inbox, stop)
        finally:
            await asyncio.shield(inbox.close())  # runs to its end, even when cancelled again

    async def _serve(self, inbox: Inbox, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._recover_sending(inbox)
            self._raise_if_signed_out()
            await self._discover(inbox)
            await self._notice_answered(inbox)
            await self._sync_flags(inbox)
            mode = "idle" if inbox.supports_idle else "polling"
            self._status(mode)
            timeout = IDLE_REFRESH_SECONDS if inbox.supports_idle else self.poll_interval
            self._wake.clear()
            self._raise_if_signed_out()  # (a later one sets `_wake` and ends the wait)
            await inbox.wait_for_change(timeout, self._wake)

    def _raise_if_signed_out(self) -> None:
        """A reply could not sign in to SMTP: the mailbox as a whole is signed out."""
        if self._signed_out is not None:
            raise self._signed_out

    async def _look_in_sent(self) -> None:
        """Open the Sent folder's watch for a burst; a failure is said once, not fatal."""
        if self.sent_watcher is None:
            return
        try:
            await self.sent_watcher.open()
        except (InboxError, AuthError) as exc:
            self.sent_watcher.cannot_watch(exc)

    async def _notice_answered(self, inbox: Inbox) -> None:
        """Messages another mail client flagged \\Answered while we still held them."""
        waiting = {
            item.key.uid: item
            for item in await self.store.items(NOT_ANSWERED_YET)
            if item.key == MessageKey(inbox.mailbox, inbox.uidvalidity, item.key.uid, self.inbox)
        }
        if not waiting:
            return
        for uid in await inbox.answered_among(waiting):
            retired = await self.store.retire_answered(
                waiting[uid].id, "another mail client marked the message answered"
            )
            if retired is not None:
                await self.worker.answered_elsewhere(retired)

    async def _discover(self, inbox: Inbox) -> None:
        since = (self.clock() - timedelta(days=self.days_back)).date()
        known = await self.store.known_uids(inbox.mailbox, inbox.uidvalidity, self.inbox)
        for uid in await inbox.unseen_since(since):
            if uid in known:
                continue
            await self.give_way()
            fetched = await inbox.fetch(uid)
            if fetched is None:  # expunged between SEARCH and FETCH
                continue
            message, email = await self._new_message(inbox, uid, fetched)
            item = await self.store.add(message)
            if item is not None:
                self.worker.drafter.remember_parsed(item.id, email)
                self.discovered += 1
                self.enqueue(item.id)

    async def _new_message(
        self, inbox: Inbox, uid: int, fetched: Fetched
    ) -> tuple[NewMessage, ParsedEmail]:
        """The message to store, and the email parsed (once: the worker gets it too)."""
        raw = fetched.raw
        email = await asyncio.to_thread(parse_message, raw)
        message = NewMessage(
            key=MessageKey(inbox.mailbox, inbox.uidvalidity, uid, self.inbox),
            message_id=email.message_id,
            dedup_key=email.message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
            raw=raw,
            received_at=fetched.arrived or email.date or self.clock(),
            sender=str(email.sender) if email.sender else "",
            subject=email.subject,
        )
        return message, email

    async def _sync_flags(self, inbox: Inbox) -> None:
        """Set IMAP flags (and file Sent copies) for items that came to rest."""
        for item in await self.store.unsynced_flags(inbox.mailbox, inbox.uidvalidity, self.inbox):
            if item.state is State.SENT and self.sent_mailbox:
                await self._copy_to_sent(inbox, item)
            if item.state in FINAL_FLAGS:  # an operator may have reopened it since
                await inbox.add_flags([item.key.uid], FINAL_FLAGS[item.state])
            await self.store.mark_flags_synced([item.id])

    async def _copy_to_sent(self, inbox: Inbox, item: Item) -> None:
        """File a copy of the reply; a refusal (no such mailbox) is reported, not fatal.
        Not when the SMTP server files its own copies there."""
        if self.smtp_saves_sent:
            return
        try:
            if await inbox.contains_message_id(self.sent_mailbox, item.reply_message_id):
                return  # copied before a crash
            await inbox.append(self.sent_mailbox, await self.store.reply_raw(item.id), ["\\Seen"])
        except InboxError as exc:
            if exc.retryable:
                raise
            log.warning("no copy of #%s in %s: %s", item.id, self.sent_mailbox, exc)
            self._status(self._inbox_status, f"IMAP_SENT_MAILBOX {self.sent_mailbox}: {exc}")

    def _status(self, status: str, detail: str = "") -> None:
        self._inbox_status = status
        self.bus.publish(InboxStatusChanged(status, self.clock(), detail, self.inbox))


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


async def _no_wait() -> None:
    return None


async def _a_minute() -> None:
    await asyncio.sleep(60)


async def _until(stop: asyncio.Event, pause: Awaitable[None]) -> None:
    """Wait for `pause` to finish or `stop` to be set, whichever comes first."""
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(pause)]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


async def serve_inboxes(
    pipelines: list[Pipeline],
    stop: asyncio.Event,
    also: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
) -> None:
    """One service process: its inboxes' pipelines, with one membership in the team
    (they share it), one follower of the store's changes, and what runs `also`
    (the webhook sender)."""
    member, feed = pipelines[0].member, pipelines[0].feed
    await member.join()
    loops = [asyncio.create_task(member.run(stop))]
    loops += [asyncio.create_task(loop(stop)) for loop in also]
    if feed is not None:
        loops.append(asyncio.create_task(feed.run(stop)))
    try:
        await asyncio.gather(*(pipeline.serve(stop) for pipeline in pipelines))
    finally:
        await stop_tasks(loops)
        await member.leave()


async def stop_tasks(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel tasks and wait for them, cancelling again if a cancellation got lost.

    (On Python 3.11 a cancellation that races with a finishing `wait_for`
    inside a client library can be swallowed; asking again is the remedy.)
    """
    for _ in range(20):
        pending = [task for task in tasks if not task.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.5)
    await asyncio.gather(*tasks, return_exceptions=True)
