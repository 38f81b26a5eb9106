import { CrmRateLimitedError, CrmUnavailableError } from "../domain/errors";
import type { RateBudget as RateBudgetFigures } from "../ports/crm";
import { currentWorkPriority, type WorkPriority } from "../ports/work-priority";
import {
  MemoryRateWindow,
  type RateWindowGrant,
  type RateWindowKey,
  type RateWindowStore,
} from "./rate-window";

/** One lane of calls that share a limit (HubSpot: the 10-second budget; search has its own). */
export interface RateLaneOptions {
  /** At most this many calls start in any rolling `intervalMs` (sliding window, not fixed buckets). */
  intervalCap: number;
  intervalMs: number;
  /** Calls in flight at once (in this process). @default 10 */
  concurrency?: number;
  /** Of `intervalCap`, this many are kept for live work (a person waiting): bulk never uses them. @default 0 */
  liveReserve?: number;
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
  /**
   * Where the rolling windows are kept: pass the PostgreSQL store so that every process shares one budget
   * per connection (and a restart does not forget it). @default this process's memory
   */
  store?: RateWindowStore;
  /** Milliseconds since the epoch. @default performance.timeOrigin + performance.now() */
  now?: () => number;
  /**
   * How a lane waits `ms` (on `now`'s clock) for its window to free up before asking again. A replayed past
   * (the demo history) moves its clock on instead of sleeping. @default setTimeout
   */
  wait?: (ms: number, then: () => void) => NodeJS.Timeout;
}

/**
 * HubSpot OAuth apps: 110 requests / 10 s per account (we use 107, for clock differences with HubSpot's
 * own window, of which 5 are kept for live leads: bulk work uses at most 102, 93 % of the limit), search
 * 5/s in its own lane (it does not count against the 110), one of them kept for live leads.
 */
export const HUBSPOT_OAUTH_BUDGET: Omit<RateBudgetOptions, "name"> = {
  limit: { intervalCap: 107, intervalMs: 10_000, concurrency: 10, liveReserve: 5 },
  lanes: { search: { intervalCap: 5, intervalMs: 1_000, concurrency: 5, liveReserve: 1 } },
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
  const r = lane.liveReserve ?? 0;
  check(
    Number.isInteger(r) && r >= 0 && r < lane.intervalCap,
    `Expected \`${name}.liveReserve\` to be an integer in [0, intervalCap), got \`${r}\``,
  );
}

interface Waiter {
  priority: WorkPriority;
  grant: (token: number | undefined) => void;
  fail: (error: unknown) => void;
}

interface Lane {
  name: string;
  options: RateLaneOptions | undefined;
  key: RateWindowKey | undefined;
  concurrency: number;
  /** Calls waiting for a slot, by priority (live first, then normal, then bulk). */
  waiting: Record<WorkPriority, Waiter[]>;
  inFlight: number;
  pumping: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Start times within the last window, for `usage()`. */
  starts: number[];
  /** Calls in the shared window at the last grant (every process). */
  sharedUsed: number;
}

const PRIORITY_ORDER: WorkPriority[] = ["live", "normal", "bulk"];

function waitingCount(lane: Lane): number {
  return lane.waiting.live.length + lane.waiting.normal.length + lane.waiting.bulk.length;
}

/**
 * Keeps one connection's calls inside its CRM's rate budget: every call goes through `run`, which waits
 * for a slot in the lane's rolling window (see RateWindowStore: in memory, or in PostgreSQL so that every
 * process on the database shares one budget) and for a free place among the lane's `concurrency`.
 * Waiting calls are served by the priority of the work they belong to (ports/work-priority): live first,
 * bulk last, and the lane's `liveReserve` slots are only ever given to live calls, so a form submission
 * is never stuck behind an import, in this process or another one.
 * (A call holds a place among the `concurrency` only once it has its slot: a queue that gave out places
 * first would let bulk calls sit in every place waiting for the window while a live call waits behind them.)
 * A 429 from the CRM anyway (another integration sharing the budget) should be reported with `pauseFor`,
 * which holds every lane. SDK retries stay off; the budget never retries, it only spaces calls.
 *
 * @example const budget = new RateBudgetQueue({ name: connectionId, ...HUBSPOT_OAUTH_BUDGET });
 *          await budget.run(() => client.crm.contacts.batchApi.read(input));
 */
export class RateBudgetQueue {
  readonly name: string;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  private readonly wait: (ms: number, then: () => void) => NodeJS.Timeout;
  private readonly store: RateWindowStore;
  private readonly maxQueued: number;
  private readonly daily: Required<DailyAllocationOptions> | undefined;
  private dailyUsed = 0;
  private pausedUntil = 0;
  private totalCalls = 0;
  private idle: (() => void)[] = [];
  private closed = false;

  constructor(options: RateBudgetOptions) {
    this.name = options.name;
    this.now = options.now ?? monotonicNow;
    this.wait = options.wait ?? ((ms, then) => setTimeout(then, ms));
    this.store = options.store ?? new MemoryRateWindow(this.now);
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
    const key: RateWindowKey | undefined = options
      ? {
          name: this.name,
          lane: name,
          cap: options.intervalCap,
          liveReserve: options.liveReserve ?? 0,
          windowMs: options.intervalMs,
        }
      : undefined;
    return {
      name,
      options,
      key,
      concurrency: options?.concurrency ?? concurrency,
      waiting: { live: [], normal: [], bulk: [] },
      inFlight: 0,
      pumping: false,
      timer: undefined,
      starts: [],
      sharedUsed: 0,
    };
  }

