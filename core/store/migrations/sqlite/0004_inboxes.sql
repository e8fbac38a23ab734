-- Several inboxes on one store: each item belongs to an inbox ('' for the one inbox of a
-- setup without MAILBOXES), and a UID is unique within its inbox's mailbox.
-- SQLite cannot change a table's constraints: the table is rebuilt, as its manual says
-- (foreign keys are off while migrations run).
CREATE TABLE items_new (
    id INTEGER PRIMARY KEY,
    inbox TEXT NOT NULL DEFAULT '',
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    raw BLOB NOT NULL,
    proposal TEXT,
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    reply_message_id TEXT NOT NULL DEFAULT '',
    ticket_id TEXT NOT NULL DEFAULT '',
    approved_by TEXT NOT NULL DEFAULT '',
    send_after TEXT NOT NULL DEFAULT '',
    reply_raw BLOB,
    flags_synced INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    conversation_id INTEGER,
    send_attempts INTEGER NOT NULL DEFAULT 0,
    retrying_since TEXT NOT NULL DEFAULT '',
    sender_addr TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_until TEXT NOT NULL DEFAULT '',
    UNIQUE (inbox, mailbox, uidvalidity, uid)
);
INSERT INTO items_new (
    id, mailbox, uidvalidity, uid, message_id, dedup_key, state, received_at, sender,
    subject, raw, proposal, error, attempts, reply_message_id, ticket_id, approved_by,
    send_after, reply_raw, flags_synced, version, conversation_id, send_attempts,
    retrying_since, sender_addr, created_at, updated_at, claimed_by, claimed_until)
SELECT
    id, mailbox, uidvalidity, uid, message_id, dedup_key, state, received_at, sender,
    subject, raw, proposal, error, attempts, reply_message_id, ticket_id, approved_by,
    send_after, reply_raw, flags_synced, version, conversation_id, send_attempts,
    retrying_since, sender_addr, created_at, updated_at, claimed_by, claimed_until
FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE INDEX items_state ON items (state);
CREATE INDEX items_dedup ON items (dedup_key);
CREATE INDEX items_message_id ON items (message_id);
CREATE INDEX items_reply_message_id ON items (reply_message_id);
CREATE INDEX items_conversation ON items (conversation_id);
CREATE INDEX items_sender_addr ON items (sender_addr, id);
CREATE INDEX items_updated ON items (updated_at);
CREATE INDEX items_claimed ON items (claimed_by);
CREATE INDEX items_inbox ON items (inbox, state);
