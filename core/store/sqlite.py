"""The embedded engine: one SQLite file (WAL), one writer thread, reader threads.

Writes run on one dedicated thread, each public method of the store in one
`BEGIN IMMEDIATE` transaction, so coroutines never interleave inside one and
two processes on one file take turns. Reads run on their own threads and
connections: WAL lets readers see the last commit without waiting for a write
(and its fsync) in progress, so a console reading an item's text never queues
behind the pipeline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from core.errors import StoreError
from core.store.base import Dialect, Opened, Sql, StoreBase
from core.store.migrate import migrate_sqlite, upgrade_legacy_sqlite

T = TypeVar("T")
SQLITE = Dialect("sqlite", lock="")
CHANGE_CHECK_SECONDS = 0.1  # how often `wait_for_change` asks for another commit


class _Connection:
    """An sqlite3 connection as the store's logic uses it (`core.store.base.Sql`)."""

    dialect = SQLITE

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        found: tuple[Any, ...] | None = self.db.execute(sql, params).fetchone()
        return found

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, params).rowcount

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.db.executemany(sql, params)


class SqliteEngine(StoreBase):
    """Connections and transactions on one SQLite file; the store's methods are in
    `core.store` (`SqliteStore`)."""

    def __init__(self, path: Path | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._path = str(path)
        self.url = self._path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store-read")
        self._db: sqlite3.Connection | None = None
        self._local = threading.local()  # each reader thread's own connection
        self._reader_dbs: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self._watch_db: sqlite3.Connection | None = None  # asks PRAGMA data_version
        self._closed = False
        self._seen_version = -1

    @property
    def path(self) -> str:
        return self._path

    async def open(self: Opened) -> Opened:
        engine = cast(SqliteEngine, self)
        await engine._on_writer(engine._open)
        return self

    def _open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=10000")  # another process writing: wait for it
            upgrade_legacy_sqlite(db)
            migrate_sqlite(db, self._clock)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the state store {self._path}: {exc}") from None
        self._db = db

    async def wait_for_change(self, timeout: float) -> bool:
        """SQLite tells a connection when any other one has committed (`data_version`):
        asked every CHANGE_CHECK_SECONDS, a question that reads no table."""
        loop = asyncio.get_running_loop()
        if self._path == ":memory:":  # a private database: nobody else commits to it
            await asyncio.sleep(timeout)
            return False
        deadline = loop.time() + timeout
        while True:
            self._check_open()
            version = await loop.run_in_executor(self._readers, self._data_version)
            if version != self._seen_version:
                # The first question has nothing to compare with: a commit made before it
                # (after the caller last looked) may be there, so it answers "changed", as
                # PostgreSQL's listener does when it (re)connects.
                self._seen_version = version
                return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            await asyncio.sleep(min(CHANGE_CHECK_SECONDS, left))

    def _data_version(self) -> int:
        with self._reader_lock:
            if self._watch_db is None:
                if self._db is None:
                    raise StoreError("the state store is not open")
                self._watch_db = sqlite3.connect(
                    self._path, isolation_level=None, check_same_thread=False
                )
                self._reader_dbs.append(self._watch_db)
            return int(self._watch_db.execute("PRAGMA data_version").fetchone()[0])

    async def close(self) -> None:
        self._closed = True
        self._readers.shutdown(wait=True)
        with self._reader_lock:
            for reader in self._reader_dbs:
                reader.close()
            self._reader_dbs.clear()
            self._watch_db = None
        if self._db is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._db.close)
            self._db = None
        self._executor.shutdown(wait=True)

    def _check_open(self) -> None:
        """A question asked after `close` (a timer still firing as the console quits)."""
        if self._closed:
            raise StoreError(f"the state store {self._path} is closed")

    async def _on_writer(self, fn: Callable[..., T], *args: Any) -> T:
        self._check_open()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def _write(self, fn: Callable[[Sql], T]) -> T:
        return await self._on_writer(self._transaction, fn)

    def _transaction(self, fn: Callable[[Sql], T]) -> T:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            result = fn(_Connection(db))
            db.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself failed: the writer must never stay inside a
            # transaction that the next write would silently join.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return result

    async def _read(self, fn: Callable[[Sql], T]) -> T:
        if self._path == ":memory:":  # one private database: only the writer has it
            return await self._on_writer(lambda: fn(_Connection(self.db)))
        self._check_open()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._with_reader, fn)

    def _with_reader(self, fn: Callable[[Sql], T]) -> T:
        reader: sqlite3.Connection | None = getattr(self._local, "db", None)
        if reader is None:
            if self._db is None:
                raise StoreError("the state store is not open")
            reader = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            reader.execute("PRAGMA query_only=ON")
            with self._reader_lock:
                self._reader_dbs.append(reader)
            self._local.db = reader
        return fn(_Connection(reader))

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the state store is not open")
        return self._db
