"""Which store engine the tests run on: SQLite (the default) or PostgreSQL (`--store
postgres`), and where the current test's store is.

With SQLite the store is a file in OUTPUT_DIR. With PostgreSQL each OUTPUT_DIR of
a test gets a fresh database of its own, so two assistants a test runs apart stay
apart, as two SQLite files do: `make_settings` and the command-line helpers point
the assistant at it, and `store_location` tells a test where to read the store it
wrote (a path for SQLite, a URL for PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# Creates a fresh PostgreSQL database and returns its URL; None on SQLite.
new_database: Callable[[], str] | None = None
_databases: dict[Path, str] = {}


def use_postgres(create: Callable[[], str] | None) -> None:
    """Run this test on PostgreSQL (`create` makes a database), or on SQLite (None)."""
    global new_database
    new_database = create
    _databases.clear()


def postgres_url(output: Path) -> str | None:
    """The database of OUTPUT_DIR `output` in this test, or None on SQLite."""
    if new_database is None:
        return None
    key = output.resolve()
    if key not in _databases:
        _databases[key] = new_database()
    return _databases[key]


def store_location(output: Path) -> str:
    """Where the assistant with OUTPUT_DIR `output` keeps its store in this test."""
    return postgres_url(output) or str(output / "state.sqlite3")


def store_environment(output: Path) -> dict[str, str]:
    """The STORE_URL a command run in this test needs for OUTPUT_DIR `output` (none on SQLite)."""
    database = postgres_url(output)
    return {} if database is None else {"STORE_URL": database}
