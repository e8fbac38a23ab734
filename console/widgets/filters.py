"""Which emails the queue shows: by state, intent, inbox and words searched for.

A `QueueFilter` is a value; `s`, `i` and `n` step it to the next one. Pure, so
the filter can be tried without a screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from core.models import Intent, Item, State

T = TypeVar("T")

# What `s` and `i` step through, in order.
STATE_FILTERS: tuple[State | None, ...] = (
    None,
    State.AWAITING_REVIEW,
    State.FAILED,
    State.APPROVED,
    State.RETRYING,
    State.IN_DOUBT,
    State.SENT,
    State.SKIPPED,
    State.DISMISSED,
)
INTENT_FILTERS: tuple[Intent | None, ...] = (None, *Intent)


def _following(cycle: Sequence[T], current: T) -> T:
    """The value after `current` in `cycle`; the first when `current` is not in it."""
    index = cycle.index(current) if current in cycle else -1
    return cycle[(index + 1) % len(cycle)]


@dataclass(frozen=True)
class QueueFilter:
    state: State | None = None
    intent: Intent | None = None
    search: str = ""
    inbox: str | None = None  # an inbox of the mailboxes file; None: every inbox

    def matches(self, item: Item) -> bool:
        if self.inbox is not None and item.key.inbox != self.inbox:
            return False
        if self.state is not None and item.state is not self.state:
            return False
        if self.intent is not None and (
            item.proposal is None or item.proposal.intent is not self.intent
        ):
            return False
        if self.search:
            wanted = self.search.lower()
            name = item.proposal.tenant_name or "" if item.proposal else ""
            return any(wanted in field.lower() for field in (item.sender, item.subject, name))
        return True

    def next_state(self) -> QueueFilter:
        return replace(self, state=_following(STATE_FILTERS, self.state))

    def next_intent(self) -> QueueFilter:
        return replace(self, intent=_following(INTENT_FILTERS, self.intent))

    def next_inbox(self, inboxes: Sequence[str]) -> QueueFilter:
        """Every inbox, then each one in turn."""
        return replace(self, inbox=_following((None, *inboxes), self.inbox))

    def describe(self) -> str:
        parts = []
        if self.inbox is not None:
            parts.append(f"inbox={self.inbox}")
        if self.state is not None:
            parts.append(f"state={self.state.value}")
        if self.intent is not None:
            parts.append(f"intent={self.intent.value}")
        if self.search:
            parts.append(f"search={self.search!r}")
        return " ".join(parts) or "all mail"

    def with_search(self, search: str) -> QueueFilter:
        return replace(self, search=search.strip())
