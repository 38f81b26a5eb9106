-- The daily pruning job (jobs/retention-worker.ts) finds old rows by time across all connections; these
-- indexes keep each batch a range scan instead of a scan of a year of rows.
CREATE INDEX events_received ON events (received_at);
CREATE INDEX decisions_created_at ON decisions (created_at);
CREATE INDEX handoffs_created_at ON handoffs (created_at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX activities_occurred ON activities (occurred_at);
