"""What the store keeps of the manager's replies from another mail client.

A reply found in the Sent folder that the assistant did not send is kept
(`outside_replies`, with the Message-IDs it answers in `outside_answers`), and
in the same transaction every item it answers that has not been answered yet
moves to `answered_elsewhere`, with its audit row. The draft stays on the item.
Replies are kept even when no item is known yet: a message discovered later
(the service was down while the manager answered) is retired when it arrives.
The Sent folder's read position (`cursors`) is written after the replies it
covers, so a crash reads them again and nothing is lost.

A mixin of `core.store.Store`, beside `core.records`: one transaction per call.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.database import Database, transaction
from core.events import ItemChanged
from core.models import Item, OutsideReply, State
from core.schema import ITEM_COLUMNS, NOT_ANSWERED_YET, row_to_item

_OUTSIDE_COLUMNS = "message_id, in_reply_to, refs, sent_at, sender, recipients, subject, text"
ELSEWHERE_ACTOR = "another mail client"


class Elsewhere(Database):
    async def record_outside_reply(self, reply: OutsideReply) -> list[Item]:
        """Keep the manager's reply and retire the items it answers; the items retired."""
        changes = await self._run(self._record_outside_reply, reply)
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return [after for _, after in changes]

    def _record_outside_reply(self, reply: OutsideReply) -> list[tuple[State, Item]]:
        now = self._clock().isoformat()
        with transaction(self.db):
            cursor = self.db.execute(
                f"INSERT OR IGNORE INTO outside_replies ({_OUTSIDE_COLUMNS}, noticed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    reply.message_id,
                    reply.in_reply_to,
                    json.dumps(list(reply.references)),
                    reply.sent_at.isoformat() if reply.sent_at else "",
                    reply.sender,
                    json.dumps(list(reply.to)),
                    reply.subject,
                    reply.text,
                    now,
                ),
            )
            if cursor.rowcount:
                self.db.executemany(
                    "INSERT INTO outside_answers (outside_id, message_id) VALUES (?, ?)",
                    [(cursor.lastrowid, answered) for answered in reply.answers],
                )
            sent_at = reply.sent_at.isoformat() if reply.sent_at else ""
            detail = {"answered_by": reply.message_id, "sent_at": sent_at}
            return self._retire(self._waiting_items(reply.answers), detail, now)

    async def retire_if_answered(self, item: Item) -> Item | None:
        """A message just triaged that a kept reply already answers: retired, or None."""
        changes = await self._run(self._retire_if_answered, item.message_id)
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return changes[0][1] if changes else None

    def _retire_if_answered(self, message_id: str) -> list[tuple[State, Item]]:
        now = self._clock().isoformat()
        with transaction(self.db):
            row = self.db.execute(
                "SELECT r.message_id, r.sent_at FROM outside_answers a JOIN outside_replies r "
                "ON r.id = a.outside_id WHERE a.message_id = ? ORDER BY r.id LIMIT 1",
                (message_id,),
            ).fetchone()
            if row is None or not message_id:
                return []
            detail = {"answered_by": row[0], "sent_at": row[1]}
            return self._retire(self._waiting_items([message_id]), detail, now)

    async def retire_answered(self, item_id: int, why: str) -> Item | None:
        """Retire one item another client marked answered (its `\\Answered` flag), or whose
        answer a look at the server just found; None when it was answered already."""
        changes = await self._run(self._retire_one, item_id, why)
        for before, after in changes:
            self._publish(ItemChanged(after, before))
        return changes[0][1] if changes else None

    def _retire_one(self, item_id: int, why: str) -> list[tuple[State, Item]]:
        now = self._clock().isoformat()
        with transaction(self.db):
            row = self.db.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)
            ).fetchone()
            items = [row_to_item(row)] if row else []
            waiting = [i for i in items if i.state in NOT_ANSWERED_YET]
            return self._retire(waiting, {"noticed": why}, now)

    def _waiting_items(self, message_ids: Iterable[str]) -> list[Item]:
        wanted = [m for m in message_ids if m]
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        states = ", ".join("?" * len(NOT_ANSWERED_YET))
        return [
            row_to_item(r)
            for r in self.db.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE message_id IN ({marks}) "
                f"AND state IN ({states}) ORDER BY id",
                (*wanted, *(s.value for s in NOT_ANSWERED_YET)),
            )
        ]

    def _retire(
        self, items: list[Item], detail: dict[str, Any], now: str
    ) -> list[tuple[State, Item]]:
        changes = []
        for item in items:  # \Seen is set in INBOX, as for any message that came to rest
            self.db.execute(
                "UPDATE items SET state = ?, version = version + 1, updated_at = ?, "
                "flags_synced = 0, send_after = '' WHERE id = ?",
                (State.ANSWERED_ELSEWHERE.value, now, item.id),
            )
            self._audit(item.id, ELSEWHERE_ACTOR, item.state, State.ANSWERED_ELSEWHERE, detail, now)
            changes.append((item.state, self._get(item.id)))
        return changes

    async def outside_replies_answering(self, message_ids: Iterable[str]) -> list[OutsideReply]:
        """The manager's replies from elsewhere that answer any of these messages, oldest first."""
        wanted = sorted({m for m in message_ids if m})
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        return await self._read(
            lambda db: [
                _outside(r)
                for r in db.execute(
                    f"SELECT DISTINCT {', '.join('r.' + c for c in _OUTSIDE_COLUMNS.split(', '))}"
                    ", r.id FROM outside_answers a JOIN outside_replies r ON r.id = a.outside_id "
                    f"WHERE a.message_id IN ({marks}) ORDER BY r.id",
                    wanted,
                )
            ]
        )

    async def outside_reply(self, message_id: str) -> OutsideReply | None:
        rows = await self._read(
            lambda db: db.execute(
                f"SELECT {_OUTSIDE_COLUMNS}, id FROM outside_replies WHERE message_id = ?",
                (message_id,),
            ).fetchall()
        )
        return _outside(rows[0]) if rows else None

    async def outside_replies_to(self, address: str, since: datetime) -> list[OutsideReply]:
        """What the manager wrote from elsewhere to this address since then (threaded or not)."""
        needle = f"%{address.lower()}%"
        return await self._read(
            lambda db: [
                _outside(r)
                for r in db.execute(
                    f"SELECT {_OUTSIDE_COLUMNS}, id FROM outside_replies "
                    "WHERE lower(recipients) LIKE ? AND sent_at >= ? ORDER BY id",
                    (needle, since.isoformat()),
                )
            ]
        )

    async def is_our_message(self, message_id: str) -> bool:
        """Did the assistant send a message with this Message-ID (a reply or a page)?"""
        row = await self._read(
            lambda db: db.execute(
                "SELECT 1 FROM items WHERE reply_message_id = ? UNION ALL "
                "SELECT 1 FROM pages WHERE message_id = ? LIMIT 1",
                (message_id, message_id),
            ).fetchone()
        )
        return row is not None

    # --- where the Sent folder was last read ------------------------------------------

    async def cursor(self, key: str) -> Any:
        row = await self._read(
            lambda db: db.execute("SELECT value FROM cursors WHERE key = ?", (key,)).fetchone()
        )
        return json.loads(row[0]) if row else None

    async def set_cursor(self, key: str, value: Any) -> None:
        await self._run(self._set_cursor, key, json.dumps(value))

    def _set_cursor(self, key: str, value: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO cursors (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _outside(row: sqlite3.Row | tuple[Any, ...]) -> OutsideReply:
    message_id, in_reply_to, refs, sent_at, sender, recipients, subject, text = row[:8]
    return OutsideReply(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=tuple(json.loads(refs)),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        sender=sender,
        to=tuple(json.loads(recipients)),
        subject=subject,
        text=text,
    )
