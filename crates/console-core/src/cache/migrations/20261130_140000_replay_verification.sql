-- The verdict on a replay job (replay/verdicts.rs), kept so that a job's verified outcome
-- outlives the process that watched it. One row per job; a new verification replaces it.
-- Instants: INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE replay_verification (
    job_id      INTEGER PRIMARY KEY REFERENCES replay_job(id),
    verified_at INTEGER NOT NULL,
    report      TEXT NOT NULL      -- JSON of the Verification
) STRICT;
