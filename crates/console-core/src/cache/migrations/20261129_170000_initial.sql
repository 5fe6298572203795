-- Hook0 Console cache, first schema.
-- Ids: every Hook0 UUID is stored once, as a 16-byte blob with a UNIQUE index; rows refer to
-- each other by INTEGER surrogate keys, which keeps the big indexes small.
-- Instants: INTEGER microseconds since the Unix epoch, UTC. Days: INTEGER days since the epoch.

CREATE TABLE organization (
    id             INTEGER PRIMARY KEY,
    uuid           BLOB NOT NULL UNIQUE,
    name           TEXT,
    role           TEXT,
    plan           TEXT,
    -- days_of_events_retention_limit from the organization info, when known
    retention_days INTEGER
);

CREATE TABLE application (
    id              INTEGER PRIMARY KEY,
    uuid            BLOB NOT NULL UNIQUE,
    organization_id INTEGER REFERENCES organization(id),
    name            TEXT
);

CREATE TABLE event_type (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    name           TEXT NOT NULL,
    service        TEXT,
    resource_type  TEXT,
    verb           TEXT,
    UNIQUE (application_id, name)
);

-- The subscription secret is never stored; neither are target headers (they may carry
-- credentials of the target).
CREATE TABLE subscription (
    id             INTEGER PRIMARY KEY,
    uuid           BLOB NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES application(id),
    description    TEXT,
    target_type    TEXT,
    target_method  TEXT,
    target_url     TEXT,
    event_types    TEXT,          -- JSON array
    labels         TEXT,          -- JSON object
    metadata       TEXT,          -- JSON object
    is_enabled     INTEGER,
    created_at     INTEGER,
    updated_at     INTEGER,
    known          INTEGER NOT NULL DEFAULT 0  -- 0: only seen in attempts so far
);

-- An event row exists as soon as an attempt names it; the payload comes later.
CREATE TABLE event (
    id               INTEGER PRIMARY KEY,
    uuid             BLOB NOT NULL UNIQUE,
    application_id   INTEGER NOT NULL REFERENCES application(id),
    event_type_id    INTEGER REFERENCES event_type(id),
    first_attempt_at INTEGER,     -- created_at of the first attempt seen (stubs' age)
    received_at      INTEGER,
    occurred_at      INTEGER,
    content_type     TEXT,
    payload          BLOB,        -- TEXT when UTF-8, BLOB otherwise; NULL until fetched
    metadata         TEXT,
    ip               TEXT,
    payload_cached   INTEGER NOT NULL DEFAULT 0,
    has_failure      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_missing_failed ON event(id) WHERE payload_cached = 0 AND has_failure = 1;
CREATE INDEX event_missing ON event(id) WHERE payload_cached = 0;

CREATE TABLE event_label (
    event_id INTEGER NOT NULL REFERENCES event(id),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (key, value, event_id)
) WITHOUT ROWID;
CREATE INDEX event_label_event ON event_label(event_id);

-- One delivery: every attempt of one event to one subscription (retries and replays).
-- Outcome codes: 0 pending, 1 retrying, 2 delivered, 3 gave_up. "Latest" is the greatest
-- (created_at, retry_count, attempt id).
CREATE TABLE chain (
    id               INTEGER PRIMARY KEY,
    event_id         INTEGER NOT NULL REFERENCES event(id),
    subscription_id  INTEGER NOT NULL REFERENCES subscription(id),
    application_id   INTEGER NOT NULL REFERENCES application(id),
    first_created_at INTEGER NOT NULL,
    last_created_at  INTEGER NOT NULL,
    last_retry_count INTEGER NOT NULL,
    last_attempt_id  INTEGER NOT NULL,
    last_status      INTEGER NOT NULL,
    outcome          INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    runs             INTEGER NOT NULL,  -- attempts with retry_count 0: 1 + replays
    first_failed_at  INTEGER,
    UNIQUE (event_id, subscription_id)
);
-- Only failing deliveries (retrying, gave up) are indexed: the at-risk question reads them,
-- and the vast majority of chains (delivered) then cost no index write.
CREATE INDEX chain_failing ON chain(first_created_at) WHERE outcome IN (1, 3);

-- Status codes: 0 waiting, 1 pending, 2 in_progress, 3 successful, 4 failed.
CREATE TABLE attempt (
    id                 INTEGER PRIMARY KEY,
    uuid               BLOB NOT NULL UNIQUE,
    application_id     INTEGER NOT NULL REFERENCES application(id),
    event_id           INTEGER NOT NULL REFERENCES event(id),
    subscription_id    INTEGER NOT NULL REFERENCES subscription(id),
    event_type_id      INTEGER NOT NULL REFERENCES event_type(id),
    chain_id           INTEGER NOT NULL REFERENCES chain(id),
    created_at         INTEGER NOT NULL,
    picked_at          INTEGER,
    failed_at          INTEGER,
    succeeded_at       INTEGER,
    delay_until        INTEGER,
    status             INTEGER NOT NULL,
    status_since       INTEGER,
    status_until       INTEGER,
    status_at          INTEGER,
    full_processing_ms INTEGER,
    retry_count        INTEGER NOT NULL,
    http_status        INTEGER,
    response_uuid      BLOB,
    response_cached    INTEGER NOT NULL DEFAULT 0,
    error_kind         TEXT        -- failed attempts only
);
CREATE INDEX attempt_app_status_time ON attempt(application_id, status, created_at);
CREATE INDEX attempt_sub_class_time ON attempt(subscription_id, http_status / 100, created_at);
CREATE INDEX attempt_time ON attempt(created_at);
CREATE INDEX attempt_event ON attempt(event_id);
CREATE INDEX attempt_response ON attempt(response_uuid) WHERE response_uuid IS NOT NULL;
CREATE INDEX attempt_open ON attempt(application_id) WHERE status < 3;
CREATE INDEX attempt_missing_response ON attempt(id)
    WHERE status = 4 AND response_uuid IS NOT NULL AND response_cached = 0;

CREATE TABLE response (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB NOT NULL UNIQUE,
    http_code   INTEGER,
    headers     TEXT,             -- JSON object
    body        BLOB,             -- TEXT when UTF-8, BLOB otherwise
    elapsed_ms  INTEGER,
    error_name  TEXT
);

-- Failed attempts counted by cause per (application, UTC day of created_at, cause,
-- subscription), maintained at ingest. Cause: 'http_<status>' or the error kind.
CREATE TABLE failure_rollup (
    application_id  INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    cause           TEXT NOT NULL,
    subscription_id INTEGER NOT NULL,
    failures        INTEGER NOT NULL,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    PRIMARY KEY (application_id, day, cause, subscription_id)
) WITHOUT ROWID;
CREATE INDEX failure_rollup_day ON failure_rollup(day);

-- Full text: contentless (the text lives once, in event.payload / response.body); rowids are
-- event.id and response.id.
CREATE VIRTUAL TABLE event_fts USING fts5(payload, content='', contentless_delete=1);
CREATE VIRTUAL TABLE response_fts USING fts5(body, content='', contentless_delete=1);

-- Sync cursors and watermarks, written in the transaction of the data they describe.
CREATE TABLE sync_state (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
