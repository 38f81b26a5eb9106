/** A routing decision as `decisions` stores it (what replay and the lead story read back). */
export interface DecisionRow {
  id: string;
  connection_id: string;
  lead_id: string;
  event_key: string | null;
  sla_hash: string | null;
  created_at: Date;
  inputs: Record<string, unknown>;
  outcome: Record<string, unknown>;
}
