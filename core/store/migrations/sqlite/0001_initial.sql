-- The store as it was when versioned migrations began (SQLite).
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
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
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS items_state ON items (state);
CREATE INDEX IF NOT EXISTS items_dedup ON items (dedup_key);
CREATE INDEX IF NOT EXISTS items_message_id ON items (message_id);
CREATE INDEX IF NOT EXISTS items_reply_message_id ON items (reply_message_id);
CREATE INDEX IF NOT EXISTS items_conversation ON items (conversation_id);
CREATE INDEX IF NOT EXISTS items_sender_addr ON items (sender_addr, id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_item ON audit (item_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS settings_log_no_update BEFORE UPDATE ON settings_log
    BEGIN SELECT RAISE(ABORT, 'the settings log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS settings_log_no_delete BEFORE DELETE ON settings_log
    BEGIN SELECT RAISE(ABORT, 'the settings log is append-only'); END;
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items (id),
    number INTEGER NOT NULL,
    channel TEXT NOT NULL,
    recipients TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    actor TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 1,
    next_try TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    UNIQUE (conversation_id, number, channel)
);
CREATE INDEX IF NOT EXISTS pages_state ON pages (state);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    message_id TEXT NOT NULL,
    intent TEXT NOT NULL,
    emergency INTEGER,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
