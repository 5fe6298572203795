-- Hook0 lists no deleted subscription, and never delivers to one again; its attempts still
-- name it. The metadata sync records when a subscription it knew was missing from its
-- application's list, so that a replay plan does not count it among the receivers (and the
-- time it vanished is known). NULL: listed at the last metadata sync.
ALTER TABLE subscription ADD COLUMN deleted_at INTEGER;
