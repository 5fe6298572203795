-- The HTTP status column sort gets its own ordered index, like latency and retry count (see
-- delivery_order): without it, a broad list sorted by HTTP status collected and sorted every
-- matching attempt (about a second at a million). HTTP statuses are tied to the HTTP class
-- the index already leads with, so an arm holds a handful of distinct values and the walk
-- reads each value's rows in id order.
CREATE INDEX attempt_http ON attempt(application_id, status, http_status / 100,
    coalesce(http_status, 0), id, subscription_id, retry_count, created_at, chain_id);
