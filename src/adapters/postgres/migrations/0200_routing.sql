-- Routing: availability, caps, fairness and load live here so that every app instance decides from the same
-- state, and the chosen rep is committed with row locks in the same transaction as the decision record.

-- One row per rep (SLA rep key) per connection: the manual away toggle, team-lead cap overrides, open load.
CREATE TABLE rep_state (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  rep_key        text NOT NULL,
  away           boolean NOT NULL DEFAULT false,
  away_reason    text,
  away_since     timestamptz,
  away_until     timestamptz,                 -- NULL while away = until further notice
  cap_open       integer CHECK (cap_open >= 0),       -- overrides set by the pool's team lead
  cap_per_day    integer CHECK (cap_per_day >= 0),
  cap_per_week   integer CHECK (cap_per_week >= 0),
  open_count     integer NOT NULL DEFAULT 0 CHECK (open_count >= 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text,
  PRIMARY KEY (connection_id, rep_key)
);

-- Out-of-office entries from the roster or a calendar; [starts_at, ends_at).
CREATE TABLE rep_ooo (
  id             bigserial PRIMARY KEY,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  rep_key        text NOT NULL,
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  reason         text,
  source         text NOT NULL DEFAULT 'manual',
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX rep_ooo_rep ON rep_ooo (connection_id, rep_key, ends_at);

-- Smooth weighted round-robin credits per pool (jsonb: { reps: { key: { credit, absent, owed } }, decisions }).
-- The row is the pool's lock: assignments into one pool serialise on it.
CREATE TABLE pool_fairness (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  pool           text NOT NULL,
  state          jsonb NOT NULL DEFAULT '{"reps": {}, "decisions": 0}'::jsonb,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, pool)
);

-- Leads assigned per rep per local day (`d:2026-11-23`) and ISO week (`w:2026-W48`) in the rep's zone.
CREATE TABLE rep_assignment_counts (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  rep_key        text NOT NULL,
  period         text NOT NULL,
  assigned       integer NOT NULL DEFAULT 0 CHECK (assigned >= 0),
  PRIMARY KEY (connection_id, rep_key, period)
);

-- Every routing (and, from the pipeline, scoring) decision with the inputs needed to replay it bit for bit.
CREATE TABLE decisions (
  id             text PRIMARY KEY,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  event_key      text,
  sla_hash       text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  inputs         jsonb NOT NULL DEFAULT '{}'::jsonb,
  outcome        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX decisions_lead ON decisions (connection_id, lead_id, created_at);
CREATE INDEX decisions_created ON decisions (connection_id, created_at);
-- One decision per lead per event: a redelivered or retried event finds the first one.
CREATE UNIQUE INDEX decisions_event ON decisions (connection_id, event_key, lead_id) WHERE event_key IS NOT NULL;

-- The open assignment Handoff made per lead: at most one, so a lead is never assigned twice.
CREATE TABLE lead_assignments (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  rep_key        text,
  owner_id       text NOT NULL,
  decision_id    text NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
  counted        boolean NOT NULL,            -- whether it took an open slot (released on close)
  assigned_at    timestamptz NOT NULL,
  released_at    timestamptz,
  release_reason text
);
CREATE UNIQUE INDEX lead_assignments_open ON lead_assignments (connection_id, lead_id) WHERE released_at IS NULL;
CREATE INDEX lead_assignments_rep ON lead_assignments (connection_id, rep_key) WHERE released_at IS NULL;
