import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import {
  decideAssignment,
  holidaysAround,
  repPeriods,
  repStateOf,
  repsToLock,
  slotLimits,
  type StoredRep,
} from "../../domain/assignment-snapshot";
import { AppError, NotFoundError } from "../../domain/errors";
import { routeLead } from "../../domain/routing";
import type { RoutingRules } from "../../domain/routing-rules";
import type {
  OwnerStatus,
  PoolFairness,
  RepState,
  RoutingDecision,
  RoutingInput,
} from "../../domain/routing-snapshot";
import type { CrmOwner } from "../../ports/crm";
import type { Logger } from "../../ports/logger";
import type { HolidayCalendar } from "../../ports/holidays";
import { createHolidayCalendar } from "../holidays";
import type { RepAvailabilityRow } from "./rep-state-row";
import { inTransaction } from "./transaction";
import type {
  AssignRequest,
  Assignment,
  AssignmentStore,
  OpenAssignment,
  RepOpenCount,
  StoredDecision,
} from "../../ports/assignments";
import type { DecisionRow } from "./decision-row";

/**
 * A CRM owner as routing needs it. Only queues keep their name (to find the fallback queue by name); people are
 * ids and flags, so stored decisions carry no personal names.
 */
export function toOwnerStatus(owner: CrmOwner): OwnerStatus {
  const status: OwnerStatus = { id: owner.id, active: owner.active, kind: owner.kind };
  if (owner.kind === "queue") {
    const name = [owner.firstName, owner.lastName].filter(Boolean).join(" ").trim();
    if (name) status.name = name;
  }
  return status;
}

export interface AssignmentStoreOptions {
  pool: Pool;
  /** @default the date-holidays calendar */
  holidays?: HolidayCalendar;
  /** The router; tests and `handoff replay --sla` may pass another. @default routeLead */
  route?: (input: RoutingInput) => RoutingDecision;
  logger?: Logger;
  /** Attempts on a deadlock or serialisation failure. @default 3 */
  attempts?: number;
}

/**
 * Atomic routing over PostgreSQL: the domain decides from a snapshot read under row locks, and the decision, the
 * slot and the pool's fairness state commit together, across any number of app instances.
 * @example const store = new PostgresAssignmentStore({ pool }); const { decision } = await store.assign(request);
 */
export class PostgresAssignmentStore implements AssignmentStore {
  private readonly pool: Pool;
  private readonly holidays: HolidayCalendar;
  private readonly route: (input: RoutingInput) => RoutingDecision;
  private readonly attempts: number;
  private readonly logger: Logger | undefined;

  constructor(options: AssignmentStoreOptions) {
    this.pool = options.pool;
    this.holidays = options.holidays ?? createHolidayCalendar();
    this.route = options.route ?? routeLead;
    this.logger = options.logger;
    this.attempts = options.attempts ?? 3;
    if (!Number.isInteger(this.attempts) || this.attempts < 1) {
      throw new Error(`Expected \`attempts\` to be an integer ≥ 1, got \`${this.attempts}\``);
    }
  }

