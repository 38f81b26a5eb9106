import type { Pool } from "pg";
import type { DecisionExportLine } from "./types";

/**
 * Every decision of a connection since `since`, oldest first, paged by (created_at, id) so that a warehouse
 * export of millions of rows never holds more than one page.
 * @example for await (const line of exportDecisions(pool, "hs-1", since)) out.write(JSON.stringify(line) + "\n")
 */
export async function* exportDecisions(
  pool: Pool,
  connectionId: string,
  since: Date,
  pageSize = 1000,
): AsyncGenerator<DecisionExportLine> {
  let cursor: { at: string; id: string } | undefined;
  for (;;) {
    const r = await pool.query<{
      id: string;
      lead_id: string;
      event_key: string | null;
      sla_hash: string | null;
      created_at: Date;
      at: string;
      inputs: unknown;
      outcome: unknown;
    }>(
      `SELECT id, lead_id, event_key, sla_hash, created_at, created_at::text AS at, inputs, outcome FROM decisions
        WHERE connection_id = $1 AND created_at >= $2
          AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text))
        ORDER BY created_at, id
        LIMIT $5`,
      [connectionId, since.toISOString(), cursor?.at ?? null, cursor?.id ?? null, pageSize],
    );
    for (const row of r.rows) {
      yield {
        id: row.id,
        connectionId,
        leadId: row.lead_id,
        eventKey: row.event_key,
        slaHash: row.sla_hash,
        createdAt: row.created_at.toISOString(),
        inputs: row.inputs,
        outcome: row.outcome,
      };
    }
    const last = r.rows.at(-1);
    if (!last || r.rows.length < pageSize) return;
    cursor = { at: last.at, id: last.id };
  }
}
