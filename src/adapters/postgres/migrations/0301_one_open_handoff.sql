-- At most one open handoff per lead: two events of the same new contact (creation + form submission)
-- processed at once must not hand the lead over twice.
CREATE UNIQUE INDEX handoffs_one_open ON handoffs (connection_id, lead_id) WHERE status = 'open';