  /** Two workers routing into the same pool can deadlock or fail to serialise; the loser runs again. */
  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work, {
      attempts: this.attempts,
      onRetry: (code, attempt) => this.logger?.warn("routing transaction retried", { code, attempt }),
    });
  }

  private async assignIn(client: PoolClient, req: AssignRequest): Promise<Assignment> {
    const { connectionId, lead, rules, now } = req;
    // Serialise work on one lead: two workers handling events of the same lead never both assign it.
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7346))", [
      `${connectionId}:${lead.id}`,
    ]);

    // One round trip: the decision this event already got (idempotency) and the lead's open assignment.
    const found = await client.query<{
      prior: { id: string; routing: RoutingDecision | null } | null;
      current: { rep_key: string | null; owner_id: string; decision_id: string } | null;
    }>(
      `SELECT
         (SELECT json_build_object('id', id, 'routing', outcome->'routing') FROM decisions
           WHERE connection_id = $1 AND event_key = $2 AND lead_id = $3 AND $2::text IS NOT NULL) AS prior,
         (SELECT json_build_object('rep_key', rep_key, 'owner_id', owner_id, 'decision_id', decision_id)
            FROM lead_assignments WHERE connection_id = $1 AND lead_id = $3 AND released_at IS NULL) AS current`,
      [connectionId, req.eventKey ?? null, lead.id],
    );
    const prior = found.rows[0]?.prior;
    if (prior?.routing) return { decisionId: prior.id, decision: prior.routing, replayed: true };
    const open = found.rows[0]?.current;
    const current = open
      ? { repKey: open.rep_key, ownerId: open.owner_id, decisionId: open.decision_id }
      : undefined;

    const locks = repsToLock(req, current);

    const fairness: Record<string, PoolFairness> = {};
    if (locks.pool !== undefined) {
      // Insert-or-lock in one statement: ON CONFLICT DO UPDATE waits for and locks the latest row version.
      const row = await client.query<{ state: PoolFairness }>(
        `INSERT INTO pool_fairness (connection_id, pool) VALUES ($1, $2)
         ON CONFLICT (connection_id, pool) DO UPDATE SET updated_at = pool_fairness.updated_at
         RETURNING state`,
        [connectionId, locks.pool],
      );
      if (row.rows[0]) fairness[locks.pool] = row.rows[0].state;
    }

    const repStates = await lockRepStates(client, connectionId, locks.repKeys, rules, now);
    const { input, decision, takesSlot, releasesCurrent } = decideAssignment(
      req,
      { repStates, fairness, holidays: holidaysAround(this.holidays, locks.repKeys, rules, now), current },
      this.route,
    );
    const decisionId = req.decisionId ?? randomUUID();
    // A reassignment frees the current owner's slot; the rows are locked (repKeys includes the current rep).
    if (current && releasesCurrent) {
      await client.query(
        `WITH r AS (
           UPDATE lead_assignments SET released_at = $3, release_reason = 'reassigned'
            WHERE connection_id = $1 AND lead_id = $2 AND released_at IS NULL RETURNING rep_key, counted
         )
         UPDATE rep_state s SET open_count = GREATEST(s.open_count - 1, 0), updated_at = now()
           FROM r WHERE s.connection_id = $1 AND s.rep_key = r.rep_key AND r.counted`,
        [connectionId, lead.id, now],
      );
    }
    if (takesSlot) await takeSlot(client, connectionId, decision, rules, repStates, now);
    const savesFairness = decision.fairness !== undefined && decision.pool !== undefined;
    // The decision, the lead's open assignment and the pool's new fairness state, in one statement.
    await client.query(
      `WITH d AS (
         INSERT INTO decisions (id, connection_id, lead_id, event_key, sla_hash, created_at, inputs, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
       ), a AS (
         INSERT INTO lead_assignments (connection_id, lead_id, rep_key, owner_id, decision_id, counted, assigned_at)
         SELECT $2, $3, $9, $10, d.id, true, $6 FROM d WHERE $9::text IS NOT NULL
       ), f AS (
         UPDATE pool_fairness SET state = $12, updated_at = now()
          WHERE connection_id = $2 AND pool = $11 AND $11::text IS NOT NULL
       )
       SELECT 1`,
      [
        decisionId,
        connectionId,
        lead.id,
        req.eventKey ?? null,
        req.slaHash ?? null,
        now,
        { ...req.record?.inputs, routing: input },
        { ...req.record?.outcome, routing: decision },
        takesSlot ? (decision.repKey ?? null) : null,
        takesSlot ? (decision.ownerId ?? null) : null,
        savesFairness ? (decision.pool ?? null) : null,
        savesFairness ? (decision.fairness ?? null) : null,
      ],
    );
    return { decisionId, decision, replayed: false };
  }

  assign(request: AssignRequest): Promise<Assignment> {
    return this.transaction((client) => this.assignIn(client, request));
  }

  release(connectionId: string, leadId: string, reason: string, now: Date): Promise<boolean> {
    return this.transaction(async (client) => {
      // The same per-lead lock as assign, so a release never interleaves with a reassignment of the lead.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7346))", [
        `${connectionId}:${leadId}`,
      ]);
      const released = await client.query<{ rep_key: string | null; counted: boolean }>(
        `UPDATE lead_assignments SET released_at = $3, release_reason = $4
          WHERE connection_id = $1 AND lead_id = $2 AND released_at IS NULL
          RETURNING rep_key, counted`,
        [connectionId, leadId, now, reason],
      );
      const row = released.rows[0];
      if (!row) return false;
      if (row.counted && row.rep_key !== null) {
        await client.query(
          `UPDATE rep_state SET open_count = GREATEST(open_count - 1, 0), updated_at = now()
            WHERE connection_id = $1 AND rep_key = $2`,
          [connectionId, row.rep_key],
        );
      }
      return true;
    });
  }

  async openAssignments(connectionId: string): Promise<OpenAssignment[]> {
    const rows = await this.pool.query<{
      lead_id: string;
      rep_key: string;
      owner_id: string;
      assigned_at: Date;
    }>(
      `SELECT lead_id, rep_key, owner_id, assigned_at FROM lead_assignments
        WHERE connection_id = $1 AND released_at IS NULL AND counted AND rep_key IS NOT NULL
        ORDER BY assigned_at, lead_id`,
      [connectionId],
    );
    return rows.rows.map((r) => ({
      leadId: r.lead_id,
      repKey: r.rep_key,
      ownerId: r.owner_id,
      assignedAt: r.assigned_at,
    }));
  }

  reconcileOpenCounts(
    connectionId: string,
    crmOpen: Record<string, number>,
    now: Date,
  ): Promise<RepOpenCount[]> {
    return this.transaction(async (client) => {
      const keys = Object.keys(crmOpen).sort();
      // Lock the reps' rows in key order (as assign does), then recount Handoff's part under the lock.
      await client.query(
        `INSERT INTO rep_state (connection_id, rep_key) SELECT $1, k FROM unnest($2::text[]) AS k ORDER BY k
         ON CONFLICT (connection_id, rep_key) DO UPDATE SET updated_at = rep_state.updated_at`,
        [connectionId, keys],
      );
      // Every rep row of the connection, so no assignment commits between the recount and the update.
      await client.query("SELECT 1 FROM rep_state WHERE connection_id = $1 ORDER BY rep_key FOR UPDATE", [
        connectionId,
      ]);
      await client.query(
        `WITH mine AS (
           SELECT s.rep_key,
                  (SELECT count(*) FROM lead_assignments a
                    WHERE a.connection_id = s.connection_id AND a.rep_key = s.rep_key
                      AND a.released_at IS NULL AND a.counted)::int AS handed_over,
                  c.crm::int AS crm
             FROM rep_state s
             LEFT JOIN unnest($2::text[], $3::int[]) AS c(rep_key, crm) ON c.rep_key = s.rep_key
            WHERE s.connection_id = $1
         )
         UPDATE rep_state s SET
           crm_open_count = CASE WHEN m.crm IS NULL THEN s.crm_open_count ELSE m.crm END,
           crm_other_open = CASE WHEN m.crm IS NULL THEN s.crm_other_open
                                 ELSE GREATEST(m.crm - m.handed_over, 0) END,
           open_count = m.handed_over + CASE WHEN m.crm IS NULL THEN s.crm_other_open
                                             ELSE GREATEST(m.crm - m.handed_over, 0) END,
           reconciled_at = CASE WHEN m.crm IS NULL THEN s.reconciled_at ELSE $4 END,
           updated_at = now()
         FROM mine m WHERE s.connection_id = $1 AND s.rep_key = m.rep_key`,
        [connectionId, keys, keys.map((k) => crmOpen[k]), now],
      );
      return readOpenCounts(client, connectionId);
    });
  }

  openCounts(connectionId: string): Promise<RepOpenCount[]> {
    return readOpenCounts(this.pool, connectionId);
  }

  async getDecision(connectionId: string | undefined, decisionId: string): Promise<StoredDecision> {
    const result = await this.pool.query<DecisionRow>(
      `SELECT id, connection_id, lead_id, event_key, sla_hash, created_at, inputs, outcome FROM decisions
        WHERE id = $1 AND ($2::text IS NULL OR connection_id = $2)`,
      [decisionId, connectionId ?? null],
    );
    const row = result.rows[0];
    if (!row)
      throw new NotFoundError(`decision ${decisionId} not found`, "Check the id (handoff export decisions).");
    return {
      id: row.id,
      connectionId: row.connection_id,
      leadId: row.lead_id,
      eventKey: row.event_key,
      slaHash: row.sla_hash,
      createdAt: row.created_at,
      inputs: row.inputs,
      outcome: row.outcome,
    };
  }
}

