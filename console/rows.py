"""How one item looks in the queue: pure functions of the item, the time and the SLA.

Emergencies and lockouts that still wait for someone sort first, then other
waiting mail (oldest first), then what is done (newest first). The age of a
waiting item turns to a warning once it has waited longer than its SLA. A
narrow queue shows the compact columns: the state as a symbol, no confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from rich.text import Text

from console.text import literal
from core.models import FollowUp, Intent, Item, State

COLUMNS = ("age", "state", "intent", "conf", "alarm", "sender", "subject")
COMPACT_COLUMNS = ("age", "state", "intent", "alarm", "sender", "subject")
WAITING = frozenset(
    {
        State.NEW,
        State.TRIAGED,
        State.AWAITING_REVIEW,
        State.APPROVED,
        State.SENDING,
        State.FAILED,
        State.RETRYING,
        State.IN_DOUBT,
    }
)
STATE_LABELS = {
    State.NEW: "new",
    State.TRIAGED: "triaged",
    State.AWAITING_REVIEW: "review",
    State.APPROVED: "approved",
    State.SENDING: "sending",
    State.SENT: "sent",
    State.SKIPPED: "skipped",
    State.DISMISSED: "dismissed",
    State.FAILED: "failed",
    State.RETRYING: "retrying",
    State.IN_DOUBT: "in doubt",
    State.ANSWERED_ELSEWHERE: "elsewhere",
}
# The compact state column: one symbol a state (the help screen lists them).
STATE_SYMBOLS = {
    State.NEW: "·",
    State.TRIAGED: "·",
    State.AWAITING_REVIEW: "?",
    State.APPROVED: "→",
    State.SENDING: "↑",
    State.SENT: "✓",
    State.SKIPPED: "–",
    State.DISMISSED: "×",
    State.FAILED: "!",
    State.RETRYING: "↻",
    State.IN_DOUBT: "‽",
    State.ANSWERED_ELSEWHERE: "↗",
}
# States in which an item waits for a person (the cursor moves on to these).
NEEDS_PERSON = frozenset({State.AWAITING_REVIEW, State.FAILED, State.IN_DOUBT})
_STATE_STYLES = {
    State.AWAITING_REVIEW: "bold",
    State.FAILED: "bold red",
    State.IN_DOUBT: "bold red",
    State.RETRYING: "yellow",
    State.SENT: "green",
    State.SKIPPED: "dim",
    State.DISMISSED: "dim",
    State.ANSWERED_ELSEWHERE: "dim cyan",
}


class RankedText(Text):
    """The age cell: its text, plus the row's place in the queue (the table sorts by it)."""

    rank: tuple[int, float] = (9, 0.0)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.rank == getattr(other, "rank", None)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class RowView:
    cells: tuple[Text, ...]

    @property
    def sort_key(self) -> tuple[int, float]:
        return self.cells[0].rank  # type: ignore[attr-defined, no-any-return]


def is_urgent(item: Item) -> bool:
    proposal = item.proposal
    return proposal is not None and (proposal.emergency or proposal.intent is Intent.LOCKED_OUT)


def sort_key(item: Item) -> tuple[int, float]:
    """(group, time): urgent waiting, other waiting, then done; oldest waiting first."""
    stamp = item.received_at.timestamp()
    if item.state not in WAITING:
        return (3, -stamp)
    if item.proposal is not None and item.proposal.emergency:
        return (0, stamp)
    return (1 if is_urgent(item) else 2, stamp)


def age_text(item: Item, now: datetime, sla_minutes: tuple[int, int]) -> RankedText:
    minutes = max(0, int((now - item.received_at).total_seconds() // 60))
    label = duration(minutes)
    if item.state not in WAITING:
        cell = RankedText(label, style="dim")
    elif minutes >= (sla_minutes[0] if is_urgent(item) else sla_minutes[1]):
        cell = RankedText(f"{label}!", style="bold white on red")
    else:
        cell = RankedText(label)
    cell.rank = sort_key(item)
    return cell


def state_text(item: Item, now: datetime, *, compact: bool = False) -> Text:
    if item.state is State.APPROVED and item.send_after is not None:
        seconds = max(0, int((item.send_after - now).total_seconds() + 0.999))
        return Text(f"{seconds}s" if compact else f"send {seconds}s", style="bold yellow")
    label = STATE_SYMBOLS[item.state] if compact else STATE_LABELS[item.state]
    return Text(label, style=_STATE_STYLES.get(item.state, ""))


def row_view(
    item: Item,
    now: datetime,
    sla_minutes: tuple[int, int],
    *,
    compact: bool = False,
    home_language: str = "en",
) -> RowView:
    proposal = item.proposal
    if proposal is None:
        intent, confidence, alarm = Text("…", style="dim"), Text(""), Text("")
        name, address = parseaddr(item.sender)
        sender = literal(name or address or item.sender or "no sender", one_line=True)
    else:
        intent = Text(proposal.intent.value)
        confidence = Text(
            f"{proposal.confidence:.2f}", style="dim" if proposal.confidence < 0.5 else ""
        )
        alarm = Text("!!", style="bold white on red") if proposal.emergency else Text("")
        name = proposal.tenant_name or ("unknown sender" if proposal.action.value != "skip" else "")
        sender = literal(name or item.sender, one_line=True)
        if proposal.tenant_name is None and proposal.action.value != "skip":
            sender.stylize("italic")
    subject = literal(item.subject or "(no subject)", one_line=True)
    mark = _thread_mark(item)
    if mark:
        subject = Text.assemble((mark, "bold cyan"), subject)
    spoken = _language_mark(item, home_language)
    if spoken:
        subject = Text.assemble(spoken, subject)
    age, state = age_text(item, now, sla_minutes), state_text(item, now, compact=compact)
    if compact:
        return RowView((age, state, intent, alarm, sender, subject))
    return RowView((age, state, intent, confidence, alarm, sender, subject))


def _language_mark(item: Item, home_language: str) -> tuple[str, str] | None:
    """ "es " for a reply in another language than the mailbox's; "tr? " for a tenant
    whose language has no templates (a person decides)."""
    proposal = item.proposal
    if proposal is None:
        return None
    if proposal.written_in:
        return f"{proposal.written_in}? ", "bold yellow"
    if proposal.language and proposal.language != home_language:
        return f"{proposal.language} ", "magenta"
    return None


def _thread_mark(item: Item) -> str:
    """ "↩3 " for the third message of a conversation; "≈ " when possibly the same as one."""
    proposal = item.proposal
    if proposal is None:
        return ""
    if proposal.followup is not FollowUp.FIRST:
        return f"↩{proposal.history + 1} "
    return "≈ " if proposal.related is not None else ""


def duration(minutes: int) -> str:
    """Minutes for the first hour, hours for the first day, then days."""
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


def age_changes_at(item: Item, now: datetime, sla_minutes: tuple[int, int]) -> datetime:
    """When this item's age cell will next read differently (label or SLA warning)."""
    waited = max(0.0, (now - item.received_at).total_seconds())
    step = 60 if waited < 3600 else 3600 if waited < 86400 else 86400
    change = item.received_at + timedelta(seconds=(waited // step + 1) * step)
    if item.state in WAITING:
        limit = item.received_at + timedelta(minutes=sla_minutes[0 if is_urgent(item) else 1])
        if limit > now:
            change = min(change, limit)
    return change
