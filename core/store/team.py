"""A team on one store: claims on items, leases, running services, operators' presence.

Several processes (on one machine or several) share one store. Each works on
an item only while it holds the item's *claim*, renewed by its heartbeat; a
claim not renewed within its lease is free again, so the work of a process
that died is taken over by the others. A *lease* does the same for a piece of
work exactly one process may do at a time (watching a mailbox). Each running
service keeps a row with its heartbeat and its status (what the console shows
in its status line); each operator keeps a presence row (which item they are
reading, and when they last pressed a key).

Times are the writer's clock, as ISO 8601 text; a lease compares them, so the
machines of a team keep their clocks in step (NTP), as any mail server needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from core.models import Item, Presence, ServiceInfo, State
from core.store.base import Sql, StoreBase
from core.store.rows import ITEM_COLUMNS, row_to_item


def _marks(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)


class Team(StoreBase):
    # --- claims on items ------------------------------------------------------------

    async def claim(self, item_id: int, owner: str, lease: float) -> bool:
        """Hold the item for `lease` seconds (renewed by `renew_claims`); False while
        another owner's claim on it is alive."""
        now = self._clock()
        until = (now + timedelta(seconds=lease)).isoformat()
        changed = await self._write(
            lambda sql: sql.run(
                "UPDATE items SET claimed_by = ?, claimed_until = ? WHERE id = ? "
                "AND (claimed_by = '' OR claimed_by = ? OR claimed_until < ?)",
                (owner, until, item_id, owner, now.isoformat()),
            )
        )
        return changed == 1

    async def release(self, item_id: int, owner: str) -> None:
        """Let go of the item (only if this owner holds it)."""
        await self._write(
            lambda sql: sql.run(
                "UPDATE items SET claimed_by = '', claimed_until = '' "
                "WHERE id = ? AND claimed_by = ?",
                (item_id, owner),
            )
        )

    async def renew_claims(self, owner: str, lease: float) -> int:
        """Extend every claim this owner holds by `lease` seconds from now."""
        until = (self._clock() + timedelta(seconds=lease)).isoformat()
        return await self._write(
            lambda sql: sql.run(
                "UPDATE items SET claimed_until = ? WHERE claimed_by = ?", (until, owner)
            )
        )

    async def unclaimed(self, states: Iterable[State], inbox: str = "") -> list[Item]:
        """An inbox's items in these states that nobody holds (never claimed, released,
        or the claim of an owner who stopped renewing it), oldest first."""
        wanted = [s.value for s in states]
        now = self._clock().isoformat()
        return await self._read(
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE inbox = ? AND "
                    f"state IN ({_marks(wanted)}) "
                    "AND (claimed_by = '' OR claimed_until < ?) ORDER BY id",
                    (inbox, *wanted, now),
                )
            ]
        )

    async def versions_since(self, since: datetime) -> list[tuple[int, int]]:
        """(id, version) of the items written at or after `since`: the cheap first look of
        a process following the store's changes."""
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT id, version FROM items WHERE updated_at >= ?", (since.isoformat(),)
            )
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def items_by_id(self, item_ids: Iterable[int]) -> list[Item]:
        wanted = sorted(set(item_ids))
        if not wanted:
            return []
        return await self._read(
            lambda sql: [
                row_to_item(r)
                for r in sql.rows(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE id IN ({_marks(wanted)}) ORDER BY id",
                    wanted,
                )
            ]
        )

    # --- leases: work one process does at a time ----------------------------------------

    async def take_lease(self, name: str, owner: str, lease: float) -> bool:
        """Hold `name` for `lease` seconds: True when it was free, expired, or ours."""
        now = self._clock()
        until = (now + timedelta(seconds=lease)).isoformat()
        return await self._write(lambda sql: _take_lease(sql, name, owner, until, now))

    async def release_lease(self, name: str, owner: str) -> None:
        await self._write(
            lambda sql: sql.run("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))
        )

    async def lease_holder(self, name: str) -> str:
        """Who holds the lease now ("" when nobody does)."""
        now = self._clock().isoformat()
        found = await self._read(
            lambda sql: sql.row(
                "SELECT owner FROM leases WHERE name = ? AND until >= ?", (name, now)
            )
        )
        return str(found[0]) if found else ""

    # --- services ---------------------------------------------------------------------

    async def service_beat(
        self, service_id: str, host: str, pid: int, status: dict[str, Any], *, stopped: bool = False
    ) -> None:
        """A service says it runs (or has stopped), with its status."""
        now = self._clock().isoformat()
        text = json.dumps(status, ensure_ascii=False, default=str)
        await self._write(
            lambda sql: sql.run(
                "INSERT INTO services (id, host, pid, started_at, heartbeat_at, stopped, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "heartbeat_at = excluded.heartbeat_at, stopped = excluded.stopped, "
                "status = excluded.status",
                (service_id, host, pid, now, now, int(stopped), text),
            )
        )

    async def services(self) -> list[ServiceInfo]:
        """Every service that has run on this store, the newest first."""
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT id, host, pid, started_at, heartbeat_at, stopped, status FROM services "
                "ORDER BY started_at DESC"
            )
        )
        return [
            ServiceInfo(
                str(r[0]),
                str(r[1]),
                int(r[2]),
                datetime.fromisoformat(r[3]),
                datetime.fromisoformat(r[4]),
                bool(r[5]),
                json.loads(r[6]),
            )
            for r in rows
        ]

    async def retire_service(self, service_id: str) -> int:
        """A service is gone (it stopped, or died): mark it stopped and free what it held,
        its claims and leases, at once. How many claims were freed."""

        def retire(sql: Sql) -> int:
            sql.run("UPDATE services SET stopped = 1 WHERE id = ?", (service_id,))
            sql.run("DELETE FROM leases WHERE owner = ?", (service_id,))
            return sql.run(
                "UPDATE items SET claimed_by = '', claimed_until = '' WHERE claimed_by = ?",
                (service_id,),
            )

        return await self._write(retire)

    async def forget_services(self, before: datetime) -> None:
        """Drop the rows of services not heard from since `before` (housekeeping)."""
        await self._write(
            lambda sql: sql.run(
                "DELETE FROM services WHERE heartbeat_at < ?", (before.isoformat(),)
            )
        )

    # --- operators' presence -------------------------------------------------------------

    async def set_presence(self, operator: str, item_id: int | None, *, active: bool) -> None:
        """The operator's console is open on `item_id`; `active`: they just pressed a key."""
        now = self._clock().isoformat()
        await self._write(lambda sql: _set_presence(sql, operator, item_id, active, now))

    async def leave(self, operator: str) -> None:
        await self._write(
            lambda sql: sql.run("DELETE FROM presence WHERE operator = ?", (operator,))
        )

    async def presence(self, since: datetime) -> list[Presence]:
        """Operators whose console said it is open at or after `since`."""
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT operator, item_id, active_at, seen_at FROM presence "
                "WHERE seen_at >= ? ORDER BY operator",
                (since.isoformat(),),
            )
        )
        return [
            Presence(
                str(r[0]),
                int(r[1]) if r[1] is not None else None,
                datetime.fromisoformat(r[2]),
                datetime.fromisoformat(r[3]),
            )
            for r in rows
        ]


def _take_lease(sql: Sql, name: str, owner: str, until: str, now: datetime) -> bool:
    found = sql.row(f"SELECT owner, until FROM leases WHERE name = ?{sql.dialect.lock}", (name,))
    if found is None:
        inserted = sql.run(
            "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO NOTHING",
            (name, owner, until),
        )
        return inserted == 1
    holder, expires = str(found[0]), datetime.fromisoformat(found[1])
    if holder != owner and expires >= now:
        return False
    sql.run("UPDATE leases SET owner = ?, until = ? WHERE name = ?", (owner, until, name))
    return True


def _set_presence(sql: Sql, operator: str, item_id: int | None, active: bool, now: str) -> None:
    found = sql.row("SELECT active_at FROM presence WHERE operator = ?", (operator,))
    active_at = now if active or found is None else str(found[0])
    sql.run(
        "INSERT INTO presence (operator, item_id, active_at, seen_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (operator) DO UPDATE SET item_id = excluded.item_id, "
        "active_at = excluded.active_at, seen_at = excluded.seen_at",
        (operator, item_id, active_at, now),
    )
