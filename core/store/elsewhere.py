"""What the store keeps of the manager's replies from another mail client.

A reply found in the Sent folder that the assistant did not send is kept
(`outside_replies`, with the Message-IDs it answers in `outside_answers`), and
in the same transaction every item it answers that has not been answered yet
moves to `answered_elsewhere`, with its audit row. The draft stays on the item.
Replies are kept even when no item is known yet: a message discovered later
(the service was down while the manager answered) is retired when it arrives.
The Sent folder's read position (`cursors`) is written after the replies it
covers, so a crash reads them again and nothing is lost.

A part of the store, beside `items` and `records`: one transaction per call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.events import ItemChanged
from core.models import Item, OutsideReply, State
from core.store.base import Sql, StoreBase
from core.store.lifecycle import NOT_ANSWERED_YET
from core.store.rows import ITEM_COLUMNS, OUTSIDE_COLUMNS, row_to_item, row_to_outside

ELSEWHERE_ACTOR = "another mail client"


class Elsewhere(StoreBase):
    async def record_outside_reply(self, reply: OutsideReply) -> list[Item]:
        """Keep the manager's reply and retire the items it answers; the items retired."""
        changes = await self._write(lambda sql: self._record_outside_reply(sql, reply))
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return [after for _, after in changes]

    def _record_outside_reply(self, sql: Sql, reply: OutsideReply) -> list[tuple[State, Item]]:
        now = self._clock().isoformat()
        sent_at = reply.sent_at.isoformat() if reply.sent_at else ""
        kept = sql.row(
            f"INSERT INTO outside_replies ({OUTSIDE_COLUMNS}, noticed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING RETURNING id",
            (
                reply.message_id,
                reply.in_reply_to,
                json.dumps(list(reply.references)),
                sent_at,
                reply.sender,
                json.dumps(list(reply.to)),
                reply.subject,
                reply.text,
                now,
            ),
        )
        if kept is not None and reply.answers:
            sql.run_many(
                "INSERT INTO outside_answers (outside_id, message_id) VALUES (?, ?)",
                [(kept[0], answered) for answered in reply.answers],
            )
        detail = {"answered_by": reply.message_id, "sent_at": sent_at}
        return self._retire(sql, self._waiting_items(sql, reply.answers), detail, now)

    async def retire_if_answered(self, item: Item) -> Item | None:
        """A message just triaged that a kept reply already answers: retired, or None."""
        changes = await self._write(lambda sql: self._retire_if_answered(sql, item.message_id))
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return changes[0][1] if changes else None

    def _retire_if_answered(self, sql: Sql, message_id: str) -> list[tuple[State, Item]]:
        if not message_id:
            return []
        now = self._clock().isoformat()
        found = sql.row(
            "SELECT r.message_id, r.sent_at FROM outside_answers a JOIN outside_replies r "
            "ON r.id = a.outside_id WHERE a.message_id = ? ORDER BY r.id LIMIT 1",
            (message_id,),
        )
        if found is None:
            return []
        detail = {"answered_by": found[0], "sent_at": found[1]}
        return self._retire(sql, self._waiting_items(sql, [message_id]), detail, now)

    async def retire_answered(self, item_id: int, why: str) -> Item | None:
        """Retire one item another client marked answered (its `\\Answered` flag), or whose
        answer a look at the server just found; None when it was answered already."""
        changes = await self._write(lambda sql: self._retire_one(sql, item_id, why))
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return changes[0][1] if changes else None

    def _retire_one(self, sql: Sql, item_id: int, why: str) -> list[tuple[State, Item]]:
        now = self._clock().isoformat()
        item = self._get(sql, item_id, lock=True)
        waiting = [item] if item.state in NOT_ANSWERED_YET else []
        return self._retire(sql, waiting, {"noticed": why}, now)

    def _waiting_items(self, sql: Sql, message_ids: Iterable[str]) -> list[Item]:
        wanted = [m for m in message_ids if m]
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        states = ", ".join("?" for _ in NOT_ANSWERED_YET)
        return [
            row_to_item(r)
            for r in sql.rows(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE message_id IN ({marks}) "
                f"AND state IN ({states}) ORDER BY id{sql.dialect.lock}",
                (*wanted, *(s.value for s in NOT_ANSWERED_YET)),
            )
        ]

    def _retire(
        self, sql: Sql, items: list[Item], detail: dict[str, Any], now: str
    ) -> list[tuple[State, Item]]:
        changes = []
        elsewhere = State.ANSWERED_ELSEWHERE
        for item in items:  # \\Seen is set in INBOX, as for any message that came to rest
            sql.run(
                "UPDATE items SET state = ?, version = version + 1, updated_at = ?, "
                "flags_synced = 0, send_after = '', claimed_by = '', claimed_until = '' "
                "WHERE id = ?",
                (elsewhere.value, now, item.id),
            )
            self._audit(sql, item.id, ELSEWHERE_ACTOR, item.state, elsewhere, detail, now)
            changes.append((item.state, self._get(sql, item.id)))
        return changes

    async def outside_replies_answering(self, message_ids: Iterable[str]) -> list[OutsideReply]:
        """The manager's replies from elsewhere that answer any of these messages, oldest first."""
        wanted = sorted({m for m in message_ids if m})
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        return await self._read(
            lambda sql: [
                row_to_outside(r)
                for r in sql.rows(
                    f"SELECT DISTINCT {', '.join('r.' + c for c in OUTSIDE_COLUMNS.split(', '))}"
                    ", r.id FROM outside_answers a JOIN outside_replies r ON r.id = a.outside_id "
                    f"WHERE a.message_id IN ({marks}) ORDER BY r.id",
                    wanted,
                )
            ]
        )

    async def outside_reply(self, message_id: str) -> OutsideReply | None:
        found = await self._read(
            lambda sql: sql.row(
                f"SELECT {OUTSIDE_COLUMNS}, id FROM outside_replies WHERE message_id = ?",
                (message_id,),
            )
        )
        return row_to_outside(found) if found else None

    async def outside_replies_to(self, address: str, since: datetime) -> list[OutsideReply]:
        """What the manager wrote from elsewhere to this address since then (threaded or not)."""
        return await self._read(
            lambda sql: [
                row_to_outside(r)
                for r in sql.rows(
                    f"SELECT {OUTSIDE_COLUMNS}, id FROM outside_replies "
                    f"WHERE {sql.dialect.contains('recipients')} AND sent_at >= ? ORDER BY id",
                    (address.lower(), since.isoformat()),
                )
            ]
        )

    async def is_our_message(self, message_id: str) -> bool:
        """Did the assistant send a message with this Message-ID (a reply or a page)?"""
        found = await self._read(
            lambda sql: sql.row(
                "SELECT 1 FROM items WHERE reply_message_id = ? UNION ALL "
                "SELECT 1 FROM pages WHERE message_id = ? LIMIT 1",
                (message_id, message_id),
            )
        )
        return found is not None

    # --- where the Sent folder was last read ------------------------------------------

    async def cursor(self, key: str) -> Any:
        found = await self._read(
            lambda sql: sql.row("SELECT value FROM cursors WHERE key = ?", (key,))
        )
        return json.loads(found[0]) if found else None

    async def set_cursor(self, key: str, value: Any) -> None:
        text = json.dumps(value)
        await self._write(
            lambda sql: sql.run(
                "INSERT INTO cursors (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, text),
            )
        )
