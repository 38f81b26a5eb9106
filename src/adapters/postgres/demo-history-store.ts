import type { Pool } from "pg";

/** What the demo history played for one connection, and when. */
export interface DemoHistoryMarker {
  connectionId: string;
  seededAt: string;
  weeks: number;
  leads: number;
  events: number;
  ms: number;
}

/** The markers of the embedded demo's history (table `demo_history`): played once per connection. */
export interface DemoHistoryMarkers {
  get(connectionId: string): Promise<DemoHistoryMarker | null>;
  /** @returns false when another start marked the connection first */
  mark(marker: DemoHistoryMarker): Promise<boolean>;
}

export function createDemoHistoryMarkers(pool: Pool): DemoHistoryMarkers {
  return {
    async get(connectionId) {
      const r = await pool.query<{
        seeded_at: Date;
        weeks: number;
        leads: number;
        events: number;
        ms: number;
      }>("SELECT seeded_at, weeks, leads, events, ms FROM demo_history WHERE connection_id = $1", [
        connectionId,
      ]);
      const row = r.rows[0];
      return row
        ? {
            connectionId,
            seededAt: row.seeded_at.toISOString(),
            weeks: row.weeks,
            leads: row.leads,
            events: row.events,
            ms: row.ms,
          }
        : null;
    },
    async mark(m) {
      const r = await pool.query(
        `INSERT INTO demo_history (connection_id, seeded_at, weeks, leads, events, ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (connection_id) DO NOTHING`,
        [m.connectionId, m.seededAt, m.weeks, m.leads, m.events, m.ms],
      );
      return (r.rowCount ?? 0) > 0;
    },
  };
}
