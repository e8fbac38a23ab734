"""The state store: one SQLite file (WAL), the single source of truth.

One row per message, keyed by (mailbox, UIDVALIDITY, UID). Every state change
is checked against the lifecycle and written in the same transaction as its
row in the append-only audit table, so after a crash the store says exactly
what was done. Every change also raises the item's `version`; a caller that
names the version it saw (`expect_version`) is refused when it is out of date.

Each public method is one whole transaction on the writer's thread; reads run
on their own connections (`core.database`). Pages, labels and settings are in
`core.records`.
Secrets never reach this file: it holds mail, proposals and decisions only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.database import get_item, transaction
from core.elsewhere import Elsewhere
from core.errors import InvalidTransition, StaleItem, StoreError
from core.events import ItemAdded, ItemChanged
from core.models import (
    FINAL_FLAGS,
    Item,
    MessageKey,
    State,
    address_of,
)
from core.records import Records
from core.schema import (
    ALLOWED,
    ITEM_COLUMNS,
    item_values,
    row_to_item,
)


@dataclass(frozen=True)
class AuditEntry:
    item_id: int
    at: datetime
    actor: str
    from_state: State | None
    to_state: State
    detail: dict[str, Any]


@dataclass(frozen=True)
class NewMessage:
    key: MessageKey
    message_id: str
    dedup_key: str
    raw: bytes
    received_at: datetime
    sender: str
    subject: str


class Store(Elsewhere, Records):
    """The single source of truth: items, their lifecycle and audit; (from `Records`)
    pages, labels and settings; (from `Elsewhere`) the manager's replies from another
    mail client."""

    # --- messages ----------------------------------------------------------------

    async def add(self, message: NewMessage) -> Item | None:
        """Record a fetched message in state `new`; None when it is already known."""
        item = await self._run(self._add, message)
        if item is not None:
            self._publish(ItemAdded(item))
        return item

    def _add(self, m: NewMessage) -> Item | None:
        now = self._clock().isoformat()
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO items (mailbox, uidvalidity, uid, message_id, dedup_key, "
                "state, received_at, sender, sender_addr, subject, raw, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?)",
                (
                    m.key.mailbox,
                    m.key.uidvalidity,
                    m.key.uid,
                    m.message_id,
                    m.dedup_key,
                    m.received_at.isoformat(),
                    m.sender,
                    address_of(m.sender),
                    m.subject,
                    m.raw,
                    now,
                    now,
                ),
            )
            if cursor.rowcount == 0:
                return None
            item_id = int(cursor.lastrowid or 0)
            self._audit(item_id, "inbox", None, State.NEW, {"uid": m.key.uid}, now)
        return self._get(item_id)

    async def known_uids(self, mailbox: str, uidvalidity: int) -> set[int]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT uid FROM items WHERE mailbox = ? AND uidvalidity = ?",
                (mailbox, uidvalidity),
            ).fetchall()
        )
        return {row[0] for row in rows}

    async def get(self, item_id: int) -> Item:
        return await self._read(lambda db: get_item(db, item_id))

    async def raw(self, item_id: int) -> bytes:
        """The message exactly as fetched."""
        return await self._blob(item_id, "raw")

    async def reply_raw(self, item_id: int) -> bytes:
        """The reply exactly as sent (empty before sending)."""
        return await self._blob(item_id, "reply_raw")

    async def _blob(self, item_id: int, column: str) -> bytes:
        row = await self._read(
            lambda db: db.execute(f"SELECT {column} FROM items WHERE id = ?", (item_id,)).fetchone()
        )
        if row is None:
            raise StoreError(f"no item #{item_id}")
        return bytes(row[0] or b"")

    async def items(self, states: Iterable[State] | None = None) -> list[Item]:
        """Items, oldest first; all of them, or those in the given states."""
        wanted = [s.value for s in states] if states is not None else None

        def query(db: sqlite3.Connection) -> list[Item]:
            sql = f"SELECT {ITEM_COLUMNS} FROM items"
            if wanted is not None:
                sql += f" WHERE state IN ({','.join('?' * len(wanted))})"
            return [row_to_item(r) for r in db.execute(sql + " ORDER BY id", wanted or ())]

        return await self._read(query)

    async def waiting_emergencies(self) -> list[Item]:
        """Emergencies that wait for a person, oldest first."""
        return await self._read(
            lambda db: [
                row_to_item(r)
                for r in db.execute(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE state = ? "
                    "AND json_extract(proposal, '$.emergency') = 1 ORDER BY id",
                    (State.AWAITING_REVIEW.value,),
                )
            ]
        )

    async def counts(self) -> dict[State, int]:
        rows = await self._read(
            lambda db: db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        )
        return {State(state): count for state, count in rows}

    async def duplicate_of(self, item: Item, dedup_key: str) -> Item | None:
        """An earlier item for the same message (same Message-ID, another UID)."""
        row = await self._read(
            lambda db: db.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE dedup_key = ? AND id < ? "
                "ORDER BY id LIMIT 1",
                (dedup_key, item.id),
            ).fetchone()
        )
        return row_to_item(row) if row else None

    async def replies_approved_by(self, approver: str, address: str, since: datetime) -> int:
        """How many replies to this address `approver` approved since then."""
        row = await self._read(
            lambda db: db.execute(
                "SELECT COUNT(*) FROM items WHERE approved_by = ? "
                "AND state IN ('approved', 'sending', 'sent') AND updated_at >= ? "
                "AND instr(lower(sender), ?) > 0",
                (approver, since.isoformat(), address.lower()),
            ).fetchone()
        )
        return int(row[0])

    # --- conversations ---------------------------------------------------------------

    async def items_answered(self, message_ids: list[str]) -> list[Item]:
        """Items whose message, or our reply to it (a holding reply too), or the manager's
        reply to it from another mail client, has one of these Message-IDs."""
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        return await self._read(
            lambda db: [
                row_to_item(r)
                for r in db.execute(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE message_id IN ({marks}) "
                    f"OR reply_message_id IN ({marks}) OR id IN (SELECT item_id FROM pages "
                    f"WHERE channel = 'tenant' AND message_id IN ({marks})) "
                    "OR message_id IN (SELECT a.message_id FROM outside_answers a "
                    "JOIN outside_replies r ON r.id = a.outside_id "
                    f"WHERE r.message_id IN ({marks})) ORDER BY id",
                    (*message_ids, *message_ids, *message_ids, *message_ids),
                )
            ]
        )

    async def conversation_items(self, conversation_id: int) -> list[Item]:
        """Every message of a conversation, oldest first."""
        return await self._read(
            lambda db: [
                row_to_item(r)
                for r in db.execute(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE conversation_id = ? ORDER BY id",
                    (conversation_id,),
                )
            ]
        )

    async def recent_conversations_of(
        self, addresses: Iterable[str], since: datetime, before: int, limit: int = 5
    ) -> list[int]:
        """The conversations of messages from any of these addresses received since then,
        before item `before`: most recently written to first."""
        wanted = sorted({a.lower() for a in addresses})
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = await self._read(
            lambda db: db.execute(
                "SELECT coalesce(conversation_id, id) AS conversation, max(id) AS latest "
                f"FROM items WHERE sender_addr IN ({marks}) AND id < ? AND received_at >= ? "
                "GROUP BY conversation ORDER BY latest DESC LIMIT ?",
                (*wanted, before, since.isoformat(), limit),
            ).fetchall()
        )
        return [int(row[0]) for row in rows]

    async def dedup_key(self, item_id: int) -> str:
        row = await self._read(
            lambda db: db.execute("SELECT dedup_key FROM items WHERE id = ?", (item_id,)).fetchone()
        )
        return str(row[0]) if row else ""

    # --- state changes -------------------------------------------------------------

    async def transition(
        self,
        item_id: int,
        to_state: State,
        *,
        actor: str,
        expect: Iterable[State] | None = None,
        expect_version: int | None = None,
        detail: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Item:
        """Move an item to `to_state`, updating `fields`, with its audit row, atomically.

        `expect` narrows the states the item may be in (a guard against races
        between workers and an operator); `expect_version` is the version the
        caller saw. Raises `InvalidTransition` (`StaleItem` for the version).
        """
        return await self._change(item_id, to_state, actor, expect, expect_version, detail, fields)

    async def update(
        self,
        item_id: int,
        *,
        actor: str,
        expect: Iterable[State],
        expect_version: int | None = None,
        detail: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Item:
        """Change fields of an item that stays in its state (one of `expect`), audited."""
        return await self._change(item_id, None, actor, expect, expect_version, detail, fields)

    async def _change(
        self,
        item_id: int,
        to_state: State | None,
        actor: str,
        expect: Iterable[State] | None,
        expect_version: int | None,
        detail: dict[str, Any] | None,
        fields: dict[str, Any],
    ) -> Item:
        expected = frozenset(expect) if expect is not None else None
        guard = _Guard(expected, expect_version)
        before, after = await self._run(
            self._write_change, item_id, to_state, actor, guard, detail or {}, fields
        )
        self._publish(ItemChanged(after, before))
        return after

    def _write_change(
        self,
        item_id: int,
        to_state: State | None,
        actor: str,
        guard: _Guard,
        detail: dict[str, Any],
        fields: dict[str, Any],
    ) -> tuple[State, Item]:
        now = self._clock().isoformat()
        with transaction(self.db):
            item = self._get(item_id)
            guard.check(item)
            current = item.state
            target = current if to_state is None else to_state
            if to_state is not None and to_state not in ALLOWED[current]:
                raise InvalidTransition(
                    f"item #{item_id} cannot go from {current.value} to {to_state.value}"
                )
            values = item_values(fields)
            values["state"] = target.value
            values["updated_at"] = now
            values["version"] = item.version + 1
            if to_state in FINAL_FLAGS:
                values["flags_synced"] = 0
            assignments = ", ".join(f"{name} = ?" for name in values)
            self.db.execute(
                f"UPDATE items SET {assignments} WHERE id = ?", (*values.values(), item_id)
            )
            self._audit(item_id, actor, current, target, detail, now)
        return current, self._get(item_id)

    async def audit(self, item_id: int) -> list[AuditEntry]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT item_id, at, actor, from_state, to_state, detail FROM audit "
                "WHERE item_id = ? ORDER BY id",
                (item_id,),
            ).fetchall()
        )
        return [
            AuditEntry(
                r[0],
                datetime.fromisoformat(r[1]),
                r[2],
                State(r[3]) if r[3] else None,
                State(r[4]),
                json.loads(r[5]),
            )
            for r in rows
        ]

    # --- IMAP flags ----------------------------------------------------------------

    async def unsynced_flags(self, mailbox: str, uidvalidity: int) -> list[Item]:
        """Items in a final state whose IMAP flags have not been set yet."""
        rows = await self._read(
            lambda db: db.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE flags_synced = 0 "
                "AND mailbox = ? AND uidvalidity = ?",
                (mailbox, uidvalidity),
            ).fetchall()
        )
        return [row_to_item(r) for r in rows]

    async def mark_flags_synced(self, item_ids: Iterable[int]) -> None:
        ids = list(item_ids)

        def update() -> None:
            with transaction(self.db):
                self.db.executemany(
                    "UPDATE items SET flags_synced = 1 WHERE id = ?", [(i,) for i in ids]
                )

        await self._run(update)


@dataclass(frozen=True)
class _Guard:
    """What a change requires of the item: one of these states, this version."""

    states: frozenset[State] | None
    version: int | None

    def check(self, item: Item) -> None:
        if self.version is not None and item.version != self.version:
            raise StaleItem(item.id, self.version, item.version, item.state.value)
        if self.states is not None and item.state not in self.states:
            raise InvalidTransition(
                f"item #{item.id} is {item.state.value}, not "
                + " or ".join(sorted(s.value for s in self.states))
            )
