-- Evidence: what the operator saw, attached to an incident and kept in this file, so the
-- incident's report stays true after the delivery cache is purged or rebuilt. The snapshot is
-- canonical JSON (keys sorted, no spaces) and sha256 is the hash of exactly those bytes.

CREATE TABLE evidence (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL REFERENCES incident (id),
    kind        TEXT NOT NULL CHECK (kind IN ('deliveries', 'event', 'failure_group',
                    'explorer_filter', 'replay_job', 'audit_record')),
    label       TEXT NOT NULL,
    reference   TEXT NOT NULL,              -- JSON: what it points at (ids, the filter)
    snapshot    TEXT NOT NULL,              -- canonical JSON: what was seen
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    rows        INTEGER NOT NULL CHECK (rows >= 0),  -- rows seen (may exceed those kept)
    truncated   INTEGER NOT NULL CHECK (truncated IN (0, 1)),
    captured_at INTEGER NOT NULL,
    added_by    TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_incident ON evidence (incident_id, id);

-- The timeline gains the kind 'evidence'. SQLite cannot alter a CHECK constraint, so the
-- table is rebuilt with its rows (ids included, so entry order is unchanged).
CREATE TABLE timeline_entry_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL REFERENCES incident (id),
    at          INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    backdated   INTEGER NOT NULL CHECK (backdated IN (0, 1)),
    kind        TEXT NOT NULL CHECK (kind IN ('phase_changed', 'item_done', 'item_reopened',
                    'note', 'decision', 'sync', 'replay_job', 'audit', 'action',
                    'communication', 'evidence')),
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    reference   TEXT
) STRICT;
INSERT INTO timeline_entry_v2 (id, incident_id, at, recorded_at, backdated, kind, author, text,
    reference)
    SELECT id, incident_id, at, recorded_at, backdated, kind, author, text, reference
    FROM timeline_entry;
DROP TABLE timeline_entry;
ALTER TABLE timeline_entry_v2 RENAME TO timeline_entry;
CREATE INDEX timeline_entry_order ON timeline_entry (incident_id, at, recorded_at, id);
