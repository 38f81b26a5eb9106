import type { Pool } from "pg";
import type { HandoffCardInput } from "../../domain/handoff-card";
import type { Lead } from "../../domain/lead";
import type { RecentLead, RecentLeads } from "../../ports/sla-admin";
import { mergeActivities, readActivities } from "./activity-rows";
import { FOLD_COLUMNS, foldEvent, leadFromFold, type EventFold, type FoldRow } from "./event-folds";

/**
 * The connection's most recently active leads, each as Handoff last saw it whole: the newest handoff's
 * snapshot, else the newest routing decision's input, else rebuilt through the CRM's mapper from the property
 * values its stored events carried; with the activity Handoff holds for it.
 */
export class PostgresRecentLeadStore implements RecentLeads {
  constructor(private readonly pool: Pool) {}

  async recent(connectionId: string, limit: number): Promise<RecentLead[]> {
    const pool = this.pool;
    const r = await pool.query<{
      lead_id: string;
      last_event_at: Date;
      card_input: Partial<HandoffCardInput> | null;
      routed: Lead | null;
    }>(
      `SELECT s.lead_id, s.last_event_at,
                (SELECT card_input FROM handoffs h WHERE h.connection_id = $1 AND h.lead_id = s.lead_id
                  ORDER BY started_at DESC LIMIT 1) AS card_input,
                (SELECT inputs->'routing'->'lead' FROM decisions d WHERE d.connection_id = $1 AND d.lead_id = s.lead_id
                  ORDER BY created_at DESC LIMIT 1) AS routed
           FROM lead_state s
          WHERE s.connection_id = $1 AND s.last_event_at IS NOT NULL AND s.merged_into IS NULL
          ORDER BY s.last_event_at DESC, s.lead_id LIMIT $2`,
      [connectionId, limit],
    );
    const ids = r.rows.map((row) => row.lead_id);
    const [folded, own] = await Promise.all([
      foldEvents(
        pool,
        connectionId,
        r.rows.filter((row) => !row.card_input?.lead && !row.routed).map((row) => row.lead_id),
      ),
      readActivities(pool, connectionId, { leadIds: ids }),
    ]);
    return r.rows.map((row) => {
      const lead = row.card_input?.lead ??
        row.routed ??
        folded.get(row.lead_id) ?? { id: row.lead_id, properties: {} };
      const activities = mergeActivities(row.card_input?.activities ?? [], own.get(row.lead_id) ?? []);
      return { lead, activities, lastEventAt: row.last_event_at.toISOString() };
    });
  }
}

async function foldEvents(pool: Pool, connectionId: string, ids: string[]): Promise<Map<string, Lead>> {
  const out = new Map<string, Lead>();
  if (ids.length === 0) return out;
  const r = await pool.query<FoldRow>(
    `SELECT ${FOLD_COLUMNS}
       FROM events WHERE connection_id = $1 AND object_id = ANY($2) AND object_type IN ('contact', 'lead')
      ORDER BY occurred_at, event_key`,
    [connectionId, ids],
  );
  const folds = new Map<string, EventFold>();
  for (const row of r.rows) foldEvent(folds, row);
  for (const [id, fold] of folds) out.set(id, leadFromFold(id, fold));
  return out;
}
