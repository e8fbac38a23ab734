"""The team engine: PostgreSQL through psycopg 3 and a connection pool.

The store's logic is the same as the embedded engine's (`core.store.items`,
`records`, `elsewhere`): plain functions over one connection inside one
transaction. Here each runs on a pooled connection in a worker thread, so the
event loop never waits on the database, several writers work at once (rows an
update depends on are locked with `FOR UPDATE`), and a durable commit is
PostgreSQL's. Migrations take an advisory lock, so processes starting together
apply each version once.

The URL's password never appears in an error, a log line or `url`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from core.errors import StoreError
from core.retry import backoff_delay
from core.store.base import Dialect, Opened, Sql, StoreBase
from core.store.migrate import VERSIONS_TABLE, migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
POSTGRES = Dialect("postgres", lock=" FOR UPDATE")
MIGRATION_LOCK = 7_421_113  # pg_advisory_xact_lock key for applying migrations
CHANNEL = "store_changed"  # every write transaction NOTIFYs it; `wait_for_change` LISTENs
_PLACEHOLDER = re.compile(r"\?")


def _translate(sql: str) -> str:
    """`?` placeholders (the store's) to `%s` (psycopg's); a literal % is doubled."""
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class _Connection:
    """A psycopg connection as the store's logic uses it (`core.store.base.Sql`)."""

    dialect = POSTGRES

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.conn.execute(_translate(sql), params).fetchall()
        return rows

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        found: tuple[Any, ...] | None = self.conn.execute(_translate(sql), params).fetchone()
        return found

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        rowcount: int = self.conn.execute(_translate(sql), params).rowcount
        return rowcount

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_translate(sql), params)


class PostgresEngine(StoreBase):
    """Connections and transactions on a PostgreSQL database; the store's methods are
    in `core.store` (`PostgresStore`)."""

    def __init__(self, url: str, *, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._url = url
        self.url = redacted(url)
        self._pool_size = pool_size
        self._pool: Any = None
        self._threads = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="pg")
        self._changed = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._closed = False

    async def open(self: Opened) -> Opened:
        engine = cast(PostgresEngine, self)
        await engine._in_thread(engine._open)
        return self

    def _open(self) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_size,
            kwargs={"autocommit": True},
            open=False,
            name="store",
        )
        try:
            pool.open(wait=True, timeout=10)
        except Exception as exc:
            pool.close()
            raise StoreError(
                f"cannot reach the state store at {self.url}: {_why(exc)}", retryable=True
            ) from None
        self._pool = pool
        try:
            with pool.connection() as conn:
                self._migrate(conn)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the state store at {self.url}: {_why(exc)}") from None

    def _migrate(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(VERSIONS_TABLE)
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, text in migrations("postgres"):
                if version in done:
                    continue
                for statement in _pg_statements(text):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    (version, name, self._clock().isoformat()),
                )

    async def wait_for_change(self, timeout: float) -> bool:
        """Return at the next NOTIFY of a commit (any process's), or after `timeout`."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        self._changed.clear()
        return True

    async def _listen(self) -> None:
        """One connection LISTENing for commits; reconnected with growing pauses."""
        import psycopg

        failures = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    failures = 0
                    self._changed.set()  # (re)connected: something may have changed meanwhile
                    async for _ in conn.notifies():
                        self._changed.set()
            except psycopg.Error as exc:
                failures += 1
                delay = backoff_delay(failures - 1, 1.0, 30.0)
                log.warning("listening for store changes at %s: %s", self.url, _why(exc))
                await asyncio.sleep(delay)

    async def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.get_running_loop().run_in_executor(self._threads, pool.close)
        self._threads.shutdown(wait=True)

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:  # a timer still firing as the console quits
            raise StoreError(f"the state store at {self.url} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, fn, *args)

    async def _write(self, fn: Callable[[Sql], T]) -> T:
        return await self._in_thread(self._transaction, fn)

    def _transaction(self, fn: Callable[[Sql], T]) -> T:
        import psycopg

        try:
            with self.pool.connection() as conn, conn.transaction():
                result = fn(_Connection(conn))
                conn.execute(f"NOTIFY {CHANNEL}")  # delivered at commit, to every listener
                return result
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"the state store at {self.url}: {_why(exc)}", retryable=True
            ) from None

    async def _read(self, fn: Callable[[Sql], T]) -> T:
        return await self._in_thread(self._reading, fn)

    def _reading(self, fn: Callable[[Sql], T]) -> T:
        import psycopg

        try:
            with self.pool.connection() as conn:
                return fn(_Connection(conn))
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"the state store at {self.url}: {_why(exc)}", retryable=True
            ) from None

    def _lost(self, exc: Exception) -> StoreError:
        return StoreError(f"the state store at {self.url}: {_why(exc)}", retryable=True)

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise StoreError("the state store is not open")
        return self._pool


def _pg_statements(text: str) -> list[str]:
    """Statements of a PostgreSQL migration; a `$$ … $$` function body stays whole."""
    parts = re.split(r"(\$\$.*?\$\$)", text, flags=re.S)
    found, current = [], ""
    for part in parts:
        if part.startswith("$$"):
            current += part
            continue
        pieces = part.split(";")
        for piece in pieces[:-1]:
            current += piece
            if current.strip():
                found.append(_without_comments(current))
            current = ""
        current += pieces[-1]
    if _without_comments(current):
        found.append(_without_comments(current))
    return [s for s in found if s]


def _without_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    return "\n".join(lines).strip()


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
