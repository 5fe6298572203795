-- The delivery list answers a page by walking an index in its sort order and stopping after
-- one page, whatever the filters (query/plan.rs, query/walk.rs). So each sort key has an index
-- ending in (key, id) — the page order, ties broken by attempt id — that also carries the
-- columns the common filters test (subscription, retry count, creation time, delivery chain;
-- the time index also event type, status and HTTP status): rows that fail a filter are skipped
-- inside the index, without reading the attempt row. Measured at a million attempts: the mixed
-- list queries went from p95 ~1 s to ~12 ms; the two new indexes cost about a third of the bulk
-- ingest rate (latency the most: its values arrive in random order).
--
-- Latency and retry count lead with (application, status, HTTP class): both are tied to them
-- (timeouts hold the longest latencies, failures the highest retry counts, and each target
-- fails its own way), so a filter on any of them reads only its own partitions, and the list
-- merges the partitions by key.

DROP INDEX attempt_time;
CREATE INDEX attempt_time ON attempt(created_at, id, application_id, subscription_id,
    event_type_id, status, http_status, retry_count, coalesce(full_processing_ms, -1),
    chain_id);

-- Failures by cause count the partial days at a window's edges from attempts: with target and
-- cause in it, this index answers them alone.
DROP INDEX attempt_app_status_time;
CREATE INDEX attempt_app_status_time ON attempt(application_id, status, created_at,
    subscription_id, http_status, error_kind);

-- Walked per (subscription, class) arm when the list is filtered by subscription or class, and
-- collected from when a subscription is small.
DROP INDEX attempt_sub_class_time;
CREATE INDEX attempt_sub_class_time ON attempt(subscription_id, http_status / 100, created_at,
    id, status, retry_count, coalesce(full_processing_ms, -1), application_id, event_type_id,
    http_status, chain_id);

CREATE INDEX attempt_latency ON attempt(application_id, status, http_status / 100,
    coalesce(full_processing_ms, -1), id, subscription_id, retry_count, created_at, chain_id);

CREATE INDEX attempt_retries ON attempt(application_id, status, http_status / 100, retry_count,
    id, subscription_id, created_at, chain_id);

-- With the outcome in it, "deliveries that gave up" (or are retrying) is read from this
-- index alone.
DROP INDEX chain_failing;
CREATE INDEX chain_failing ON chain(first_created_at, outcome) WHERE outcome IN (1, 3);
