-- A lead-event run holds its event for a lease: a second run of the same job (pg-boss re-running an expired
-- job while the first is still busy) finds it held and waits instead of running twice at once.
ALTER TABLE events ADD COLUMN lease_until timestamptz;
-- When the event first failed: retries continue for the retry horizon (24 h by default) from here.
ALTER TABLE events ADD COLUMN failing_since timestamptz;
-- The backlog per connection (/metrics, dashboard) without scanning every processed event.
CREATE INDEX events_open ON events (connection_id, status) WHERE status IN ('pending', 'processing');
