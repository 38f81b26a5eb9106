import type { PoolClient } from "pg";
import type { WorkPriority } from "../../ports/work-priority";

/**
 * pg-boss queue names, one place. The queues live in Handoff's database (schema `pgboss`), so the stores that
 * enqueue in their own transaction (the event store) and the workers that drain them (`src/jobs/`) both read
 * the names from here.
 */
export const QUEUES = {
  /** One job per accepted delivery; fans out to one lead-event job per event, off the acknowledgement path. */
  intakeBatch: "intake-batch",
  leadEvent: "lead-event",
  notify: "notify",
  followUp: "follow-up",
  /** On a schedule: reps' open counts against the CRM's own (app/reconcile-open-leads). */
  reconcileOpenLeads: "reconcile-open-leads",
  /** Every minute: leads changed in CRM accounts that cannot push changes (app/poll-changed-leads). */
  pollChangedLeads: "poll-changed-leads",
  /** Daily: old rows pruned by the retention policy (jobs/retention-worker). */
  retention: "retention",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** A `lead-event` job: one stored event to run through the pipeline. */
export interface LeadEventJob {
  connectionId: string;
  eventKey: string;
  /** The CRM calls this event makes queue at this priority (absent in jobs from older versions: normal). */
  priority?: WorkPriority;
}

/** Lets pg-boss write its job rows inside our own transaction (insert event + enqueue = one commit). */
export function bossOnClient(client: PoolClient) {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
}
