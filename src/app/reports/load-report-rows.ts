import type { Pool } from "pg";
import type { AbsenceFact, ChannelFact, HandoffFact, HandoffStatus } from "../../domain/reports";

/** Instants at which leads became MQLs in [from, to): stage changes to MQL by Handoff or by a person. */
export async function loadMqlInstants(
  pool: Pool,
  connectionId: string,
  from: Date,
  to: Date,
): Promise<string[]> {
  const r = await pool.query<{ at: Date }>(
    `SELECT at FROM lifecycle_events
      WHERE connection_id = $1 AND type = 'stage_set' AND stage = 'mql' AND at >= $2 AND at < $3`,
    [connectionId, from.toISOString(), to.toISOString()],
  );
  return r.rows.map((row) => row.at.toISOString());
}

/** Handoffs started in [from, to), with the pool their routing decision used. */
export async function loadHandoffFacts(
  pool: Pool,
  connectionId: string,
  from: Date,
  to: Date,
): Promise<HandoffFact[]> {
  const r = await pool.query<{
    id: string;
    rep_key: string | null;
    pool: string | null;
    started_at: Date;
    due_at: Date;
    first_touch_at: Date | null;
    status: HandoffStatus;
    reject_reason: string | null;
    score: HandoffFact["score"] | null;
    source: HandoffFact["source"] | null;
    converted: boolean;
    conversion_opportunity: boolean | null;
    conversion_owner_changed: boolean | null;
  }>(
    `SELECT h.id, h.rep_key, d.outcome->'routing'->>'pool' AS pool, h.started_at, h.due_at, h.first_touch_at,
            h.status, h.reject_reason, h.score, h.source, c.lead_id IS NOT NULL AS converted,
            c.opportunity_id IS NOT NULL AS conversion_opportunity, c.owner_changed AS conversion_owner_changed
       FROM handoffs h
       LEFT JOIN decisions d ON d.connection_id = h.connection_id AND d.id = h.id
       LEFT JOIN lead_conversions c ON c.connection_id = h.connection_id AND c.handoff_id = h.id
      WHERE h.connection_id = $1 AND h.started_at >= $2 AND h.started_at < $3
      ORDER BY h.started_at`,
    [connectionId, from.toISOString(), to.toISOString()],
  );
  return r.rows.map((row) => ({
    id: row.id,
    repKey: row.rep_key,
    pool: row.pool,
    startedAt: row.started_at.toISOString(),
    dueAt: row.due_at.toISOString(),
    firstTouchAt: row.first_touch_at?.toISOString() ?? null,
    status: row.status,
    rejectReason: row.reject_reason,
    score: { total: Number(row.score?.total ?? 0), reasons: row.score?.reasons ?? [] },
    source: row.source ?? {},
    conversion: row.converted
      ? {
          opportunity: row.conversion_opportunity === true,
          ownerChanged: row.conversion_owner_changed === true,
        }
      : null,
  }));
}

/** Away spans and out-of-office entries overlapping [from, to). */
export async function loadAbsences(
  pool: Pool,
  connectionId: string,
  from: Date,
  to: Date,
): Promise<AbsenceFact[]> {
  const r = await pool.query<{ rep_key: string; starts_at: Date; ends_at: Date }>(
    `SELECT rep_key, starts_at, ends_at FROM rep_ooo
      WHERE connection_id = $1 AND ends_at > $2 AND starts_at < $3
     UNION ALL
     SELECT rep_key, COALESCE(away_since, $2::timestamptz), COALESCE(away_until, $3::timestamptz) FROM rep_state
      WHERE connection_id = $1 AND away`,
    [connectionId, from.toISOString(), to.toISOString()],
  );
  return r.rows.map((row) => ({
    repKey: row.rep_key,
    from: row.starts_at.toISOString(),
    to: row.ends_at.toISOString(),
  }));
}

/**
 * Leads seen in [from, to) for the channel report: each handoff (with its source) in its week, and every other
 * lead with events in the window at its first event, with the source of its latest handoff if it ever had one.
 * Sources of leads never handed over come from `sourceOf` (the replay history's rebuilt leads).
 */
export async function loadChannelFacts(
  pool: Pool,
  connectionId: string,
  from: Date,
  to: Date,
  handoffs: readonly HandoffFact[],
  sourceOf: (leadId: string) => HandoffFact["source"] | undefined,
): Promise<ChannelFact[]> {
  const r = await pool.query<{ lead_id: string; first_at: Date }>(
    `SELECT object_id AS lead_id, min(occurred_at) AS first_at FROM events
      WHERE connection_id = $1 AND object_type IN ('contact', 'lead') AND occurred_at >= $2 AND occurred_at < $3
      GROUP BY object_id`,
    [connectionId, from.toISOString(), to.toISOString()],
  );
  const handed = await pool.query<{ id: string; lead_id: string }>(
    `SELECT id, lead_id FROM handoffs WHERE connection_id = $1 AND started_at >= $2 AND started_at < $3`,
    [connectionId, from.toISOString(), to.toISOString()],
  );
  const leadOf = new Map(handed.rows.map((row) => [row.id, row.lead_id]));
  const facts: ChannelFact[] = handoffs.map((h) => ({
    leadId: leadOf.get(h.id) ?? h.id,
    at: h.startedAt,
    source: h.source,
    handoff: h.status,
  }));
  const handedLeads = new Set(facts.map((f) => f.leadId));
  for (const row of r.rows) {
    if (handedLeads.has(row.lead_id)) continue;
    facts.push({
      leadId: row.lead_id,
      at: row.first_at.toISOString(),
      source: sourceOf(row.lead_id) ?? {},
      handoff: null,
    });
  }
  return facts;
}
