"""The conversation a message is triaged in: what was said before, and where its ticket stands.

Built by `core.service.conversations` from the store; read by the prompt, the offline
provider and the code that decides the action. Only the conversation's own
messages are ever in it: threading never crosses tenants, so no draft sees
another tenant's history. Pure data and a pure trimming function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from core.mail.parsing import own_words
from core.models import Intent, ParsedEmail

TURN_CHARS = 700  # each earlier message, trimmed to this
HISTORY_CHARS = 3_500  # all of them together; the newest are kept


@dataclass(frozen=True)
class Turn:
    author: str  # "tenant" (the sender's side) or "office" (our replies)
    at: datetime
    text: str


@dataclass(frozen=True)
class Thread:
    """Where a message stands in its conversation."""

    conversation_id: int | None = None  # None: it starts a new one
    turns: tuple[Turn, ...] = ()
    intent: Intent | None = None  # what the conversation is about so far
    ticket_status: str | None = None  # the conversation's ticket: open, resolved, or none yet
    earlier_replies: tuple[str, ...] = ()  # what we answered before, word for word
    how: str = ""  # why the message joined it
    refused: int | None = None  # pointed into someone else's conversation: kept apart
    related: int | None = None  # possibly the same matter as this conversation
    subject: str = ""  # the subject the conversation started with
    language: str = ""  # the language the conversation's replies were written in

    @property
    def is_followup(self) -> bool:
        return bool(self.turns)


def trimmed(turns: list[Turn]) -> tuple[Turn, ...]:
    """Each turn cut to `TURN_CHARS`, and the oldest dropped beyond `HISTORY_CHARS`."""
    kept: list[Turn] = []
    total = 0
    for turn in reversed(turns):
        text = " ".join(turn.text.split())
        if len(text) > TURN_CHARS:
            text = text[: TURN_CHARS - 1] + "…"
        if kept and total + len(text) > HISTORY_CHARS:
            break
        kept.append(Turn(turn.author, turn.at, text))
        total += len(text)
    return tuple(reversed(kept))


NO_THREAD = Thread()  # a message on its own: no conversation before it


def thread_from(
    earlier: list[ParsedEmail], own_addresses: frozenset[str], intent: Intent | None
) -> Thread:
    """A conversation from its messages alone (for `triage --thread`, outside the store).

    Messages from our own addresses are our replies; the ticket is taken to be
    open when the conversation is about something a ticket is opened for.
    """
    turns, replies = [], []
    for email in sorted(earlier, key=lambda e: e.date.timestamp() if e.date else 0.0):
        ours = email.sender_addr in own_addresses
        text = email.text if ours else own_words(email.text)
        at = email.date or datetime.now(timezone.utc)
        turns.append(Turn("office" if ours else "tenant", at, text))
        if ours:
            replies.append(own_words(email.text))
    opens = intent in (Intent.LOCKED_OUT, Intent.MAINTENANCE, Intent.RENT)
    first = next((e for e in earlier if e.sender_addr not in own_addresses), None)
    return Thread(
        conversation_id=None,
        turns=trimmed(turns),
        intent=intent,
        ticket_status="open" if opens else None,
        earlier_replies=tuple(replies),
        how="given on the command line",
        subject=first.subject if first else "",
    )
