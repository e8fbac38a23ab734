"""The command palette's entries (ctrl+p): each with the action it runs.

Data, in the order the operator reads them; `OperatorConsole.get_system_commands`
turns each into a command.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Intent


@dataclass(frozen=True)
class Entry:
    title: str
    help: str
    action: str = ""  # the console's `action_…` method it runs
    intent: Intent | None = None  # or: reclassify the selected message as this


def palette(*, inboxes: int) -> list[Entry]:
    """Every entry; the inbox filter only when there is more than one inbox."""
    entries = [
        Entry("Approve", "Send the selected reply and file its ticket", "approve"),
        Entry("Edit draft", "Edit the selected draft in place", "edit"),
        Entry("Dismiss", "Close the selected message without a reply", "dismiss_item"),
        Entry("Redraft", "Ask for a new draft with an instruction", "redraft"),
        *(
            Entry(
                f"Reclassify as {intent.value}",
                "Recompute intent, ticket, Cc and draft",
                intent=intent,
            )
            for intent in Intent
        ),
        Entry("Undo send", "Take back a reply counting down or waiting to retry", "undo"),
        Entry("Send now", "A waiting reply goes now; one in doubt is sent again", "send_now"),
        Entry("Mark sent", "A reply in doubt did go out: record it, send nothing", "mark_sent"),
        Entry(
            "Reopen",
            "Bring back a skipped or dismissed message, or one answered elsewhere",
            "reopen",
        ),
        Entry("Auto-send policy", "Choose the intents sent without review", "policy"),
        Entry("Stop auto-send", "Kill switch: every intent to draft-only", "kill_switch"),
        Entry("Search", "Search sender and subject", "search"),
        Entry("Filter by state", "Cycle the state filter", "cycle_state"),
        Entry("Filter by intent", "Cycle the intent filter", "cycle_intent"),
    ]
    if inboxes > 1:
        entries.append(Entry("Filter by inbox", "Cycle the inbox filter", "cycle_inbox"))
    entries.append(Entry("Clear filters", "Show all mail", "clear_filters"))
    entries.append(Entry("Help", "Every key the console answers to", "help"))
    return entries
