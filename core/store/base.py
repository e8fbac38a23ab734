"""What every store engine shares: a transaction to write in, a connection to read on.

The store's logic (`items`, `records`, `elsewhere`) is written once, as plain
functions of an `Sql` connection inside one transaction, in the SQL both
SQLite and PostgreSQL speak; an engine (`sqlite`, `postgres`) supplies the
connections, the transactions and the few words the two dialects spell
differently (`Dialect`). Each public method of the store is one transaction,
committed before its events are published.

An event subscriber that raises never turns a committed change into an error
for the code that made it: the failure is logged, and the change stands.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol, TypeVar

from core.errors import StoreError
from core.events import Event
from core.models import Item, State
from core.store.rows import ITEM_COLUMNS, row_to_item

log = logging.getLogger(__name__)
T = TypeVar("T")
Opened = TypeVar("Opened", bound="StoreBase")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Dialect:
    """The SQL the two engines spell differently."""

    name: str
    lock: str  # appended to a SELECT that the transaction will change ("FOR UPDATE")

    def json_true(self, column: str, key: str) -> str:
        """A condition: the JSON text in `column` has `key` true."""
        if self.name == "postgres":
            return f"({column}::jsonb ->> '{key}') = 'true'"
        return f"json_extract({column}, '$.{key}') = 1"

    def one_of(self, column: str, values: Sequence[str]) -> tuple[str, Any]:
        """A condition that `column` is one of `values`, and its one parameter: a
        statement as short for a thousand values as for one (PostgreSQL's driver
        converts a long statement afresh on every call)."""
        if self.name == "postgres":
            return f"{column} = ANY(?)", list(values)
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def contains(self, column: str) -> str:
        """A condition: `column`, lower-cased, contains the parameter."""
        if self.name == "postgres":
            return f"position(? in lower({column})) > 0"
        return f"instr(lower({column}), ?) > 0"


class Sql(Protocol):
    """One connection, inside one transaction (or a read): what the queries run on.

    Parameters are written `?` in every dialect; the engine translates them."""

    dialect: Dialect

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...
    def run(self, sql: str, params: Sequence[Any] = ()) -> int: ...
    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None: ...


class StoreBase:
    """The part of a store every engine has; `_write` and `_read` are the engine's."""

    url = ""  # where the store is, without any password (for messages)

    def __init__(
        self,
        *,
        publish: Callable[[Event], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._subscriber = publish or (lambda event: None)
        self._clock = clock

    async def open(self: Opened) -> Opened:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def wait_for_change(self, timeout: float) -> bool:
        """Return when another connection (this process's writer, or another process)
        may have committed something, or after `timeout` seconds (False)."""
        raise NotImplementedError

    async def _write(self, fn: Callable[[Sql], T]) -> T:
        """Run `fn` in one transaction (committed when it returns, rolled back if it raises)."""
        raise NotImplementedError

    async def _read(self, fn: Callable[[Sql], T]) -> T:
        """Run `fn` on a connection that sees the last commit (it never waits for a write)."""
        raise NotImplementedError

    def _publish(self, event: Event) -> None:
        """Tell the subscribers of a committed change; their failures are theirs."""
        try:
            self._subscriber(event)
        except Exception:  # the change is committed: it must not look as if it failed
            log.exception("a store event subscriber failed on %s", type(event).__name__)

    # --- inside a transaction ---------------------------------------------------------

    def _get(self, sql: Sql, item_id: int, *, lock: bool = False) -> Item:
        """The item; `lock` holds its row until the transaction ends (another engine's
        writer cannot change it meanwhile)."""
        found = sql.row(
            f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?{sql.dialect.lock if lock else ''}",
            (item_id,),
        )
        if found is None:
            raise StoreError(f"no item #{item_id}")
        return row_to_item(found)

    def _audit(
        self,
        sql: Sql,
        item_id: int,
        actor: str,
        from_state: State | None,
        to_state: State,
        detail: dict[str, Any],
        at: str,
    ) -> None:
        sql.run(
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
