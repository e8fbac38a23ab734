"""The state store's connection: one SQLite file (WAL), one writer thread, reader threads.

Writes run on one dedicated thread, and each public method of the store is one
whole transaction, so coroutines never interleave inside one. Reads run on
their own threads and connections: WAL lets readers see the last commit
without waiting for a write (and its fsync) in progress, so a console reading
an item's text never queues behind the pipeline. `core.store` builds the
store's records on this.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from core.errors import StoreError
from core.events import Event
from core.models import Item, State
from core.schema import ITEM_COLUMNS, SCHEMA, migrate, row_to_item

T = TypeVar("T")
Opened = TypeVar("Opened", bound="Database")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Database:
    """Async access to one SQLite file: the writer's connection and the readers'."""

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

    async def open(self: Opened) -> Opened:
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

    def _get(self, item_id: int) -> Item:
        return get_item(self.db, item_id)

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


def get_item(db: sqlite3.Connection, item_id: int) -> Item:
    row = db.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise StoreError(f"no item #{item_id}")
    return row_to_item(row)


class transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
