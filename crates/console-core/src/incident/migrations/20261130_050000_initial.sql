-- Incident records (incident/store). Instants: INTEGER microseconds since the Unix epoch, UTC.
-- Ids: 16-byte UUID BLOBs. Enumerations are stored by their snake_case names, checked here so
-- a row no console writes cannot enter. Room is left for later migrations (evidence,
-- communications): nothing here needs to change for them.

CREATE TABLE incident (
    id                BLOB PRIMARY KEY CHECK (length(id) = 16),
    title             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('delivery_outage', 'leaked_secret',
                          'compromised_endpoint', 'data_exposure', 'other')),
    severity          TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
    status            TEXT NOT NULL CHECK (status IN ('identification', 'containment',
                          'eradication', 'recovery', 'lessons_learned', 'closed')),
    commander         TEXT,
    scribe            TEXT,
    communications    TEXT,
    scope             TEXT NOT NULL,        -- JSON of Scope
    template_id       TEXT NOT NULL,
    template_version  INTEGER NOT NULL,
    impact_started_at INTEGER,
    detected_at       INTEGER NOT NULL,
    declared_at       INTEGER NOT NULL,
    contained_at      INTEGER,
    eradicated_at     INTEGER,
    recovered_at      INTEGER,
    closed_at         INTEGER,
    phase_entered_at  INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX incident_status ON incident (status, declared_at);

-- The checklist, instantiated from the template at creation: later edits of the template do
-- not change an incident's items. due_at is set when the item's phase is entered.
CREATE TABLE checklist_item (
    incident_id       BLOB NOT NULL REFERENCES incident (id),
    phase             TEXT NOT NULL CHECK (phase IN ('identification', 'containment',
                          'eradication', 'recovery', 'lessons_learned')),
    position          INTEGER NOT NULL,
    text              TEXT NOT NULL,
    required          INTEGER NOT NULL CHECK (required IN (0, 1)),
    due_after_minutes INTEGER,
    due_at            INTEGER,
    deadline_label    TEXT,
    deadline_at       INTEGER,
    done_at           INTEGER,
    done_by           TEXT,
    note              TEXT,
    skipped_reason    TEXT,                 -- the reason its phase was left with it open
    PRIMARY KEY (incident_id, phase, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE timeline_entry (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL REFERENCES incident (id),
    at          INTEGER NOT NULL,           -- when it happened
    recorded_at INTEGER NOT NULL,           -- when it was written here
    backdated   INTEGER NOT NULL CHECK (backdated IN (0, 1)),
    kind        TEXT NOT NULL CHECK (kind IN ('phase_changed', 'item_done', 'item_reopened',
                    'note', 'decision', 'sync', 'replay_job', 'audit', 'action',
                    'communication')),
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    reference   TEXT                        -- JSON: what the entry points at, by kind
) STRICT;
CREATE INDEX timeline_entry_order ON timeline_entry (incident_id, at, recorded_at, id);

-- Operators' own templates; shipped ones live in the binary and never here.
CREATE TABLE incident_template (
    id       TEXT PRIMARY KEY,
    version  INTEGER NOT NULL CHECK (version > 0),
    body     TEXT NOT NULL,                 -- JSON of Template
    saved_at INTEGER NOT NULL
) STRICT;

-- The standing preparation checklist: what the operator ticked (computed items are not stored).
CREATE TABLE preparation_tick (
    item    TEXT PRIMARY KEY,
    done_at INTEGER NOT NULL,
    done_by TEXT NOT NULL,
    note    TEXT
) STRICT;