async function readOpenCounts(db: Pool | PoolClient, connectionId: string): Promise<RepOpenCount[]> {
  const rows = await db.query<{
    rep_key: string;
    open_count: number;
    handed_over: number;
    crm_other_open: number;
    crm_open_count: number | null;
    reconciled_at: Date | null;
  }>(
    `SELECT s.rep_key, s.open_count, s.crm_other_open, s.crm_open_count, s.reconciled_at,
            (SELECT count(*) FROM lead_assignments a
              WHERE a.connection_id = s.connection_id AND a.rep_key = s.rep_key
                AND a.released_at IS NULL AND a.counted)::int AS handed_over
       FROM rep_state s WHERE s.connection_id = $1 ORDER BY s.rep_key`,
    [connectionId],
  );
  return rows.rows.map((r) => ({
    repKey: r.rep_key,
    open: r.open_count,
    handedOver: r.handed_over,
    otherInCrm: r.crm_other_open,
    crmOpen: r.crm_open_count,
    reconciledAt: r.reconciled_at,
  }));
}

/** Locks (creating when missing) the reps' rows in key order and reads their availability and load. */
async function lockRepStates(
  client: PoolClient,
  connectionId: string,
  repKeys: string[],
  rules: RoutingRules,
  now: Date,
): Promise<Record<string, RepState>> {
  const states: Record<string, RepState> = {};
  if (repKeys.length === 0) return states;
  // Insert-or-lock every row in key order (no deadlocks between pools sharing reps), returning the latest values.
  const rows = await client.query<RepAvailabilityRow>(
    `INSERT INTO rep_state (connection_id, rep_key) SELECT $1, k FROM unnest($2::text[]) AS k ORDER BY k
     ON CONFLICT (connection_id, rep_key) DO UPDATE SET updated_at = rep_state.updated_at
     RETURNING rep_key, away, away_reason, away_since, away_until, cap_open, cap_per_day, cap_per_week,
               cap_per_month, cap_per_month_period, open_count`,
    [connectionId, repKeys],
  );
  const periods = new Map(repKeys.map((k) => [k, repPeriods(rules, k, now)]));
  // Read after the locks (a statement sees what was committed before it started): counters and absences.
  const extra = await client.query<{
    kind: "count" | "ooo";
    rep_key: string;
    period: string | null;
    assigned: number | null;
    starts_at: Date | null;
    ends_at: Date | null;
    reason: string | null;
  }>(
    `SELECT 'count' AS kind, rep_key, period, assigned, NULL::timestamptz AS starts_at, NULL::timestamptz AS ends_at,
            NULL::text AS reason
       FROM rep_assignment_counts
      WHERE connection_id = $1 AND rep_key = ANY($2::text[]) AND period = ANY($3::text[])
     UNION ALL
     SELECT 'ooo', rep_key, NULL, NULL, starts_at, ends_at, reason FROM rep_ooo
      WHERE connection_id = $1 AND rep_key = ANY($2::text[]) AND starts_at <= $4 AND ends_at > $4
     ORDER BY 2, 5, 6`,
    [
      connectionId,
      repKeys,
      [...new Set([...periods.values()].flatMap((p) => [p.day, p.week, p.month]))],
      now,
    ],
  );
  for (const row of rows.rows) {
    const p = periods.get(row.rep_key);
    const count = (period: string | undefined): number =>
      extra.rows.find((c) => c.kind === "count" && c.rep_key === row.rep_key && c.period === period)
        ?.assigned ?? 0;
    const stored: StoredRep = {
      away: row.away,
      awayReason: row.away_reason,
      awaySince: row.away_since,
      awayUntil: row.away_until,
      caps: {
        open: row.cap_open,
        perDay: row.cap_per_day,
        perWeek: row.cap_per_week,
        // A monthly override holds for the month it was set in (the rep's zone), then the SLA's cap is back.
        perMonth: row.cap_per_month_period === p?.month ? row.cap_per_month : null,
      },
      open: row.open_count,
      ooo: extra.rows
        .filter((o) => o.kind === "ooo" && o.rep_key === row.rep_key)
        .map((o) => ({ startsAt: o.starts_at as Date, endsAt: o.ends_at as Date, reason: o.reason })),
    };
    states[row.rep_key] = repStateOf(
      stored,
      { day: count(p?.day), week: count(p?.week), month: count(p?.month) },
      now,
    );
  }
  return states;
}

