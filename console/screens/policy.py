"""The auto-send policy panel (`p`): per intent, draft-only or auto with a minimum confidence.

Turning auto on asks for confirmation. The panel returns the new policy; the
app hands it to the core, which keeps it in the store.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Switch

from console.screens.dialogs import ChoiceDialog
from core.models import Intent
from core.policy import AutoSendPolicy

DEFAULT_THRESHOLD = 0.8


class PolicyScreen(ModalScreen["AutoSendPolicy | None"]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, policy: AutoSendPolicy) -> None:
        super().__init__()
        self.policy = policy

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Auto-send policy", classes="question")
            yield Label(
                "Never auto-sent, whatever this says: unknown senders, emergencies, open "
                "questions, safety flags.",
                classes="hint",
            )
            for intent in Intent:
                threshold = self.policy.thresholds.get(intent)
                with Horizontal(classes="policy-row"):
                    yield Label(intent.value, classes="intent")
                    yield Switch(value=threshold is not None, id=f"auto-{intent.value}")
                    yield Input(
                        value=f"{threshold if threshold is not None else DEFAULT_THRESHOLD:.2f}",
                        id=f"min-{intent.value}",
                        classes="threshold",
                    )
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Switch.Changed)
    def confirm_auto(self, event: Switch.Changed) -> None:
        if not event.value:
            return
        intent = (event.switch.id or "").removeprefix("auto-")

        def answer(choice: str | None) -> None:
            if choice != "yes":
                event.switch.value = False

        self.app.push_screen(
            ChoiceDialog(
                f"Send {intent} replies without review when the confidence is high enough?",
                [("yes", "Yes, auto-send"), ("no", "No")],
            ),
            answer,
        )

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        policy = AutoSendPolicy()
        for intent in Intent:
            if not self.query_one(f"#auto-{intent.value}", Switch).value:
                continue
            raw = self.query_one(f"#min-{intent.value}", Input).value
            try:
                threshold = float(raw)
            except ValueError:
                threshold = -1.0
            if not 0.0 <= threshold <= 1.0:
                self.notify(
                    f"{intent.value}: the minimum confidence must be between 0 and 1",
                    severity="error",
                )
                return
            policy = policy.with_intent(intent, threshold)
        self.dismiss(policy)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
