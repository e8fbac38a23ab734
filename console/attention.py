"""Emergencies that wait for a person: what the banner says and what is new.

A pure model of the console's attention signals, fed the items the store
reports. It knows which emergencies still wait for someone (for the banner
and the `!` key), and which arrived since the last notice (so a burst becomes
one notice, not a stack of them).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from console.rows import duration
from console.text import clean, literal
from core.models import Item, State

# An emergency in these states still needs a person to act.
WAITING_FOR_PERSON = frozenset({State.TRIAGED, State.AWAITING_REVIEW, State.FAILED})


class EmergencyWatch:
    def __init__(self) -> None:
        self._waiting: dict[int, Item] = {}
        self._seen: set[int] = set()  # every item ever known as an emergency
        self._fresh: list[int] = []  # new emergencies not yet announced

    def observe(self, item: Item, *, announce: bool = True) -> bool:
        """Take in an item's latest version; True when it is a new emergency."""
        emergency = item.proposal is not None and item.proposal.emergency
        if emergency and item.state in WAITING_FOR_PERSON:
            self._waiting[item.id] = item
        else:
            self._waiting.pop(item.id, None)
        if not emergency or item.id in self._seen:
            return False
        self._seen.add(item.id)
        if announce:
            self._fresh.append(item.id)
        return announce

    def take_fresh(self) -> list[int]:
        """The new emergencies since the last call, oldest first; forgets them."""
        fresh, self._fresh = self._fresh, []
        return fresh

    @property
    def count(self) -> int:
        return len(self._waiting)

    def oldest(self) -> Item | None:
        if not self._waiting:
            return None
        return min(self._waiting.values(), key=lambda item: (item.received_at, item.id))

    def banner(self, now: datetime) -> Text | None:
        """The persistent line above the queue; None when no emergency waits."""
        oldest = self.oldest()
        if oldest is None:
            return None
        minutes = max(0, int((now - oldest.received_at).total_seconds() // 60))
        count = self.count
        line = Text(style="bold white on dark_red")
        waits = "y waits" if count == 1 else "ies wait"
        line.append(f" ⚠ {count} emergenc{waits} for a person — ! goes to the oldest: ")
        who = (oldest.proposal.tenant_name if oldest.proposal else None) or "unknown sender"
        line.append(f"#{oldest.id}, {duration(minutes)}, ")
        line.append_text(literal(f"{who} — {oldest.subject}", one_line=True))
        return line


def notice_for(fresh: list[Item]) -> str:
    """One notice for a burst of new emergencies."""
    if len(fresh) == 1:
        item = fresh[0]
        who = (item.proposal.tenant_name if item.proposal else None) or "an unknown sender"
        subject = clean(item.subject, one_line=True)
        return f"#{item.id} from {clean(who, one_line=True)}: {subject} — press ! to go there"
    numbers = ", ".join(f"#{item.id}" for item in fresh[:6])
    more = "…" if len(fresh) > 6 else ""
    return f"{len(fresh)} new emergencies ({numbers}{more}) — press ! for the oldest"
