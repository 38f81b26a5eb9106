import type { AppError } from "../domain/errors";

export type BreakerState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  /** Consecutive CRM outages (5xx, timeouts, refused connections) that open a connection's breaker. @default 5 */
  threshold?: number;
  /** First pause once open; doubles after each failed probe. @default 30000 */
  baseCooldownMs?: number;
  /** Longest pause between probes. @default 900000 (15 minutes) */
  maxCooldownMs?: number;
  /** Monotonic milliseconds. @default performance.now */
  monotonicMs?: () => number;
}

interface ConnectionBreaker {
  state: BreakerState;
  failures: number;
  cooldownMs: number;
  openUntil: number;
  /** A probe is in flight while half-open: only one event tests the CRM at a time. */
  probing: boolean;
  probeAt: number;
}

const PROBE_STALE_MS = 60_000;

/** What the worker should do with an event of this connection right now. */
export type BreakerVerdict = { run: true } | { run: false; retryInMs: number };

/**
 * One breaker per connection (per process): when a CRM keeps failing, its connection stops sending calls
 * and waits (30 s, doubling to 15 min), then lets one event through as a probe. A probe that succeeds closes
 * the breaker and the connection resumes by itself; other connections are never held back.
 *
 * @example const breakers = new CircuitBreakers(); if (breakers.verdict(id).run) …
 */
export class CircuitBreakers {
  private readonly byConnection = new Map<string, ConnectionBreaker>();
  private readonly threshold: number;
  private readonly baseCooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly monotonicMs: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.baseCooldownMs = options.baseCooldownMs ?? 30_000;
    this.maxCooldownMs = options.maxCooldownMs ?? 900_000;
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    if (!Number.isInteger(this.threshold) || this.threshold < 1) {
      throw new TypeError(`Expected \`threshold\` to be an integer ≥ 1, got \`${this.threshold}\``);
    }
  }

  /** Only outages count: a refused token or a malformed request is the event's problem, not the CRM's. */
  static isOutage(error: AppError): boolean {
    return error.code === "crm_unavailable";
  }

  verdict(connectionId: string): BreakerVerdict {
    const b = this.byConnection.get(connectionId);
    if (!b || b.state === "closed") return { run: true };
    const now = this.monotonicMs();
    if (b.state === "open" && now >= b.openUntil) {
      b.state = "half_open";
      b.probing = false;
    }
    // A probe that never reported (its event was settled meanwhile) stops blocking after a minute.
    if (b.state === "half_open" && (!b.probing || now - b.probeAt > PROBE_STALE_MS)) {
      b.probing = true;
      b.probeAt = now;
      return { run: true };
    }
    return { run: false, retryInMs: Math.max(1000, b.openUntil - now) };
  }

  /** @returns true when this success closed a breaker that was open: the connection has recovered. */
  recordSuccess(connectionId: string): boolean {
    const b = this.byConnection.get(connectionId);
    if (!b) return false;
    const recovered = b.state !== "closed";
    this.byConnection.delete(connectionId);
    return recovered;
  }

  /** @returns true when this failure opened (or re-opened) the breaker. */
  recordFailure(connectionId: string, error: AppError): boolean {
    let b = this.byConnection.get(connectionId);
    if (!CircuitBreakers.isOutage(error)) {
      if (b?.state === "half_open") b.probing = false;
      return false;
    }
    b ??= { state: "closed", failures: 0, cooldownMs: 0, openUntil: 0, probing: false, probeAt: 0 };
    this.byConnection.set(connectionId, b);
    b.failures += 1;
    if (b.state === "half_open" || (b.state === "closed" && b.failures >= this.threshold)) {
      b.cooldownMs =
        b.state === "half_open" ? Math.min(this.maxCooldownMs, b.cooldownMs * 2) : this.baseCooldownMs;
      b.state = "open";
      b.probing = false;
      b.openUntil = this.monotonicMs() + b.cooldownMs;
      return true;
    }
    return false;
  }

  /** How long the connection stays paused (0 when it may run), without taking the probe. */
  pausedForMs(connectionId: string): number {
    const b = this.byConnection.get(connectionId);
    return b?.state === "open" ? Math.max(0, b.openUntil - this.monotonicMs()) : 0;
  }

  state(connectionId: string): BreakerState {
    const b = this.byConnection.get(connectionId);
    if (b?.state === "open" && this.monotonicMs() >= b.openUntil) return "half_open";
    return b?.state ?? "closed";
  }

  /** Every connection whose breaker is not closed (for /metrics and the dashboard). */
  notClosed(): { connectionId: string; state: BreakerState }[] {
    return [...this.byConnection.keys()]
      .map((connectionId) => ({ connectionId, state: this.state(connectionId) }))
      .filter((s) => s.state !== "closed");
  }
}
