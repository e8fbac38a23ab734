"""The single source of truth, behind one seam, in either of two engines.

    open_store("")                       SQLite under OUTPUT_DIR (embedded, no settings)
    open_store("/path/state.sqlite3")    SQLite, that file
    open_store("postgresql://…")         PostgreSQL, for a team

`Store` is the protocol every caller uses; `SqliteStore` and `PostgresStore`
are the two engines, built from the same logic (`items`, `records`,
`elsewhere`, `team`, `webhooks`) over their own connections (`sqlite`, `postgres`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from core.events import Event
from core.store.base import utc_now
from core.store.elsewhere import Elsewhere
from core.store.items import AuditEntry, Items, NewMessage
from core.store.postgres import PostgresEngine
from core.store.protocol import Store
from core.store.records import Records, StoredLabel
from core.store.sqlite import SqliteEngine
from core.store.team import Team
from core.store.webhooks import WebhookOutbox


class SqliteStore(Items, Records, Elsewhere, Team, WebhookOutbox, SqliteEngine):
    """The store on one SQLite file: the embedded default."""


class PostgresStore(Items, Records, Elsewhere, Team, WebhookOutbox, PostgresEngine):
    """The store on a PostgreSQL database: a team's inboxes, operators and workers."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def store_at(
    url: str | Path,
    *,
    publish: Callable[[Event], None] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> SqliteStore | PostgresStore:
    """The store at a PostgreSQL URL or an SQLite path, not opened yet."""
    location = str(url)
    if is_postgres(location):
        return PostgresStore(location, publish=publish, clock=clock)
    return SqliteStore(location, publish=publish, clock=clock)


async def open_store(
    url: str | Path,
    *,
    publish: Callable[[Event], None] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Store:
    """The store at a PostgreSQL URL or an SQLite path, opened (migrations applied)."""
    return await store_at(url, publish=publish, clock=clock).open()


__all__ = [
    "AuditEntry",
    "NewMessage",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "StoredLabel",
    "is_postgres",
    "open_store",
    "store_at",
    "utc_now",
]
