"""Work orders: built by pure functions, filed by a small sink.

A ticket's id is derived from the message that opened it, so retries, restarts
and re-approval after a reclassification all land on the same file. One
conversation has one ticket per problem: follow-ups update it (new facts, a
chaser raising the priority, "fixed" resolving it, "still broken" reopening
it) and a new problem raised in the thread opens a second one, linked to the
conversation. The ticket is rebuilt from the conversation's messages in the
store each time it is filed, so a crash or a retry can never add an update twice.

`FileTicketSink` writes `OUTPUT_DIR/tickets/<id>.json` atomically (temporary
file, fsync, rename); `core.service.webhooks.OutboxTicketSink` turns each change into a
webhook event; another sink (a ticketing system) is one new class with the same
`file` method, composed with `TicketSinks`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.errors import TicketError
from core.models import FollowUp, Priority, Proposal, Ticket, TicketUpdate

# What a message does to its conversation's ticket.
OPENS = frozenset({"open", "new"})
UPDATES = frozenset({"update", "raise", "resolve", "reopen"})
_RAISED = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
    Priority.URGENT: Priority.URGENT,
}


class TicketSink(Protocol):
    async def file(self, ticket: Ticket) -> Ticket | None:
        """File the ticket; the ticket as filed (None: as given)."""
        ...


class TicketSinks:
    """Several sinks, in order: the file first, then (say) the webhook outbox, each
    given the ticket as the one before filed it."""

    def __init__(self, *sinks: TicketSink) -> None:
        self.sinks = sinks

    async def file(self, ticket: Ticket) -> Ticket:
        for sink in self.sinks:
            ticket = await sink.file(ticket) or ticket
        return ticket


def ticket_id_for(dedup_key: str) -> str:
    return "TKT-" + hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:12].upper()


def build_ticket(
    proposal: Proposal,
    *,
    ticket_id: str,
    source_message_id: str,
    stakeholders: list[str],
    now: datetime,
) -> Ticket | None:
    if proposal.ticket is None:
        return None
    return Ticket(
        id=ticket_id,
        created_at=now,
        intent=proposal.intent,
        priority=proposal.ticket.priority,
        emergency=proposal.emergency,
        tenant_id=proposal.tenant_id,
        unit_id=proposal.unit_id,
        summary=proposal.ticket.title,
        description=proposal.ticket.description,
        source_message_id=source_message_id,
        stakeholders=stakeholders,
    )


def ticket_effect(followup: FollowUp, opens_ticket: bool, ticket_status: str | None) -> str:
    """What a message does to the ticket: open, new, update, raise, resolve, reopen, or ""."""
    if followup is FollowUp.FIRST:
        return "open" if opens_ticket else ""
    if followup is FollowUp.NEW_REQUEST:
        return "new" if opens_ticket else ""
    if ticket_status is None:  # the conversation has no ticket: nothing to update
        return ""
    if followup is FollowUp.CHASER:
        return "reopen" if ticket_status == "resolved" else "raise"
    if followup is FollowUp.RESOLVED:
        return "resolve" if ticket_status != "resolved" else ""
    if followup is FollowUp.UPDATE:
        return "reopen" if ticket_status == "resolved" else "update"
    return ""


@dataclass(frozen=True)
class TicketEntry:
    """One message of a conversation, as the ticket sees it."""

    item_id: int
    message_id: str
    at: datetime
    proposal: Proposal
    applied: bool  # its reply was approved, or it was handled without one: its effect counts
    answered_elsewhere: bool = False  # the manager answered it from another mail client


def ticket_opener(entries: list[TicketEntry], item_id: int) -> int | None:
    """The message that opened the ticket this one's effect lands on (the latest opened)."""
    opener = None
    for entry in entries:
        effect = entry.proposal.ticket_effect
        if effect in OPENS:
            opener = entry.item_id
        if entry.item_id == item_id:
            return opener if effect in OPENS | UPDATES else None
    return None


def build_conversation_ticket(
    entries: list[TicketEntry],
    opener_id: int,
    *,
    ticket_id: str,
    conversation_id: int | None,
    stakeholders: list[str],
    now: datetime,
) -> Ticket | None:
    """The ticket opened by `opener_id`, with every applied follow-up that lands on it."""
    opener = next((e for e in entries if e.item_id == opener_id), None)
    if opener is None or opener.proposal.ticket is None:
        return None
    mine = [e for e in entries if ticket_opener(entries, e.item_id) == opener_id]
    applied = [e for e in mine if e.item_id == opener_id or e.applied]
    ticket = opener.proposal.ticket
    priority, status = ticket.priority, "open"
    updates = []
    for entry in applied:
        effect = entry.proposal.ticket_effect
        if entry.answered_elsewhere:
            note = f"{entry.proposal.summary} (answered by the manager from another mail client)"
            updates.append(TicketUpdate(at=entry.at, message_id=entry.message_id, summary=note))
        if entry.item_id == opener_id or effect not in UPDATES:
            continue
        if effect == "raise":
            priority = _RAISED[priority]
        status = "resolved" if effect == "resolve" else "open"
        if not entry.answered_elsewhere:
            summary = entry.proposal.summary
            updates.append(TicketUpdate(at=entry.at, message_id=entry.message_id, summary=summary))
    emergency = any(e.proposal.emergency for e in applied)
    return Ticket(
        id=ticket_id,
        created_at=now,
        intent=opener.proposal.intent,
        priority=Priority.URGENT if emergency else priority,
        emergency=emergency,
        tenant_id=opener.proposal.tenant_id,
        unit_id=opener.proposal.unit_id,
        summary=ticket.title,
        description=ticket.description,
        source_message_id=opener.message_id,
        stakeholders=stakeholders,
        status=status,
        conversation_id=conversation_id,
        message_ids=[e.message_id for e in applied if e.message_id],
        updates=updates,
    )


def ticket_status(entries: list[TicketEntry]) -> tuple[int, str] | None:
    """The conversation's current ticket (its opener) and its status, from applied messages."""
    openers = [e for e in entries if e.proposal.ticket_effect in OPENS]
    if not openers:
        return None
    opener = openers[-1]
    status = "open"
    for entry in entries:
        if ticket_opener(entries, entry.item_id) != opener.item_id or not entry.applied:
            continue
        effect = entry.proposal.ticket_effect
        if effect in UPDATES:
            status = "resolved" if effect == "resolve" else "open"
    return opener.item_id, status


class FileTicketSink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def file(self, ticket: Ticket) -> Ticket:
        try:
            return await asyncio.to_thread(self._write, ticket)
        except OSError as exc:
            raise TicketError(
                f"cannot write ticket {ticket.id}: {exc.strerror}", retryable=True
            ) from None

    async def read(self, ticket_id: str) -> Ticket | None:
        """The ticket as filed; None when there is no such file (or it cannot be read)."""
        path = self.folder / f"{ticket_id}.json"
        try:
            data = await asyncio.to_thread(path.read_bytes)
            return Ticket.model_validate_json(data)
        except (OSError, ValueError):
            return None

    def _write(self, ticket: Ticket) -> Ticket:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{ticket.id}.json"
        existing = _read_created_at(path)
        if existing is not None:  # re-filed after a change: keep when it was opened
            ticket = ticket.model_copy(update={"created_at": existing})
        write_atomically(path, ticket.model_dump_json(indent=2).encode("utf-8") + b"\n")
        return ticket


def _read_created_at(path: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(path.read_bytes())["created_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one, even after a crash."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