  /**
   * Runs `call` when the lane's budget allows, at the priority of the work it belongs to.
   * Rejects with CrmRateLimitedError when the queue is full or the daily allocation is spent.
   */
  async run<T>(call: () => Promise<T>, lane: string = DEFAULT_LANE): Promise<T> {
    const target = this.lanes.get(lane);
    if (!target) throw new RangeError(`Unknown rate lane \`${lane}\` for ${this.name}`);
    const queued = waitingCount(target);
    if (queued >= this.maxQueued) {
      throw new CrmRateLimitedError(
        `${this.name}: ${queued} calls already waiting in lane ${lane}`,
        target.options?.intervalMs ?? 1_000,
      );
    }
    this.assertDailyAllowance();
    const token = await new Promise<number | undefined>((grant, fail) => {
      target.waiting[currentWorkPriority()].push({ priority: currentWorkPriority(), grant, fail });
      this.pump(target);
    });
    try {
      this.assertDailyAllowance();
      this.recordStart(target);
      return await call();
    } finally {
      await this.finish(target, token);
    }
  }

  private async finish(lane: Lane, token: number | undefined): Promise<void> {
    try {
      if (token !== undefined && lane.key) await this.store.release(lane.key, [token]);
    } catch {
      // The window forgets this call's end only: it still counts from its start, which is conservative.
    } finally {
      lane.inFlight -= 1;
      this.pump(lane);
      this.settleIdle();
    }
  }

  /** Hands free slots to waiting calls, most urgent first; asks the window again when it frees up. */
  private pump(lane: Lane): void {
    if (lane.pumping || lane.timer || this.closed) return;
    lane.pumping = true;
    void this.fill(lane).finally(() => {
      lane.pumping = false;
    });
  }

  private async fill(lane: Lane): Promise<void> {
    for (;;) {
      const room = lane.concurrency - lane.inFlight;
      const waiting = waitingCount(lane);
      if (room <= 0 || waiting === 0 || this.closed) return;
      const pause = this.pausedUntil - this.now();
      if (pause > 0) return this.retryLater(lane, pause);
      const wantLive = Math.min(lane.waiting.live.length, room);
      const wantOther = Math.min(waiting - lane.waiting.live.length, room - wantLive);
      if (!lane.key) {
        this.hand(
          lane,
          Array.from({ length: wantLive + wantOther }, () => undefined),
          wantLive,
        );
        continue;
      }
      let grant: RateWindowGrant;
      try {
        grant = await this.store.acquire(lane.key, { live: wantLive, other: wantOther });
      } catch (err) {
        this.failWaiting(
          lane,
          new CrmUnavailableError(`${this.name}: the shared rate budget could not be read`, {
            cause: err,
            hint: "The job is retried; check the database connection.",
          }),
        );
        return;
      }
      lane.sharedUsed = grant.used;
      this.hand(lane, grant.tokens, grant.live);
      if (grant.tokens.length < wantLive + wantOther) {
        return this.retryLater(lane, Math.min(Math.max(grant.retryInMs, 5), 250));
      }
    }
  }

  private hand(lane: Lane, tokens: (number | undefined)[], live: number): void {
    tokens.forEach((token, i) => {
      const from =
        i < live ? lane.waiting.live : PRIORITY_ORDER.map((p) => lane.waiting[p]).find((q) => q.length);
      const waiter = from?.shift();
      if (!waiter) return;
      lane.inFlight += 1;
      waiter.grant(token);
    });
  }

  private retryLater(lane: Lane, ms: number): void {
    lane.timer = this.wait(ms, () => {
      lane.timer = undefined;
      this.pump(lane);
    });
    lane.timer.unref();
  }

  private failWaiting(lane: Lane, error: unknown): void {
    for (const p of PRIORITY_ORDER) for (const w of lane.waiting[p].splice(0)) w.fail(error);
    this.settleIdle();
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

  /** The CRM answered 429: hold every lane for `ms` (in every process sharing the window). */
  pauseFor(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    for (const lane of this.lanes.values()) {
      if (lane.key) void this.store.pause(lane.key, ms).catch(() => undefined);
    }
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
    for (const lane of this.lanes.values()) n += waitingCount(lane) + lane.inFlight;
    return n;
  }

  /** Resolves when nothing is queued or running (graceful shutdown). */
  onIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private settleIdle(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Stops timers; calls still waiting for a slot fail as retryable (their jobs run again later). */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = undefined;
      this.failWaiting(lane, new CrmUnavailableError(`${this.name}: shutting down`));
    }
  }
}

function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One RateBudgetQueue per connection, created on first use: all instances of an adapter for the same
 * portal/org in this process share the budget.
 *
 * @example const budget = registry.forConnection(connectionId, () => HUBSPOT_OAUTH_BUDGET);
 */
export class RateBudgetRegistry {
  private readonly budgets = new Map<string, RateBudgetQueue>();

  /**
   * @param store where the windows live (PostgreSQL: one budget for every process). @default memory
   * @param now the clock the windows count on. @default the monotonic clock
   * @param wait how a lane waits for its window on that clock. @default setTimeout
   */
  constructor(
    private readonly store?: RateWindowStore,
    private readonly now?: () => number,
    private readonly wait?: RateBudgetOptions["wait"],
  ) {}

  forConnection(connectionId: string, options: () => Omit<RateBudgetOptions, "name">): RateBudgetQueue {
    let budget = this.budgets.get(connectionId);
    if (!budget) {
      budget = new RateBudgetQueue({
        name: connectionId,
        ...(this.store ? { store: this.store } : {}),
        ...(this.now ? { now: this.now } : {}),
        ...(this.wait ? { wait: this.wait } : {}),
        ...options(),
      });
      this.budgets.set(connectionId, budget);
    }
    return budget;
  }

  close(): void {
    for (const budget of this.budgets.values()) budget.close();
    this.budgets.clear();
  }
}
