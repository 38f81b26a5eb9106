import type { AppError } from "../domain/errors";
import type { BreakerRecord, BreakerState, BreakerStateStore } from "../ports/breaker-states";

export type { BreakerState } from "../ports/breaker-states";

export interface CircuitBreakerOptions {
  /** Consecutive CRM outages (5xx, timeouts, refused connections) that open a connection's breaker. @default 5 */
  threshold?: number;
  /** First pause once open; doubles after each failed probe. @default 30000 */
  baseCooldownMs?: number;
  /** Longest pause between probes. @default 900000 (15 minutes) */
  maxCooldownMs?: number;
  /**
   * Where the state lives. The runtime passes the PostgreSQL store, so every process shares one breaker per
   * connection; the default keeps it in this process. @default new MemoryBreakerStore()
   */
  store?: BreakerStateStore;
  /** How long a read of the store serves the hot path before it is read again. @default 1000 (0 in memory) */
  cacheMs?: number;
  /** Monotonic milliseconds. @default performance.now */
  monotonicMs?: () => number;
}

/** A probe that never reported (its event was settled meanwhile) stops blocking after a minute. */
const PROBE_STALE_MS = 60_000;

/** What the worker should do with an event of this connection right now. */
export type BreakerVerdict = { run: true } | { run: false; retryInMs: number };

/** The record's pause as seen `elapsedMs` after it was read. */
const aged = (r: BreakerRecord, elapsedMs: number): BreakerRecord => ({
  ...r,
  openForMs: r.openForMs - elapsedMs,
  probeAgeMs: r.probeAgeMs === null ? null : r.probeAgeMs + elapsedMs,
});

const effectiveState = (r: BreakerRecord | undefined): BreakerState =>
  r?.state === "open" && r.openForMs <= 0 ? "half_open" : (r?.state ?? "closed");

/** May one event go through as the probe now? (the pause is over and no fresh probe is in flight) */
const mayProbe = (r: BreakerRecord): boolean =>
  effectiveState(r) === "half_open" &&
  (r.state === "open" || r.probeAgeMs === null || r.probeAgeMs > PROBE_STALE_MS);

/**
 * Keeps breaker records in this process, on its monotonic clock (tests, and a process without a database).
 * @example new CircuitBreakers({ store: new MemoryBreakerStore(() => now) })
 */
export class MemoryBreakerStore implements BreakerStateStore {
  private readonly records = new Map<string, { record: BreakerRecord; at: number }>();

  constructor(private readonly monotonicMs: () => number = () => performance.now()) {}

  list(): Promise<Map<string, BreakerRecord>> {
    const now = this.monotonicMs();
    return Promise.resolve(
      new Map([...this.records].map(([id, { record, at }]) => [id, aged(record, now - at)])),
    );
  }

  update(
    connectionId: string,
    change: (current: BreakerRecord | undefined) => BreakerRecord | undefined,
  ): Promise<BreakerRecord | undefined> {
    const now = this.monotonicMs();
    const held = this.records.get(connectionId);
    const next = change(held && aged(held.record, now - held.at));
    if (next) this.records.set(connectionId, { record: next, at: now });
    else this.records.delete(connectionId);
    return Promise.resolve(next);
  }
}

/**
 * One breaker per connection, shared by every process through its store: when a CRM keeps failing, its
 * connection stops sending calls and waits (30 s, doubling to 15 min), then lets one event through as a probe
 * (one across all processes). A probe that succeeds closes the breaker and the connection resumes by itself;
 * other connections are never held back. The hot path reads a copy of the store at most `cacheMs` old (one
 * query a second per process, whatever the traffic) and writes only when a breaker changes.
 *
 * @example const breakers = new CircuitBreakers({ store }); if ((await breakers.verdict(id)).run) …
 */
