import type { Pool, PoolClient } from "pg";
import { inTransaction } from "./transaction";

/** What the demo history played for one connection, and when. */
export interface DemoHistoryMarker {
  connectionId: string;
  seededAt: string;
  weeks: number;
  leads: number;
  events: number;
  ms: number;
  /** False while it plays, and after a play the process did not live to finish. */
  finished: boolean;
}

/**
 * The markers of the embedded demo's history (table `demo_history`): played once per connection, all or nothing.
 * A play is begun (marked unfinished) before its first event and finished after its last; what an unfinished play
 * left is discarded before the next start plays it again, so a crash never leaves half a quarter, or two.
 */
export interface DemoHistoryMarkers {
  get(connectionId: string): Promise<DemoHistoryMarker | null>;
  /** Marks the plays of these connections as begun (unfinished). */
  begin(connectionIds: string[], seededAt: string, weeks: number): Promise<void>;
  /** Marks a play finished, with what it played. */
  finish(marker: Omit<DemoHistoryMarker, "finished">): Promise<void>;
  /**
   * Removes everything Handoff keeps for the connection (events, leads, handoffs, decisions, timers…) but the
   * connection itself, and its marker: what an unfinished play wrote. Only for a demo connection whose history
   * never finished: the embedded default plays the history before it serves, so the connection has nothing else.
   * @returns the rows removed
   */
  discardUnfinished(connectionId: string): Promise<number>;
}

/** Tables keyed by connection that are not the history's: the connection itself and its secrets stay. */
const KEPT = new Set(["connections", "demo_history"]);

export function createDemoHistoryMarkers(pool: Pool): DemoHistoryMarkers {
  return {
    async get(connectionId) {
      const r = await pool.query<{
        seeded_at: Date;
        weeks: number;
        leads: number;
        events: number;
        ms: number;
        finished_at: Date | null;
      }>(
        "SELECT seeded_at, weeks, leads, events, ms, finished_at FROM demo_history WHERE connection_id = $1",
        [connectionId],
      );
      const row = r.rows[0];
      return row
        ? {
            connectionId,
            seededAt: row.seeded_at.toISOString(),
            weeks: row.weeks,
            leads: row.leads,
            events: row.events,
            ms: row.ms,
            finished: row.finished_at !== null,
          }
        : null;
    },
    async begin(connectionIds, seededAt, weeks) {
      await pool.query(
        `INSERT INTO demo_history (connection_id, seeded_at, weeks, leads, events, ms)
         SELECT id, $2, $3, 0, 0, 0 FROM unnest($1::text[]) AS id`,
        [connectionIds, seededAt, weeks],
      );
    },
    async finish(m) {
      await pool.query(
        `UPDATE demo_history SET leads = $2, events = $3, ms = $4, finished_at = $5 WHERE connection_id = $1`,
        [m.connectionId, m.leads, m.events, m.ms, m.seededAt],
      );
    },
    discardUnfinished: (connectionId) =>
      inTransaction(pool, async (client) => {
        const marker = await client.query<{ finished: boolean }>(
          "SELECT finished_at IS NOT NULL AS finished FROM demo_history WHERE connection_id = $1 FOR UPDATE",
          [connectionId],
        );
        if (marker.rows[0]?.finished !== false) return 0;
        const removed = await removeConnectionRows(client, connectionId);
        // Timers and jobs the play queued for its handoffs.
        const jobs = await client.query(
          "DELETE FROM pgboss.job WHERE data->>'connectionId' = $1 AND state < 'active'",
          [connectionId],
        );
        await client.query("DELETE FROM demo_history WHERE connection_id = $1", [connectionId]);
        return removed + (jobs.rowCount ?? 0);
      }),
  };
}

/**
 * Deletes the connection's rows from every table keyed by `connection_id` (found in the catalog, so a table a
 * later migration adds is included), children before parents: a delete a foreign key refuses is tried again
 * after the others.
 */
async function removeConnectionRows(client: PoolClient, connectionId: string): Promise<number> {
  const tables = await client.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN pg_class k ON k.relname = c.table_name AND NOT k.relispartition
       JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema
      WHERE c.table_schema = current_schema() AND c.column_name = 'connection_id'
        AND k.relkind IN ('r', 'p')
      ORDER BY c.table_name`,
  );
  let left = tables.rows.map((t) => t.table_name).filter((t) => !KEPT.has(t));
  let removed = 0;
  while (left.length > 0) {
    const refused: string[] = [];
    for (const table of left) {
      await client.query("SAVEPOINT discard_table");
      try {
        const r = await client.query(`DELETE FROM "${table}" WHERE connection_id = $1`, [connectionId]);
        removed += r.rowCount ?? 0;
        await client.query("RELEASE SAVEPOINT discard_table");
      } catch (err) {
        await client.query("ROLLBACK TO SAVEPOINT discard_table");
        if ((err as { code?: string }).code !== "23503") throw err;
        refused.push(table);
      }
    }
    if (refused.length === left.length) {
      throw new Error(`demo history: rows of ${connectionId} in ${refused.join(", ")} are still referenced`);
    }
    left = refused;
  }
  return removed;
}
