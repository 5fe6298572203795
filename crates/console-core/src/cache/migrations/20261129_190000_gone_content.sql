-- Content Hook0 no longer has: an event payload or a response the API answered 404 for
-- (expired by Hook0's retention, or deleted). Recording when that was learned lets every
-- later sync skip the item instead of asking again, and lets a delivery's detail say
-- "expired upstream". The marker lives on the row that names the content, so erasing or
-- purging that row removes the marker with it.
ALTER TABLE event ADD COLUMN payload_gone_at INTEGER;     -- µs; NULL while it may exist
ALTER TABLE attempt ADD COLUMN response_gone_at INTEGER;  -- µs; NULL while it may exist

-- The sync's to-do lists leave gone items out, so they stay as small as what is missing.
DROP INDEX IF EXISTS event_missing_failed;
CREATE INDEX event_missing_failed ON event(id)
    WHERE payload_cached = 0 AND has_failure = 1 AND payload_gone_at IS NULL;
DROP INDEX IF EXISTS event_missing;
CREATE INDEX event_missing ON event(id) WHERE payload_cached = 0 AND payload_gone_at IS NULL;
-- Newest failures first: the content stages walk this index backwards by creation time. It
-- carries the chain and retry number so that telling a delivery's latest failure from the
-- earlier ones reads the index and the chain, never the attempt rows (3x faster at a
-- million attempts).
DROP INDEX IF EXISTS attempt_missing_response;
CREATE INDEX attempt_missing_response ON attempt(created_at, chain_id, retry_count)
    WHERE status = 4 AND response_uuid IS NOT NULL AND response_cached = 0
      AND response_gone_at IS NULL;
