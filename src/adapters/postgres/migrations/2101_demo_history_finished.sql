-- The demo history is marked when its play starts and finished when it ends: a start that finds a play that never
-- finished (the process died mid-seed) removes what it had played and plays the quarter again from the start.
ALTER TABLE demo_history ADD COLUMN finished_at timestamptz;
UPDATE demo_history SET finished_at = seeded_at;
