-- The audit chain: one row per recorded action, in chain order. Values are what the MAC
-- covers (see chain.rs); rows are never updated nor deleted (triggers in schema.rs).
CREATE TABLE audit_record (
    seq         INTEGER PRIMARY KEY,          -- 1, 2, 3 … without gaps
    version     INTEGER NOT NULL,             -- MAC input layout
    at          INTEGER NOT NULL,             -- microseconds since the epoch, UTC
    actor       TEXT NOT NULL,                -- profile id or 'operator'
    action      TEXT NOT NULL,                -- AuditAction, snake_case
    targets     TEXT NOT NULL,                -- JSON array of ids
    params_hash BLOB,                         -- SHA-256 of the parameters, or NULL
    outcome     TEXT NOT NULL,                -- AuditOutcome, snake_case
    pending_id  INTEGER UNIQUE,               -- audit_pending.id it was sealed from, or NULL
    mac         BLOB NOT NULL                 -- HMAC-SHA256, 32 bytes
) STRICT;

CREATE INDEX audit_record_at ON audit_record (at);
CREATE INDEX audit_record_action ON audit_record (action, seq);

-- Entries recorded while the console is locked (no key to MAC them). Sealing moves them into
-- audit_record; AUTOINCREMENT keeps an id from ever being reused.
CREATE TABLE audit_pending (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    targets     TEXT NOT NULL,
    params_hash BLOB,
    outcome     TEXT NOT NULL
) STRICT;
