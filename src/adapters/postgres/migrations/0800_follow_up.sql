-- The follow-up clock of each handoff: one row per timer (reminders, escalation, reassignment, cadence
-- check). The pg-boss job only wakes the clock up; this row says whether the step already ran, so a
-- redelivered job or a restarted worker never reminds, escalates or reassigns twice.
CREATE TABLE follow_up_steps (
  handoff_id     text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  step           text NOT NULL,                -- reminder-1, escalation, reassignment, cadence
  seq            integer NOT NULL,             -- order in the plan: steps run in this order
  kind           text NOT NULL,
  due_at         timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'done', 'skipped')),
  outcome        text,                         -- what happened, in words with ids only
  fired_at       timestamptz,
  PRIMARY KEY (handoff_id, step)
);
CREATE INDEX follow_up_steps_due ON follow_up_steps (connection_id, status, due_at);

-- Who had the lead before: a reassignment never goes back to a previous assignee of the chain.
CREATE TABLE handoff_reassignments (
  from_handoff_id text PRIMARY KEY REFERENCES handoffs (id) ON DELETE CASCADE,
  to_handoff_id   text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  connection_id   text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id         text NOT NULL,
  from_owner_id   text,
  to_owner_id     text,
  reason          text NOT NULL,
  at              timestamptz NOT NULL
);
CREATE INDEX handoff_reassignments_to ON handoff_reassignments (connection_id, to_handoff_id);

-- The touch cadence of each handoff as last polled from the CRM (for the card and the compliance reports).
CREATE TABLE follow_up_cadence (
  handoff_id      text PRIMARY KEY REFERENCES handoffs (id) ON DELETE CASCADE,
  connection_id   text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  calls_done      integer NOT NULL,
  calls_required  integer NOT NULL,
  emails_done     integer NOT NULL,
  emails_required integer NOT NULL,
  window_end      timestamptz NOT NULL,
  status          text NOT NULL CHECK (status IN ('on_track', 'behind', 'complete')),
  checked_at      timestamptz NOT NULL
);
CREATE INDEX follow_up_cadence_status ON follow_up_cadence (connection_id, status);
