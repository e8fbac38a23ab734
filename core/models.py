"""The vocabulary of the core: intents, states, parsed mail, proposals and tickets.

Plain data only. Models that cross a trust boundary (the model's answer, the
datastore files, the stored proposal) are pydantic models so they are validated
where they enter; everything built by our own code is a frozen dataclass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Intent(str, Enum):
    LOCKED_OUT = "locked_out"
    MAINTENANCE = "maintenance"
    RENT = "rent"
    GENERAL = "general"


class Action(str, Enum):
    """What code (never the model) decided to do with a proposal."""

    REPLY = "reply"
    SKIP = "skip"
    REVIEW = "review"


class FollowUp(str, Enum):
    """What a message is in its conversation (the first one, or a kind of answer)."""

    FIRST = "first"  # a new conversation
    UPDATE = "update"  # new information about the same matter (a photo, a time, "worse now")
    CHASER = "chaser"  # nothing happened: "nobody came", "still waiting"
    RESOLVED = "resolved"  # the tenant confirms the work is done
    CLOSING = "closing"  # thanks, ok: nothing to do
    NEW_REQUEST = "new_request"  # another problem raised inside the same thread


class Grade(str, Enum):
    """How grave an emergency is (see `core.triage.emergency` for what follows from each)."""

    LIFE = "life"  # danger to a person's life or health
    PROPERTY = "property"  # damage to the building that cannot wait


class Priority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class State(str, Enum):
    NEW = "new"
    TRIAGED = "triaged"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    DISMISSED = "dismissed"
    FAILED = "failed"
    # Not sent yet for a reason that passes (the server unreachable, a 4xx answer):
    # the next attempt is at `send_after`, until the retry deadline.
    RETRYING = "retrying"
    # Interrupted between handing the reply to the server and its answer: it may
    # have gone out. A person decides (mark it sent, or send it again).
    IN_DOUBT = "in_doubt"
    # The manager answered it from another mail client: the draft was not sent (and is
    # kept; reopening it brings it back to review).
    ANSWERED_ELSEWHERE = "answered_elsewhere"


RESTING_STATES = frozenset(
    {
        State.AWAITING_REVIEW,
        State.SENT,
        State.SKIPPED,
        State.DISMISSED,
        State.FAILED,
        State.IN_DOUBT,
        State.ANSWERED_ELSEWHERE,
    }
)

# States after which the IMAP flags of the message must be brought in line.
FINAL_FLAGS: dict[State, tuple[str, ...]] = {
    State.SENT: ("\\Seen", "\\Answered"),
    State.SKIPPED: ("\\Seen",),
    State.DISMISSED: ("\\Seen",),
    State.ANSWERED_ELSEWHERE: ("\\Seen",),
}


# --- parsed mail -------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    name: str
    addr: str

    def __str__(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedEmail:
    """What the pipeline needs from one message; built by `core.mail.parsing`."""

    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    sender: Address | None = None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    date: datetime | None = None
    subject: str = ""
    text: str = ""
    html_only: bool = False
    attachments: tuple[Attachment, ...] = ()
    # Automation and list headers (Auto-Submitted, Precedence, List-*, Return-Path, ...),
    # keyed by lower-case header name.
    automation: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"
    defects: tuple[str, ...] = ()

    @property
    def sender_addr(self) -> str:
        return self.sender.addr.lower() if self.sender else ""


# --- datastore ---------------------------------------------------------------


class Tenant(BaseModel):
    model_config = ConfigDict(extra="allow")

    tenant_id: str
    name: str
    email: str
    unit_id: str
    balance_due: float = 0.0
    lease_terms: str | dict[str, Any] = ""
    phone: str | None = None
    alt_emails: list[str] = Field(default_factory=list)
    # The language the tenant prefers to be written to (ISO 639-1), when known.
    language: str | None = None

    @cached_property
    def addresses(self) -> tuple[str, ...]:
        """Every address of the tenant, lower case (read once: a portfolio has thousands)."""
        return tuple(a.lower() for a in (self.email, *self.alt_emails))


class Unit(BaseModel):
    model_config = ConfigDict(extra="allow")

    unit_id: str
    address: str
    property: str | None = None


@dataclass(frozen=True)
class TenantContext:
    """Everything the triage may know: the sender's own record, never another's."""

    sender: str
    tenant: Tenant | None = None
    unit: Unit | None = None

    @property
    def known(self) -> bool:
        return self.tenant is not None


# --- triage ------------------------------------------------------------------


class TicketDraft(BaseModel):
    title: str = Field(description="Short work-order title, e.g. 'Kitchen sink leaking'.")
    description: str = Field(description="What must be done, with the facts from the email.")
    priority: Priority


MAX_QUESTIONS = 5


class Draft(BaseModel):
    """The structured answer the model must return for one email."""

    intent: Intent
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the intent is, 0 to 1.")
    emergency: bool = Field(description="Danger to people or property that cannot wait.")
    summary: str = Field(description="One sentence for the property manager.")
    reply: str = Field(description="The reply to the tenant, plain text, signed by management.")
    ticket: TicketDraft | None = Field(
        description="A work order when work must be done, else null."
    )
    # Bounded: a server that constrains output to the schema then stops a small model
    # that would otherwise repeat one question until the token limit.
    questions: list[str] = Field(
        max_length=MAX_QUESTIONS,
        description="Facts the manager must supply before replying; empty when none.",
    )
    danger: str | None = Field(
        default=None,
        description="The concrete danger to people or property you saw, in a few words "
        "(e.g. 'smell of gas in the kitchen'); null when there is none.",
    )
    followup: FollowUp | None = Field(
        default=None,
        description="For a message in an ongoing conversation, what it is: update (new "
        "information), chaser (nothing happened yet), resolved (the tenant confirms it is "
        "done), closing (thanks, nothing to do) or new_request (a different problem); "
        "first for a new matter.",
    )


# The reason given when the safety net is unsure: a person looks, nobody is paged.
POSSIBLE_DANGER = "possible danger, a person should look"


class Proposal(BaseModel):
    """A draft with everything code decided around it: action, recipients, subject."""

    provider: str
    intent: Intent
    confidence: float
    emergency: bool
    summary: str
    action: Action
    reason: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    ticket: TicketDraft | None = None
    questions: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    tenant_id: str | None = None
    tenant_name: str | None = None
    unit_id: str | None = None
    # The danger seen, and by whom: the model's words, or what the safety net matched.
    danger: str = ""
    # How grave the emergency is; None when it is not one.
    grade: Grade | None = None
    followup: FollowUp = FollowUp.FIRST
    # What it does to the conversation's ticket: open, new (a second problem),
    # update, raise (a chaser), resolve, reopen; "" for nothing.
    ticket_effect: str = ""
    # Earlier messages of the conversation the draft was written with.
    history: int = 0
    # A conversation this one may belong to (same sender, similar subject): the
    # operator links it with one key; a subject alone never joins two.
    related: int | None = None
    # The operator checked and said it is not an emergency: redrafts stay routine.
    alarm_cleared: bool = False
    # Why the model wrote no draft (its failure, in the server's words), when it did not.
    model_error: str = ""
    # The language the reply is written in (ISO 639-1; "" before languages were told
    # apart), why (`core.triage.language.Source`), and the tenant's own when it has no templates.
    language: str = ""
    language_source: str = ""
    written_in: str = ""

    @property
    def alarmed(self) -> bool:
        """An emergency, or danger the safety net was unsure of: the operator may clear it."""
        return self.emergency or self.reason.startswith(POSSIBLE_DANGER)


class TicketUpdate(BaseModel):
    at: datetime
    message_id: str
    summary: str


class Ticket(BaseModel):
    """A work order as written to OUTPUT_DIR/tickets/<id>.json."""

    id: str
    created_at: datetime
    intent: Intent
    priority: Priority
    emergency: bool
    tenant_id: str | None
    unit_id: str | None
    summary: str
    description: str
    source_message_id: str
    stakeholders: list[str]
    status: str = "open"
    conversation_id: int | None = None
    message_ids: list[str] = Field(default_factory=list)
    updates: list[TicketUpdate] = Field(default_factory=list)


@dataclass(frozen=True)
class OutboxEvent:
    """A ticket event to deliver to one webhook endpoint (`core.service.webhooks`)."""

    endpoint: str
    event_id: str  # the same on every attempt: a receiver drops repeats by it
    ticket_id: str
    type: str  # ticket.created, ticket.updated, ticket.closed, emergency.paged
    fingerprint: str  # the ticket's content, to tell whether it changed since
    body: str  # the JSON payload, as signed and sent


@dataclass(frozen=True)
class Delivery:
    """An event in the webhook outbox, and what became of it."""

    id: int
    endpoint: str
    event_id: str
    ticket_id: str
    type: str
    body: str
    created_at: datetime
    next_at: datetime
    attempts: int
    state: str  # pending, delivered, failed
    answer: str  # the receiver's last answer ("200", "503 Service Unavailable", ...)
    answered_at: datetime | None


@dataclass(frozen=True)
class OutsideReply:
    """A reply the manager sent from another mail client, found in the Sent folder."""

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    sent_at: datetime | None
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str  # the manager's own words, quotes removed

    @property
    def answers(self) -> tuple[str, ...]:
        """The Message-IDs it answers: what it replies to, then the rest of its thread."""
        named = [self.in_reply_to, *reversed(self.references)]
        return tuple(dict.fromkeys(m for m in named if m))


# --- the store's view of one message -----------------------------------------


@dataclass(frozen=True)
class MessageKey:
    mailbox: str
    uidvalidity: int
    uid: int
    inbox: str = ""  # the inbox of the mailboxes file; "" for a setup with one inbox


@dataclass(frozen=True)
class Item:
    id: int
    key: MessageKey
    message_id: str
    state: State
    received_at: datetime
    sender: str
    subject: str
    proposal: Proposal | None
    error: str
    attempts: int
    reply_message_id: str
    ticket_id: str
    approved_by: str
    # When an approved reply may go out (the operator's undo window), or when a
    # retrying one is tried next; None: at once.
    send_after: datetime | None
    flags_synced: bool
    # The conversation this message belongs to: the id of its first item.
    conversation_id: int | None
    # Goes up by one with every change: an operator's command names the version it
    # was shown, and the store refuses it when the item has changed since.
    version: int
    created_at: datetime
    updated_at: datetime
    # Attempts at sending this reply since it was approved, and since when a reason
    # that passes has kept it from going (the retry deadline counts from then).
    send_attempts: int = 0
    retrying_since: datetime | None = None

    @property
    def sender_addr(self) -> str:
        return address_of(self.sender)


def address_of(sender: str) -> str:
    """The address in a stored `sender` (`Name <addr>`; the name may hold anything)."""
    found = _ANGLE_ADDRESS.search(sender)
    return (found.group(1) if found else sender).strip().lower()


_ANGLE_ADDRESS = re.compile(r"<([^<>]*)>\s*$")


# --- escalation ----------------------------------------------------------------


class Channel(str, Enum):
    """Where an emergency is told: the on-call people by email, the webhook, the tenant."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    TENANT = "tenant"  # the holding reply, once per conversation


class PageState(str, Enum):
    SENDING = "sending"  # recorded before it goes out: after a crash it counts as sent
    SENT = "sent"
    FAILED = "failed"  # retried at `next_try`


@dataclass(frozen=True)
class Page:
    """One page of an emergency conversation on one channel, as the store keeps it."""

    id: int
    conversation_id: int
    item_id: int
    number: int  # 1, 2, … (0 for the holding reply)
    channel: Channel
    recipients: tuple[str, ...]
    at: datetime
    state: PageState
    actor: str
    error: str = ""
    attempts: int = 1
    next_try: datetime | None = None
    message_id: str = ""  # of the holding reply: the tenant's answer to it threads here


@dataclass(frozen=True)
class ServiceInfo:
    """A service process as it last told the store."""

    id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    stopped: bool
    status: dict[str, Any]

    def alive(self, now: datetime, lease: float) -> bool:
        return not self.stopped and (now - self.heartbeat_at).total_seconds() <= lease


@dataclass(frozen=True)
class Presence:
    """An operator at a console: the item open in their detail pane, and when they last
    pressed a key (`active_at`) and their console last said it is open (`seen_at`)."""

    operator: str
    item_id: int | None
    active_at: datetime
    seen_at: datetime
