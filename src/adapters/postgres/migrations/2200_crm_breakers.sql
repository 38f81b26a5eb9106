-- One CRM circuit breaker per connection, shared by every process and kept across restarts. A row exists only
-- while the connection's CRM is failing (deleted when it answers again), so the table stays as small as the
-- number of connections with an outage.
CREATE TABLE crm_breakers (
  connection_id text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  state         text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  failures      integer NOT NULL,
  cooldown_ms   integer NOT NULL,
  open_until    timestamptz NOT NULL,
  probe_at      timestamptz,
  updated_at    timestamptz NOT NULL
);
