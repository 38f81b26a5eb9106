import PQueue from "p-queue";
import { CrmRateLimitedError } from "../domain/errors";
import type { RateBudget as RateBudgetFigures } from "../ports/crm";

/** One lane of calls that share a limit (HubSpot: the 10-second budget; search has its own). */
export interface RateLaneOptions {
  /** At most this many calls start in any rolling `intervalMs` (sliding window, not fixed buckets). */
  intervalCap: number;
  intervalMs: number;
  /** Calls in flight at once. @default 10 */
  concurrency?: number;
}

/** A daily allocation (Salesforce: per org, rolling 24 h), fed from the CRM's own usage header. */
export interface DailyAllocationOptions {
  limit: number;
  /**
   * Share of the allocation kept free for the customer's other integrations; calls beyond
   * `limit × (1 − reserveShare)` fail fast with CrmRateLimitedError instead of using it up.
   * @default 0.2
   */
  reserveShare?: number;
  /** How long a job should wait when the allocation is spent. @default 3_600_000 (1 h) */
  retryAfterMs?: number;
}

export interface RateBudgetOptions {
  /** For errors and logs: the connection id. */
  name: string;
  /** The main lane, used when `run` is given no lane. Omit for CRMs without a short-window limit. */
  limit?: RateLaneOptions;
  /** Further lanes by name, each with its own limit (e.g. `search`: 5/s, not counted in the main lane). */
  lanes?: Record<string, RateLaneOptions>;
  /** Calls in flight when there is no `limit` lane. @default 10 */
  concurrency?: number;
  daily?: DailyAllocationOptions;
  /**
   * Calls waiting beyond this fail fast with CrmRateLimitedError, so a burst becomes job retries
   * instead of an unbounded in-memory queue. @default Infinity
   */
  maxQueued?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * HubSpot OAuth apps: 110 requests / 10 s per account (we use 100, for clock differences with HubSpot's
 * own window), search 5/s in its own lane (it does not count against the 110).
 */
export const HUBSPOT_OAUTH_BUDGET: Omit<RateBudgetOptions, "name"> = {
  limit: { intervalCap: 100, intervalMs: 10_000, concurrency: 10 },
  lanes: { search: { intervalCap: 5, intervalMs: 1_000, concurrency: 5 } },
};

/** Salesforce: no short window, a daily allocation per org (update it from `Sforce-Limit-Info`). */
export function salesforceBudgetOptions(dailyLimit: number): Omit<RateBudgetOptions, "name"> {
  return { concurrency: 10, daily: { limit: dailyLimit } };
}

const DEFAULT_LANE = "default";

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

function validateLane(name: string, lane: RateLaneOptions): void {
  check(
    Number.isInteger(lane.intervalCap) && lane.intervalCap >= 1,
    `Expected \`${name}.intervalCap\` to be an integer ≥ 1, got \`${lane.intervalCap}\``,
  );
  check(
    Number.isFinite(lane.intervalMs) && lane.intervalMs > 0,
    `Expected \`${name}.intervalMs\` to be a finite number > 0, got \`${lane.intervalMs}\``,
  );
  const c = lane.concurrency ?? 10;
  check(Number.isInteger(c) && c >= 1, `Expected \`${name}.concurrency\` to be an integer ≥ 1, got \`${c}\``);
}

/**
 * At most `cap` calls in any rolling window, counted from the moment a call *ends*: the CRM counts a
 * request when it arrives, somewhere between our start and our end, so spacing by start times alone lets
 * network delays bunch two windows' calls into one of HubSpot's (measured on the sandbox: 429s at 20/22).
 */
class CompletionWindow {
  private readonly ended: number[] = [];
  private inFlight = 0;

  constructor(
    private readonly cap: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.ended.length > 0 && (this.ended[0] ?? t) <= t - this.windowMs) this.ended.shift();
      if (this.ended.length + this.inFlight < this.cap) {
        this.inFlight += 1;
        return;
      }
      const oldest = this.ended[0];
      const wait = oldest === undefined ? 10 : Math.min(oldest + this.windowMs - t + 1, 50);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }

  release(): void {
    this.inFlight -= 1;
    this.ended.push(this.now());
  }
}

interface Lane {
  queue: PQueue;
  window: CompletionWindow | undefined;
  options: RateLaneOptions | undefined;
  /** Start times within the last window, for `usage()`. */
  starts: number[];
}

/**
 * Keeps one connection's calls inside its CRM's rate budget: every call goes through `run`, which queues it
 * in the lane's p-queue (bounded concurrency) and starts it only while fewer than `intervalCap` calls ended
 * in the last `intervalMs` or are still in flight. A 429 from the CRM anyway
 * (another integration sharing the budget) should be reported with `pauseFor`, which holds every lane.
 * SDK retries stay off; the budget never retries, it only spaces calls — retries belong to the jobs.
 *
 * @example const budget = new RateBudgetQueue({ name: connectionId, ...HUBSPOT_OAUTH_BUDGET });
 *          await budget.run(() => client.crm.contacts.batchApi.read(input));
 */
export class RateBudgetQueue {
  readonly name: string;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  private readonly maxQueued: number;
  private readonly daily: Required<DailyAllocationOptions> | undefined;
  private dailyUsed = 0;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private totalCalls = 0;