export class CircuitBreakers {
  private readonly threshold: number;
  private readonly baseCooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly cacheMs: number;
  private readonly store: BreakerStateStore;
  private readonly monotonicMs: () => number;
  private cache: { records: Map<string, BreakerRecord>; at: number } | undefined;
  private reading: Promise<Map<string, BreakerRecord>> | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.baseCooldownMs = options.baseCooldownMs ?? 30_000;
    this.maxCooldownMs = options.maxCooldownMs ?? 900_000;
    this.cacheMs = options.cacheMs ?? (options.store ? 1000 : 0);
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.store = options.store ?? new MemoryBreakerStore(this.monotonicMs);
    if (!Number.isInteger(this.threshold) || this.threshold < 1) {
      throw new TypeError(`Expected \`threshold\` to be an integer ≥ 1, got \`${this.threshold}\``);
    }
  }

  /** Only outages count: a refused token or a malformed request is the event's problem, not the CRM's. */
  static isOutage(error: AppError): boolean {
    return error.code === "crm_unavailable";
  }

  async verdict(connectionId: string): Promise<BreakerVerdict> {
    const r = (await this.records()).get(connectionId);
    const state = effectiveState(r);
    if (!r || state === "closed") return { run: true };
    if (state === "open") return { run: false, retryInMs: Math.max(1000, r.openForMs) };
    if (!mayProbe(r)) return { run: false, retryInMs: 1000 };
    // Take the probe atomically: of every process that sees the pause end, one lets an event through.
    let taken = false;
    await this.change(connectionId, (current) => {
      if (!current || !mayProbe(current)) return current;
      taken = true;
      return { ...current, state: "half_open", probeAgeMs: 0 };
    });
    return taken ? { run: true } : { run: false, retryInMs: 1000 };
  }

  /** @returns true when this success closed a breaker that was open: the connection has recovered. */
  async recordSuccess(connectionId: string): Promise<boolean> {
    // The hot path: a connection with no record in the (≤ 1 s old) copy costs no write.
    if (!(await this.records()).has(connectionId)) return false;
    let recovered = false;
    await this.change(connectionId, (current) => {
      recovered = current !== undefined && current.state !== "closed";
      return undefined;
    });
    return recovered;
  }

  /** @returns true when this failure opened (or re-opened) the breaker. */
  async recordFailure(connectionId: string, error: AppError): Promise<boolean> {
    if (!CircuitBreakers.isOutage(error)) {
      // The probe failed for a reason of its own: the next event may probe.
      if ((await this.records()).get(connectionId)?.state === "half_open") {
        await this.change(connectionId, (current) =>
          current?.state === "half_open" ? { ...current, probeAgeMs: null } : current,
        );
      }
      return false;
    }
    let opened = false;
    await this.change(connectionId, (current) => {
      const b: BreakerRecord = current ?? {
        state: "closed",
        failures: 0,
        cooldownMs: 0,
        openForMs: 0,
        probeAgeMs: null,
      };
      const failures = b.failures + 1;
      const state = effectiveState(b);
      if (state === "half_open" || (state === "closed" && failures >= this.threshold)) {
        const cooldownMs =
          state === "half_open" ? Math.min(this.maxCooldownMs, b.cooldownMs * 2) : this.baseCooldownMs;
        opened = true;
        return { state: "open", failures, cooldownMs, openForMs: cooldownMs, probeAgeMs: null };
      }
      // Open and still paused (a call that was already in flight): the pause stands.
      return { ...b, failures };
    });
    return opened;
  }

  /** How long the connection stays paused (0 when it may run), from the last copy read. */
  pausedForMs(connectionId: string): number {
    const r = this.cache && this.cache.records.get(connectionId);
    if (!r || !this.cache) return 0;
    const left = aged(r, this.monotonicMs() - this.cache.at);
    return effectiveState(left) === "open" ? Math.max(0, left.openForMs) : 0;
  }

  async state(connectionId: string): Promise<BreakerState> {
    return effectiveState((await this.records()).get(connectionId));
  }

  /** Every connection whose breaker is not closed, across every process (for /metrics and the dashboard). */
  async notClosed(): Promise<{ connectionId: string; state: BreakerState }[]> {
    return [...(await this.records())]
      .map(([connectionId, r]) => ({ connectionId, state: effectiveState(r) }))
      .filter((s) => s.state !== "closed");
  }

  /** The store's records, read again when the copy is older than `cacheMs` (one read in flight at a time). */
  private async records(): Promise<Map<string, BreakerRecord>> {
    const now = this.monotonicMs();
    if (this.cache && now - this.cache.at < this.cacheMs) {
      const elapsed = now - this.cache.at;
      return new Map([...this.cache.records].map(([id, r]) => [id, aged(r, elapsed)]));
    }
    this.reading ??= this.store
      .list()
      .then((records) => {
        this.cache = { records, at: now };
        return records;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async change(
    connectionId: string,
    change: (current: BreakerRecord | undefined) => BreakerRecord | undefined,
  ): Promise<void> {
    const next = await this.store.update(connectionId, change);
    // Keep the copy true for this process at once; other processes see it within `cacheMs`.
    if (this.cache) {
      const at = this.monotonicMs();
      const records = new Map(
        [...this.cache.records].map(([id, r]) => [id, aged(r, at - this.cache!.at)] as const),
      );
      if (next) records.set(connectionId, next);
      else records.delete(connectionId);
      this.cache = { records, at };
    }
  }
}
