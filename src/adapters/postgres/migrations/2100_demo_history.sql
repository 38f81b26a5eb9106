-- The embedded demo's quarter of history: one row per demo connection once its past has been played through the
-- pipeline, so a restart never plays it twice.
CREATE TABLE demo_history (
  connection_id  text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  seeded_at      timestamptz NOT NULL,
  weeks          integer NOT NULL,
  leads          integer NOT NULL,
  events         integer NOT NULL,
  ms             integer NOT NULL
);
