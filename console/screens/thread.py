"""The whole conversation (`t`): every message and every reply, oldest first, read in full."""

from __future__ import annotations

from collections.abc import Awaitable

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from console.text import literal, unwrap
from core.service.operator import Exchange


class ThreadScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,t", "dismiss", "Close")]

    def __init__(self, conversation_id: int, exchanges: Awaitable[list[Exchange]]) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self._exchanges = exchanges

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide thread"):
            yield Label(f"Conversation #{self.conversation_id}", classes="question")
            yield Static(Text("Reading…", style="dim"), id="thread-text")
            yield Label("escape closes", classes="hint")

    async def on_mount(self) -> None:
        exchanges = await self._exchanges
        self.query_one("#thread-text", Static).update(render_thread(exchanges))


def render_thread(exchanges: list[Exchange]) -> Group:
    parts = []
    for exchange in exchanges:
        item = exchange.item
        when = item.received_at.astimezone().strftime("%a %d %b %H:%M")
        kind = item.proposal.followup.value if item.proposal else "new"
        parts.append(
            Text.assemble(
                (f"#{item.id} · {when} · ", "bold"),
                literal(item.sender, one_line=True),
                (f" · {kind}", "dim"),
            )
        )
        parts.append(literal(unwrap(exchange.text) or "(no text)"))
        if exchange.reply:
            parts.append(Text("Our reply:", style="bold green"))
            parts.append(literal(exchange.reply, "green"))
        parts.append(Text(""))
    return Group(*parts)
