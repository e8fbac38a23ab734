-- A team on one store: claims on items, leases, the running services, operators' presence.
ALTER TABLE items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS items_updated ON items (updated_at);
CREATE INDEX IF NOT EXISTS items_claimed ON items (claimed_by);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS services (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    stopped INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS presence (
    operator TEXT PRIMARY KEY,
    item_id INTEGER,
    active_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
