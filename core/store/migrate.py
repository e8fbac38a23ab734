"""Versioned migrations: numbered SQL files per dialect, applied once, in order.

`migrations/sqlite/0001_initial.sql`, `0002_….sql`, and the same numbers in
`migrations/postgres/`: each file brings the store from the version before it
to its own, and is recorded in `schema_migrations` in the same transaction, so
a crash never leaves a half-applied version. A store written before versions
existed (SQLite, with its columns added one by one) is first brought up to
version 1 by `upgrade_legacy_sqlite`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from core.errors import StoreError
from core.models import address_of

VERSIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration of a dialect, in order."""
    folder = resources.files("core.store") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(number), name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [version for version, _, _ in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"the {dialect} migrations are not numbered 1, 2, 3, …")
    return found


def statements(text: str) -> list[str]:
    """A migration's statements, one by one (a trigger's body keeps its own `;`)."""
    found, current = [], ""
    for line in text.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found


def migrate_sqlite(db: sqlite3.Connection, clock: Callable[[], datetime]) -> list[int]:
    """Apply every migration not applied yet, each in its own `BEGIN IMMEDIATE`
    transaction with its row in `schema_migrations` (two processes take turns)."""
    db.execute(VERSIONS_TABLE)
    applied: list[int] = []
    # A migration that rebuilds a table drops it while other tables refer to it; SQLite
    # changes this only outside a transaction.
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        for version, name, text in migrations("sqlite"):
            _apply_sqlite(db, version, name, text, clock, applied)
    finally:
        db.execute("PRAGMA foreign_keys=ON")
    return applied


def _apply_sqlite(
    db: sqlite3.Connection,
    version: int,
    name: str,
    text: str,
    clock: Callable[[], datetime],
    applied: list[int],
) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        done = db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,))
        if done.fetchone() is None:
            for statement in statements(text):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, clock().isoformat()),
            )
            applied.append(version)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


# Columns the items table gained before versioned migrations: (name, definition).
_LEGACY_COLUMNS = (
    ("send_after", "TEXT NOT NULL DEFAULT ''"),
    ("version", "INTEGER NOT NULL DEFAULT 1"),
    ("conversation_id", "INTEGER"),
    ("send_attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("retrying_since", "TEXT NOT NULL DEFAULT ''"),
    ("sender_addr", "TEXT NOT NULL DEFAULT ''"),
)


def upgrade_legacy_sqlite(db: sqlite3.Connection) -> None:
    """A store written before versioned migrations: add what version 1 has, mark it."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "items" not in tables or "schema_migrations" in tables:
        return
    present = {row[1] for row in db.execute("PRAGMA table_info(items)")}
    for name, definition in _LEGACY_COLUMNS:
        if name not in present:
            db.execute(f"ALTER TABLE items ADD COLUMN {name} {definition}")
    if "sender_addr" not in present:  # the address of each stored sender, for its index
        rows = db.execute("SELECT id, sender FROM items").fetchall()
        db.execute("BEGIN")
        db.executemany(
            "UPDATE items SET sender_addr = ? WHERE id = ?",
            [(address_of(sender), item_id) for item_id, sender in rows],
        )
        db.execute("COMMIT")
    labels = {row[1] for row in db.execute("PRAGMA table_info(labels)")}
    if "labels" in tables and "emergency" not in labels:
        db.execute("ALTER TABLE labels ADD COLUMN emergency INTEGER")
    # Version 1 creates only what is missing (IF NOT EXISTS): `migrate_sqlite` runs it.
