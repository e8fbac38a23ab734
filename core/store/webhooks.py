"""The webhook outbox: ticket events waiting for each endpoint, and what became of them.

An event is written once per endpoint, in one transaction; the same event
(same ticket, same content) is never written twice, so a ticket filed again
after a crash adds nothing. Each event keeps one `event_id` through every
retry, so a receiver can drop a repeat. Events of one ticket go to an endpoint
in the order they were written: only the oldest one still pending is due.

A part of the store, beside `items` and `records`: one transaction per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.models import Delivery, OutboxEvent
from core.store.base import Sql, StoreBase

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_COLUMNS = (
    "id, endpoint, event_id, ticket_id, type, body, created_at, next_at, attempts, state, "
    "answer, answered_at"
)


def _delivery(row: tuple[object, ...]) -> Delivery:
    (row_id, endpoint, event_id, ticket_id, kind, body, created, due, attempts, state, answer,
     answered) = row  # fmt: skip
    return Delivery(
        id=int(row_id),  # type: ignore[call-overload]
        endpoint=str(endpoint),
        event_id=str(event_id),
        ticket_id=str(ticket_id),
        type=str(kind),
        body=str(body),
        created_at=datetime.fromisoformat(str(created)),
        next_at=datetime.fromisoformat(str(due)),
        attempts=int(attempts),  # type: ignore[call-overload]
        state=str(state),
        answer=str(answer),
        answered_at=datetime.fromisoformat(str(answered)) if answered else None,
    )


class WebhookOutbox(StoreBase):
    async def queue_events(self, events: Iterable[OutboxEvent]) -> int:
        """Write events for delivery (one row per endpoint), in one transaction; an
        event already written is not written again. How many were new."""
        rows = list(events)
        if not rows:
            return 0
        return await self._write(lambda sql: self._queue(sql, rows))

    def _queue(self, sql: Sql, events: list[OutboxEvent]) -> int:
        now = self._clock().isoformat()
        added = 0
        for event in events:
            added += sql.run(
                "INSERT INTO outbox (endpoint, event_id, ticket_id, type, fingerprint, body, "
                "created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (endpoint, event_id) DO NOTHING",
                (
                    event.endpoint,
                    event.event_id,
                    event.ticket_id,
                    event.type,
                    event.fingerprint,
                    event.body,
                    now,
                    now,
                ),
            )
        return added

    async def last_fingerprint(self, ticket_id: str) -> str | None:
        """What the ticket looked like in its last event (None: no event yet)."""
        row = await self._read(
            lambda sql: sql.row(
                "SELECT fingerprint FROM outbox WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
                (ticket_id,),
            )
        )
        return str(row[0]) if row else None

    async def due_deliveries(self, limit: int = 20) -> list[Delivery]:
        """Events due now, each the oldest one pending for its ticket and endpoint."""
        now = self._clock().isoformat()
        rows = await self._read(
            lambda sql: sql.rows(
                f"SELECT {_COLUMNS} FROM outbox o WHERE state = ? AND next_at <= ? "
                "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.endpoint = o.endpoint "
                "AND e.ticket_id = o.ticket_id AND e.state = ? AND e.id < o.id) "
                "ORDER BY id LIMIT ?",
                (PENDING, now, PENDING, limit),
            )
        )
        return [_delivery(row) for row in rows]

    async def next_delivery_at(self) -> datetime | None:
        """When the next pending event is due (None: nothing waits)."""
        row = await self._read(
            lambda sql: sql.row("SELECT MIN(next_at) FROM outbox WHERE state = ?", (PENDING,))
        )
        return datetime.fromisoformat(str(row[0])) if row and row[0] else None

    async def delivery_answered(
        self, delivery_id: int, state: str, answer: str, next_at: datetime | None = None
    ) -> None:
        """Record an attempt: delivered, failed for good, or pending until `next_at`."""
        now = self._clock()
        due = (next_at or now).isoformat()
        await self._write(
            lambda sql: sql.run(
                "UPDATE outbox SET state = ?, answer = ?, answered_at = ?, next_at = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                (state, answer[:500], now.isoformat(), due, delivery_id),
            )
        )

    async def deliveries(self, ticket_id: str) -> list[Delivery]:
        """Every event of a ticket and what became of it, oldest first."""
        rows = await self._read(
            lambda sql: sql.rows(
                f"SELECT {_COLUMNS} FROM outbox WHERE ticket_id = ? ORDER BY id", (ticket_id,)
            )
        )
        return [_delivery(row) for row in rows]
