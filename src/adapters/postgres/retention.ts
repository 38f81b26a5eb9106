import type { Pool } from "pg";

/** Days each kind of row is kept (config: RETENTION_* variables, see README "Operating Handoff"). */
export interface RetentionPolicy {
  /** The CRM's raw event (and the changed value) is stripped from settled events after this. @default 7 */
  rawPayloadDays: number;
  /** Settled and parked events are deleted after this. @default 400 */
  eventsDays: number;
  /** Routing decisions (their lead no longer assigned by them) are deleted after this. @default 400 */
  decisionsDays: number;
  /**
   * Closed handoffs, with their notifications, follow-up steps and Lead record links, are deleted after this; so
   * are recorded conversions. @default 400
   */
  handoffsDays: number;
  /** The admin audit log is deleted after this. @default 400 */
  auditDays: number;
  /** Lead activities, lifecycle history and the score recorded per event are deleted after this. @default 400 */
  activityDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  rawPayloadDays: 7,
  eventsDays: 400,
  decisionsDays: 400,
  handoffsDays: 400,
  auditDays: 400,
  activityDays: 400,
};

/** Rows touched per statement: short transactions, no long locks on a busy table. */
const BATCH = 5_000;
const DAY_MS = 86_400_000;

/**
 * The settled events (received before $1) that still carry the CRM's raw payload, $2 at a time. Its unstripped
 * test is the predicate of the events_unstripped index (migration 2201), which holds about a week of events
 * whatever the table's size: a batch reads only the rows it rewrites. The ORDER BY keeps the planner on that
 * index even when its statistics are stale (measured without it: a sequential scan passing over 900,000
 * stripped rows for each batch of 5,000, 1.4 s a batch, at 1 M events).
 */
export const STRIP_BATCH = `SELECT ctid FROM events
  WHERE received_at < $1 AND status IN ('processed', 'ignored')
    AND (payload->'raw' <> '{}'::jsonb OR payload ? 'propertyValue' OR raw IS NOT NULL)
  ORDER BY received_at LIMIT $2`;

/** What one pruning run removed, per table. */
export type PruneReport = Record<
  | "eventPayloadsStripped"
  | "eventsDeleted"
  | "decisionsDeleted"
  | "handoffsDeleted"
  | "conversionsDeleted"
  | "auditDeleted"
  | "activitiesDeleted"
  | "lifecycleDeleted"
  | "scoresDeleted",
  number
>;

/**
 * Applies the retention policy as of `now`, in batches. Open work is never touched: pending events, open
 * handoffs and decisions that still hold a lead's assignment stay whatever their age.
 *
 * @example const report = await pruneRetention(pool, DEFAULT_RETENTION, clock());
 */
export async function pruneRetention(pool: Pool, policy: RetentionPolicy, now: Date): Promise<PruneReport> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const repeat = async (sql: string, cutoff: Date): Promise<number> => {
    let total = 0;
    for (;;) {
      const r = await pool.query(sql, [cutoff, BATCH]);
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < BATCH) return total;
    }
  };
  // Deletes run before the strip, so a year-old event is not rewritten on its way out.
  return {
    eventsDeleted: await repeat(
      `DELETE FROM events WHERE ctid IN (SELECT ctid FROM events
         WHERE received_at < $1 AND status IN ('processed', 'ignored', 'parked') LIMIT $2)`,
      before(policy.eventsDays),
    ),
    // The CRMs stop redelivering after a day; past the margin only ids, kind and time are needed.
    eventPayloadsStripped: await repeat(
      `UPDATE events SET payload = jsonb_set(payload - 'propertyValue', '{raw}', '{}'::jsonb), raw = NULL
       WHERE ctid IN (${STRIP_BATCH})`,
      before(policy.rawPayloadDays),
    ),
    handoffsDeleted: await repeat(
      `DELETE FROM handoffs WHERE id IN (SELECT id FROM handoffs
         WHERE created_at < $1 AND status <> 'open' LIMIT $2)`,
      before(policy.handoffsDays),
    ),
    conversionsDeleted: await repeat(
      `DELETE FROM lead_conversions WHERE ctid IN (SELECT ctid FROM lead_conversions WHERE recorded_at < $1 LIMIT $2)`,
      before(policy.handoffsDays),
    ),
    decisionsDeleted: await repeat(
      `DELETE FROM decisions WHERE id IN (SELECT d.id FROM decisions d
         WHERE d.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM lead_assignments a WHERE a.decision_id = d.id AND a.released_at IS NULL)
         LIMIT $2)`,
      before(policy.decisionsDays),
    ),
    auditDeleted: await repeat(
      `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT $2)`,
      before(policy.auditDays),
    ),
    activitiesDeleted: await repeat(
      `DELETE FROM activities WHERE ctid IN (SELECT ctid FROM activities WHERE occurred_at < $1 LIMIT $2)`,
      before(policy.activityDays),
    ),
    scoresDeleted: await repeat(
      `DELETE FROM lead_scores WHERE ctid IN (SELECT ctid FROM lead_scores WHERE at < $1 LIMIT $2)`,
      before(policy.activityDays),
    ),
    lifecycleDeleted: await repeat(
      `DELETE FROM lifecycle_events WHERE ctid IN (SELECT ctid FROM lifecycle_events WHERE at < $1 LIMIT $2)`,
      before(policy.activityDays),
    ),
  };
}
