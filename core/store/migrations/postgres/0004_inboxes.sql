-- Several inboxes on one store: each item belongs to an inbox ('' for the one inbox of a
-- setup without MAILBOXES), and a UID is unique within its inbox's mailbox.
ALTER TABLE items ADD COLUMN inbox TEXT NOT NULL DEFAULT '';
ALTER TABLE items DROP CONSTRAINT items_mailbox_uidvalidity_uid_key;
ALTER TABLE items ADD CONSTRAINT items_inbox_mailbox_uid_key
    UNIQUE (inbox, mailbox, uidvalidity, uid);
CREATE INDEX items_inbox ON items (inbox, state);
