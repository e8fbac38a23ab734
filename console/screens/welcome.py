"""Shown when no mailbox is configured: what is missing, and the way into the demo."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label


class WelcomeApp(App[str]):
    """Returns "demo" when the user asks for the demo, "" to quit."""

    CSS = """
    Screen { align: center middle; }
    #welcome { width: 76; height: auto; padding: 1 2; border: thick $primary; }
    #welcome Label { margin-bottom: 1; }
    .buttons { height: auto; }
    .buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("d", "demo", "Open the demo"), Binding("q,escape", "quit_app", "Quit")]

    def __init__(self, missing: list[str]) -> None:
        super().__init__()
        self.missing = missing

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome"):
            yield Label("No mailbox is configured yet.", classes="title")
            yield Label("Missing settings: " + ", ".join(self.missing))
            yield Label(
                "Put them in a .env file (see .env.example) or the environment, then start "
                "again. Or look around first: the demo runs on a built-in mailbox, on this "
                "machine only (python -m console --demo)."
            )
            with Horizontal(classes="buttons"):
                yield Button("Open the demo", id="demo", variant="primary")
                yield Button("Quit", id="quit")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.exit("demo" if event.button.id == "demo" else "")

    def action_demo(self) -> None:
        self.exit("demo")

    def action_quit_app(self) -> None:
        self.exit("")
