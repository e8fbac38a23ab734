"""The store's tables and the mapping between rows and `Item`s.

Kept apart from `core.store` so the transaction logic reads on its own. The
audit table refuses UPDATE and DELETE at the database level: the log of who
did what can only grow.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from core.errors import StoreError
from core.models import (
    Channel,
    Item,
    MessageKey,
    Page,
    PageState,
    Proposal,
    State,
    address_of,
)

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    raw BLOB NOT NULL,
    proposal TEXT,
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    reply_message_id TEXT NOT NULL DEFAULT '',
    ticket_id TEXT NOT NULL DEFAULT '',
    approved_by TEXT NOT NULL DEFAULT '',
    send_after TEXT NOT NULL DEFAULT '',
    reply_raw BLOB,
    flags_synced INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    conversation_id INTEGER,
    send_attempts INTEGER NOT NULL DEFAULT 0,
    retrying_since TEXT NOT NULL DEFAULT '',
    sender_addr TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS items_state ON items (state);
CREATE INDEX IF NOT EXISTS items_dedup ON items (dedup_key);
CREATE INDEX IF NOT EXISTS items_message_id ON items (message_id);
CREATE INDEX IF NOT EXISTS items_reply_message_id ON items (reply_message_id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_item ON audit (item_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS settings_log_no_update BEFORE UPDATE ON settings_log
    BEGIN SELECT RAISE(ABORT, 'the settings log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS settings_log_no_delete BEFORE DELETE ON settings_log
    BEGIN SELECT RAISE(ABORT, 'the settings log is append-only'); END;
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items (id),
    number INTEGER NOT NULL,
    channel TEXT NOT NULL,
    recipients TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    actor TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 1,
    next_try TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    UNIQUE (conversation_id, number, channel)
);
CREATE INDEX IF NOT EXISTS pages_state ON pages (state);
CREATE TABLE IF NOT EXISTS outside_replies (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    noticed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outside_replies_in_reply_to ON outside_replies (in_reply_to);
CREATE TABLE IF NOT EXISTS outside_answers (
    outside_id INTEGER NOT NULL REFERENCES outside_replies (id),
    message_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outside_answers_message ON outside_answers (message_id);
CREATE TABLE IF NOT EXISTS cursors (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    message_id TEXT NOT NULL,
    intent TEXT NOT NULL,
    emergency INTEGER,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

ITEM_COLUMNS = (
    "id, mailbox, uidvalidity, uid, message_id, state, received_at, sender, subject, proposal, "
    "error, attempts, reply_message_id, ticket_id, approved_by, send_after, flags_synced, "
    "conversation_id, version, created_at, updated_at, send_attempts, retrying_since"
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
    ) = row
    return Item(
        id=item_id,
        key=MessageKey(mailbox, uidvalidity, uid),
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


# Columns added after the first release of the schema: (name, definition).
_ADDED_COLUMNS = (
    ("send_after", "TEXT NOT NULL DEFAULT ''"),
    ("version", "INTEGER NOT NULL DEFAULT 1"),
    ("conversation_id", "INTEGER"),
    ("send_attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("retrying_since", "TEXT NOT NULL DEFAULT ''"),
    ("sender_addr", "TEXT NOT NULL DEFAULT ''"),
)


def migrate(db: sqlite3.Connection) -> None:
    """Bring a store written by an earlier version up to this schema."""
    present = {row[1] for row in db.execute("PRAGMA table_info(items)")}
    for name, definition in _ADDED_COLUMNS:
        if name not in present:
            db.execute(f"ALTER TABLE items ADD COLUMN {name} {definition}")
    if "sender_addr" not in present:  # the address of each stored sender, for its index
        rows = db.execute("SELECT id, sender FROM items").fetchall()
        db.execute("BEGIN")  # one durable write, not one per row
        db.executemany(
            "UPDATE items SET sender_addr = ? WHERE id = ?",
            [(address_of(sender), item_id) for item_id, sender in rows],
        )
        db.execute("COMMIT")
    db.execute("CREATE INDEX IF NOT EXISTS items_conversation ON items (conversation_id)")
    db.execute("CREATE INDEX IF NOT EXISTS items_sender_addr ON items (sender_addr, id)")
    if "emergency" not in {row[1] for row in db.execute("PRAGMA table_info(labels)")}:
        db.execute("ALTER TABLE labels ADD COLUMN emergency INTEGER")


PAGE_COLUMNS = (
    "id, conversation_id, item_id, number, channel, recipients, at, state, actor, error, "
    "attempts, next_try, message_id"
)


def row_to_page(row: sqlite3.Row | tuple[Any, ...]) -> Page:
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
