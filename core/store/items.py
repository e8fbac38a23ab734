"""The items: one row per message, its lifecycle and its append-only audit.

One row per message, keyed by (inbox, mailbox, UIDVALIDITY, UID). Every state change
is checked against the lifecycle (`core.store.lifecycle`) and written in the
same transaction as its audit row, so after a crash the store says exactly
what was done. Every change also raises the item's `version`; a caller that
names the version it saw (`expect_version`) is refused when it is out of date.
Secrets never reach the store: it holds mail, proposals and decisions only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import InvalidTransition, StaleItem, StoreError
from core.events import ItemAdded, ItemChanged
from core.models import FINAL_FLAGS, Item, MessageKey, State, address_of
from core.store.base import Sql, StoreBase
from core.store.lifecycle import ALLOWED, WORKING_STATES
from core.store.rows import ITEM_COLUMNS, item_values, row_to_item


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


def _marks(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)


class Items(StoreBase):
    # --- messages ----------------------------------------------------------------

    async def add(self, message: NewMessage) -> Item | None:
        """Record a fetched message in state `new`; None when it is already known."""
        item = await self._write(lambda sql: self._add(sql, message))
        if item is not None:
            self._publish(ItemAdded(item))
        return item

    def _add(self, sql: Sql, m: NewMessage) -> Item | None:
        now = self._clock().isoformat()
        added = sql.row(
            "INSERT INTO items (inbox, mailbox, uidvalidity, uid, message_id, dedup_key, state, "
            "received_at, sender, sender_addr, subject, raw, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inbox, mailbox, uidvalidity, uid) DO NOTHING RETURNING id",
            (
                m.key.inbox,
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
        if added is None:
            return None
        item_id = int(added[0])
        self._audit(sql, item_id, "inbox", None, State.NEW, {"uid": m.key.uid}, now)
        return self._get(sql, item_id)

    async def known_uids(self, mailbox: str, uidvalidity: int, inbox: str = "") -> set[int]:
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT uid FROM items WHERE inbox = ? AND mailbox = ? AND uidvalidity = ?",
                (inbox, mailbox, uidvalidity),
            )
        )
        return {int(row[0]) for row in rows}

    async def get(self, item_id: int) -> Item:
        return await self._read(lambda sql: self._get(sql, item_id))

    async def raw(self, item_id: int) -> bytes:
        """The message exactly as fetched."""
        return await self._blob(item_id, "raw")

    async def reply_raw(self, item_id: int) -> bytes:
        """The reply exactly as sent (empty before sending)."""
        return await self._blob(item_id, "reply_raw")

    async def _blob(self, item_id: int, column: str) -> bytes:
        found = await self._read(
            lambda sql: sql.row(f"SELECT {column} FROM items WHERE id = ?", (item_id,))
        )
        if found is None:
            raise StoreError(f"no item #{item_id}")
        return bytes(found[0] or b"")

    async def items(self, states: Iterable[State] | None = None) -> list[Item]:
        """Items, oldest first; all of them, or those in the given states."""
        wanted = [s.value for s in states] if states is not None else None

        def query(sql: Sql) -> list[Item]:
            text = f"SELECT {ITEM_COLUMNS} FROM items"
            if wanted is not None:
                if not wanted:
                    return []
                text += f" WHERE state IN ({_marks(wanted)})"
            return [row_to_item(r) for r in sql.rows(text + " ORDER BY id", wanted or ())]

        return await self._read(query)

    async def waiting_emergencies(self, inbox: str = "") -> list[Item]:
        """An inbox's emergencies that wait for a person, oldest first."""
        return await self._read(
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE inbox = ? AND state = ? AND "
                    f"{sql.dialect.json_true('proposal', 'emergency')} ORDER BY id",
                    (inbox, State.AWAITING_REVIEW.value),
                )
            ]
        )

    async def counts(self) -> dict[State, int]:
        rows = await self._read(
            lambda sql: sql.rows("SELECT state, COUNT(*) FROM items GROUP BY state")
        )
        return {State(state): int(count) for state, count in rows}

    async def duplicate_of(self, item: Item) -> Item | None:
        """An earlier item for the same message (same Message-ID, another UID)."""
        found = await self._read(
            lambda sql: sql.row(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE dedup_key = "
                "(SELECT dedup_key FROM items WHERE id = ?) AND id < ? ORDER BY id LIMIT 1",
                (item.id, item.id),
            )
        )
        return row_to_item(found) if found else None

    async def replies_approved_by(self, approver: str, address: str, since: datetime) -> int:
        """How many replies to this address `approver` approved since then."""
        found = await self._read(
            lambda sql: sql.row(
                "SELECT COUNT(*) FROM items WHERE approved_by = ? "
                "AND state IN ('approved', 'sending', 'sent') AND updated_at >= ? "
                f"AND {sql.dialect.contains('sender')}",
                (approver, since.isoformat(), address.lower()),
            )
        )
        return int(found[0]) if found else 0

    # --- conversations ---------------------------------------------------------------

    async def items_answered(self, message_ids: list[str]) -> list[Item]:
        """Items whose message, or our reply to it (a holding reply too), or the manager's
        reply to it from another mail client, has one of these Message-IDs."""
        if not message_ids:
            return []
        marks = _marks(message_ids)
        return await self._read(
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
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
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE conversation_id = ? ORDER BY id",
                    (conversation_id,),
                )
            ]
        )

    async def conversations_items(self, conversation_ids: Iterable[int]) -> dict[int, list[Item]]:
        """`conversation_items` of several conversations in one read; a conversation
        with no message recorded as its own is left out."""
        wanted = sorted(set(conversation_ids))
        if not wanted:
            return {}
        rows = await self._read(
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE conversation_id IN "
                    f"({_marks(wanted)}) ORDER BY id",
                    wanted,
                )
            ]
        )
        found: dict[int, list[Item]] = {}
        for item in rows:
            found.setdefault(item.conversation_id or item.id, []).append(item)
        return found

    async def recent_conversations_of(
        self, addresses: Iterable[str], since: datetime, before: int, limit: int = 5
    ) -> list[int]:
        """The conversations of messages from any of these addresses received since then,
        before item `before`: most recently written to first."""
        wanted = sorted({a.lower() for a in addresses})
        if not wanted:
            return []

        def recent(sql: Sql) -> list[tuple[Any, ...]]:
            sender_is, senders = sql.dialect.one_of("sender_addr", wanted)
            return sql.rows(
                "SELECT coalesce(conversation_id, id) AS conversation, max(id) AS latest "
                f"FROM items WHERE {sender_is} AND id < ? "
                "AND received_at >= ? GROUP BY conversation ORDER BY latest DESC LIMIT ?",
                (senders, before, since.isoformat(), limit),
            )

        return [int(row[0]) for row in await self._read(recent)]

    async def dedup_key(self, item_id: int) -> str:
        found = await self._read(
            lambda sql: sql.row("SELECT dedup_key FROM items WHERE id = ?", (item_id,))
        )
        return str(found[0]) if found else ""

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
        before, after = await self._write(
            lambda sql: self._write_change(
                sql, item_id, to_state, actor, guard, detail or {}, fields
            )
        )
        self._publish(ItemChanged(after, before))
        return after

    def _write_change(
        self,
        sql: Sql,
        item_id: int,
        to_state: State | None,
        actor: str,
        guard: _Guard,
        detail: dict[str, Any],
        fields: dict[str, Any],
    ) -> tuple[State, Item]:
        now = self._clock().isoformat()
        item = self._get(sql, item_id, lock=True)
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
        if target not in WORKING_STATES:  # at rest: nobody holds it any more
            values["claimed_by"] = values["claimed_until"] = ""
        assignments = ", ".join(f"{name} = ?" for name in values)
        [changed] = sql.rows(  # every row read, so no statement stays open in SQLite
            f"UPDATE items SET {assignments} WHERE id = ? RETURNING {ITEM_COLUMNS}",
            (*values.values(), item_id),
        )
        self._audit(sql, item_id, actor, current, target, detail, now)
        return current, row_to_item(changed)

    async def audit(self, item_id: int) -> list[AuditEntry]:
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT item_id, at, actor, from_state, to_state, detail FROM audit "
                "WHERE item_id = ? ORDER BY id",
                (item_id,),
            )
        )
        return [
            AuditEntry(
                int(r[0]),
                datetime.fromisoformat(r[1]),
                r[2],
                State(r[3]) if r[3] else None,
                State(r[4]),
                json.loads(r[5]),
            )
            for r in rows
        ]

    # --- IMAP flags ----------------------------------------------------------------

    async def unsynced_flags(self, mailbox: str, uidvalidity: int, inbox: str = "") -> list[Item]:
        """Items in a final state whose IMAP flags have not been set yet."""
        rows = await self._read(
            lambda sql: sql.rows(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE flags_synced = 0 "
                "AND inbox = ? AND mailbox = ? AND uidvalidity = ?",
                (inbox, mailbox, uidvalidity),
            )
        )
        return [row_to_item(r) for r in rows]

    async def mark_flags_synced(self, item_ids: Iterable[int]) -> None:
        ids = [(i,) for i in item_ids]
        if ids:
            await self._write(
                lambda sql: sql.run_many("UPDATE items SET flags_synced = 1 WHERE id = ?", ids)
            )


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
