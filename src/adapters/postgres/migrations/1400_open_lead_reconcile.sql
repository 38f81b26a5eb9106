-- A rep's open count = Handoff's own open assignments + leads open in the CRM that Handoff did not hand over
-- (learnt from the CRM's own count at the last reconcile). Both parts are kept so the dashboard can show them.
ALTER TABLE rep_state
  ADD COLUMN crm_open_count integer CHECK (crm_open_count >= 0),
  ADD COLUMN crm_other_open integer NOT NULL DEFAULT 0 CHECK (crm_other_open >= 0),
  ADD COLUMN reconciled_at  timestamptz;

-- Open assignments per rep, for the reconcile's batch read and the dashboard's breakdown.
CREATE INDEX IF NOT EXISTS lead_assignments_open_rep ON lead_assignments (connection_id, rep_key, assigned_at)
  WHERE released_at IS NULL AND counted;

-- The rep's note with their accept/reject from the card (deleted with the handoff on a privacy erase).
ALTER TABLE handoffs ADD COLUMN feedback_note text;
