"""Small modal questions: a choice between buttons, an instruction, an intent, a language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from core.models import Intent
from core.triage.language import REPLY_LANGUAGES, name_of

INTENT_KEYS = {
    "1": Intent.LOCKED_OUT,
    "2": Intent.MAINTENANCE,
    "3": Intent.RENT,
    "4": Intent.GENERAL,
}


class ChoiceDialog(ModalScreen[str]):
    """A question with buttons; dismisses with the chosen button's id ("" on escape)."""

    BINDINGS = [Binding("escape", "dismiss('')", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            with Horizontal(classes="buttons"):
                for index, (choice_id, label) in enumerate(self.choices):
                    yield Button(
                        label, id=choice_id, variant="primary" if index == 0 else "default"
                    )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "")


class InstructionDialog(ModalScreen[str]):
    """Ask the manager how the draft should change; dismisses with the text ("" on escape)."""

    BINDINGS = [Binding("escape", "dismiss('')", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Redraft the reply. What should it say?", classes="question")
            yield Input(
                placeholder="e.g. tell her the plumber comes Tuesday 9–12", id="instruction"
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())


class IntentDialog(ModalScreen["Intent | None"]):
    """`r` then 1–4: the intent to reclassify as."""

    BINDINGS = [
        *(Binding(key, f"choose('{key}')", intent.value) for key, intent in INTENT_KEYS.items()),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Reclassify as:", classes="question")
            for key, intent in INTENT_KEYS.items():
                yield Label(f"  {key}  {intent.value}")
            yield Label("  esc  cancel", classes="hint")

    def action_choose(self, key: str) -> None:
        self.dismiss(INTENT_KEYS[key])


LANGUAGE_KEYS = {str(number): code for number, code in enumerate(REPLY_LANGUAGES, start=1)}


class LanguageDialog(ModalScreen["str | None"]):
    """`w` then 1–7: the language to write the reply in."""

    BINDINGS = [
        *(Binding(key, f"choose('{key}')", name_of(code)) for key, code in LANGUAGE_KEYS.items()),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Write the reply in:", classes="question")
            for key, code in LANGUAGE_KEYS.items():
                now = "  (now)" if code == self.current else ""
                yield Label(f"  {key}  {name_of(code)}{now}")
            yield Label("  esc  cancel", classes="hint")

    def action_choose(self, key: str) -> None:
        self.dismiss(LANGUAGE_KEYS[key])
