"""The operator console: wiring between the core and the widgets.

The pipeline runs as a background worker of this app; store events arrive as
messages (`console.bridge`); keys call the core's operator API in workers, so
the screen never waits on the network or the disk. What the table shows is
what the store said last: there is no optimistic state here.

Item keys act on the item the detail pane shows, at the version it shows:
the pane follows the cursor from memory at once, and a key pressed before it
has caught up does nothing but say so. The core refuses a command naming a
version that is out of date, so what is approved is what was on screen.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine, Iterable
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from console.attention import EmergencyWatch, notice_for
from console.bridge import InboxUpdated, ItemsUpdated, OutageUpdated, PageUpdated, pump_events
from console.rows import NEEDS_PERSON
from console.screens.dialogs import ChoiceDialog, InstructionDialog, IntentDialog
from console.screens.help import HelpScreen
from console.screens.policy import PolicyScreen
from console.screens.thread import ThreadScreen
from console.widgets.detail import DetailPane, DetailView, DraftSaved
from console.widgets.queue import QueueFilter, QueueTable
from console.widgets.status import StatusBar, StatusModel
from core.assembly import open_assistant
from core.config import Settings
from core.database import utc_now
from core.errors import AssistantError, StaleItem
from core.models import Intent, Item, Page, PageState, ParsedEmail, State
from core.policy import AutoSendPolicy
from core.providers.openai import OpenAIProvider
from core.triage import TriageProvider

STATE_FILTERS: list[State | None] = [
    None,
    State.AWAITING_REVIEW,
    State.FAILED,
    State.APPROVED,
    State.RETRYING,
    State.IN_DOUBT,
    State.SENT,
    State.SKIPPED,
    State.DISMISSED,
]
INTENT_FILTERS: list[Intent | None] = [None, *Intent]
BODY_CACHE = 500  # parsed emails kept for the detail view
EMERGENCY_NOTICE_SECONDS = 5.0  # the banner stays; the notice only catches the eye
BURST_SECONDS = 0.5  # new emergencies this close together make one notice
# An item key pressed sooner than this after the item appeared was meant for what
# was on screen before: nobody reads and decides faster (human reaction ≈ 0.2 s).
LOOK_SECONDS = 0.2
# The pipeline shares this process: while keys are being pressed, it starts no new
# work until the keyboard has been quiet this long, for at most GIVE_WAY_MAX_SECONDS
# a message, so the screen keeps up with the operator and mail still moves on.
GIVE_WAY_SECONDS = 0.3
# No key for this long: nobody is at the console (emergencies get the holding reply).
PRESENT_SECONDS = 600.0
GIVE_WAY_MAX_SECONDS = 2.0
SIGNED_OUT = "signed out"  # the inbox status while the mailbox needs `python -m console login`


def structured_mode(provider: TriageProvider) -> str:
    """How the model is asked for JSON, for the status line; empty without a model."""
    return provider.mode_label if isinstance(provider, OpenAIProvider) else ""


class OperatorConsole(App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "Tenant inbox"
    # Below 118 columns the detail pane goes under the queue instead of beside it.
    HORIZONTAL_BREAKPOINTS = [(0, "-stacked"), (118, "-side")]
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("e", "edit", "Edit"),
        Binding("d", "dismiss_item", "Dismiss"),
        Binding("f", "redraft", "Redraft"),
        Binding("r", "reclassify", "Reclassify"),
        Binding("n", "clear_alarm", "Not an emergency", show=False),
        Binding("u", "undo", "Undo send"),
        Binding("g", "go_now", "Send or page now", show=False),
        Binding("m", "mark_sent", "Mark sent", show=False),
        Binding("o", "reopen", "Reopen", show=False),
        Binding("p", "policy", "Policy"),
        Binding("ctrl+x", "kill_switch", "Stop auto-send"),
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "search", "Search"),
        Binding("s", "cycle_state", "State filter", show=False),
        Binding("i", "cycle_intent", "Intent filter", show=False),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("exclamation_mark", "oldest_emergency", "Oldest emergency", show=False),
        Binding("t", "thread", "Thread", show=False),
        Binding("l", "link", "Link/unlink", show=False),
        Binding("L", "keep_apart", "Keep apart", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        run_pipeline: bool = True,
        tick_seconds: float = 1.0,
        look_seconds: float = LOOK_SECONDS,
        **assistant_options: Any,
    ) -> None:
        """`assistant_options` go to `open_assistant` (tests pass a retry delay, say)."""
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.run_pipeline = run_pipeline
        self.tick_seconds = tick_seconds
        self.look_seconds = look_seconds
        self._key_time = 0.0  # when the key being handled was read from the terminal
        self._last_key = 0.0  # when the operator last pressed a key (time.monotonic)
        self._unconfirmed: deque[tuple[int, int]] = deque()  # drawn, not yet confirmed
        self._terminal_answers: bool | None = None  # does the terminal answer DSR?
        self._answer_timer: Timer | None = None
        self._assistant_options = assistant_options
        self._resources = AsyncExitStack()
        self.items: dict[int, Item] = {}
        self.pages: dict[int, list[Page]] = {}  # emergency pages by conversation
        self.status = StatusModel()
        self._stop = asyncio.Event()
        self._state_filter = 0
        self._intent_filter = 0
        self._bodies: OrderedDict[int, ParsedEmail] = OrderedDict()
        self.emergencies = EmergencyWatch()
        self._notice_timer: Timer | None = None
        self._notice_until = 0.0  # when the emergency notice on screen goes away
        self._banner_line: Text | None = None

    # --- layout and start-up -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The panes, the banner and the status bar are kept by reference: timers and
        # callbacks still arriving while the app closes must find them, a query would not.
        with Vertical(id="main"):
            self._banner = Static(id="banner", classes="hidden")
            yield self._banner
            yield Input(placeholder="search sender and subject", id="search", classes="hidden")
            with Horizontal(id="panes"):
                self._queue = QueueTable(self.settings.sla_minutes, id="queue")
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
        self.assistant = await self._resources.enter_async_context(
            open_assistant(self.settings, clock=self.clock, **self._assistant_options)
        )
        self.operator = self.assistant.operator
        self.status.provider = self.assistant.provider.name
        self.run_worker(pump_events(self.assistant.bus, self), name="events", exit_on_error=False)
        self.detail.show_nothing()
        self.status.policy = await self.assistant.pipeline.policy()
        for item in await self.assistant.store.items():
            self._remember(item)
            self.emergencies.observe(item, announce=False)
        for page in await self.assistant.store.pages():
            self._remember_page(page)
        escalator = self.assistant.pipeline.escalator
        if escalator is not None:  # nobody at the keyboard for a while: nobody is here
            self._last_key = time.monotonic()
            escalator.operator_present = self._operator_present
        self.queue.when_columns_change(self._refill)
        self.queue.follow_selection(self._show_selected)
        self.fill_queue(self.queue.filter)
        self._refresh_banner()
        self._refresh_status()
        self.queue.focus()
        if self.run_pipeline:
            self.assistant.pipeline.give_way = self.give_way
            self.run_worker(
                self.assistant.pipeline.run(self._stop), name="pipeline", exit_on_error=False
            )
        self.set_interval(self.tick_seconds, self._tick)

    async def on_unmount(self) -> None:
        self._stop.set()
        await self._resources.aclose()

    # --- what the core says ----------------------------------------------------------------

    def on_items_updated(self, message: ItemsUpdated) -> None:
        now = self.clock()
        for item in message.items:
            self._apply(item, now)
        self._refresh_status()
        self._refresh_banner()

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
            self._alert()
        if item.state is State.FAILED and item.error:
            self.status.last_error = f"#{item.id}: {item.error}"
        shown = self.detail.shown
        if shown is not None and shown.id == item.id:
            self.detail.show(self._view(item), now)

    def on_page_updated(self, message: PageUpdated) -> None:
        """A page went out or failed: the detail shows it; a failure shows in the status."""
        self._remember_page(message.page)
        page = message.page
        if page.state is PageState.FAILED:
            self.status.last_error = f"#{page.item_id}: page failed ({page.error}); retrying"
            self._refresh_status()
        shown = self.detail.shown
        if shown is not None and (shown.conversation_id or shown.id) == page.conversation_id:
            self.detail.show(self._view(self.items.get(shown.id, shown)), self.clock())

    def _remember_page(self, page: Page) -> None:
        pages = self.pages.setdefault(page.conversation_id, [])
        pages[:] = [p for p in pages if p.id != page.id] + [page]
        pages.sort(key=lambda p: p.id)

    def on_inbox_updated(self, message: InboxUpdated) -> None:
        event = message.status
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

    # --- emergencies: a persistent banner, a bell, one notice at a time ------------------

    def _alert(self) -> None:
        """A new emergency: ring now; a burst of them becomes one notice."""
        self.bell()
        if self._notice_timer is None:
            self._notice_timer = self.set_timer(BURST_SECONDS, self._show_emergency_notice)

    def _show_emergency_notice(self) -> None:
        self._notice_timer = None
        wait = self._notice_until - self._now()
        if wait > 0:  # one emergency notice at a time: the next waits its turn
            self._notice_timer = self.set_timer(wait, self._show_emergency_notice)
            return
        fresh = [self.items[i] for i in self.emergencies.take_fresh() if i in self.items]
        if not fresh:
            return
        if self.say(
            notice_for(fresh), title="Emergency", severity="error", timeout=EMERGENCY_NOTICE_SECONDS
        ):
            self._notice_until = self._now() + EMERGENCY_NOTICE_SECONDS

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _refresh_banner(self) -> None:
        banner = self._banner
        line = self.emergencies.banner(self.clock())
        banner.set_class(line is None, "hidden")
        if line is not None and line != self._banner_line:
            banner.update(line, layout=False)
        self._banner_line = line

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
        """A short notice; never over a dialog (then it goes to the status line instead)."""
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
        elif proposal.provider == self.assistant.provider.name:
            self.status.provider_problem = ""

    def _refresh_status(self) -> None:
        self.status.filter = self.queue.filter.describe()
        self.status.model_mode = structured_mode(self.assistant.provider)
        self._status_bar.render_model(self.status, self.clock())

    def _tick(self) -> None:
        now = self.clock()
        self.queue.refresh_times(self.items, now)
        self._refresh_status()
        self._refresh_banner()
        shown = self.detail.shown
        counting = shown is not None and shown.state in (State.APPROVED, State.RETRYING)
        if shown is not None and counting and shown.send_after:
            self.detail.refresh_countdown(self._view(shown), now)

    # --- the detail view -------------------------------------------------------------------

    def _show_selected(self, item_id: int | None) -> None:
        """The cursor is on another item: show it from memory now, its text when read."""
        item = self.items.get(item_id) if item_id is not None else None
        if item is None:
            self.detail.show_nothing()
            return
        self.detail.show(self._view(item), self.clock())
        if item.id not in self._bodies:
            self.load_body(item.id)

    def _view(self, item: Item) -> DetailView:
        email = self._bodies.get(item.id)
        pages = tuple(self.pages.get(item.conversation_id or item.id, ()))
        return DetailView(item, self.operator.context_for(item), email, self._earlier(item), pages)

    def _earlier(self, item: Item) -> tuple[Item, ...]:
        """The conversation's messages before this one, as the console holds them."""
        conversation = item.conversation_id
        if conversation is None or conversation == item.id:
            return ()
        return tuple(
            sorted(
                (
                    i
                    for i in self.items.values()
                    if i.id < item.id and (i.conversation_id or i.id) == conversation
                ),
                key=lambda i: i.id,
            )
        )

    @work(exclusive=True, group="body", exit_on_error=False)
    async def load_body(self, item_id: int) -> None:
        email = await self.operator.message(item_id)
        self._bodies[item_id] = email
        while len(self._bodies) > BODY_CACHE:
            self._bodies.popitem(last=False)
        shown = self.detail.shown
        if shown is not None and shown.id == item_id:
            self.detail.show(self._view(self.items.get(item_id, shown)), self.clock())

    @on(DraftSaved)
    def _save_draft(self, event: DraftSaved) -> None:
        self.command(
            self.operator.edit(event.item_id, event.version, event.body),
            "Draft saved.",
            on_stale=lambda item: self._keep_editing(item, event.body),
        )
        self.queue.focus()

    def _keep_editing(self, item: Item, text: str) -> None:
        """The draft changed under the operator's edit: keep their text, based on the new one."""
        editor = self.detail.editor
        if editor.item_id != item.id or item.proposal is None:
            return
        editor.begin(item.id, item.version, item.proposal.body)
        editor.load_text(text)
        self.say(
            "The draft changed while you were editing (see above). Your text is still in the "
            "editor: ctrl+s saves it over the new version, escape drops it.",
            severity="warning",
            timeout=8,
        )

    # --- operator commands -----------------------------------------------------------------

    @work(group="commands", exit_on_error=False)
    async def command(
        self,
        call: Coroutine[Any, Any, Any],
        done: str = "",
        *,
        then: Callable[[], None] | None = None,
        on_stale: Callable[[Item], None] | None = None,
    ) -> None:
        """Run one operator command; its outcome arrives as store events.

        A command refused because the item changed since the operator saw it
        shows the new version (and `on_stale` may keep the operator's work).
        """
        try:
            result = await call
        except StaleItem as exc:
            current = await self.assistant.store.get(exc.item_id)
            self._apply(current, self.clock())
            self.say(str(exc), severity="warning", timeout=6)
            if on_stale is not None:
                on_stale(current)
            return
        except AssistantError as exc:
            self.status.last_error = str(exc)
            self.say(str(exc), severity="error")
            self._refresh_status()
            return
        if isinstance(result, Item):  # the store's answer: on screen now, not in a moment
            self._apply(result, self.clock())
            self._refresh_status()
        if done:
            self.say(done)
        if then is not None:
            then()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._key_time = event.time  # read from the terminal at this moment
            self._last_key = max(self._last_key, event.time)
        elif isinstance(event, events.CursorPosition):
            self._terminal_answered()
        await super().on_event(event)

    # --- knowing what the terminal shows -----------------------------------------------------
    #
    # A frame handed to the terminal may take a while to appear when the machine is
    # busy. After each frame with a new detail, the console asks the terminal where its
    # cursor is (DSR, ESC [6n); the terminal answers only once it has shown everything
    # written before the question. A terminal that never answers is trusted with what
    # it was given.

    def on_detail_pane_drawn(self, message: DetailPane.Drawn) -> None:
        key = (message.item_id, message.version)
        driver = getattr(self, "_driver", None)
        if self.is_headless or driver is None or self._terminal_answers is False:
            self.detail.confirm_seen(*key)
            return
        self._unconfirmed.append(key)
        driver.write("\x1b[6n")
        if self._terminal_answers is None and self._answer_timer is None:
            self._answer_timer = self.set_timer(1.0, self._terminal_is_silent)

    def _terminal_answered(self) -> None:
        self._terminal_answers = True
        if self._unconfirmed:
            self.detail.confirm_seen(*self._unconfirmed.popleft())

    def _terminal_is_silent(self) -> None:
        if self._terminal_answers is None:
            self._terminal_answers = False
            while self._unconfirmed:
                self.detail.confirm_seen(*self._unconfirmed.popleft())

    def _operator_present(self) -> bool:
        return time.monotonic() - self._last_key < PRESENT_SECONDS

    async def give_way(self) -> None:
        """Hold the pipeline's next step while the operator is typing (not for long)."""
        held = 0.0
        while held < GIVE_WAY_MAX_SECONDS:
            quiet = time.monotonic() - self._last_key
            if quiet >= GIVE_WAY_SECONDS:
                return
            pause = min(GIVE_WAY_SECONDS - quiet, GIVE_WAY_MAX_SECONDS - held)
            await asyncio.sleep(pause)
            held += pause

    def _acting_on(self) -> Item | None:
        """The item an item key acts on: the one on screen, if it is the row under the cursor.

        On screen means drawn, and long enough before the key was pressed for
        the operator to have seen it: a key that arrives before the frame with
        the row's detail reached the terminal, or right after it (too soon to
        be a reaction to it), does nothing but say so.
        """
        selected = self.queue.selected_id
        if selected is None or self.detail.editor.editing:
            return None
        shown = self.detail.on_screen
        if shown is None or shown.id != selected:
            self.say(
                "The detail is still catching up with the cursor; press the key again.", timeout=1.5
            )
            return None
        if self._key_time - self.detail.seen_at < self.look_seconds:
            self.say(
                f"#{shown.id} has only just appeared: read it, then press the key again.",
                timeout=1.5,
            )
            return None
        return shown

    def _move_on(self, item_id: int) -> Callable[[], None]:
        """After acting on an item, go on to the next one that waits for a person."""

        def move() -> None:
            if self.queue.selected_id != item_id:
                return  # the operator has moved on already
            following = self.queue.next_waiting(
                item_id, lambda i: i != item_id and self.items[i].state in NEEDS_PERSON
            )
            if following is not None:
                self.queue.select(following)
                self.queue.touched = True

        return move

    def action_approve(self) -> None:
        item = self._acting_on()
        if item is None:
            return
        delay = self.settings.send_delay
        when = f"in {delay:.0f}s (u takes it back)" if delay else "now"
        self.command(
            self.operator.approve(item.id, item.version, delay=delay),
            f"Reply #{item.id} goes {when}.",
            then=self._move_on(item.id),
        )

    def action_edit(self) -> None:
        if self._acting_on() is not None:
            self.detail.start_editing()

    def action_dismiss_item(self) -> None:
        item = self._acting_on()
        if item is not None:
            self.command(
                self.operator.dismiss(item.id, item.version),
                f"#{item.id} dismissed.",
                then=self._move_on(item.id),
            )

    def action_undo(self) -> None:
        item = self._acting_on()
        if item is not None:
            self.command(
                self.operator.cancel_send(item.id, item.version), f"#{item.id} taken back."
            )

    def action_go_now(self) -> None:
        """`g`: what waits on the item on screen happens now. A reply waiting to go is
        sent; an emergency waiting for a person pages the on-call people again (the two
        never meet: a reply waits only once approved)."""
        item = self._acting_on()
        if item is None:
            return
        if item.state in (State.APPROVED, State.RETRYING, State.IN_DOUBT):
            self.action_send_now()
        elif item.state is State.AWAITING_REVIEW and item.proposal and item.proposal.emergency:
            self.action_page_now()
        else:
            self.say(
                f"#{item.id}: nothing waits to happen now (g sends a reply that waits to go, "
                "or pages on-call again for an emergency).",
                timeout=2,
            )

    def action_send_now(self) -> None:
        """Send a reply now: one counting down, one waiting for its next try, or one in
        doubt that the operator decided did not go out (the same message again)."""
        item = self._acting_on()
        if item is None:
            return
        if item.state is State.IN_DOUBT:
            call = self.operator.send_again(item.id, item.version)
            done = f"#{item.id} is sent again: the same message, with the same Message-ID."
        elif item.state in (State.APPROVED, State.RETRYING):
            call, done = self.operator.send_now(item.id, item.version), f"#{item.id} goes now."
        else:
            self.say(f"#{item.id} has no reply waiting to be sent.", timeout=2)
            return
        self.command(call, done)

    def action_mark_sent(self) -> None:
        """A reply in doubt went out after all (the operator checked): record it, send nothing."""
        item = self._acting_on()
        if item is None:
            return
        if item.state is not State.IN_DOUBT:
            self.say(f"#{item.id} is not in doubt: nothing to mark.", timeout=2)
            return
        self.command(
            self.operator.mark_sent(item.id, item.version),
            f"#{item.id} marked sent; no mail went out.",
            then=self._move_on(item.id),
        )

    def action_reopen(self) -> None:
        item = self._acting_on()
        if item is not None:
            self.command(
                self.operator.reopen(item.id, item.version), f"#{item.id} is back for review."
            )

    def action_redraft(self) -> None:
        item = self._acting_on()
        if item is None:
            return

        def redraft(instruction: str | None) -> None:
            if instruction:
                self.command(
                    self.operator.redraft(item.id, item.version, instruction), "New draft ready."
                )

        self.push_screen(InstructionDialog(), redraft)

    def action_reclassify(self) -> None:
        item = self._acting_on()
        if item is not None:
            self.push_screen(IntentDialog(), lambda intent: self._reclassify(item, intent))

    def _reclassify(self, item: Item, intent: Intent | None) -> None:
        """Reclassify as the operator chose; the cursor stays to show the new draft."""
        if intent is not None:
            self.command(
                self.operator.reclassify(item.id, item.version, intent),
                f"#{item.id} is now {intent.value}: read the new draft.",
            )

    def action_clear_alarm(self) -> None:
        """The operator checked: not an emergency. The routine redraft waits for approval."""
        item = self._acting_on()
        if item is None:
            return
        if item.proposal is None or not item.proposal.alarmed:
            self.say(f"#{item.id} is not flagged as an emergency.", timeout=3)
            return
        self.command(
            self.operator.clear_alarm(item.id, item.version),
            f"#{item.id} is not an emergency: read the routine draft.",
        )

    def action_page_now(self) -> None:
        """Page the on-call people again for the emergency on screen."""
        item = self._acting_on()
        if item is not None:
            self.command(
                self.operator.page_now(item.id, item.version),
                f"#{item.id}: the on-call people are paged again.",
            )

    def action_thread(self) -> None:
        item = self._acting_on()
        if item is not None:
            self.push_screen(
                ThreadScreen(item.conversation_id or item.id, self.operator.conversation(item.id))
            )

    def action_link(self) -> None:
        """Join the suggested conversation, or take a follow-up out of its conversation."""
        item = self._acting_on()
        if item is None:
            return
        if item.conversation_id not in (None, item.id):
            call, done = (
                self.operator.unlink(item.id, item.version),
                f"#{item.id} stands apart now.",
            )
        elif item.proposal is not None and item.proposal.related is not None:
            target = item.proposal.related
            call, done = self.operator.link(item.id, item.version), f"#{item.id} joined #{target}."
        else:
            self.say(f"#{item.id} has no conversation to join.", timeout=2)
            return
        self.command(call, done)

    def action_keep_apart(self) -> None:
        item = self._acting_on()
        if item is not None and item.proposal is not None and item.proposal.related is not None:
            self.command(self.operator.unlink(item.id, item.version), f"#{item.id} kept apart.")

    def action_policy(self) -> None:
        def save(policy: AutoSendPolicy | None) -> None:
            if policy is not None:
                self.command(self._set_policy(policy), "Auto-send policy saved.")

        self.push_screen(PolicyScreen(self.status.policy), save)

    def action_kill_switch(self) -> None:
        self.command(self._stop_auto_send(), "Auto-send is off for every intent.")

    async def _set_policy(self, policy: AutoSendPolicy) -> None:
        await self.operator.set_policy(policy)
        self._show_policy(policy)

    async def _stop_auto_send(self) -> None:
        await self.operator.stop_auto_send()
        self._show_policy(AutoSendPolicy())

    def _show_policy(self, policy: AutoSendPolicy) -> None:
        self.status.policy = policy
        self._refresh_status()

    def action_open(self) -> None:
        """Move into the detail (arrows scroll the message; escape comes back)."""
        if self._acting_on() is not None:
            self.detail.text.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # --- filters ---------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.remove_class("hidden")
        search.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._apply_filter(self.queue.filter.with_search(event.value))

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.queue.focus()

    def action_cycle_state(self) -> None:
        self._state_filter = (self._state_filter + 1) % len(STATE_FILTERS)
        self._apply_filter(self._filter_with(state=STATE_FILTERS[self._state_filter]))

    def action_cycle_intent(self) -> None:
        self._intent_filter = (self._intent_filter + 1) % len(INTENT_FILTERS)
        self._apply_filter(self._filter_with(intent=INTENT_FILTERS[self._intent_filter]))

    def action_clear_filters(self) -> None:
        self._reset_filter_inputs()
        self._apply_filter(QueueFilter())

    def _reset_filter_inputs(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.add_class("hidden")
        self._state_filter = self._intent_filter = 0
        self.queue.focus()

    def _filter_with(self, **changes: Any) -> QueueFilter:
        return replace(self.queue.filter, **changes)

    def _apply_filter(self, queue_filter: QueueFilter) -> None:
        self.fill_queue(queue_filter)

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

    # --- the command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Approve", "Send the selected reply and file its ticket", self.action_approve
        )
        yield SystemCommand("Edit draft", "Edit the selected draft in place", self.action_edit)
        yield SystemCommand(
            "Dismiss", "Close the selected message without a reply", self.action_dismiss_item
        )
        yield SystemCommand(
            "Redraft", "Ask for a new draft with an instruction", self.action_redraft
        )
        for intent in Intent:
            yield SystemCommand(
                f"Reclassify as {intent.value}",
                "Recompute intent, ticket, Cc and draft",
                lambda intent=intent: self._reclassify_selected(intent),
            )
        yield SystemCommand(
            "Undo send", "Take back a reply counting down or waiting to retry", self.action_undo
        )
        yield SystemCommand(
            "Send now", "A waiting reply goes now; one in doubt is sent again", self.action_send_now
        )
        yield SystemCommand(
            "Mark sent",
            "A reply in doubt did go out: record it, send nothing",
            self.action_mark_sent,
        )
        yield SystemCommand(
            "Reopen", "Bring a skipped or dismissed message back", self.action_reopen
        )
        yield SystemCommand(
            "Auto-send policy", "Choose the intents sent without review", self.action_policy
        )
        yield SystemCommand(
            "Stop auto-send", "Kill switch: every intent to draft-only", self.action_kill_switch
        )
        yield SystemCommand("Search", "Search sender and subject", self.action_search)
        yield SystemCommand("Filter by state", "Cycle the state filter", self.action_cycle_state)
        yield SystemCommand("Filter by intent", "Cycle the intent filter", self.action_cycle_intent)
        yield SystemCommand("Clear filters", "Show all mail", self.action_clear_filters)
        yield SystemCommand("Help", "Every key the console answers to", self.action_help)

    def _reclassify_selected(self, intent: Intent) -> None:
        item = self._acting_on()
        if item is not None:
            self._reclassify(item, intent)

    # --- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        pending = [i for i in self.items.values() if i.state is State.APPROVED and i.send_after]
        if not pending:
            await self._stop_and_exit()
            return

        async def decide(choice: str | None) -> None:
            if choice == "send":
                await asyncio.gather(
                    *(self.operator.send_now(i.id, i.version) for i in pending),
                    return_exceptions=True,  # one already sent must not stop the others
                )
                await self._wait_until_sent([i.id for i in pending])
            elif choice == "hold":
                held = await asyncio.gather(
                    *(self.operator.cancel_send(i.id, i.version) for i in pending),
                    return_exceptions=True,
                )
                for item in held:
                    if isinstance(item, Item):
                        self._apply(item, self.clock())
            else:
                return
            await self._stop_and_exit()

        self.push_screen(
            ChoiceDialog(
                f"{len(pending)} repl{'y is' if len(pending) == 1 else 'ies are'} still counting "
                "down. What should happen to them?",
                [
                    ("send", "Send now, then quit"),
                    ("hold", "Hold for review and quit"),
                    ("stay", "Stay"),
                ],
            ),
            decide,
        )

    async def _wait_until_sent(self, item_ids: list[int], timeout: float = 60.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            items = [await self.assistant.store.get(i) for i in item_ids]
            for item in items:  # what the store says is on screen until the last moment
                self._apply(item, self.clock())
            if all(item.state not in (State.APPROVED, State.SENDING) for item in items):
                return
            await asyncio.sleep(0.1)

    async def _stop_and_exit(self) -> None:
        self._stop.set()
        for worker in self.workers:
            if worker.name == "pipeline" and worker.is_running:
                await worker.wait()
        self.exit()

    # --- one sink for unexpected worker errors ----------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.status.last_error = f"{event.worker.name or 'task'}: {error}"
            self.say(self.status.last_error, severity="error")
            self._refresh_status()
