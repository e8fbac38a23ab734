"""The operator console: wiring between the core and the widgets.

The pipeline runs as a background worker of this app; store events arrive as
messages (`console.bridge`); keys call the core's operator API in workers, so
the screen never waits on the network or the disk. What the table shows is
what the store said last: there is no optimistic state here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import datetime
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input
from textual.worker import Worker, WorkerState

from console.bridge import InboxUpdated, ItemUpdated, pump_events
from console.screens.dialogs import ChoiceDialog, InstructionDialog, IntentDialog
from console.screens.help import HelpScreen
from console.screens.policy import PolicyScreen
from console.text import clean
from console.widgets.detail import DetailPane, DraftSaved
from console.widgets.queue import QueueFilter, QueueTable
from console.widgets.status import StatusBar, StatusModel
from core.assembly import open_assistant
from core.config import Settings
from core.errors import AssistantError
from core.models import Intent, Item, State
from core.policy import AutoSendPolicy
from core.store import utc_now

STATE_FILTERS: list[State | None] = [
    None,
    State.AWAITING_REVIEW,
    State.FAILED,
    State.APPROVED,
    State.SENT,
    State.SKIPPED,
    State.DISMISSED,
]
INTENT_FILTERS: list[Intent | None] = [None, *Intent]


class OperatorConsole(App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "Tenant inbox"
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("e", "edit", "Edit"),
        Binding("d", "dismiss_item", "Dismiss"),
        Binding("f", "redraft", "Redraft"),
        Binding("r", "reclassify", "Reclassify"),
        Binding("u", "undo", "Undo send"),
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
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        run_pipeline: bool = True,
        tick_seconds: float = 1.0,
        **assistant_options: Any,
    ) -> None:
        """`assistant_options` go to `open_assistant` (tests pass a retry delay, say)."""
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.run_pipeline = run_pipeline
        self.tick_seconds = tick_seconds
        self._assistant_options = assistant_options
        self._resources = AsyncExitStack()
        self.items: dict[int, Item] = {}
        self.status = StatusModel()
        self._stop = asyncio.Event()
        self._state_filter = 0
        self._intent_filter = 0

    # --- layout and start-up -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield Input(placeholder="search sender and subject", id="search", classes="hidden")
            with Horizontal():
                yield QueueTable(self.settings.sla_minutes, id="queue")
                yield DetailPane(id="detail")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def queue(self) -> QueueTable:
        return self.query_one(QueueTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

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
        self.fill_queue(self.queue.filter)
        self._refresh_status()
        self.queue.focus()
        if self.run_pipeline:
            self.run_worker(
                self.assistant.pipeline.run(self._stop), name="pipeline", exit_on_error=False
            )
        self.set_interval(self.tick_seconds, self._tick)

    async def on_unmount(self) -> None:
        self._stop.set()
        await self._resources.aclose()

    # --- what the core says ----------------------------------------------------------------

    def on_item_updated(self, message: ItemUpdated) -> None:
        item = message.item
        before = self.items.get(item.id)
        if not self._remember(item):
            return
        self.queue.show(item, self.clock())
        just_triaged = before is None or before.state is not State.TRIAGED
        if item.state is State.TRIAGED and item.proposal is not None and just_triaged:
            self._note_provider(item)
            if item.proposal.emergency:
                self._alert(item)
        if item.state is State.FAILED and item.error:
            self.status.last_error = f"#{item.id}: {item.error}"
        self._refresh_status()
        if item.id == self.queue.selected_id:
            self.load_details(item.id)

    def on_inbox_updated(self, message: InboxUpdated) -> None:
        event = message.status
        if event.status != self.status.inbox:
            self.status.inbox, self.status.inbox_since = event.status, event.since
        if event.detail:
            self.status.last_error = f"inbox: {event.detail}"
        self._refresh_status()

    def _remember(self, item: Item) -> bool:
        """Keep the newest known version of each item; False when this one is stale."""
        known = self.items.get(item.id)
        if known is not None and known.updated_at > item.updated_at:
            return False
        if known is not None:
            self.status.counts[known.state] -= 1
        self.status.counts[item.state] = self.status.counts.get(item.state, 0) + 1
        self.items[item.id] = item
        return True

    def _alert(self, item: Item) -> None:
        """An emergency just arrived: ring and say so, whatever the operator is looking at."""
        assert item.proposal is not None
        who = item.proposal.tenant_name or "an unknown sender"
        self.bell()
        self.notify(
            f"#{item.id} from {who}: {clean(item.subject, one_line=True)}",
            title="Emergency",
            severity="error",
            timeout=30,
            markup=False,
        )

    def _note_provider(self, item: Item) -> None:
        assert item.proposal is not None
        provider = item.proposal.provider
        if provider.endswith("(fallback)") or item.proposal.reason.startswith("triage failed"):
            self.status.provider_problem = item.proposal.reason
        elif provider == self.assistant.provider.name:
            self.status.provider_problem = ""

    def _refresh_status(self) -> None:
        self.status.filter = self.queue.filter.describe()
        self.query_one(StatusBar).render_model(self.status, self.clock())

    def _tick(self) -> None:
        self.queue.refresh_times(self.items, self.clock())
        self._refresh_status()

    # --- the detail view -------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#queue")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.load_details(int(event.row_key.value))

    @work(exclusive=True, group="details", exit_on_error=False)
    async def load_details(self, item_id: int) -> None:
        details = await self.operator.details(item_id)
        if self.queue.selected_id == item_id:
            self.detail.show(details, self.clock())

    @on(DraftSaved)
    def _save_draft(self, event: DraftSaved) -> None:
        self.command(self.operator.edit(event.item_id, event.body), "Draft saved.")
        self.queue.focus()

    # --- operator commands -----------------------------------------------------------------

    @work(group="commands", exit_on_error=False)
    async def command(self, call: Coroutine[Any, Any, Any], done: str = "") -> None:
        """Run one operator command; its outcome arrives as store events."""
        try:
            await call
        except AssistantError as exc:
            self.status.last_error = str(exc)
            self.notify(str(exc), severity="error", markup=False)
            self._refresh_status()
            return
        if done:
            self.notify(done, markup=False)

    def _selected(self) -> Item | None:
        item_id = self.queue.selected_id
        return self.items.get(item_id) if item_id is not None else None

    def _editing(self) -> bool:
        return self.detail.editor.editing

    def action_approve(self) -> None:
        item = self._selected()
        if item is None or self._editing():
            return
        delay = self.settings.send_delay
        when = f"in {delay:.0f}s (u takes it back)" if delay else "now"
        self.command(self.operator.approve(item.id, delay=delay), f"Reply #{item.id} goes {when}.")

    def action_edit(self) -> None:
        if self._selected() is not None:
            self.detail.editor.start_editing()

    def action_dismiss_item(self) -> None:
        item = self._selected()
        if item is not None and not self._editing():
            self.command(self.operator.dismiss(item.id), f"#{item.id} dismissed.")

    def action_undo(self) -> None:
        item = self._selected()
        if item is not None:
            self.command(self.operator.cancel_send(item.id), f"#{item.id} taken back.")

    def action_reopen(self) -> None:
        item = self._selected()
        if item is not None:
            self.command(self.operator.reopen(item.id), f"#{item.id} is back for review.")

    def action_redraft(self) -> None:
        item = self._selected()
        if item is None or self._editing():
            return

        def redraft(instruction: str | None) -> None:
            if instruction:
                self.command(self.operator.redraft(item.id, instruction), "New draft ready.")

        self.push_screen(InstructionDialog(), redraft)

    def action_reclassify(self) -> None:
        item = self._selected()
        if item is None or self._editing():
            return

        def reclassify(intent: Intent | None) -> None:
            if intent is not None:
                self.command(
                    self.operator.reclassify(item.id, intent), f"#{item.id} is now {intent.value}."
                )

        self.push_screen(IntentDialog(), reclassify)

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
        if self._selected() is not None:
            self.detail.editor.focus()

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
        search = self.query_one("#search", Input)
        search.value = ""
        search.add_class("hidden")
        self._state_filter = self._intent_filter = 0
        self._apply_filter(QueueFilter())
        self.queue.focus()

    def _filter_with(self, **changes: Any) -> QueueFilter:
        return replace(self.queue.filter, **changes)

    def _apply_filter(self, queue_filter: QueueFilter) -> None:
        self.fill_queue(queue_filter)

    @work(exclusive=True, group="rows", exit_on_error=False)
    async def fill_queue(self, queue_filter: QueueFilter) -> None:
        """(Re)fill the queue in the background; a newer filter cancels an older fill."""
        await self.queue.apply_filter(queue_filter, self.items, self.clock())
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
        yield SystemCommand("Undo send", "Take back a reply still counting down", self.action_undo)
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
        item = self._selected()
        if item is not None:
            self.command(
                self.operator.reclassify(item.id, intent), f"#{item.id} is now {intent.value}."
            )

    # --- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        pending = [i for i in self.items.values() if i.state is State.APPROVED and i.send_after]
        if not pending:
            await self._stop_and_exit()
            return

        async def decide(choice: str | None) -> None:
            if choice == "send":
                await asyncio.gather(*(self.operator.send_now(i.id) for i in pending))
                await self._wait_until_sent([i.id for i in pending])
            elif choice == "hold":
                await asyncio.gather(*(self.operator.cancel_send(i.id) for i in pending))
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
            states = [(await self.assistant.store.get(i)).state for i in item_ids]
            if all(state not in (State.APPROVED, State.SENDING) for state in states):
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
            self.notify(self.status.last_error, severity="error", markup=False)
            self._refresh_status()
