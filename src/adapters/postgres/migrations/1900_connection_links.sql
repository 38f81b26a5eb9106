-- Synced pairs: a HubSpot portal that runs marketing linked to the Salesforce org where sales works, joined by
-- HubSpot's Salesforce connector. One pair per connection on either side.
CREATE TABLE connection_links (
  marketing_connection_id text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  sales_connection_id     text NOT NULL UNIQUE REFERENCES connections (id) ON DELETE CASCADE,
  integration_user_id     text NOT NULL,   -- the Salesforce user the connector writes as (its changes are syncs)
  linked_by               text NOT NULL,
  linked_at               timestamptz NOT NULL,
  CHECK (marketing_connection_id <> sales_connection_id)
);

-- Which HubSpot contact each synced Salesforce lead is (the contact's salesforceleadid), so that the sales side
-- reads the person's engagement from HubSpot and the HubSpot card finds the Salesforce handoff. One row per synced
-- person, updated in place; erased with the contact.
CREATE TABLE synced_records (
  sales_connection_id     text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  sales_lead_id           text NOT NULL,
  marketing_connection_id text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  contact_id              text NOT NULL,
  seen_at                 timestamptz NOT NULL,
  PRIMARY KEY (sales_connection_id, sales_lead_id)
);
CREATE UNIQUE INDEX synced_records_contact ON synced_records (marketing_connection_id, contact_id);
