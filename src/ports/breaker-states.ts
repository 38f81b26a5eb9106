/**
 * Where each connection's CRM circuit breaker lives, so every process (web, workers) sees one state per
 * connection and a restart keeps it. Times are relative to the store's own clock (the database's), so
 * processes on machines whose clocks differ still agree on when a pause ends.
 */
export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerRecord {
  state: BreakerState;
  /** Consecutive outages counted so far. */
  failures: number;
  /** The current pause; doubles after each failed probe. */
  cooldownMs: number;
  /** Milliseconds until the pause ends (≤ 0: it has ended). */
  openForMs: number;
  /** Milliseconds since a probe was let through while half-open; null when none is in flight. */
  probeAgeMs: number | null;
}

export interface BreakerStateStore {
  /** Every connection that has a record (failing, open or half-open): few, and none when all CRMs answer. */
  list(): Promise<Map<string, BreakerRecord>>;
  /**
   * Applies `change` to one connection's record atomically across processes (undefined: no record, or remove
   * it) and returns what is stored afterwards.
   */
  update(
    connectionId: string,
    change: (current: BreakerRecord | undefined) => BreakerRecord | undefined,
  ): Promise<BreakerRecord | undefined>;
}
