-- The CRM's Lead record of each handoff (HubSpot's Leads object, 0-136): which record, for which person. Its stage
-- changes come back as webhooks on the record, and the card opened on it finds the person's handoff through it.
CREATE TABLE crm_lead_records (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  record_id      text NOT NULL,
  lead_id        text NOT NULL,                -- the person's record (HubSpot contact id)
  handoff_id     text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  created        boolean NOT NULL,             -- false: the person's open Lead was reused
  at             timestamptz NOT NULL,
  PRIMARY KEY (connection_id, record_id, handoff_id)
);
CREATE INDEX crm_lead_records_record ON crm_lead_records (connection_id, record_id, at DESC);
CREATE UNIQUE INDEX crm_lead_records_handoff ON crm_lead_records (connection_id, handoff_id);
