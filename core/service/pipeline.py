"""Orchestration: a bounded pool of workers, the mailbox's watch, crash recovery.

    mailbox watch ──(new mail)──▶ store (new) ──▶ queue ──▶ CONCURRENCY workers ──▶ store
          ▲                                                                     │
          └───────────── flags and Sent copies for items that came to rest ◀────┘

Every process serving a store runs workers on the items it claims; the one
holding the mailbox's lease also watches the mailbox (`MailboxWatch`). `run`
is the long-running service; `run_once` is the burst mode that takes every
matching message to a resting state and returns. Replies that could not sign
in to SMTP stay approved and wait for a working sign-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from core.circuit import Outage
from core.errors import AuthError, InboxError, SignInRequired, StoreError
from core.events import (
    Event,
    EventBus,
    ItemAdded,
    ItemChanged,
    OutageChanged,
)
from core.mail.inbox import Inbox
from core.mail.sent_watch import SentWatcher
from core.models import FINAL_FLAGS, State
from core.retry import backoff_delay
from core.service.escalation import Escalator
from core.service.feed import ChangeFeed
from core.service.mailbox_watch import MailboxSettings, MailboxWatch
from core.service.membership import BEAT_SECONDS, CLAIM_SECONDS, STANDBY, Membership
from core.service.tasks import stop_tasks, until
from core.service.worker import ItemWorker
from core.store import Store

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
        self.sent_mailbox = sent_mailbox
        self.clock = clock
        self.member = member or Membership(store, clock)
        self.inbox = inbox
        self.lease = f"inbox:{inbox or 'inbox'}"
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._pending: set[int] = set()  # queued or being worked on
        self._timers: dict[int, asyncio.TimerHandle] = {}  # items due later
        self._busy: set[int] = set()  # items a worker holds right now
        self._closing = False
        self._all_put_down = asyncio.Event()
        self._parked: set[int] = set()  # approved replies waiting for a working sign-in
        self._auth_problem: AuthError | None = None
        self._auth_failures = 0
        self._serving = False
        settings = MailboxSettings(inbox, days_back, poll_interval, sent_mailbox, smtp_saves_sent)
        self.mailbox = MailboxWatch(
            settings,
            store,
            worker,
            bus,
            inbox_factory,
            clock,
            wait_for_sign_in or _a_minute,
            enqueue=self.enqueue,
            signed_in=self._release_parked,
            claim=lambda item_id: store.claim(item_id, self.member.id, CLAIM_SECONDS),
        )
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
        await self.mailbox.find_orphans()
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
            self.mailbox.status("stopped")

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
                    held = [asyncio.create_task(self.mailbox.run(watching))]
                    if self.escalator is not None:
                        held.append(asyncio.create_task(self.escalator.run(watching)))
                elif not mine and held:
                    watching.set()
                    await stop_tasks(held)
                    held = []
                if not mine and self.mailbox.status_now != STANDBY:
                    self.mailbox.status(STANDBY, "another service watches this mailbox")
                await until(stop, asyncio.sleep(LEASE_CHECK_SECONDS))
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
            await until(stop, asyncio.sleep(BEAT_SECONDS))
            try:
                await self.member.reap()
                await self._resume_active()
                await self.mailbox.find_orphans()
            except StoreError as exc:
                log.warning("looking for work nobody holds: %s", exc)
            if self.mailbox.has_orphans:
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
        await self.mailbox.find_orphans()
        await self._look_in_sent()  # replies the manager sent while we were not running
        done = asyncio.Event()
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        workers.append(asyncio.create_task(self.member.run(done)))
        try:
            await self.mailbox.recover_sending(inbox)
            await self._resume_active()
            await self.mailbox.discover(inbox)
            await self.mailbox.notice_answered(inbox)
            await self._finish_burst()
            if self.escalator is not None:  # pages for emergencies found in this run
                await self.escalator.look()
            await self.mailbox.sync_flags(inbox)
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

    async def _look_in_sent(self) -> None:
        """Open the Sent folder's watch for a burst; a failure is said once, not fatal."""
        if self.sent_watcher is None:
            return
        try:
            await self.sent_watcher.open()
        except (InboxError, AuthError) as exc:
            self.sent_watcher.cannot_watch(exc)

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

    @property
    def discovered(self) -> int:
        """Messages this process found and recorded."""
        return self.mailbox.discovered

    def wake(self) -> None:
        """Interrupt IDLE so flags are synced now rather than at the next mail."""
        self.mailbox.wake()

    # --- recovery ------------------------------------------------------------------------

    async def _resume_active(self) -> None:
        """Queue whatever nobody holds (a previous run left it half-done, or the process
        that held it stopped); the store says where each stands."""
        for item in await self.store.unclaimed(ACTIVE_STATES, self.inbox):
            if item.id not in self._pending:
                self.enqueue_at(item.id, self.worker.next_step_at(item))

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
            item = await self.worker.advance(item_id)
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
            self.mailbox.signed_out(exc)  # the watch reports it and waits for `login`
            return
        self.mailbox.status(self.mailbox.status_now, str(exc))
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


async def _a_minute() -> None:
    await asyncio.sleep(60)


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
