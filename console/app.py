"""The operator console: what the operator's keys do (`console.base` shows the state).

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
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from textual import events, on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from console.base import ConsoleBase
from console.palette import palette
from console.rows import NEEDS_PERSON, STATE_LABELS
from console.screens.dialogs import ChoiceDialog, InstructionDialog, IntentDialog, LanguageDialog
from console.screens.help import HelpScreen
from console.screens.policy import PolicyScreen
from console.screens.thread import ThreadScreen
from console.widgets.detail import DraftSaved
from core.errors import AssistantError, StaleItem
from core.models import Intent, Item, State
from core.policy import AutoSendPolicy
from core.service.operator import is_operator, operator_name
from core.triage.language import name_of


class OperatorConsole(ConsoleBase):
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
        Binding("b", "cycle_inbox", "Inbox filter", show=False),
        Binding("w", "language", "Reply language", show=False),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("exclamation_mark", "oldest_emergency", "Oldest emergency", show=False),
        Binding("t", "thread", "Thread", show=False),
        Binding("l", "link", "Link/unlink", show=False),
        Binding("L", "keep_apart", "Keep apart", show=False),
    ]

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
            current = await self.client.store.get(exc.item_id)
            self._apply(current, self.clock())
            self.say(f"{exc}{await self._who_acted(exc.item_id)}", severity="warning", timeout=6)
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

    async def _who_acted(self, item_id: int) -> str:
        """ " (ana: approved)": the last person who changed the item, when it was not this
        operator (the service may have moved it on since: sending, sent)."""
        trail = await self.client.store.audit(item_id)
        last = next((entry for entry in reversed(trail) if is_operator(entry.actor)), None)
        if last is None or last.actor == self.operator.actor:
            return ""
        name = operator_name(last.actor) or "another operator"
        return f" ({name}: {STATE_LABELS[last.to_state]})"

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._key_time = event.time  # read from the terminal at this moment
            self._last_key = max(self._last_key, event.time)
        elif isinstance(event, events.CursorPosition):
            self.drawn.answered()
        await super().on_event(event)

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

    def action_language(self) -> None:
        item = self._acting_on()
        if item is not None and item.proposal is not None:
            self.push_screen(
                LanguageDialog(item.proposal.language),
                lambda language: self._set_language(item, language),
            )

    def _set_language(self, item: Item, language: str | None) -> None:
        if language is not None:
            self.command(
                self.operator.set_language(item.id, item.version, language),
                f"#{item.id} is redrafted in {name_of(language)}: read it before approving.",
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

    # --- the command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for entry in palette(inboxes=len(self.client.inboxes)):
            if entry.intent is not None:
                intent = entry.intent
                yield SystemCommand(
                    entry.title, entry.help, lambda intent=intent: self._reclassify_selected(intent)
                )
            else:
                yield SystemCommand(
                    entry.title, entry.help, getattr(self, f"action_{entry.action}")
                )

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
            items = [await self.client.store.get(i) for i in item_ids]
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
