"""The detail view: the email as text, the tenant, the ticket, To/Cc and the draft.

It shows what `Operator.details` read from the store; it never parses or
fetches anything itself. The draft is a read-only editor until `e`; then
`ctrl+s` posts `DraftSaved` and `escape` restores the stored text.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TextArea

from console.rows import STATE_LABELS
from console.text import clean, literal, unwrap
from core.models import Action, State
from core.operator import ItemDetails


class DraftSaved(Message):
    def __init__(self, item_id: int, body: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.body = body


class DraftEditor(TextArea):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save draft", show=True),
        Binding("escape", "cancel", "Cancel edit", show=True),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(read_only=True, soft_wrap=True, **kwargs)  # type: ignore[arg-type]
        self.item_id: int | None = None
        self.stored = ""

    def show_draft(self, item_id: int | None, body: str) -> None:
        self.item_id, self.stored = item_id, body
        self.read_only = True
        self.load_text(clean(body))

    def start_editing(self) -> None:
        self.read_only = False
        self.focus()

    @property
    def editing(self) -> bool:
        return not self.read_only

    def action_save(self) -> None:
        if self.editing and self.item_id is not None:
            self.read_only = True
            self.post_message(DraftSaved(self.item_id, self.text))

    def action_cancel(self) -> None:
        if self.editing:
            self.show_draft(self.item_id, self.stored)


class DetailPane(VerticalScroll):
    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="summary")
        yield Static(id="message", classes="section")
        yield Static(id="ticket", classes="section")
        yield Static(id="recipients", classes="section")
        yield DraftEditor(id="draft")

    @property
    def editor(self) -> DraftEditor:
        return self.query_one(DraftEditor)

    def show_nothing(self) -> None:
        self.query_one("#summary", Static).update(Text("No message selected.", style="dim"))
        for section in ("#message", "#ticket", "#recipients"):
            self.query_one(section, Static).update("")
        self.editor.show_draft(None, "")

    def show(self, details: ItemDetails, now: datetime) -> None:
        if self.editor.editing and self.editor.item_id == details.item.id:
            return  # never overwrite what the operator is typing
        self.query_one("#summary", Static).update(_summary(details, now))
        self.query_one("#message", Static).update(_message(details))
        self.query_one("#ticket", Static).update(_ticket(details))
        self.query_one("#recipients", Static).update(_recipients(details))
        proposal = details.item.proposal
        self.editor.show_draft(details.item.id, proposal.body if proposal else "")


def _summary(details: ItemDetails, now: datetime) -> Group:
    item, email, context = details.item, details.email, details.context
    sender = literal(str(email.sender) if email.sender else "(no sender)", "bold", one_line=True)
    who = Text.assemble("From: ", sender)
    if context.tenant is not None:
        where = context.unit.address if context.unit else context.tenant.unit_id
        who.append_text(literal(f"  · tenant {context.tenant.tenant_id}, {where}", "green"))
    else:
        who.append("  · unknown sender", style="italic yellow")
    subject = Text.assemble("Subject: ", literal(email.subject or "(no subject)", one_line=True))
    arrived = item.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [who, subject, Text(f"Received: {arrived}   State: {STATE_LABELS[item.state]}")]
    proposal = item.proposal
    if proposal is not None:
        alarm = "EMERGENCY · " if proposal.emergency else ""
        lines.append(
            Text(
                f"{alarm}{proposal.intent.value} ({proposal.confidence:.2f}) by "
                f"{proposal.provider}",
                style="bold red" if proposal.emergency else "",
            )
        )
        why = "Not answered: " if proposal.action is Action.SKIP else "Why: "
        lines.append(Text.assemble(why, literal(proposal.reason, one_line=True)))
        for question in proposal.questions:
            lines.append(Text.assemble("Question: ", literal(question, one_line=True)))
    if item.error:
        lines.append(Text.assemble(("Error: ", "bold red"), literal(item.error, one_line=True)))
    if item.state is State.APPROVED and item.send_after is not None:
        seconds = max(0, int((item.send_after - now).total_seconds()))
        lines.append(Text(f"Sending in {seconds}s — press u to take it back", "bold yellow"))
    if email.attachments:
        names = ", ".join(f"{a.filename or a.content_type} ({a.size} B)" for a in email.attachments)
        lines.append(Text.assemble("Attachments (not read): ", literal(names, one_line=True)))
    return Group(*lines)


def _message(details: ItemDetails) -> Group:
    email = details.email
    note = " (converted from HTML)" if email.html_only else ""
    body = literal(unwrap(email.text) if email.text else "(empty message)")
    return Group(Text(f"Message{note}", style="bold underline"), body)


def _ticket(details: ItemDetails) -> Group:
    proposal = details.item.proposal
    heading = Text("Ticket", style="bold underline")
    if proposal is None or proposal.ticket is None:
        return Group(heading, Text("No ticket.", style="dim"))
    ticket = proposal.ticket
    filed = (
        f" · filed as {details.item.ticket_id}" if details.item.ticket_id else " · not filed yet"
    )
    return Group(
        heading,
        Text.assemble(
            (f"[{ticket.priority.value}] ", "bold"), literal(ticket.title, one_line=True), filed
        ),
        literal(ticket.description),
    )


def _recipients(details: ItemDetails) -> Group:
    proposal = details.item.proposal
    if proposal is None or not proposal.to:
        return Group(Text("No reply will be sent.", style="dim"))
    return Group(
        Text.assemble(("To: ", "bold"), literal(", ".join(proposal.to), one_line=True)),
        Text.assemble(("Cc: ", "bold"), literal(", ".join(proposal.cc) or "—", one_line=True)),
        Text.assemble(("Subject: ", "bold"), literal(proposal.subject, one_line=True)),
    )
