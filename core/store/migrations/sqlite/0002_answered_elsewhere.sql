-- The manager's replies from another mail client, and where the Sent folder was read.
CREATE TABLE IF NOT EXISTS outside_replies (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    noticed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outside_replies_in_reply_to ON outside_replies (in_reply_to);
CREATE TABLE IF NOT EXISTS outside_answers (
    outside_id INTEGER NOT NULL REFERENCES outside_replies (id),
    message_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outside_answers_message ON outside_answers (message_id);
CREATE TABLE IF NOT EXISTS cursors (key TEXT PRIMARY KEY, value TEXT NOT NULL);
