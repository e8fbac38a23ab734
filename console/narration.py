"""One readable line per event, for the headless mode's log."""

from __future__ import annotations

from datetime import datetime, timezone

from core.events import (
    Event,
    InboxStatusChanged,
    ItemAdded,
    ItemChanged,
    OutageChanged,
    PageChanged,
)
from core.models import Channel, Page, PageState, State


def describe(event: Event) -> str | None:
    """What happened, in words an operator reads in a log; None for routine noise."""
    if isinstance(event, InboxStatusChanged):
        detail = f" ({event.detail})" if event.detail else ""
        return f"inbox: {event.status}{detail}"
    if isinstance(event, OutageChanged):
        reason = f" ({event.reason})" if event.reason else ""
        return event.describe(datetime.now(timezone.utc)) + reason
    if isinstance(event, ItemAdded):
        item = event.item
        return f"#{item.id} new: {item.sender or 'no sender'} — {item.subject or '(no subject)'}"
    if isinstance(event, ItemChanged) and event.item.state is not event.previous:
        item, proposal = event.item, event.item.proposal
        head = f"#{item.id} {event.previous.value} → {item.state.value}"
        if proposal is None:
            return f"{head}: {item.error}" if item.error else head
        if item.state is State.TRIAGED:
            alarm = " EMERGENCY" if proposal.emergency else ""
            return (
                f"{head}: {proposal.intent.value} ({proposal.confidence:.2f}){alarm} "
                f"by {proposal.provider}"
            )
        if item.state is State.SENT:
            cc = f", cc {', '.join(proposal.cc)}" if proposal.cc else ""
            return f"{head}: replied to {', '.join(proposal.to)}{cc}"
        if item.state in (State.AWAITING_REVIEW, State.SKIPPED):
            return f"{head}: {proposal.reason}"
        if item.state in (State.FAILED, State.RETRYING, State.IN_DOUBT):
            return f"{head}: {item.error}"
        return head
    if isinstance(event, PageChanged):
        return describe_page(event.page)
    return None


def describe_page(page: Page) -> str | None:
    """ "#3 paged oncall@example.com (page 1)", "#3 holding reply sent to …", failures."""
    if page.channel is Channel.TENANT:
        what = f"#{page.item_id} holding reply to {', '.join(page.recipients)}"
    elif page.channel is Channel.WEBHOOK:
        what = f"#{page.item_id} page {page.number} to the webhook"
    else:
        what = f"#{page.item_id} page {page.number} to {', '.join(page.recipients)}"
    if page.state is PageState.SENT:
        return f"{what}: sent"
    if page.state is PageState.FAILED:
        return f"{what}: failed ({page.error}), trying again"
    return None
