import type { Clock } from "../ports/clock";

export interface GuessLimiterOptions {
  /** Wrong tokens one address may send per window before it is answered 429. @default 10 */
  maxWrong?: number;
  /** @default 600000 (10 minutes) */
  windowMs?: number;
  /** Addresses remembered at most; the oldest windows are dropped first. @default 10000 */
  maxAddresses?: number;
  now: Clock;
}

/**
 * Limits wrong-token guesses per address without ever locking out the right token: callers check the token
 * first and only consult the limiter for a wrong one, so the real admin (even behind a proxy that makes
 * everyone one address) always gets in, while a script gets 429 after a handful of wrong guesses.
 *
 * @example if (!matches) { if (limiter.exceeded(ip)) return res.status(429)…; limiter.recordWrong(ip); }
 */
export class GuessLimiter {
  private readonly wrong = new Map<string, { count: number; resetAt: number }>();
  private readonly maxWrong: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;

  constructor(private readonly options: GuessLimiterOptions) {
    this.maxWrong = options.maxWrong ?? 10;
    this.windowMs = options.windowMs ?? 600_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** @returns milliseconds until this address may guess again, or 0 */
  blockedForMs(address: string): number {
    const now = this.options.now().getTime();
    const entry = this.wrong.get(address);
    if (!entry || entry.resetAt <= now || entry.count < this.maxWrong) return 0;
    return entry.resetAt - now;
  }

  /** The right token came from this address: its earlier typos no longer count. */
  clear(address: string): void {
    this.wrong.delete(address);
  }

  recordWrong(address: string): void {
    const now = this.options.now().getTime();
    const entry = this.wrong.get(address);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    this.wrong.delete(address);
    // Map order is insertion order: the first key is the oldest window.
    while (this.wrong.size >= this.maxAddresses) this.wrong.delete(this.wrong.keys().next().value!);
    this.wrong.set(address, { count: 1, resetAt: now + this.windowMs });
  }
}
