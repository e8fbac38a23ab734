"""The state store: one SQLite file (WAL), the single source of truth.

One row per message, keyed by (mailbox, UIDVALIDITY, UID). Every state change
is checked against the lifecycle and written in the same transaction as its
row in the append-only audit table, so after a crash the store says exactly
what was done. Every change also raises the item's `version`; a caller that
names the version it saw (`expect_version`) is refused when it is out of date.

Writes run on one dedicated thread, and each public method is one whole
transaction, so coroutines never interleave inside one. Reads run on their own
threads and connections: WAL lets readers see the last commit without waiting
for a write (and its fsync) in progress, so a console reading an item's text
never queues behind the pipeline.
Secrets never reach this file: it holds mail, proposals and decisions only.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from core.errors import InvalidTransition, StaleItem, StoreError
from core.events import Event, ItemAdded, ItemChanged, PageChanged
from core.models import (
    FINAL_FLAGS,
    Channel,
    Item,
    MessageKey,
    Page,
    PageState,
    State,
    address_of,
)
from core.schema import (
    ALLOWED,
    ITEM_COLUMNS,
    PAGE_COLUMNS,
    SCHEMA,
    item_values,
    migrate,
    row_to_item,
    row_to_page,
)

T = TypeVar("T")


@dataclass(frozen=True)
class AuditEntry:
    item_id: int
    at: datetime
    actor: str
    from_state: State | None
    to_state: State
    detail: dict[str, Any]


@dataclass(frozen=True)
class StoredLabel:
    """An operator's decision kept as an example: the intent, and `emergency` when
    they said whether it is one (None when they did not)."""

    item_id: int
    message_id: str
    intent: str
    emergency: bool | None = None


@dataclass(frozen=True)
class NewMessage:
    key: MessageKey
    message_id: str
    dedup_key: str
    raw: bytes
    received_at: datetime
    sender: str
    subject: str


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """Async facade over one SQLite connection used from one thread."""

    def __init__(
        self,
        path: Path | str,
        *,
        publish: Callable[[Event], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._path = str(path)
        self._publish = publish or (lambda event: None)
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store-read")
        self._db: sqlite3.Connection | None = None
        self._local = threading.local()  # each reader thread's own connection
        self._reader_dbs: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------

    async def open(self) -> Store:
        await self._run(self._open)
        return self

    def _open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(SCHEMA)
            migrate(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the state store {self._path}: {exc}") from None
        self._db = db

    async def close(self) -> None:
        self._readers.shutdown(wait=True)
        with self._reader_lock:
            for reader in self._reader_dbs:
                reader.close()
            self._reader_dbs.clear()
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None
        self._executor.shutdown(wait=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run on the writer's thread: every transaction, and reads inside one."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read on a reader thread, with that thread's own connection."""
        if self._path == ":memory:":  # one private database: only the writer has it
            return await self._run(fn, self.db)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._with_reader, fn)

    def _with_reader(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        reader: sqlite3.Connection | None = getattr(self._local, "db", None)
        if reader is None:
            if self._db is None:
                raise StoreError("the state store is not open")
            reader = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            reader.execute("PRAGMA query_only=ON")
            with self._reader_lock:
                self._reader_dbs.append(reader)
            self._local.db = reader
        return fn(reader)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the state store is not open")
        return self._db

    # --- messages ----------------------------------------------------------------

    async def add(self, message: NewMessage) -> Item | None:
        """Record a fetched message in state `new`; None when it is already known."""
        item = await self._run(self._add, message)
        if item is not None:
            self._publish(ItemAdded(item))
        return item

    def _add(self, m: NewMessage) -> Item | None:
        now = self._clock().isoformat()
        with _transaction(self.db):
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
        return await self._read(lambda db: _get(db, item_id))

    def _get(self, item_id: int) -> Item:
        return _get(self.db, item_id)

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
        """Items whose message, or our reply to it (a holding reply too), has one of
        these Message-IDs."""
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        return await self._read(
            lambda db: [
                row_to_item(r)
                for r in db.execute(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE message_id IN ({marks}) "
                    f"OR reply_message_id IN ({marks}) OR id IN (SELECT item_id FROM pages "
                    f"WHERE channel = 'tenant' AND message_id IN ({marks})) ORDER BY id",
                    (*message_ids, *message_ids, *message_ids),
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
        with _transaction(self.db):
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

    def _audit(
        self,
        item_id: int,
        actor: str,
        from_state: State | None,
        to_state: State,
        detail: dict[str, Any],
        at: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO audit (item_id, at, actor, from_state, to_state, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                item_id,
                at,
                actor,
                from_state.value if from_state else None,
                to_state.value,
                json.dumps(detail, ensure_ascii=False, default=str),
            ),
        )

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
            with _transaction(self.db):
                self.db.executemany(
                    "UPDATE items SET flags_synced = 1 WHERE id = ?", [(i,) for i in ids]
                )

        await self._run(update)

    # --- emergency pages -------------------------------------------------------------

    async def start_page(
        self,
        item_id: int,
        conversation_id: int,
        number: int,
        channel: Channel,
        recipients: Iterable[str],
        *,
        actor: str,
        message_id: str = "",
    ) -> Page | None:
        """Record a page before it goes out, with its audit row; None if that page of
        that conversation on that channel was already started (at most once, even across
        a crash: a page found `sending` after a restart counts as gone out)."""
        page = await self._run(
            self._start_page,
            item_id,
            conversation_id,
            number,
            channel,
            list(recipients),
            actor,
            message_id,
        )
        if page is not None:
            self._publish(PageChanged(page))
        return page

    def _start_page(
        self,
        item_id: int,
        conversation_id: int,
        number: int,
        channel: Channel,
        recipients: list[str],
        actor: str,
        message_id: str,
    ) -> Page | None:
        now = self._clock().isoformat()
        with _transaction(self.db):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO pages (conversation_id, item_id, number, channel, "
                "recipients, at, state, actor, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    item_id,
                    number,
                    channel.value,
                    json.dumps(recipients),
                    now,
                    PageState.SENDING.value,
                    actor,
                    message_id,
                ),
            )
            if cursor.rowcount == 0:
                return None
            state = self._get(item_id).state
            detail = {"page": number, "channel": channel.value, "to": recipients}
            self._audit(item_id, actor, state, state, detail, now)
            return self._page(int(cursor.lastrowid or 0))

    async def page_outcome(
        self, page_id: int, error: str = "", *, next_try: datetime | None = None
    ) -> Page:
        """A page went out (no `error`), or failed and is tried again at `next_try`;
        a failure, and a success after a failure, are audited."""
        page = await self._run(self._page_outcome, page_id, error, next_try)
        self._publish(PageChanged(page))
        return page

    def _page_outcome(self, page_id: int, error: str, next_try: datetime | None) -> Page:
        now = self._clock().isoformat()
        with _transaction(self.db):
            before = self._page(page_id)
            state = PageState.FAILED if error else PageState.SENT
            self.db.execute(
                "UPDATE pages SET state = ?, error = ?, next_try = ? WHERE id = ?",
                (state.value, error, next_try.isoformat() if next_try else "", page_id),
            )
            if error or before.attempts > 1:
                item_state = self._get(before.item_id).state
                detail = {"page": before.number, "channel": before.channel.value}
                detail["failed" if error else "delivered"] = error or before.attempts
                self._audit(before.item_id, before.actor, item_state, item_state, detail, now)
            return self._page(page_id)

    async def retry_page(self, page_id: int) -> Page | None:
        """Take a failed page up again (one more attempt); None if someone else did."""
        page = await self._run(self._retry_page, page_id)
        if page is not None:
            self._publish(PageChanged(page))
        return page

    def _retry_page(self, page_id: int) -> Page | None:
        with _transaction(self.db):
            cursor = self.db.execute(
                "UPDATE pages SET state = ?, attempts = attempts + 1, next_try = '' "
                "WHERE id = ? AND state = ?",
                (PageState.SENDING.value, page_id, PageState.FAILED.value),
            )
            return self._page(page_id) if cursor.rowcount else None

    def _page(self, page_id: int) -> Page:
        row = self.db.execute(
            f"SELECT {PAGE_COLUMNS} FROM pages WHERE id = ?", (page_id,)
        ).fetchone()
        return row_to_page(row)

    async def pages(self, conversation_ids: Iterable[int] | None = None) -> list[Page]:
        """The pages of these conversations (all pages when None), oldest first."""
        wanted = None if conversation_ids is None else sorted(set(conversation_ids))

        def query(db: sqlite3.Connection) -> list[Page]:
            if wanted is None:
                rows = db.execute(f"SELECT {PAGE_COLUMNS} FROM pages ORDER BY id").fetchall()
            else:
                marks = ", ".join("?" * len(wanted))
                rows = db.execute(
                    f"SELECT {PAGE_COLUMNS} FROM pages WHERE conversation_id IN ({marks}) "
                    "ORDER BY id",
                    wanted,
                ).fetchall()
            return [row_to_page(r) for r in rows]

        return await self._read(query) if wanted != [] else []

    # --- labelled examples (the operator's reclassifications) -------------------------

    async def add_label(
        self,
        item_id: int,
        message_id: str,
        intent: str,
        actor: str,
        *,
        emergency: bool | None = None,
    ) -> None:
        """Keep an operator's decision as an example: the intent, and whether it is an
        emergency when they said so (None: they did not)."""
        at = self._clock().isoformat()
        flag = None if emergency is None else int(emergency)
        await self._run(
            lambda: self.db.execute(
                "INSERT INTO labels (item_id, message_id, intent, emergency, actor, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (item_id, message_id, intent, flag, actor, at),
            )
        )

    async def labels(self) -> list[StoredLabel]:
        """Every example an operator labelled, oldest first."""
        rows = await self._read(
            lambda db: db.execute(
                "SELECT item_id, message_id, intent, emergency FROM labels ORDER BY id"
            ).fetchall()
        )
        return [
            StoredLabel(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else bool(r[3]))
            for r in rows
        ]

    # --- settings (operator policy) ------------------------------------------------

    async def get_setting(self, key: str) -> Any:
        row = await self._read(
            lambda db: db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        )
        return json.loads(row[0]) if row else None

    async def set_setting(self, key: str, value: Any, *, actor: str) -> None:
        """Change a setting, logging who changed it from what to what, in one transaction."""
        await self._run(self._set_setting, key, json.dumps(value), actor)

    def _set_setting(self, key: str, value: str, actor: str) -> None:
        with _transaction(self.db):
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            self.db.execute(
                "INSERT INTO settings_log (at, actor, key, old_value, new_value) "
                "VALUES (?, ?, ?, ?, ?)",
                (self._clock().isoformat(), actor, key, row[0] if row else None, value),
            )

    async def settings_history(self, key: str) -> list[tuple[str, Any, Any]]:
        """(actor, old value, new value) for every change of a setting, oldest first."""
        rows = await self._read(
            lambda db: db.execute(
                "SELECT actor, old_value, new_value FROM settings_log WHERE key = ? ORDER BY id",
                (key,),
            ).fetchall()
        )
        return [(r[0], json.loads(r[1]) if r[1] else None, json.loads(r[2])) for r in rows]


def _get(db: sqlite3.Connection, item_id: int) -> Item:
    row = db.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise StoreError(f"no item #{item_id}")
    return row_to_item(row)


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


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
