"""Rows: queue order, ages, SLA warnings and countdowns, from the item alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console.rows import age_changes_at, age_text, row_view, sort_key, state_text
from core.models import Action, Intent, Item, MessageKey, Proposal, State

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
SLA = (15, 240)


def item(
    minutes_ago: float,
    state: State = State.AWAITING_REVIEW,
    *,
    intent: Intent = Intent.GENERAL,
    emergency: bool = False,
    send_after: datetime | None = None,
) -> Item:
    proposal = Proposal(
        provider="offline",
        intent=intent,
        confidence=0.9,
        emergency=emergency,
        summary="",
        action=Action.REPLY,
        reason="",
        to=["a@example.com"],
        cc=[],
        subject="Re: x",
        body="b",
    )
    when = NOW - timedelta(minutes=minutes_ago)
    return Item(
        1,
        MessageKey("INBOX", 1, 1),
        "<m>",
        state,
        when,
        "a@example.com",
        "x",
        proposal,
        "",
        0,
        "",
        "",
        "",
        send_after,
        True,
        None,
        1,
        when,
        when,
    )


def test_emergencies_then_lockouts_then_the_rest_then_done() -> None:
    queue = [
        item(5, State.SENT),
        item(90),
        item(10, intent=Intent.LOCKED_OUT),
        item(1, emergency=True),
        item(30),
    ]
    ordered = sorted(queue, key=sort_key)
    assert [(i.state, i.proposal.intent, i.proposal.emergency) for i in ordered] == [  # type: ignore[union-attr]
        (State.AWAITING_REVIEW, Intent.GENERAL, True),
        (State.AWAITING_REVIEW, Intent.LOCKED_OUT, False),
        (State.AWAITING_REVIEW, Intent.GENERAL, False),  # 90 min: the oldest waiting first
        (State.AWAITING_REVIEW, Intent.GENERAL, False),
        (State.SENT, Intent.GENERAL, False),
    ]
    assert ordered[2].received_at < ordered[3].received_at


def test_age_warns_after_the_sla() -> None:
    assert age_text(item(14, intent=Intent.LOCKED_OUT), NOW, SLA).plain == "14m"
    assert age_text(item(16, intent=Intent.LOCKED_OUT), NOW, SLA).plain == "16m!"
    assert age_text(item(200), NOW, SLA).plain == "3h"
    assert age_text(item(250), NOW, SLA).plain == "4h!"
    assert age_text(item(3000, State.SENT), NOW, SLA).plain == "2d"  # done: no warning


def test_age_cell_knows_when_it_next_changes() -> None:
    assert age_changes_at(item(5.5), NOW, SLA) == NOW + timedelta(seconds=30)
    lockout = item(14.5, intent=Intent.LOCKED_OUT)
    assert age_changes_at(lockout, NOW, SLA) == NOW + timedelta(seconds=30)
    assert age_changes_at(item(90), NOW, SLA) == NOW + timedelta(minutes=30)


def test_countdown_reads_in_whole_seconds() -> None:
    counting = item(1, State.APPROVED, send_after=NOW + timedelta(seconds=6.2))
    assert state_text(counting, NOW).plain == "send 7s"
    assert state_text(item(1, State.SENT), NOW).plain == "sent"


def test_unknown_sender_is_named_so() -> None:
    stranger = item(3)
    cells = row_view(stranger, NOW, SLA).cells
    assert cells[5].plain == "unknown sender"
