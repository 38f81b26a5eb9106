-- Leads sales converted in the CRM (Salesforce lead conversion): what they became and who owns it now. One row per
-- converted lead; the converted Contact's id finds the lead again, so the person is never handed over as new.
CREATE TABLE lead_conversions (
  connection_id      text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id            text NOT NULL,
  handoff_id         text REFERENCES handoffs (id) ON DELETE SET NULL,
  converted_on       date NOT NULL,
  contact_id         text,
  account_id         text,
  opportunity_id     text,
  handoff_owner_id   text,                    -- who the handoff gave the lead to
  converted_owner_id text,                    -- who owns the records the conversion made
  owner_changed      boolean NOT NULL DEFAULT false,
  recorded_at        timestamptz NOT NULL,
  PRIMARY KEY (connection_id, lead_id)
);
CREATE INDEX lead_conversions_contact ON lead_conversions (connection_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX lead_conversions_handoff ON lead_conversions (connection_id, handoff_id) WHERE handoff_id IS NOT NULL;
