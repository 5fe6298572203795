-- Replay jobs and their journal (replay/journal.rs). A job holds the approved manifest
-- verbatim with its hash; each event of it has one entry whose state is committed before the
-- replay request leaves, so a killed process knows which requests may have been sent.
-- Instants: INTEGER microseconds since the Unix epoch, UTC (the console's clock).

CREATE TABLE replay_job (
    id              INTEGER PRIMARY KEY,
    uuid            BLOB NOT NULL UNIQUE,
    manifest_sha256 TEXT NOT NULL,
    manifest        TEXT NOT NULL,     -- canonical JSON, hashes to manifest_sha256
    state           TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'finished')),
    created_at      INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    config          TEXT NOT NULL      -- JSON of the run settings
);

CREATE TABLE replay_entry (
    job_id         INTEGER NOT NULL REFERENCES replay_job(id),
    position       INTEGER NOT NULL,   -- order in the manifest
    event_uuid     BLOB NOT NULL,
    application_uuid BLOB NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('planned', 'sending', 'sent', 'failed', 'unknown')),
    tries          INTEGER NOT NULL DEFAULT 0,  -- requests sent (or possibly sent)
    sending_at     INTEGER,            -- when the latest request was about to leave
    updated_at     INTEGER NOT NULL,
    reason         TEXT,               -- failed / unknown: why
    problem_id     TEXT,               -- Hook0's problem id, when it sent one
    -- JSON array of the event's first-attempt ids known before the job: attempts a replay
    -- creates are first attempts too, and must not be confused with these.
    baseline       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_id, position)
) WITHOUT ROWID;
CREATE INDEX replay_entry_state ON replay_entry(job_id, state);
