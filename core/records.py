"""What the store keeps besides the items: emergency pages, labelled examples, settings.

Each public method is one transaction on the writer's thread (see
`core.database`); a page's start and outcome are written with the item's audit
row, so a crash never pages twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.database import Database, transaction
from core.events import PageChanged
from core.models import Channel, Page, PageState
from core.schema import PAGE_COLUMNS, row_to_page


@dataclass(frozen=True)
class StoredLabel:
    """An operator's decision kept as an example: the intent, and `emergency` when
    they said whether it is one (None when they did not)."""

    item_id: int
    message_id: str
    intent: str
    emergency: bool | None = None


class Records(Database):
    """Pages, labels and settings; `core.store.Store` adds the items."""

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
        with transaction(self.db):
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
        with transaction(self.db):
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
        with transaction(self.db):
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
        with transaction(self.db):
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
