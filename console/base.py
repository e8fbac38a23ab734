"""The console's state and what it shows: the core's events, the detail, the alerts.

`ConsoleBase` holds what the store said last (no optimistic state), turns the
core's events into rows, the detail pane, the emergency banner and the status
bar, and knows what the terminal has drawn. `console.app.OperatorConsole`
adds what the operator's keys do.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from console.alerts import EmergencyAlerts
from console.attention import EmergencyWatch
from console.bridge import (
    InboxUpdated,
    ItemsUpdated,
    OutageUpdated,
    PageUpdated,
    PolicyUpdated,
    SentWatchUpdated,
    TeamUpdated,
    pump_events,
)
from console.collector import QuietCollector
from console.drawn import DrawnFrames
from console.reading import Reading
from console.service_mode import Service
from console.widgets.detail import DetailPane
from console.widgets.detail_text import DetailView
from console.widgets.filters import QueueFilter
from console.widgets.queue import QueueTable
from console.widgets.status import StatusBar, StatusModel
from core.config import Settings
from core.errors import StoreError
from core.events import TeamChanged
from core.models import (
    Item,
    PageState,
    State,
)
from core.policy import stored_policy
from core.service.assembly import open_assistant, open_client, structured_mode
from core.service.feed import NO_SERVICE
from core.service.launcher import ServiceLink
from core.service.membership import CLAIM_SECONDS
from core.store import utc_now

# An item key pressed sooner than this after the item appeared was meant for what
# was on screen before: nobody reads and decides faster (human reaction ≈ 0.2 s).
LOOK_SECONDS = 0.2
PRESENCE_SECONDS = 3.0  # how often the console tells the team it is open
PRESENCE_SETTLE_SECONDS = 0.5  # the cursor rests this long on an item: the team hears it
# The inbox status while the mailbox needs `python -m console login`.
SIGNED_OUT = "signed out"


class ConsoleBase(App[None]):
    """The console without its keys: state, events, detail, alerts, status."""

    CSS_PATH = "console.tcss"
    TITLE = "Tenant inbox"
    # Below 118 columns the detail pane goes under the queue instead of beside it.
    HORIZONTAL_BREAKPOINTS = [(0, "-stacked"), (118, "-side")]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        service: Service = Service.PROCESS,
        tick_seconds: float = 1.0,
        look_seconds: float = LOOK_SECONDS,
        **assistant_options: Any,
    ) -> None:
        """`service`: where the mail work runs (see `Service`); `assistant_options` go to
        `open_assistant` for an inline service (tests pass a retry delay, say)."""
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.service = service
        self.link: ServiceLink | None = None
        self.tick_seconds = tick_seconds
        self.look_seconds = look_seconds
        self._key_time = 0.0  # when the key being handled was read from the terminal
        self._last_key = 0.0  # when the operator last pressed a key (time.monotonic)
        self.collector = QuietCollector()
        self._told_key = 0.0  # the last key press the store has heard of (presence)
        self.team: TeamChanged | None = None  # the services and the operators at a console
        self._presence_timer: Timer | None = None
        self._service_says: dict[str, Any] = {}  # the status of the service at work
        self.drawn = DrawnFrames(self)
        self._assistant_options = assistant_options
        self._resources = AsyncExitStack()
        self.items: dict[int, Item] = {}
        self.reading = Reading()  # the detail's text, replies elsewhere, deliveries, pages
        self.status = StatusModel()
        self._stop = asyncio.Event()
        self.emergencies = EmergencyWatch()
        self.alerts = EmergencyAlerts(self, self.emergencies, clock)

    # --- layout and start-up -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The panes, the banner and the status bar are kept by reference: timers and
        # callbacks still arriving while the app closes must find them, a query would not.
        with Vertical(id="main"):
            self.alerts.banner = Static(id="banner", classes="hidden")
            yield self.alerts.banner
            yield Input(placeholder="search sender and subject", id="search", classes="hidden")
            with Horizontal(id="panes"):
                self._queue = QueueTable(
                    self.settings.sla_minutes, self.settings.reply_language, id="queue"
                )
                self._detail = DetailPane(id="detail")
                yield self._queue
                yield self._detail
        self._status_bar = StatusBar(id="status")
        yield self._status_bar
        yield Footer()

    @property
    def queue(self) -> QueueTable:
        return self._queue

    @property
    def detail(self) -> DetailPane:
        return self._detail

    async def on_mount(self) -> None:
        self.client = await self._resources.enter_async_context(
            open_client(self.settings, clock=self.clock)
        )
        self.operator = self.client.operator
        self.status.provider = self.client.provider.name
        self.run_worker(pump_events(self.client.bus, self), name="events", exit_on_error=False)
        self.detail.show_nothing()
        self.status.policy = await stored_policy(self.client.store)
        items = await self.client.store.items()
        self.client.feed.knows(items)
        for item in items:
            self._remember(item)
            self.emergencies.observe(item, announce=False)
        for page in await self.client.store.pages():
            self.reading.remember_page(page)
        self._last_key = time.monotonic()  # whoever opens the console is at it
        self.queue.when_columns_change(self._refill)
        self.queue.follow_selection(self._show_selected)
        self.fill_queue(self.queue.filter)
        self.alerts.refresh_banner()
        self._refresh_status()
        self.queue.focus()
        self.run_worker(self.client.feed.run(self._stop), name="feed", exit_on_error=False)
        self.run_worker(self._start_service(), name="service", exit_on_error=False)
        self.collector.start()  # what is loaded now stays: out of every full collection
        self.set_interval(self.tick_seconds, self._tick)
        self.set_interval(PRESENCE_SECONDS, self._tell_presence)
        self.set_interval(PRESENCE_SECONDS, self._follow_deliveries)
        await self._tell_presence()

    async def _start_service(self) -> None:
        """Attach to the service running on the store, or start one (see `Service`)."""
        if self.service is Service.INLINE:
            assistant = await self._resources.enter_async_context(
                open_assistant(self.settings, clock=self.clock, **self._assistant_options)
            )
            await assistant.run(self._stop)
            return
        if self.service is Service.NONE:
            return
        self.link = ServiceLink(self.settings, self.client.store, self.clock)
        self.status.inbox = "starting the service"
        self._refresh_status()
        try:
            await self.link.start_or_attach()
        except StoreError as exc:
            self.status.inbox = "no service"
            self.say(str(exc), title="The service did not start", severity="error", timeout=30)
        self._refresh_status()

    async def _tell_presence(self) -> None:
        """Tell the team this console is open, on which item, and whether its operator
        pressed a key since the last time (an emergency waits for a person only then)."""
        if self._stop.is_set():  # quitting: the store may be closed already
            return
        shown = self.detail.shown
        active = self._last_key > self._told_key
        self._told_key = self._last_key
        with contextlib.suppress(StoreError):
            await self.client.store.set_presence(
                self.operator.name, shown.id if shown else None, active=active
            )

    async def on_unmount(self) -> None:
        self._stop.set()
        self.collector.stop()
        with contextlib.suppress(StoreError, AttributeError):
            await self.client.store.leave(self.operator.name)
        if self.link is not None:
            await self.link.stop()
        await self._resources.aclose()

    # --- what the core says ----------------------------------------------------------------

    def on_items_updated(self, message: ItemsUpdated) -> None:
        now = self.clock()
        for item in message.items:
            self._apply(item, now)
        self._refresh_status()
        self.alerts.refresh_banner()

    def _apply(self, item: Item, now: datetime) -> None:
        """Show the store's newest version of an item in the queue and, if shown, the detail."""
        before = self.items.get(item.id)
        if not self._remember(item):
            return
        self.queue.show(item, now)
        # Events come in batches: a proposal can arrive already routed past `triaged`.
        if item.proposal is not None and (before is None or before.proposal != item.proposal):
            self._note_provider(item)
        if self.emergencies.observe(item):
            self.alerts.alert()
        if item.state is State.FAILED and item.error:
            self.status.last_error = f"#{item.id}: {item.error}"
        shown = self.detail.shown
        if item.state is State.ANSWERED_ELSEWHERE and (
            before is None or before.state != item.state
        ):
            self.reading.forget_body(item.id)  # read again, with the manager's reply
            if shown is not None and shown.id == item.id:
                self.load_body(item.id)
        if shown is not None and shown.id == item.id:
            self.detail.show(self._view(item), now)

    def on_policy_updated(self, message: PolicyUpdated) -> None:
        self.status.policy = message.policy
        self._refresh_status()

    def on_team_updated(self, message: TeamUpdated) -> None:
        """Who else has which item open: the detail says so."""
        self.team = message.team
        now = self.clock()
        alive = [s for s in self.team.services if s.alive(now, CLAIM_SECONDS)]
        watching = [s for s in alive if s.status.get("inbox", {}).get("status") != "standby"]
        self._service_says = (watching or alive)[0].status if alive else {}
        self._refresh_status()
        shown = self.detail.shown
        if shown is not None:
            self.detail.show(self._view(self.items.get(shown.id, shown)), self.clock())

    def _readers(self, item_id: int) -> tuple[str, ...]:
        if self.team is None:
            return ()
        return tuple(
            p.operator
            for p in self.team.presence
            if p.item_id == item_id and p.operator != self.operator.name
        )

    def on_sent_watch_updated(self, message: SentWatchUpdated) -> None:
        watch = message.watch
        self.status.sent_unwatched = watch.detail if watch.status != "watching" else ""
        self._refresh_status()

    def on_page_updated(self, message: PageUpdated) -> None:
        """A page went out or failed: the detail shows it; a failure shows in the status."""
        page = message.page
        self.reading.remember_page(page)
        if page.state is PageState.FAILED:
            self.status.last_error = f"#{page.item_id}: page failed ({page.error}); retrying"
            self._refresh_status()
        shown = self.detail.shown
        if shown is not None and (shown.conversation_id or shown.id) == page.conversation_id:
            self.detail.show(self._view(self.items.get(shown.id, shown)), self.clock())

    def on_inbox_updated(self, message: InboxUpdated) -> None:
        event = message.status
        if event.inbox:  # an inbox of the mailboxes file: its own line in the status
            was = self.status.inboxes.get(event.inbox, ("",))[0]
            if event.status == SIGNED_OUT and was != SIGNED_OUT:
                detail = f"{event.inbox}: {event.detail}"
                self.say(detail, title="Signed out", severity="error", timeout=30)
            self.status.inboxes[event.inbox] = (event.status, event.since)
            self._refresh_status()
            return
        if event.status == NO_SERVICE:
            self.status.inboxes.clear()
        if event.status != self.status.inbox:
            if event.status == SIGNED_OUT:  # nothing moves until a person signs in: say so
                self.say(event.detail, title="Signed out", severity="error", timeout=30)
            self.status.inbox, self.status.inbox_since = event.status, event.since
        if event.detail:
            self.status.last_error = f"inbox: {event.detail}"
        self._refresh_status()

    def on_outage_updated(self, message: OutageUpdated) -> None:
        outage = message.outage
        if outage.since is None:
            self.status.outages.pop(outage.service, None)
        else:
            self.status.outages[outage.service] = outage
        self._refresh_status()

    def _remember(self, item: Item) -> bool:
        """Keep the newest known version of each item; False when this one is stale."""
        known = self.items.get(item.id)
        if known is not None and known.version >= item.version:
            return False
        if known is not None:
            self.status.counts[known.state] -= 1
        self.status.counts[item.state] = self.status.counts.get(item.state, 0) + 1
        self.items[item.id] = item
        return True

    # --- emergencies, notices ------------------------------------------------------------

    def action_oldest_emergency(self) -> None:
        oldest = self.emergencies.oldest()
        if oldest is None:
            self.say("No emergency waits for a person.", timeout=2)
        elif self.queue.contains(oldest.id):
            self.queue.select(oldest.id)
            self.queue.touched = True
        else:  # filtered out: show all mail, then go there
            self._reset_filter_inputs()
            self.fill_queue(QueueFilter(), select=oldest.id)

    def say(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float = 4.0,
    ) -> bool:
        """A short notice; never over a dialog (then it goes to the status line instead).
        Nothing once the console is closing (a timer may still fire then)."""
        if not self.screen_stack:
            return False
        if isinstance(self.screen, ModalScreen):
            if severity != "information":
                self.status.last_error = message
                self._refresh_status()
            return False
        self.notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]
        return True

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """Open a screen; a dialog first clears the notices, so none ever covers it."""
        if isinstance(screen, ModalScreen):
            self.clear_notifications()
        return super().push_screen(screen, *args, **kwargs)

    def _note_provider(self, item: Item) -> None:
        """The model keeps failing until a draft from it arrives."""
        assert item.proposal is not None
        proposal = item.proposal
        if proposal.model_error:
            self.status.provider_problem = proposal.model_error
            self.status.falling_back = proposal.provider.endswith("(fallback)")
        elif proposal.provider == self.client.provider.name:
            self.status.provider_problem = ""

    def _refresh_status(self) -> None:
        self.status.filter = self.queue.filter.describe()
        self.status.model_mode = self._service_says.get("model_mode") or structured_mode(
            self.client.provider
        )
        self._status_bar.render_model(self.status, self.clock())

    def _tick(self) -> None:
        self.collector.tick(time.monotonic() - self._last_key)
        now = self.clock()
        self.queue.refresh_times(self.items, now)
        self._refresh_status()
        self.alerts.refresh_banner()
        shown = self.detail.shown
        counting = shown is not None and shown.state in (State.APPROVED, State.RETRYING)
        if shown is not None and counting and shown.send_after:
            self.detail.refresh_countdown(self._view(shown), now)

    def _follow_deliveries(self) -> None:
        """The shown ticket's webhook events, read again while one of them waits."""
        shown = self.detail.shown
        if self._stop.is_set() or shown is None or not shown.ticket_id:
            return
        if self.reading.waiting_deliveries(shown.id):
            self.load_deliveries(shown.id, shown.ticket_id)

    @work(exclusive=True, group="deliveries", exit_on_error=False)
    async def load_deliveries(self, item_id: int, ticket_id: str) -> None:
        found = tuple(await self.client.store.deliveries(ticket_id))
        if not self.reading.deliveries_changed(item_id, found):
            return
        shown = self.detail.shown
        if shown is not None and shown.id == item_id:
            self.detail.show(self._view(self.items.get(item_id, shown)), self.clock())

    # --- the detail view -------------------------------------------------------------------

    def _show_selected(self, item_id: int | None) -> None:
        """The cursor is on another item: show it from memory now, its text when read."""
        if self._presence_timer is not None:  # the team hears where the cursor rests
            self._presence_timer.stop()
        self._presence_timer = self.set_timer(PRESENCE_SETTLE_SECONDS, self._tell_presence)
        item = self.items.get(item_id) if item_id is not None else None
        if item is None:
            self.detail.show_nothing()
            return
        self.detail.show(self._view(item), self.clock())
        if not self.reading.has_body(item.id):
            self.load_body(item.id)

    def _view(self, item: Item) -> DetailView:
        context = self.operator.context_for(item)
        return self.reading.view(item, self.items, context, self._readers(item.id))

    @work(exclusive=True, group="body", exit_on_error=False)
    async def load_body(self, item_id: int) -> None:
        email = await self.operator.message(item_id)
        item = self.items.get(item_id)
        elsewhere = deliveries = None
        if item is not None:
            elsewhere = await self.operator.answered_elsewhere(item)
            if item.ticket_id:
                deliveries = tuple(await self.client.store.deliveries(item.ticket_id))
        self.reading.keep(item_id, email, elsewhere, deliveries)
        shown = self.detail.shown
        if shown is not None and shown.id == item_id:
            self.detail.show(self._view(self.items.get(item_id, shown)), self.clock())

    def on_detail_pane_drawn(self, message: DetailPane.Drawn) -> None:
        self.drawn.drawn(message.item_id, message.version)

    # --- filters ---------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.remove_class("hidden")
        search.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.fill_queue(self.queue.filter.with_search(event.value))

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.queue.focus()

    def action_cycle_state(self) -> None:
        self.fill_queue(self.queue.filter.next_state())

    def action_cycle_intent(self) -> None:
        self.fill_queue(self.queue.filter.next_intent())

    def action_cycle_inbox(self) -> None:
        """Every inbox, then each one of the mailboxes file in turn."""
        names = [inbox.name for inbox in self.client.inboxes]
        if len(names) <= 1:
            self.say("There is one inbox (no MAILBOXES file): nothing to filter.")
            return
        self.fill_queue(self.queue.filter.next_inbox(names))

    def action_clear_filters(self) -> None:
        self._reset_filter_inputs()
        self.fill_queue(QueueFilter())

    def _reset_filter_inputs(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.add_class("hidden")
        self.queue.focus()

    def _refill(self) -> None:
        self.fill_queue(self.queue.filter)

    @work(exclusive=True, group="rows", exit_on_error=False)
    async def fill_queue(self, queue_filter: QueueFilter, select: int | None = None) -> None:
        """(Re)fill the queue in the background; a newer filter cancels an older fill."""
        await self.queue.apply_filter(queue_filter, self.items, self.clock())
        if select is not None:
            self.queue.select(select)
            self.queue.touched = True
        self._refresh_status()
