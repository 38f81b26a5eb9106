import type { HandoffCardInput } from "../../domain/handoff-card";
import type { HandoffRecord, HandoffStatus } from "../../ports/leads";

/** A row of `handoffs` as PostgreSQL returns it. */
export interface HandoffRow {
  id: string;
  connection_id: string;
  lead_id: string;
  event_key: string;
  owner_id: string | null;
  rep_key: string | null;
  method: string | null;
  task_id: string | null;
  started_at: Date;
  due_at: Date;
  first_touch_at: Date | null;
  status: HandoffStatus;
  reject_reason: string | null;
  feedback_note?: string | null;
  feedback_at: Date | null;
  sla_hash: string | null;
  score: HandoffRecord["score"];
  source: Record<string, unknown>;
  card_input: HandoffCardInput;
  created_at: Date;
}
