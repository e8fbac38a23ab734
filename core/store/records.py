"""What the store keeps besides the items: emergency pages, labelled examples, settings.

Each public method is one transaction; a page's start and outcome are written
with the item's audit row, so a crash never pages twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.events import PageChanged
from core.models import Channel, Page, PageState
from core.store.base import Sql, StoreBase
from core.store.rows import PAGE_COLUMNS, row_to_page


@dataclass(frozen=True)
class StoredLabel:
    """An operator's decision kept as an example: the intent, and `emergency` when
    they said whether it is one (None when they did not)."""

    item_id: int
    message_id: str
    intent: str
    emergency: bool | None = None


class Records(StoreBase):
    """Pages, labels and settings."""

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
        to = list(recipients)
        page = await self._write(
            lambda sql: self._start_page(
                sql, item_id, conversation_id, number, channel, to, actor, message_id
            )
        )
        if page is not None:
            self._publish(PageChanged(page))
        return page

    def _start_page(
        self,
        sql: Sql,
        item_id: int,
        conversation_id: int,
        number: int,
        channel: Channel,
        recipients: list[str],
        actor: str,
        message_id: str,
    ) -> Page | None:
        now = self._clock().isoformat()
        started = sql.row(
            "INSERT INTO pages (conversation_id, item_id, number, channel, recipients, at, "
            "state, actor, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (conversation_id, number, channel) DO NOTHING RETURNING id",
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
        if started is None:
            return None
        state = self._get(sql, item_id).state
        detail = {"page": number, "channel": channel.value, "to": recipients}
        self._audit(sql, item_id, actor, state, state, detail, now)
        return self._page(sql, int(started[0]))

    async def page_outcome(
        self, page_id: int, error: str = "", *, next_try: datetime | None = None
    ) -> Page:
        """A page went out (no `error`), or failed and is tried again at `next_try`;
        a failure, and a success after a failure, are audited."""
        page = await self._write(lambda sql: self._page_outcome(sql, page_id, error, next_try))
        self._publish(PageChanged(page))
        return page

    def _page_outcome(self, sql: Sql, page_id: int, error: str, next_try: datetime | None) -> Page:
        now = self._clock().isoformat()
        before = self._page(sql, page_id)
        state = PageState.FAILED if error else PageState.SENT
        sql.run(
            "UPDATE pages SET state = ?, error = ?, next_try = ? WHERE id = ?",
            (state.value, error, next_try.isoformat() if next_try else "", page_id),
        )
        if error or before.attempts > 1:
            item_state = self._get(sql, before.item_id).state
            detail: dict[str, Any] = {"page": before.number, "channel": before.channel.value}
            detail["failed" if error else "delivered"] = error or before.attempts
            self._audit(sql, before.item_id, before.actor, item_state, item_state, detail, now)
        return self._page(sql, page_id)

    async def retry_page(self, page_id: int) -> Page | None:
        """Take a failed page up again (one more attempt); None if someone else did."""
        page = await self._write(lambda sql: self._retry_page(sql, page_id))
        if page is not None:
            self._publish(PageChanged(page))
        return page

    def _retry_page(self, sql: Sql, page_id: int) -> Page | None:
        taken = sql.run(
            "UPDATE pages SET state = ?, attempts = attempts + 1, next_try = '' "
            "WHERE id = ? AND state = ?",
            (PageState.SENDING.value, page_id, PageState.FAILED.value),
        )
        return self._page(sql, page_id) if taken else None

    def _page(self, sql: Sql, page_id: int) -> Page:
        found = sql.row(f"SELECT {PAGE_COLUMNS} FROM pages WHERE id = ?", (page_id,))
        assert found is not None
        return row_to_page(found)

    async def pages(self, conversation_ids: Iterable[int] | None = None) -> list[Page]:
        """The pages of these conversations (all pages when None), oldest first."""
        wanted = None if conversation_ids is None else sorted(set(conversation_ids))
        if wanted == []:
            return []

        def query(sql: Sql) -> list[Page]:
            if wanted is None:
                rows = sql.rows(f"SELECT {PAGE_COLUMNS} FROM pages ORDER BY id")
            else:
                marks = ", ".join("?" for _ in wanted)
                rows = sql.rows(
                    f"SELECT {PAGE_COLUMNS} FROM pages WHERE conversation_id IN ({marks}) "
                    "ORDER BY id",
                    wanted,
                )
            return [row_to_page(r) for r in rows]

        return await self._read(query)

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
        await self._write(
            lambda sql: sql.run(
                "INSERT INTO labels (item_id, message_id, intent, emergency, actor, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (item_id, message_id, intent, flag, actor, at),
            )
        )

    async def labels(self) -> list[StoredLabel]:
        """Every example an operator labelled, oldest first."""
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT item_id, message_id, intent, emergency FROM labels ORDER BY id"
            )
        )
        return [
            StoredLabel(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else bool(r[3]))
            for r in rows
        ]

    # --- settings (operator policy) ------------------------------------------------

    async def get_setting(self, key: str) -> Any:
        found = await self._read(
            lambda sql: sql.row("SELECT value FROM settings WHERE key = ?", (key,))
        )
        return json.loads(found[0]) if found else None

    async def set_setting(self, key: str, value: Any, *, actor: str) -> None:
        """Change a setting, logging who changed it from what to what, in one transaction."""
        text = json.dumps(value)
        await self._write(lambda sql: self._set_setting(sql, key, text, actor))

    def _set_setting(self, sql: Sql, key: str, value: str, actor: str) -> None:
        old = sql.row(f"SELECT value FROM settings WHERE key = ?{sql.dialect.lock}", (key,))
        sql.run(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        sql.run(
            "INSERT INTO settings_log (at, actor, key, old_value, new_value) "
            "VALUES (?, ?, ?, ?, ?)",
            (self._clock().isoformat(), actor, key, old[0] if old else None, value),
        )

    async def settings_history(self, key: str) -> list[tuple[str, Any, Any]]:
        """(actor, old value, new value) for every change of a setting, oldest first."""
        rows = await self._read(
            lambda sql: sql.rows(
                "SELECT actor, old_value, new_value FROM settings_log WHERE key = ? ORDER BY id",
                (key,),
            )
        )
        return [(r[0], json.loads(r[1]) if r[1] else None, json.loads(r[2])) for r in rows]