/**
 * Takes the slot with conditional updates. The rows are already locked, so a refusal means the snapshot and
 * the table disagree — the transaction is rolled back rather than overshoot a cap.
 */
async function takeSlot(
  client: PoolClient,
  connectionId: string,
  decision: RoutingDecision,
  rules: RoutingRules,
  states: Record<string, RepState>,
  now: Date,
): Promise<void> {
  const { repKey, caps, periods } = slotLimits(decision, rules, states, now);
  const bump = (period: string, cap: string) => `
    INSERT INTO rep_assignment_counts AS c (connection_id, rep_key, period, assigned)
    SELECT $1, $2, ${period}, 1 WHERE ${cap}::int IS NULL OR ${cap}::int > 0
    ON CONFLICT (connection_id, rep_key, period)
      DO UPDATE SET assigned = c.assigned + 1 WHERE ${cap}::int IS NULL OR c.assigned < ${cap}::int
    RETURNING 1`;
  const result = await client.query<{ open: number; day: number; week: number; month: number }>(
    `WITH o AS (
       UPDATE rep_state SET open_count = open_count + 1, updated_at = now()
        WHERE connection_id = $1 AND rep_key = $2 AND ($3::int IS NULL OR open_count < $3::int) RETURNING 1
     ), d AS (${bump("$4", "$5")}), w AS (${bump("$6", "$7")}), m AS (${bump("$8", "$9")})
     SELECT (SELECT count(*) FROM o)::int AS open, (SELECT count(*) FROM d)::int AS day,
            (SELECT count(*) FROM w)::int AS week, (SELECT count(*) FROM m)::int AS month`,
    [
      connectionId,
      repKey,
      caps.open ?? null,
      periods.day,
      caps.perDay ?? null,
      periods.week,
      caps.perWeek ?? null,
      periods.month,
      caps.perMonth ?? null,
    ],
  );
  const taken = result.rows[0];
  const [open, day, week, month] = [
    taken?.open === 1,
    taken?.day === 1,
    taken?.week === 1,
    taken?.month === 1,
  ];
  if (!open || !day || !week || !month) {
    throw new AppError("routing_conflict", `rep ${repKey} has no free slot any more`, {
      hint: "Another assignment took the slot; the job is retried and routes again.",
      retryable: true,
    });
  }
}