  constructor(options: RateBudgetOptions) {
    this.name = options.name;
    this.now = options.now ?? Date.now;
    this.maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
    check(this.maxQueued >= 0, `Expected \`maxQueued\` to be ≥ 0, got \`${this.maxQueued}\``);
    if (options.daily) {
      const { limit, reserveShare = 0.2, retryAfterMs = 3_600_000 } = options.daily;
      check(
        Number.isInteger(limit) && limit >= 1,
        `Expected \`daily.limit\` to be an integer ≥ 1, got \`${limit}\``,
      );
      check(
        reserveShare >= 0 && reserveShare < 1,
        `Expected \`daily.reserveShare\` in [0, 1), got \`${reserveShare}\``,
      );
      this.daily = { limit, reserveShare, retryAfterMs };
    }
    const concurrency = options.concurrency ?? 10;
    check(
      Number.isInteger(concurrency) && concurrency >= 1,
      `Expected \`concurrency\` to be an integer ≥ 1, got \`${concurrency}\``,
    );
    this.lanes.set(DEFAULT_LANE, this.makeLane(DEFAULT_LANE, options.limit, concurrency));
    for (const [name, lane] of Object.entries(options.lanes ?? {})) {
      check(
        name !== DEFAULT_LANE,
        `Lane name \`${DEFAULT_LANE}\` is reserved; use \`limit\` for the main lane`,
      );
      this.lanes.set(name, this.makeLane(name, lane, lane.concurrency ?? 10));
    }
  }

  private makeLane(name: string, options: RateLaneOptions | undefined, concurrency: number): Lane {
    if (options) validateLane(name, options);
    const queue = new PQueue({ concurrency: options?.concurrency ?? concurrency });
    const window = options
      ? new CompletionWindow(options.intervalCap, options.intervalMs, this.now)
      : undefined;
    return { queue, window, options, starts: [] };
  }

  /** Runs `call` when the lane's budget allows. Rejects with CrmRateLimitedError when the queue is full or the daily allocation is spent. */
  async run<T>(call: () => Promise<T>, lane: string = DEFAULT_LANE): Promise<T> {
    const target = this.lanes.get(lane);
    if (!target) throw new RangeError(`Unknown rate lane \`${lane}\` for ${this.name}`);
    if (target.queue.size >= this.maxQueued) {
      throw new CrmRateLimitedError(
        `${this.name}: ${target.queue.size} calls already waiting in lane ${lane}`,
        target.options?.intervalMs ?? 1_000,
      );
    }
    this.assertDailyAllowance();
    return target.queue.add(async () => {
      await target.window?.acquire();
      try {
        this.assertDailyAllowance();
        this.recordStart(target);
        return await call();
      } finally {
        target.window?.release();
      }
    });
  }

  private assertDailyAllowance(): void {
    if (!this.daily) return;
    const allowed = Math.floor(this.daily.limit * (1 - this.daily.reserveShare));
    if (this.dailyUsed >= allowed) {
      throw new CrmRateLimitedError(
        `${this.name}: daily API allocation used ${this.dailyUsed}/${this.daily.limit} (reserve kept for other integrations)`,
        this.daily.retryAfterMs,
      );
    }
  }

  private recordStart(lane: Lane): void {
    const t = this.now();
    this.totalCalls += 1;
    if (this.daily) this.dailyUsed += 1;
    lane.starts.push(t);
    const windowMs = lane.options?.intervalMs ?? 10_000;
    while (lane.starts.length > 0 && (lane.starts[0] ?? t) <= t - windowMs) lane.starts.shift();
  }

  /** The CRM reported its usage (Salesforce `Sforce-Limit-Info: api-usage=used/limit`): trust it over our count. */
  observeDailyUsage(used: number, limit: number): void {
    if (!this.daily || !Number.isFinite(used) || !Number.isFinite(limit) || limit <= 0) return;
    this.dailyUsed = used;
    this.daily.limit = limit;
  }

  /** The CRM answered 429: hold every lane for `ms` so no further call is spent inside the penalty. */
  pauseFor(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    for (const lane of this.lanes.values()) lane.queue.pause();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pausedUntil = 0;
      for (const lane of this.lanes.values()) lane.queue.start();
    }, ms);
    this.resumeTimer.unref();
  }

  /** Figures for `CrmPort.rateBudget()`: the main lane's rolling window, or the daily allocation. */
  usage(lane: string = DEFAULT_LANE): RateBudgetFigures {
    if (this.daily && lane === DEFAULT_LANE) {
      return { used: this.dailyUsed, limit: this.daily.limit, windowMs: 86_400_000 };
    }
    const target = this.lanes.get(lane);
    if (!target?.options) return { used: 0, limit: Number.POSITIVE_INFINITY, windowMs: 10_000 };
    const t = this.now();
    const windowMs = target.options.intervalMs;
    const used = target.starts.filter((s) => s > t - windowMs).length;
    return { used, limit: target.options.intervalCap, windowMs };
  }

  /** Calls started since creation (all lanes). */
  get calls(): number {
    return this.totalCalls;
  }

  /** Calls waiting plus in flight, all lanes. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.size + lane.queue.pending;
    return n;
  }

  /** Resolves when nothing is queued or running (graceful shutdown). */
  async onIdle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.queue.onIdle()));
  }

  /** Stops timers; queued calls stay queued. */
  close(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    for (const lane of this.lanes.values()) lane.queue.clear();
  }
}

/**
 * One RateBudgetQueue per connection, created on first use: all instances of an adapter for the same
 * portal/org in this process share the budget.
 *
 * @example const budget = registry.forConnection(connectionId, () => HUBSPOT_OAUTH_BUDGET);
 */
export class RateBudgetRegistry {
  private readonly budgets = new Map<string, RateBudgetQueue>();

  forConnection(connectionId: string, options: () => Omit<RateBudgetOptions, "name">): RateBudgetQueue {
    let budget = this.budgets.get(connectionId);
    if (!budget) {
      budget = new RateBudgetQueue({ name: connectionId, ...options() });
      this.budgets.set(connectionId, budget);
    }
    return budget;
  }

  close(): void {
    for (const budget of this.budgets.values()) budget.close();
    this.budgets.clear();
  }
}
