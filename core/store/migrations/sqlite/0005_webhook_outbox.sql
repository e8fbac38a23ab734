-- Ticket events waiting to be delivered to each webhook endpoint, written in the same
-- transaction as the change that caused them, and delivered in order per ticket.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    event_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    type TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    next_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    answer TEXT NOT NULL DEFAULT '',
    answered_at TEXT NOT NULL DEFAULT '',
    UNIQUE (endpoint, event_id)
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);
