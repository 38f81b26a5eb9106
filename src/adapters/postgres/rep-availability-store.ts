import { counterPeriods } from "../../domain/availability";
import type { Pool, PoolClient } from "pg";
import { inTransaction } from "./transaction";
import { AppError } from "../../domain/errors";
import type { Clock } from "../../ports/clock";
import type { RepStateRow } from "./rep-state-row";
import type { Actor, CapsChange, RepAvailabilityStore, RepOverview } from "../../ports/rep-availability";

function invalid(message: string, hint: string): AppError {
  return new AppError("invalid_request", message, { hint });
}

/**
 * Rep availability and cap overrides in PostgreSQL (`rep_state`, `rep_ooo`), each change audited into
 * `audit_log` in the same transaction. "Now" comes from `clock`: whether a rep is still away, and whether an
 * end date is already past, are read against it, never against the machine's calendar.
 *
 * @example const reps = new PostgresRepAvailabilityStore(pool, clock); await reps.setAway("c1", "ben", { reason: "vacation" }, "rep:ben");
 */
export class PostgresRepAvailabilityStore implements RepAvailabilityStore {
  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  private async change(
    connectionId: string,
    repKey: string,
    actor: Actor,
    action: string,
    details: Record<string, unknown>,
    update: (client: PoolClient) => Promise<void>,
  ): Promise<RepOverview> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        "INSERT INTO rep_state (connection_id, rep_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [connectionId, repKey],
      );
      await client.query("SELECT 1 FROM rep_state WHERE connection_id = $1 AND rep_key = $2 FOR UPDATE", [
        connectionId,
        repKey,
      ]);
      await update(client);
      await client.query(
        "UPDATE rep_state SET updated_at = now(), updated_by = $3 WHERE connection_id = $1 AND rep_key = $2",
        [connectionId, repKey, actor],
      );
      await client.query(
        "INSERT INTO audit_log (connection_id, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
        [connectionId, actor, action, `rep:${repKey}`, details],
      );
    });
    const overview = (await this.read(connectionId, this.clock(), repKey))[0];
    if (!overview) throw new Error(`rep ${repKey} vanished after an update`);
    return overview;
  }

  private async read(connectionId: string, now: Date, only?: string): Promise<RepOverview[]> {
    const rows = await this.pool.query<RepStateRow>(
      `SELECT s.*, (SELECT count(*) FROM lead_assignments a
                     WHERE a.connection_id = s.connection_id AND a.rep_key = s.rep_key
                       AND a.released_at IS NULL AND a.counted)::int AS handed_over
         FROM rep_state s WHERE s.connection_id = $1 AND ($2::text IS NULL OR s.rep_key = $2) ORDER BY s.rep_key`,
      [connectionId, only ?? null],
    );
    const ooo = await this.pool.query<{
      id: string;
      rep_key: string;
      starts_at: Date;
      ends_at: Date;
      reason: string | null;
    }>(
      `SELECT id, rep_key, starts_at, ends_at, reason FROM rep_ooo
        WHERE connection_id = $1 AND ends_at > $2 AND ($3::text IS NULL OR rep_key = $3) ORDER BY starts_at, id`,
      [connectionId, now, only ?? null],
    );
    return rows.rows.map((r) => ({
      repKey: r.rep_key,
      away: r.away && (r.away_until === null || r.away_until.getTime() > now.getTime()),
      awayReason: r.away ? r.away_reason : null,
      awaySince: r.away ? (r.away_since?.toISOString() ?? null) : null,
      awayUntil: r.away ? (r.away_until?.toISOString() ?? null) : null,
      caps: {
        open: r.cap_open,
        perDay: r.cap_per_day,
        perWeek: r.cap_per_week,
        perMonth: r.cap_per_month,
        perMonthFor: r.cap_per_month === null ? null : (r.cap_per_month_period?.slice(2) ?? null),
      },
      open: r.open_count,
      openParts: {
        handedOver: r.handed_over,
        otherInCrm: r.crm_other_open,
        crmOpen: r.crm_open_count,
        reconciledAt: r.reconciled_at?.toISOString() ?? null,
      },
      outOfOffice: ooo.rows
        .filter((o) => o.rep_key === r.rep_key)
        .map((o) => ({
          id: String(o.id),
          from: o.starts_at.toISOString(),
          to: o.ends_at.toISOString(),
          reason: o.reason,
        })),
      updatedAt: r.updated_at.toISOString(),
      updatedBy: r.updated_by,
    }));
  }

  setAway(
    connectionId: string,
    repKey: string,
    { reason, until }: { reason: string; until?: Date },
    actor: Actor,
  ): Promise<RepOverview> {
    const now = this.clock();
    if (until !== undefined && until.getTime() <= now.getTime()) {
      return Promise.reject(
        invalid(
          `away until ${until.toISOString()} is already in the past (it is now ${now.toISOString()}), so the rep would count as back at once`,
          'Give an end date after now, or none for "until further notice".',
        ),
      );
    }
    return this.change(
      connectionId,
      repKey,
      actor,
      "rep.away",
      { reason, until: until?.toISOString() ?? null },
      async (client) => {
        await client.query(
          `UPDATE rep_state SET away = true, away_reason = $3, away_since = $4, away_until = $5
            WHERE connection_id = $1 AND rep_key = $2`,
          [connectionId, repKey, reason, now, until ?? null],
        );
      },
    );
  }

  setBack(connectionId: string, repKey: string, actor: Actor): Promise<RepOverview> {
    const now = this.clock();
    return this.change(connectionId, repKey, actor, "rep.back", { at: now.toISOString() }, async (client) => {
      await client.query(
        `UPDATE rep_state SET away = false, away_reason = NULL, away_since = NULL, away_until = NULL
          WHERE connection_id = $1 AND rep_key = $2`,
        [connectionId, repKey],
      );
      // Being back ends any out-of-office entry running now.
      await client.query(
        `UPDATE rep_ooo SET ends_at = $3 WHERE connection_id = $1 AND rep_key = $2 AND starts_at <= $3 AND ends_at > $3`,
        [connectionId, repKey, now],
      );
    });
  }

  setCaps(connectionId: string, repKey: string, caps: CapsChange, actor: Actor): Promise<RepOverview> {
    const { perMonth, ...counts } = caps;
    for (const [name, value] of Object.entries({ ...counts, perMonth: perMonth?.cap })) {
      if (value !== null && value !== undefined && (!Number.isInteger(value) || value < 0)) {
        return Promise.reject(
          invalid(
            `Expected cap \`${name}\` to be an integer ≥ 0 or null, got \`${value}\``,
            "null removes the override.",
          ),
        );
      }
    }
    // The month the override holds for, in the rep's zone: the same period the router counts in.
    const month = perMonth ? counterPeriods(perMonth.timezone, this.clock()).month : null;
    const audited = { ...counts, ...(perMonth ? { perMonth: perMonth.cap, month: month?.slice(2) } : {}) };
    return this.change(connectionId, repKey, actor, "rep.caps", audited, async (client) => {
      await client.query(
        `UPDATE rep_state SET
           cap_open = CASE WHEN $3 THEN $4::int ELSE cap_open END,
           cap_per_day = CASE WHEN $5 THEN $6::int ELSE cap_per_day END,
           cap_per_week = CASE WHEN $7 THEN $8::int ELSE cap_per_week END,
           cap_per_month = CASE WHEN $9 THEN $10::int ELSE cap_per_month END,
           cap_per_month_period = CASE WHEN $9 THEN $11::text ELSE cap_per_month_period END
         WHERE connection_id = $1 AND rep_key = $2`,
        [
          connectionId,
          repKey,
          caps.open !== undefined,
          caps.open ?? null,
          caps.perDay !== undefined,
          caps.perDay ?? null,
          caps.perWeek !== undefined,
          caps.perWeek ?? null,
          perMonth !== undefined,
          perMonth?.cap ?? null,
          perMonth?.cap === null ? null : month,
        ],
      );
    });
  }

  addOutOfOffice(
    connectionId: string,
    repKey: string,
    entry: { from: Date; to: Date; reason?: string; source?: string },
    actor: Actor,
  ): Promise<RepOverview> {
    if (entry.to.getTime() <= entry.from.getTime()) {
      return Promise.reject(invalid("out-of-office `to` must be after `from`", "Swap the dates."));
    }
    const now = this.clock();
    if (entry.to.getTime() <= now.getTime()) {
      return Promise.reject(
        invalid(
          `out-of-office until ${entry.to.toISOString()} is already in the past (it is now ${now.toISOString()}), so it would never apply`,
          "Give a `to` after now.",
        ),
      );
    }
    return this.change(
      connectionId,
      repKey,
      actor,
      "rep.ooo",
      { from: entry.from.toISOString(), to: entry.to.toISOString(), reason: entry.reason ?? null },
      async (client) => {
        await client.query(
          `INSERT INTO rep_ooo (connection_id, rep_key, starts_at, ends_at, reason, source) VALUES ($1, $2, $3, $4, $5, $6)`,
          [connectionId, repKey, entry.from, entry.to, entry.reason ?? null, entry.source ?? "manual"],
        );
      },
    );
  }

  list(connectionId: string): Promise<RepOverview[]> {
    return this.read(connectionId, this.clock());
  }
}
