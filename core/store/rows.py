"""Rows of the store's tables and the objects they hold, for every engine.

The columns each query reads, and the conversions between a row and an `Item`
or a `Page` (timestamps are ISO 8601 text, proposals JSON text: the same in
SQLite and PostgreSQL). The tables themselves are in `migrations/`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.errors import StoreError
from core.models import (
    Channel,
    Item,
    MessageKey,
    OutsideReply,
    Page,
    PageState,
    Proposal,
    State,
)

ITEM_COLUMNS = (
    "id, mailbox, uidvalidity, uid, message_id, state, received_at, sender, subject, proposal, "
    "error, attempts, reply_message_id, ticket_id, approved_by, send_after, flags_synced, "
    "conversation_id, version, created_at, updated_at, send_attempts, retrying_since, inbox"
)


# Fields the pipeline and the operator may change; the rest are set once, on arrival.
MUTABLE_FIELDS = frozenset(
    {
        "proposal",
        "error",
        "attempts",
        "reply_message_id",
        "ticket_id",
        "approved_by",
        "reply_raw",
        "send_after",
        "conversation_id",
        "send_attempts",
        "retrying_since",
    }
)


def item_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Column values for an UPDATE, from the keyword fields given to the store."""
    unknown = set(fields) - MUTABLE_FIELDS
    if unknown:
        raise StoreError(f"cannot set {', '.join(sorted(unknown))} on an item")
    values = dict(fields)
    for name in ("send_after", "retrying_since"):
        if name in values:
            when = values[name]
            values[name] = when.isoformat() if when is not None else ""
    if "proposal" in values:
        proposal = values["proposal"]
        values["proposal"] = proposal.model_dump_json() if proposal is not None else None
    return values


def row_to_item(row: tuple[Any, ...]) -> Item:
    (
        item_id,
        mailbox,
        uidvalidity,
        uid,
        message_id,
        state,
        received_at,
        sender,
        subject,
        proposal,
        error,
        attempts,
        reply_message_id,
        ticket_id,
        approved_by,
        send_after,
        flags_synced,
        conversation_id,
        version,
        created,
        updated,
        send_attempts,
        retrying_since,
        inbox,
    ) = row
    return Item(
        id=item_id,
        key=MessageKey(mailbox, uidvalidity, uid, inbox),
        message_id=message_id,
        state=State(state),
        received_at=datetime.fromisoformat(received_at),
        sender=sender,
        subject=subject,
        proposal=Proposal.model_validate_json(proposal) if proposal else None,
        error=error,
        attempts=attempts,
        reply_message_id=reply_message_id,
        ticket_id=ticket_id,
        approved_by=approved_by,
        send_after=datetime.fromisoformat(send_after) if send_after else None,
        flags_synced=bool(flags_synced),
        conversation_id=conversation_id,
        version=version,
        created_at=datetime.fromisoformat(created),
        updated_at=datetime.fromisoformat(updated),
        send_attempts=send_attempts,
        retrying_since=datetime.fromisoformat(retrying_since) if retrying_since else None,
    )


PAGE_COLUMNS = (
    "id, conversation_id, item_id, number, channel, recipients, at, state, actor, error, "
    "attempts, next_try, message_id"
)


def row_to_page(row: tuple[Any, ...]) -> Page:
    (id_, conversation, item_id, number, channel, recipients, at, state, actor, error,
     attempts, next_try, message_id) = row  # fmt: skip
    return Page(
        id=int(id_),
        conversation_id=int(conversation),
        item_id=int(item_id),
        number=int(number),
        channel=Channel(channel),
        recipients=tuple(json.loads(recipients)),
        at=datetime.fromisoformat(at),
        state=PageState(state),
        actor=str(actor),
        error=str(error),
        attempts=int(attempts),
        next_try=datetime.fromisoformat(next_try) if next_try else None,
        message_id=str(message_id),
    )


OUTSIDE_COLUMNS = "message_id, in_reply_to, refs, sent_at, sender, recipients, subject, text"


def row_to_outside(row: tuple[Any, ...]) -> OutsideReply:
    message_id, in_reply_to, refs, sent_at, sender, recipients, subject, text = row[:8]
    return OutsideReply(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=tuple(json.loads(refs)),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        sender=sender,
        to=tuple(json.loads(recipients)),
        subject=subject,
        text=text,
    )
