-- A team lead's, manager's or admin's override of a rep's monthly cap, for one month only (`m:2026-12`, in the
-- rep's time zone): from the next month on the SLA's cap_per_month applies again without anyone undoing it.
ALTER TABLE rep_state
  ADD COLUMN cap_per_month        integer CHECK (cap_per_month >= 0),
  ADD COLUMN cap_per_month_period text;
