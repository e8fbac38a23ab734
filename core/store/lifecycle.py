"""The lifecycle of an item: which state may follow which, checked by every store engine.

Pure data. The store refuses any change not listed here (`InvalidTransition`),
whoever asks: a worker, an operator, another process on the same store.
"""

from __future__ import annotations

from core.models import State

# The lifecycle: from each state, the states an item may move to.
_ELSEWHERE = State.ANSWERED_ELSEWHERE
ALLOWED: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.TRIAGED, State.FAILED}),
    State.TRIAGED: frozenset(
        {State.AWAITING_REVIEW, State.APPROVED, State.SKIPPED, State.FAILED, _ELSEWHERE}
    ),
    State.AWAITING_REVIEW: frozenset({State.APPROVED, State.DISMISSED, State.NEW, _ELSEWHERE}),
    State.APPROVED: frozenset(
        {State.SENDING, State.RETRYING, State.AWAITING_REVIEW, State.FAILED, _ELSEWHERE}
    ),
    State.SENDING: frozenset(
        {State.SENT, State.FAILED, State.APPROVED, State.RETRYING, State.IN_DOUBT}
    ),
    State.RETRYING: frozenset({State.SENDING, State.FAILED, State.AWAITING_REVIEW, _ELSEWHERE}),
    State.IN_DOUBT: frozenset({State.SENT, State.RETRYING}),
    State.SENT: frozenset(),
    State.SKIPPED: frozenset({State.AWAITING_REVIEW}),
    State.DISMISSED: frozenset({State.AWAITING_REVIEW}),
    State.FAILED: frozenset(
        {State.NEW, State.APPROVED, State.AWAITING_REVIEW, State.DISMISSED, _ELSEWHERE}
    ),
    # Reopened by the operator, who still wants to send the draft.
    _ELSEWHERE: frozenset({State.AWAITING_REVIEW}),
}
# The states in which a reply of ours may still go out: the ones another client's
# answer retires (a new message is drafted first, so its ticket is filed).
NOT_ANSWERED_YET = frozenset(
    {
        State.TRIAGED,
        State.AWAITING_REVIEW,
        State.APPROVED,
        State.RETRYING,
        State.FAILED,
    }
)
# The states a service works on: an item in them may be held by a claim
# (`core.store.team`); one that comes to rest in any other state is let go.
WORKING_STATES = frozenset(
    {State.NEW, State.TRIAGED, State.APPROVED, State.SENDING, State.RETRYING}
)
