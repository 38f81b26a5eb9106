-- Several CRM records of one person hand over once: the others are linked to the open handoff.
CREATE TABLE handoff_links (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  handoff_id     text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  linked_at      timestamptz NOT NULL,
  PRIMARY KEY (connection_id, lead_id, handoff_id)
);
CREATE INDEX handoff_links_handoff ON handoff_links (connection_id, handoff_id);
