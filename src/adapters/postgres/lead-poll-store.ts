import type { Pool } from "pg";
import type { LeadPollWatermarks } from "../../ports/lead-poll";

/** The poll watermarks in PostgreSQL (table `lead_poll_watermarks`, one row per connection). */
export class PostgresLeadPollWatermarks implements LeadPollWatermarks {
  constructor(private readonly pool: Pool) {}

  async get(connectionId: string): Promise<string | null> {
    const r = await this.pool.query<{ modified_at: Date }>(
      "SELECT modified_at FROM lead_poll_watermarks WHERE connection_id = $1",
      [connectionId],
    );
    return r.rows[0] ? r.rows[0].modified_at.toISOString() : null;
  }

  async advance(connectionId: string, modifiedAt: string, polledAt: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO lead_poll_watermarks (connection_id, modified_at, polled_at) VALUES ($1, $2, $3)
       ON CONFLICT (connection_id) DO UPDATE
       SET modified_at = GREATEST(lead_poll_watermarks.modified_at, EXCLUDED.modified_at),
           polled_at = EXCLUDED.polled_at`,
      [connectionId, modifiedAt, polledAt],
    );
  }
}
