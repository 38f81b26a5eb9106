-- Where the poll of changed leads stands, per connection: CRM accounts that cannot tell Handoff of a change
-- themselves (Salesforce Professional Edition has no outbound messages) are polled for leads changed since the
-- newest change already stored. One row per connection, so it stays one row however long the org is polled.
CREATE TABLE lead_poll_watermarks (
  connection_id  text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  modified_at    timestamptz NOT NULL,   -- the newest change stored so far (the CRM's own clock)
  polled_at      timestamptz NOT NULL    -- when the last poll finished (Handoff's clock)
);
