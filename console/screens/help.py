"""The help screen (`?`): every key the console answers to."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS = [
    ("j / k, ↓ / ↑", "move in the queue"),
    ("enter", "into the detail: arrows scroll the message, escape comes back"),
    ("!", "go to the oldest emergency that waits for a person"),
    ("t", "the whole conversation: every message and every reply"),
    ("l / L", "link to the suggested conversation (or unlink a follow-up) / keep apart"),
    ("a", "approve: send the reply (after the send delay) and file the ticket"),
    ("e", "edit the draft in place (ctrl+s saves, escape cancels)"),
    ("d", "dismiss without a reply (the message is marked read)"),
    ("f", "redraft with an instruction you type"),
    ("r then 1–4", "reclassify: 1 locked_out, 2 maintenance, 3 rent, 4 general"),
    ("n", "not an emergency: clear the alarm and redraft (kept as an example)"),
    ("u", "undo: take back a reply counting down or retrying"),
    ("g", "now: send a reply waiting to go (in doubt: send it again); page on-call again"),
    ("m", "in doubt: it went out, mark it sent (no mail goes out)"),
    ("o", "reopen a skipped, dismissed or answered-elsewhere message"),
    ("p", "auto-send policy per intent"),
    ("ctrl+x", "kill switch: every intent back to draft-only"),
    ("/", "search sender and subject (escape clears)"),
    ("s / i", "filter by state / by intent (cycles; escape clears)"),
    ("ctrl+p", "command palette: every action by name"),
    ("?", "this help"),
    ("q", "quit (asks first when replies are still counting down)"),
]
# The state column of a narrow queue.
SYMBOLS = (
    "? review  → approved  ↑ sending  ↻ retrying  ✓ sent  ‽ in doubt  – skipped  "
    "× dismissed  ! failed  · new"
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, meaning in KEYS:
            table.add_row(key, meaning)
        with Vertical(classes="dialog wide"):
            yield Label("Keys", classes="question")
            yield Static(table)
            yield Label(f"Narrow queue states: {SYMBOLS}", classes="hint")
            yield Label("The mouse works too: click a row, scroll, click buttons.", classes="hint")
