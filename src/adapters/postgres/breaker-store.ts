import type { Pool } from "pg";
import type { BreakerRecord, BreakerState, BreakerStateStore } from "../../ports/breaker-states";
import { inTransaction } from "./transaction";

interface BreakerRow {
  connection_id: string;
  state: BreakerState;
  failures: number;
  cooldown_ms: number;
  open_for_ms: number;
  probe_age_ms: number | null;
}

// Times are the database's (clock_timestamp()), so every process reads one clock.
const SELECT = `SELECT connection_id, state, failures, cooldown_ms,
    (extract(epoch FROM open_until - clock_timestamp()) * 1000)::float8 AS open_for_ms,
    (extract(epoch FROM clock_timestamp() - probe_at) * 1000)::float8 AS probe_age_ms
  FROM crm_breakers`;

const toRecord = (r: BreakerRow): BreakerRecord => ({
  state: r.state,
  failures: r.failures,
  cooldownMs: r.cooldown_ms,
  openForMs: r.open_for_ms,
  probeAgeMs: r.probe_age_ms,
});

/**
 * One row per connection whose CRM is failing (crm_breakers), removed when it answers again: the table holds
 * at most one row per connection and none when every CRM is well.
 * @example const breakers = new CircuitBreakers({ store: new PostgresBreakerStore(pool) });
 */
export class PostgresBreakerStore implements BreakerStateStore {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<Map<string, BreakerRecord>> {
    const { rows } = await this.pool.query<BreakerRow>(SELECT);
    return new Map(rows.map((r) => [r.connection_id, toRecord(r)]));
  }

  update(
    connectionId: string,
    change: (current: BreakerRecord | undefined) => BreakerRecord | undefined,
  ): Promise<BreakerRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<BreakerRow>(`${SELECT} WHERE connection_id = $1 FOR UPDATE`, [
        connectionId,
      ]);
      const next = change(rows[0] ? toRecord(rows[0]) : undefined);
      if (!next) {
        if (rows[0]) await client.query("DELETE FROM crm_breakers WHERE connection_id = $1", [connectionId]);
        return undefined;
      }
      // A connection removed meanwhile has nothing left to pause: the foreign key refuses its row.
      const { rowCount } = await client.query(
        `INSERT INTO crm_breakers (connection_id, state, failures, cooldown_ms, open_until, probe_at, updated_at)
         SELECT $1, $2, $3, $4, clock_timestamp() + $5 * interval '1 millisecond',
                clock_timestamp() - $6 * interval '1 millisecond', clock_timestamp()
         WHERE EXISTS (SELECT 1 FROM connections WHERE id = $1)
         ON CONFLICT (connection_id) DO UPDATE SET state = excluded.state, failures = excluded.failures,
           cooldown_ms = excluded.cooldown_ms, open_until = excluded.open_until, probe_at = excluded.probe_at,
           updated_at = excluded.updated_at`,
        [connectionId, next.state, next.failures, next.cooldownMs, next.openForMs, next.probeAgeMs],
      );
      return rowCount ? next : undefined;
    });
  }
}
