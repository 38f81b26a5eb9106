-- The daily retention run strips the CRM's raw payload from events older than a week. This index holds only
-- the events that still carry one (about the last week's, whatever the table's size), so each batch of the
-- strip reads just the rows it rewrites instead of scanning past a year of events already stripped. Its
-- predicate is the strip's own (src/adapters/postgres/retention.ts): keep the two identical.
CREATE INDEX events_unstripped ON events (received_at)
  WHERE payload->'raw' <> '{}'::jsonb OR payload ? 'propertyValue' OR raw IS NOT NULL;
