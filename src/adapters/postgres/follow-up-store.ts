import type { Pool } from "pg";
import type { CadenceCompliance, FollowUpStep, FollowUpStepKind } from "../../domain/follow-up-plan";
import type {
  StepClosing,
  StepStatus,
  StoredStep,
  Reassignment,
  FollowUpStore,
} from "../../ports/follow-ups";

/**
 * The follow-up clock's memory: each handoff's timers and whether they ran, the chain of reassignments
 * (who had the lead before), and the last cadence poll. Every method takes the connection id first.
 */
export class PostgresFollowUpStore implements FollowUpStore {
  constructor(private readonly pool: Pool) {}

  /** Stores the plan once: a second call for the same handoff keeps what is there (and what already ran). */
  async saveSteps(connectionId: string, handoffId: string, steps: readonly FollowUpStep[]): Promise<void> {
    if (steps.length === 0) return;
    await this.pool.query(
      `INSERT INTO follow_up_steps (handoff_id, connection_id, step, seq, kind, due_at)
       SELECT $1, $2, s.step, s.seq, s.kind, s.due_at
         FROM unnest($3::text[], $4::int[], $5::text[], $6::timestamptz[]) AS s (step, seq, kind, due_at)
       ON CONFLICT DO NOTHING`,
      [
        handoffId,
        connectionId,
        steps.map((s) => s.key),
        steps.map((s, i) => s.seq ?? i),
        steps.map((s) => s.kind),
        steps.map((s) => s.at),
      ],
    );
  }

  async steps(connectionId: string, handoffId: string): Promise<StoredStep[]> {
    const r = await this.pool.query<{
      handoff_id: string;
      step: string;
      seq: number;
      kind: FollowUpStepKind;
      due_at: Date;
      status: StepStatus;
      outcome: string | null;
      fired_at: Date | null;
    }>(
      `SELECT handoff_id, step, seq, kind, due_at, status, outcome, fired_at FROM follow_up_steps
        WHERE connection_id = $1 AND handoff_id = $2 ORDER BY seq`,
      [connectionId, handoffId],
    );
    return r.rows.map((row) => ({
      handoffId: row.handoff_id,
      step: row.step,
      seq: row.seq,
      kind: row.kind,
      dueAt: row.due_at.toISOString(),
      status: row.status,
      outcome: row.outcome,
      firedAt: row.fired_at ? row.fired_at.toISOString() : null,
    }));
  }

  /** Closes one step; false when it was closed before (another worker, or a redelivered job). */
  async closeStep(connectionId: string, handoffId: string, closing: StepClosing): Promise<boolean> {
    const { step, status, outcome, at } = closing;
    const r = await this.pool.query(
      `UPDATE follow_up_steps SET status = $4, outcome = $5, fired_at = $6
        WHERE connection_id = $1 AND handoff_id = $2 AND step = $3 AND status = 'scheduled'`,
      [connectionId, handoffId, step, status, outcome, at],
    );
    return r.rowCount === 1;
  }

