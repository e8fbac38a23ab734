"""What the detail pane says about an item: its summary, pages, conversation, the
email, the ticket, To/Cc, replies sent from elsewhere and the draft, as rich text.

Pure: a `DetailView` (what the console holds about the item) and the time in,
renderables out. The pane (`console.widgets.detail`) draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text

from console.rows import STATE_LABELS
from console.text import literal, unwrap
from core.models import (
    Action,
    Channel,
    Delivery,
    Item,
    OutsideReply,
    Page,
    PageState,
    ParsedEmail,
    Proposal,
    State,
    TenantContext,
)
from core.service.operator import operator_name
from core.triage.language import ReplyLanguage, Source


@dataclass(frozen=True)
class DetailView:
    """What the detail pane shows: the item, its sender's record, and the email once read."""

    item: Item
    context: TenantContext
    email: ParsedEmail | None = None
    earlier: tuple[Item, ...] = ()  # the conversation's messages before this one
    pages: tuple[Page, ...] = ()  # the conversation's emergency pages, oldest first
    # What the manager wrote to the sender from another mail client (replies first).
    elsewhere: tuple[OutsideReply, ...] = ()
    readers: tuple[str, ...] = ()  # the other operators who have this item open
    deliveries: tuple[Delivery, ...] = ()  # the ticket's webhook events, oldest first


def render_detail(view: DetailView, now: datetime) -> Group:
    return Group(
        _summary(view, now),
        "",
        *_conversation(view),
        _message(view),
        "",
        _ticket(view),
        "",
        _recipients(view),
        "",
        *_elsewhere(view),
        _draft(view),
    )


def _summary(view: DetailView, now: datetime) -> Group:
    item, email, context = view.item, view.email, view.context
    sender_text = str(email.sender) if email and email.sender else item.sender
    sender = literal(sender_text or "(no sender)", "bold", one_line=True)
    who = Text.assemble("From: ", sender)
    if context.tenant is not None:
        where = context.unit.address if context.unit else context.tenant.unit_id
        who.append_text(literal(f"  · tenant {context.tenant.tenant_id}, {where}", "green"))
    else:
        who.append("  · unknown sender", style="italic yellow")
    subject = Text.assemble("Subject: ", literal(item.subject or "(no subject)", one_line=True))
    arrived = item.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
    state = f"State: {STATE_LABELS[item.state]}"
    lines = [who, subject, Text(f"Received: {arrived}   {state}   #{item.id}")]
    if view.readers:
        verb = "is" if len(view.readers) == 1 else "are"
        names = " and ".join(view.readers)
        lines.append(literal(f"{names} {verb} reading this", "bold cyan", one_line=True))
    decided_by = operator_name(item.approved_by)
    if decided_by and item.state in (State.APPROVED, State.SENDING, State.SENT):
        lines.append(literal(f"Approved by {decided_by}", "dim", one_line=True))
    proposal = item.proposal
    if proposal is not None:
        alarm = "EMERGENCY · " if proposal.emergency else ""
        judged = Text(
            f"{alarm}{proposal.intent.value} ({proposal.confidence:.2f}) by {proposal.provider}",
            style="bold red" if proposal.emergency else "",
        )
        if proposal.language and proposal.action is not Action.SKIP:
            judged.append(" · reply in ")
            told = _reply_language(proposal).describe()
            judged.append(told, style="bold yellow" if proposal.written_in else "")
        lines.append(judged)
        why = "Not answered: " if proposal.action is Action.SKIP else "Why: "
        lines.append(Text.assemble(why, literal(proposal.reason, one_line=True)))
        if proposal.alarm_cleared:
            lines.append(Text("Alarm cleared by the operator: not an emergency.", "yellow"))
        lines += _pages(view, now)
        lines += _deliveries(view)
        for question in proposal.questions:
            lines.append(Text.assemble("Question: ", literal(question, one_line=True)))
    if item.state is State.RETRYING:
        lines += _waiting_to_send(item, now)
    elif item.state is State.IN_DOUBT:
        lines += _in_doubt(item)
    elif item.error:
        lines.append(Text.assemble(("Error: ", "bold red"), literal(item.error, one_line=True)))
    if item.state is State.APPROVED and item.send_after is not None:
        seconds = max(0, int((item.send_after - now).total_seconds()))
        lines.append(Text(f"Sending in {seconds}s — press u to take it back", "bold yellow"))
    if email is not None and email.attachments:
        names = ", ".join(f"{a.filename or a.content_type} ({a.size} B)" for a in email.attachments)
        lines.append(Text.assemble("Attachments (not read): ", literal(names, one_line=True)))
    return Group(*lines)


