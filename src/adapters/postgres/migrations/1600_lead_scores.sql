-- The lead's score as Handoff computed it at each event: the lead story's "score over time, with its
-- reasons". One row per (lead, event): a redelivered or retried event adds nothing. The reasons quote the
-- lead's fields (job title, country), so a privacy deletion removes these rows with the rest.
CREATE TABLE lead_scores (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  event_key      text NOT NULL,
  at             timestamptz NOT NULL,
  sla_hash       text,
  fit            numeric NOT NULL,
  engagement     numeric NOT NULL,
  total          numeric NOT NULL,
  stage          text NOT NULL,
  action         text NOT NULL,
  reason         text NOT NULL,
  reasons        jsonb NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (connection_id, lead_id, event_key)
);
CREATE INDEX lead_scores_lead ON lead_scores (connection_id, lead_id, at);