  /** Skips every step still scheduled except the cadence check (first touch, feedback or reassignment). */
  async stopClock(connectionId: string, handoffId: string, outcome: string, at: Date): Promise<number> {
    const r = await this.pool.query(
      `UPDATE follow_up_steps SET status = 'skipped', outcome = $3, fired_at = $4
        WHERE connection_id = $1 AND handoff_id = $2 AND status = 'scheduled' AND kind NOT IN ('cadence', 'next_touch')`,
      [connectionId, handoffId, outcome, at],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Runs `work` while holding the handoff's lock, so that two jobs of one handoff (two workers, or a job
   * redelivered while the first is still running) take turns and each step sees what the previous one did.
   */
  async withHandoffLock<T>(connectionId: string, handoffId: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const key = `follow-up:${connectionId}:${handoffId}`;
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 8001))", [key]);
      try {
        return await work();
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 8001))", [key]);
      }
    } finally {
      client.release();
    }
  }

  /** Marks the handoff `reassigned` (only while it is open); false when it already was or got feedback. */
  async markReassigned(connectionId: string, handoffId: string, at: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE handoffs SET status = 'reassigned', feedback_at = $3
        WHERE connection_id = $1 AND id = $2 AND status = 'open'`,
      [connectionId, handoffId, at],
    );
    return r.rowCount === 1;
  }

  /** The routing decision behind the lead's open slot, if Handoff holds one for it. */
  async openAssignmentDecision(connectionId: string, leadId: string): Promise<string | null> {
    const r = await this.pool.query<{ decision_id: string }>(
      `SELECT decision_id FROM lead_assignments
        WHERE connection_id = $1 AND lead_id = $2 AND released_at IS NULL`,
      [connectionId, leadId],
    );
    return r.rows[0]?.decision_id ?? null;
  }

  async recordReassignment(connectionId: string, r: Reassignment): Promise<void> {
    await this.pool.query(
      `INSERT INTO handoff_reassignments (from_handoff_id, to_handoff_id, connection_id, lead_id, from_owner_id,
         to_owner_id, reason, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [r.fromHandoffId, r.toHandoffId, connectionId, r.leadId, r.fromOwnerId, r.toOwnerId, r.reason, r.at],
    );
  }

  /** The reassignment that replaced a handoff, if one did (a retried job finds its own earlier work). */
  async reassignmentFrom(connectionId: string, handoffId: string): Promise<Reassignment | null> {
    const r = await this.pool.query<{
      from_handoff_id: string;
      to_handoff_id: string;
      lead_id: string;
      from_owner_id: string | null;
      to_owner_id: string | null;
      reason: string;
      at: Date;
    }>("SELECT * FROM handoff_reassignments WHERE connection_id = $1 AND from_handoff_id = $2", [
      connectionId,
      handoffId,
    ]);
    const row = r.rows[0];
    return row
      ? {
          fromHandoffId: row.from_handoff_id,
          toHandoffId: row.to_handoff_id,
          leadId: row.lead_id,
          fromOwnerId: row.from_owner_id,
          toOwnerId: row.to_owner_id,
          reason: row.reason,
          at: row.at.toISOString(),
        }
      : null;
  }

  /** Every owner of this handoff's chain: its own owner and those of the handoffs it was reassigned from. */
  async previousOwners(connectionId: string, handoffId: string): Promise<string[]> {
    const r = await this.pool.query<{ owner_id: string }>(
      `WITH RECURSIVE chain (id) AS (
         SELECT $2::text
         UNION
         SELECT ra.from_handoff_id FROM handoff_reassignments ra JOIN chain ON ra.to_handoff_id = chain.id
          WHERE ra.connection_id = $1
       )
       SELECT DISTINCT h.owner_id FROM handoffs h JOIN chain ON h.id = chain.id
        WHERE h.connection_id = $1 AND h.owner_id IS NOT NULL ORDER BY 1`,
      [connectionId, handoffId],
    );
    return r.rows.map((row) => row.owner_id);
  }

  async saveCadence(
    connectionId: string,
    handoffId: string,
    c: CadenceCompliance,
    checkedAt: Date,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO follow_up_cadence (handoff_id, connection_id, calls_done, calls_required, emails_done,
         emails_required, window_end, status, checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (handoff_id) DO UPDATE SET calls_done = EXCLUDED.calls_done,
         calls_required = EXCLUDED.calls_required, emails_done = EXCLUDED.emails_done,
         emails_required = EXCLUDED.emails_required, window_end = EXCLUDED.window_end,
         status = EXCLUDED.status, checked_at = EXCLUDED.checked_at`,
      [
        handoffId,
        connectionId,
        c.calls.done,
        c.calls.required,
        c.emails.done,
        c.emails.required,
        c.windowEnd,
        c.status,
        checkedAt,
      ],
    );
  }

  async cadence(connectionId: string, handoffId: string): Promise<CadenceCompliance | null> {
    const r = await this.pool.query<{
      calls_done: number;
      calls_required: number;
      emails_done: number;
      emails_required: number;
      window_end: Date;
      status: CadenceCompliance["status"];
    }>("SELECT * FROM follow_up_cadence WHERE connection_id = $1 AND handoff_id = $2", [
      connectionId,
      handoffId,
    ]);
    const row = r.rows[0];
    return row
      ? {
          calls: { done: row.calls_done, required: row.calls_required },
          emails: { done: row.emails_done, required: row.emails_required },
          windowEnd: row.window_end.toISOString(),
          status: row.status,
        }
      : null;
  }
}