# A page still `sending` this long after it started was cut off by a stop: it counts
# as gone out (see `core.service.escalation`), and the operator should know that is a guess.
PAGE_INTERRUPTED_SECONDS = 120


def _pages(view: DetailView, now: datetime) -> list[Text]:
    """Who was paged and when, whether it went, and what the operator can do."""
    lines = []
    for page in view.pages:
        when = page.at.astimezone().strftime("%H:%M")
        if page.channel is Channel.TENANT:
            what = f"Holding reply to {', '.join(page.recipients)} at {when}"
        elif page.channel is Channel.WEBHOOK:
            what = f"Page {page.number} to the webhook at {when}"
        else:
            what = f"Paged {', '.join(page.recipients)} at {when} (page {page.number})"
        if page.state is PageState.FAILED:
            retry = page.next_try.astimezone().strftime("%H:%M:%S") if page.next_try else "soon"
            error = literal(page.error, one_line=True)
            failed = Text.assemble((f"{what}: failed, ", "bold red"), error)
            lines.append(failed.append(f"; trying again at {retry}"))
        elif page.state is PageState.SENDING and (
            (now - page.at).total_seconds() > PAGE_INTERRUPTED_SECONDS
        ):
            lines.append(
                Text(
                    f"{what}: interrupted before the server answered; counted as sent",
                    "yellow",
                )
            )
        else:
            state = "sent" if page.state is PageState.SENT else "sending"
            lines.append(Text(f"{what}: {state}", "magenta"))
    if view.pages and view.item.state is not State.AWAITING_REVIEW:
        lines.append(Text("No more pages: the message no longer waits for a person.", "dim"))
    proposal = view.item.proposal
    if view.item.state is State.AWAITING_REVIEW and proposal is not None and proposal.alarmed:
        hints = ["n: not an emergency (clears the alarm, redrafts)"]
        if proposal.emergency:
            hints.append("g: page on-call again now")
        lines.append(Text(" · ".join(hints), "dim"))
    return lines


def _waiting_to_send(item: Item, now: datetime) -> list[Text]:
    """A reply the server could not take yet: why, and when it is tried next."""
    why = item.error.removeprefix("not sent yet: ") or "waiting to be sent"
    lines = [Text.assemble(("Not sent yet: ", "bold yellow"), literal(why, one_line=True))]
    when = "now"
    if item.send_after is not None and item.send_after > now:
        seconds = math.ceil((item.send_after - now).total_seconds())
        local = item.send_after.astimezone()
        when = f"in {seconds} s ({local:%H:%M:%S})" if seconds < 120 else f"at {local:%H:%M}"
    tried = f"tried {item.send_attempts}×, " if item.send_attempts else ""
    since = item.retrying_since.astimezone() if item.retrying_since else None
    waiting = f"waiting since {since:%H:%M}, " if since else ""
    lines.append(
        Text(f"Next try {when} ({tried}{waiting}g sends it now, u takes it back)", "yellow")
    )
    return lines


def _in_doubt(item: Item) -> list[Text]:
    """A reply caught between the server and its answer: what is known, and the two keys."""
    return [
        Text.assemble(("In doubt: ", "bold red"), literal(item.error)),
        Text(
            "m: it went out, mark it sent (no mail is sent) · g: send it again "
            "(the same message, same Message-ID)",
            "bold",
        ),
    ]


_EFFECTS = {
    "update": "adds this to the conversation's ticket",
    "raise": "adds this to the ticket and raises its priority (the tenant is still waiting)",
    "resolve": "marks the ticket resolved",
    "reopen": "reopens the ticket (the problem is back)",
    "new": "opens a second ticket in this conversation",
}


def _conversation(view: DetailView) -> list[RenderableType]:
    """Earlier messages, folded to a line each, and how this one relates to them."""
    item, proposal = view.item, view.item.proposal
    parts: list[RenderableType] = []
    if proposal is not None and proposal.related is not None:
        parts.append(
            Text(
                f"Possibly the same as #{proposal.related} (same sender, same subject): "
                "l links it, L keeps it apart",
                style="bold yellow",
            )
        )
    if view.earlier:
        number = item.conversation_id or item.id
        total = len(view.earlier) + 1
        lines = [
            _heading(f"Conversation #{number} · message {total} of {total} · t shows it whole")
        ]
        for other in view.earlier:
            lines.append(_folded(other))
        parts += [Group(*lines)]
    if parts:
        parts.append("")
    return parts


