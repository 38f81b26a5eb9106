import type { Pool } from "pg";
import type { RateWindowGrant, RateWindowKey, RateWindowStore } from "../rate-window";

/**
 * The CRM rate windows in PostgreSQL (table `crm_rate_windows`): every process on the database takes its
 * calls from the same window per connection and lane, under a row lock, so N workers together stay
 * inside the CRM's limit, and a restarted worker still knows what was spent in the last window.
 * One round trip per grant (which may cover several waiting calls) and one per finished call.
 */
export class PostgresRateWindow implements RateWindowStore {
  constructor(private readonly pool: Pool) {}

  async acquire(key: RateWindowKey, want: { live: number; other: number }): Promise<RateWindowGrant> {
    const r = await this.pool.query<{ tokens: number[]; live: number; used: number; retry_ms: number }>(
      "SELECT * FROM crm_rate_acquire($1, $2, $3, $4, $5, $6, $7)",
      [key.name, key.lane, key.windowMs, key.cap, key.liveReserve, want.live, want.other],
    );
    const row = r.rows[0];
    if (!row) return { tokens: [], live: 0, used: key.cap, retryInMs: 50 };
    return { tokens: row.tokens, live: row.live, used: row.used, retryInMs: row.retry_ms };
  }

  async release(key: RateWindowKey, tokens: number[]): Promise<void> {
    await this.pool.query("SELECT crm_rate_release($1, $2, $3)", [key.name, key.lane, tokens]);
  }

  async pause(key: RateWindowKey, ms: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO crm_rate_windows (connection_id, lane, paused_until)
       VALUES ($1, $2, extract(epoch FROM clock_timestamp()) * 1000 + $3)
       ON CONFLICT (connection_id, lane) DO UPDATE
       SET paused_until = GREATEST(crm_rate_windows.paused_until, EXCLUDED.paused_until)`,
      [key.name, key.lane, ms],
    );
  }
}
