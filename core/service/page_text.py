"""What a page and a holding reply say: pure functions of the item, the email and the datastore.

A page tells the on-call people what was flagged, whose home it is and the
tenant's own words; a holding reply tells the tenant it was received, who was
alerted and the numbers to call for the danger flagged. Both are built here by
code from the datastore and the email's own words, never drafted by a model;
`core.service.escalation` decides when they go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from core.contacts import Contacts
from core.mail.outbox import new_message_id
from core.mail.parsing import own_words
from core.models import Grade, Item, ParsedEmail, TenantContext
from core.phrasebook import phrases_for
from core.service.conversations import conversation_of
from core.triage.emergency import GRADE_WORDS, first_steps, kinds_named
from core.triage.safety_net import screen

MAX_TEXT = 1500  # characters of the tenant's own words in a page


def danger_kinds(item: Item, email: ParsedEmail | None) -> list[str]:
    """The kinds of danger flagged: what the safety net read, and what the draft names."""
    found: list[str] = []
    if email is not None:
        found = [f.kind for f in screen(email.subject, own_words(email.text)).findings]
    proposal = item.proposal
    if proposal is not None:
        found += kinds_named(f"{proposal.danger} {proposal.reason}")
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class PageView:
    """What one page says: everything a person on call needs to act."""

    item: Item
    email: ParsedEmail | None
    context: TenantContext
    number: int
    of: int
    minutes: float
    recipients: tuple[str, ...]

    @property
    def danger(self) -> str:
        proposal = self.item.proposal
        return (proposal.danger or proposal.reason) if proposal else "emergency"

    def words(self) -> str:
        text = own_words(self.email.text) if self.email else ""
        text = " ".join(text.split())
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT].rstrip() + " […]"

    def payload(self) -> dict[str, Any]:
        """The page as JSON, for a webhook (an SMS gateway, a chat channel, a pager)."""
        tenant, unit = self.context.tenant, self.context.unit
        return {
            "type": "emergency_page",
            "item": self.item.id,
            "conversation": conversation_of(self.item),
            "page": self.number,
            "of": self.of,
            "danger": self.danger,
            "grade": self.item.proposal.grade.value
            if self.item.proposal and self.item.proposal.grade
            else "life",
            "tenant": {
                "name": tenant.name if tenant else None,
                "id": tenant.tenant_id if tenant else None,
                "phone": tenant.phone if tenant else None,
                "unit": tenant.unit_id if tenant else None,
                "address": unit.address if unit else None,
            },
            "from": self.item.sender,
            "subject": self.item.subject,
            "received_at": self.item.received_at.isoformat(),
            "text": self.words(),
            "ticket": self.item.ticket_id or None,
            "act": f"item #{self.item.id} in the console (python -m console; ! goes to it)",
        }

    @property
    def grade(self) -> str:
        """What kind of emergency, in the words the on-call people act on."""
        proposal = self.item.proposal
        return GRADE_WORDS[(proposal.grade if proposal else None) or Grade.LIFE]

    def subject(self) -> str:
        tenant, unit = self.context.tenant, self.context.unit
        who = tenant.name if tenant else self.item.sender
        where = f", {unit.address}" if unit else ""
        head = f"EMERGENCY #{self.item.id} ({self.grade})"
        return f"{head}: {self.danger[:80]} — {who}{where}"[:200]

    def body(self) -> str:
        tenant, unit = self.context.tenant, self.context.unit
        if tenant is not None:
            who = f"{tenant.name} ({tenant.tenant_id}), phone {tenant.phone or 'not on file'}"
            where = unit.address if unit else tenant.unit_id
        else:
            who, where = f"unknown sender {self.item.sender}", "not on file"
        received = self.item.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
        repeat = (
            f"This page repeats every {self.minutes:g} minutes until someone acts on the item "
            f"(at most {self.of} pages)."
            if self.number < self.of
            else "This is the last automatic page."
        )
        lines = [
            f"An emergency email waits for a person (page {self.number} of {self.of}).",
            "",
            f"Danger:   {self.danger} ({self.grade})",
            f"Tenant:   {who}",
            f"Where:    {where}",
            f"From:     {self.item.sender}, received {received}",
            f"Subject:  {self.item.subject}",
            f"Ticket:   {self.item.ticket_id or 'not filed yet'}",
            "",
            "Their words:",
            self.words() or "(no text)",
            "",
            f"To act: open the console (python -m console) and go to item #{self.item.id} "
            "(! goes to the oldest emergency). Approving, editing or dismissing it stops "
            "the pages.",
            repeat,
        ]
        return "\n".join(lines) + "\n"

    def message(self, mail_from: str, now: datetime) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = mail_from
        msg["To"] = ", ".join(self.recipients)
        msg["Subject"] = self.subject()
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = new_message_id(mail_from)
        msg["Auto-Submitted"] = "auto-generated"  # an on-call autoresponder must not answer
        msg["Importance"] = "high"
        msg["X-Priority"] = "1"
        msg.set_content(self.body(), cte="quoted-printable")
        return msg


def holding_text(
    context: TenantContext,
    kinds: list[str],
    grade: Grade,
    contacts: Contacts,
    language: str = "en",
) -> str:
    """The tenant's first answer when nobody is at the console: vetted, no promises,
    in the phrasebook's words for `language` (ISO 639-1; English for one it lacks).

    Damage to the building gets the emergency maintenance line, never the
    emergency services; a danger to life always gets the emergency number.
    """
    phrases = phrases_for(language)
    name = context.tenant.name.split()[0] if context.tenant else ""
    alerted = (
        phrases.holding_alerted_life if grade is Grade.LIFE else phrases.holding_alerted_property
    )
    lines = [
        phrases.holding_greeting.format(first_name=name) if name else phrases.greeting_unknown,
        "",
        alerted,
        "",
        *first_steps(kinds, grade, contacts, language),
        "",
        phrases.holding_if_changes,
        "",
        phrases.holding_automatic,
    ]
    return "\n".join(lines) + "\n"


# --- when: a pure schedule over the pages already made -----------------------------------