def _folded(item: Item) -> Text:
    when = item.received_at.astimezone().strftime("%d %b %H:%M")
    proposal = item.proposal
    who = (proposal.tenant_name if proposal else None) or item.sender
    gist = proposal.summary if proposal else item.subject
    line = Text(f"  ↳ {when}  ", style="dim")
    line.append_text(literal(f"{who}: {gist}", one_line=True))
    line.append(f"  ({STATE_LABELS[item.state]})", style="dim")
    if item.state is State.SENT and proposal is not None and proposal.body:
        first = " ".join(proposal.body.split())[:90]
        line.append_text(literal(f"\n      our reply: {first}…", "dim", one_line=False))
    return line


def _heading(title: str) -> Text:
    return Text(title, style="bold underline")


def _message(view: DetailView) -> Group:
    email = view.email
    if email is None:
        return Group(_heading("Message"), Text("Reading…", style="dim"))
    note = " (converted from HTML)" if email.html_only else ""
    body = literal(unwrap(email.text) if email.text else "(empty message)")
    return Group(_heading(f"Message{note}"), body)


def _ticket(view: DetailView) -> Group:
    proposal = view.item.proposal
    heading = _heading("Ticket")
    effect = _EFFECTS.get(proposal.ticket_effect) if proposal is not None else None
    if proposal is not None and proposal.ticket is None and effect:
        return Group(heading, Text(f"This message {effect}.", style="bold"))
    if proposal is None or proposal.ticket is None:
        return Group(heading, Text("No ticket.", style="dim"))
    ticket = proposal.ticket
    filed = f" · filed as {view.item.ticket_id}" if view.item.ticket_id else " · not filed yet"
    return Group(
        heading,
        Text.assemble(
            (f"[{ticket.priority.value}] ", "bold"), literal(ticket.title, one_line=True), filed
        ),
        literal(ticket.description),
    )


def _recipients(view: DetailView) -> Group:
    proposal = view.item.proposal
    if proposal is None or not proposal.to:
        return Group(Text("No reply will be sent.", style="dim"))
    return Group(
        Text.assemble(("To: ", "bold"), literal(", ".join(proposal.to), one_line=True)),
        Text.assemble(("Cc: ", "bold"), literal(", ".join(proposal.cc) or "—", one_line=True)),
        Text.assemble(("Subject: ", "bold"), literal(proposal.subject, one_line=True)),
    )


def _elsewhere(view: DetailView) -> list[RenderableType]:
    """The manager's reply from another mail client, shown above the draft it replaced;
    mail to the sender without threading headers is named, never taken for a reply."""
    parts: list[RenderableType] = []
    message_id = view.item.message_id
    for reply in view.elsewhere:
        when = reply.sent_at.astimezone().strftime("%d %b %H:%M") if reply.sent_at else "?"
        if message_id and message_id in reply.answers:
            heading = f"Answered by the manager from another mail client, {when}"
            parts += [
                Rule(heading, style="cyan"),
                literal(f"From: {reply.sender}", "dim", one_line=True),
                literal(reply.text or "(no text)"),
                "",
            ]
        else:
            parts.append(Text(f"The manager wrote to this sender at {when}.", style="cyan"))
    return parts


def _draft(view: DetailView) -> Group:
    proposal = view.item.proposal
    if proposal is None or not proposal.body:
        return Group(Rule("Draft", style="dim"), Text("No draft.", style="dim"))
    if view.item.state is State.ANSWERED_ELSEWHERE:
        title = "Draft, not sent (o reopens it)"
    else:
        title = "Draft (e edits)"
    return Group(Rule(title, style="dim"), literal(proposal.body))


def _deliveries(view: DetailView) -> list[Text]:
    """Each ticket event sent to a webhook: when, and what the receiver answered."""
    lines = []
    for delivery in view.deliveries:
        host = urlsplit(delivery.endpoint).netloc
        when = (delivery.answered_at or delivery.created_at).astimezone().strftime("%H:%M")
        if delivery.state == "delivered":
            what, style = f"delivered {when} ({delivery.answer})", "dim"
        elif delivery.state == "failed":
            what, style = f"failed {when}: {delivery.answer}", "bold red"
        else:
            tried = (
                f", {delivery.attempts} tries, last: {delivery.answer}" if delivery.attempts else ""
            )
            what, style = f"waiting{tried}", "yellow"
        line = f"Webhook {host}: {delivery.type} {what}"
        lines.append(literal(line, style, one_line=True))
    return lines


def _reply_language(proposal: Proposal) -> ReplyLanguage:
    source = Source(proposal.language_source or Source.MAILBOX.value)
    return ReplyLanguage(proposal.language, source, proposal.written_in)
