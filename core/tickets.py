"""Work orders: built by a pure function, filed by a small sink.

A ticket's id is derived from the message it came from, so retries, restarts
and re-approval after a reclassification all land on the same file: one email
gives at most one ticket. `FileTicketSink` writes `OUTPUT_DIR/tickets/<id>.json`
atomically (temporary file, fsync, rename); another sink (a webhook, a ticketing
system) is one new class with the same `file` method.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.errors import TicketError
from core.models import Proposal, Ticket


class TicketSink(Protocol):
    async def file(self, ticket: Ticket) -> None: ...


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


class FileTicketSink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def file(self, ticket: Ticket) -> None:
        try:
            await asyncio.to_thread(self._write, ticket)
        except OSError as exc:
            raise TicketError(
                f"cannot write ticket {ticket.id}: {exc.strerror}", retryable=True
            ) from None

    def _write(self, ticket: Ticket) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{ticket.id}.json"
        existing = _read_created_at(path)
        if existing is not None:  # re-filed after a change: keep when it was opened
            ticket = ticket.model_copy(update={"created_at": existing})
        write_atomically(path, ticket.model_dump_json(indent=2).encode("utf-8") + b"\n")


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
