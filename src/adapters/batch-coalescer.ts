import {
  currentWorkPriority,
  higherPriority,
  withWorkPriority,
  type WorkPriority,
} from "../ports/work-priority";

/**
 * What one batch call answers per key: a value, an Error for that item only (partial failure), or nothing
 * (the CRM does not know the id: the caller gets `undefined`).
 */
export type BatchResults<R> = Map<string, R | Error>;

export interface BatchCoalescerOptions<I, R> {
  /** Largest batch the CRM accepts (HubSpot batch endpoints 100, Salesforce collections 200). */
  maxBatchSize: number;
  /** How long the first item of a batch waits for company. @default 10 */
  lingerMs?: number;
  /**
   * How long a batch of bulk work only (imports, backfills) waits for company: nobody is waiting for it,
   * and a fuller batch spends less of the CRM's budget. A live or normal item sends the batch after
   * `lingerMs`. @default lingerMs
   */
  bulkLingerMs?: number;
  /** Identity of an item (the record id). Items with the same key in one batch are merged or deduplicated. */
  keyOf: (item: I) => string;
  /**
   * Combines two items with the same key that meet in one batch (writes: later fields win). Without it,
   * identical keys share one slot and the first item is sent (reads).
   */
  merge?: (earlier: I, later: I) => I;
  /** One batch call. A throw fails every item of that batch; an Error in the map fails that item only. */
  execute: (items: I[]) => Promise<BatchResults<R>>;
  /**
   * Batch calls of one priority under way at once (waiting for the rate budget included). When that many
   * are out, a partial batch keeps gathering items until one comes back, instead of going out with the few
   * it has: while the CRM budget is what limits, each call then carries as many leads as waited for it. A
   * full batch always goes; a batch of more urgent work never waits for calls of less urgent work.
   * @default Infinity (every batch goes when its linger is over)
   */
  maxInFlight?: number;
}

interface Waiter<R> {
  resolve: (value: R | undefined) => void;
  reject: (error: unknown) => void;
}

interface Slot<I, R> {
  item: I;
  waiters: Waiter<R>[];
  /** The most urgent work waiting on this item: the batch call runs at the highest of its items. */
  priority: WorkPriority;
}

/**
 * Folds concurrent single-record reads or writes into batch calls: items submitted within `lingerMs` of
 * each other (or until `maxBatchSize` is reached) go out as one call. Twenty workers each reading one
 * lead become one batch read, which is what keeps 1,000 updates under 1.5 CRM calls per lead.
 *
 * @example const reads = new BatchCoalescer({ maxBatchSize: 100, keyOf: (id) => id, execute: readMany });
 *          const lead = await reads.submit("501");
 */
export class BatchCoalescer<I, R> {
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly options: BatchCoalescerOptions<I, R>;
  private pending = new Map<string, Slot<I, R>>();
  private timer: NodeJS.Timeout | undefined;
  /** When the pending batch goes out (performance.now()). */
  private due = Number.POSITIVE_INFINITY;
  private readonly bulkLingerMs: number;
  private batches = 0;
  private items = 0;
  private readonly maxInFlight: number;
  /** Batch calls under way, by the priority they run at. */
  private readonly inFlight: Record<WorkPriority, number> = { live: 0, normal: 0, bulk: 0 };
  /** The pending batch's linger is over; it waits for a call of its priority to come back. */
  private overdue = false;

  constructor(options: BatchCoalescerOptions<I, R>) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new RangeError(`Expected \`maxBatchSize\` to be an integer ≥ 1, got \`${options.maxBatchSize}\``);
    }
    const linger = options.lingerMs ?? 10;
    if (!Number.isFinite(linger) || linger < 0) {
      throw new RangeError(`Expected \`lingerMs\` to be a finite number ≥ 0, got \`${linger}\``);
    }
    this.options = options;
    this.maxBatchSize = options.maxBatchSize;
    this.lingerMs = linger;
    const bulk = options.bulkLingerMs ?? linger;
    if (!Number.isFinite(bulk) || bulk < linger) {
      throw new RangeError(`Expected \`bulkLingerMs\` to be a finite number ≥ lingerMs, got \`${bulk}\``);
    }
    this.bulkLingerMs = bulk;
    const inFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    if (!(inFlight >= 1)) {
      throw new RangeError(`Expected \`maxInFlight\` to be ≥ 1, got \`${inFlight}\``);
    }
    this.maxInFlight = inFlight;
  }

  /** Queues one item; resolves with its result once its batch has run (`undefined` when the CRM had none). */
  submit(item: I): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      const key = this.options.keyOf(item);
      const priority = currentWorkPriority();
      this.items += 1;
      const slot = this.pending.get(key);
      if (slot) {
        if (this.options.merge) slot.item = this.options.merge(slot.item, item);
        slot.waiters.push({ resolve, reject });
        slot.priority = higherPriority(slot.priority, priority);
        if (priority !== "bulk") this.flushWithin(this.lingerMs);
        return;
      }
      this.pending.set(key, { item, waiters: [{ resolve, reject }], priority });
      if (this.pending.size >= this.maxBatchSize) {
        this.flush();
      } else {
        this.flushWithin(priority === "bulk" ? this.bulkLingerMs : this.lingerMs);
      }
    });
  }

  /** Queues many items at once; full batches go out immediately. */
  submitMany(items: I[]): Promise<(R | undefined)[]> {
    return Promise.all(items.map((item) => this.submit(item)));
  }

  /** Makes sure the pending batch goes out within `ms` (an earlier deadline stands). */
  private flushWithin(ms: number): void {
    const due = performance.now() + ms;
    if (this.timer && due >= this.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => this.flushWhenFree(), ms);
  }

  /** The linger is over: the batch goes unless `maxInFlight` calls of its priority are already out. */
  private flushWhenFree(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Number.POSITIVE_INFINITY;
    if (this.inFlight[this.pendingPriority()] >= this.maxInFlight) {
      this.overdue = true;
      return;
    }
    this.flush();
  }

  private pendingPriority(): WorkPriority {
    let priority: WorkPriority = "bulk";
    for (const slot of this.pending.values()) priority = higherPriority(priority, slot.priority);
    return priority;
  }

  /** Sends what is waiting now, without the linger. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Number.POSITIVE_INFINITY;
    this.overdue = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.batches += 1;
    void this.runBatch(batch);
  }

  private async runBatch(batch: Map<string, Slot<I, R>>): Promise<void> {
    const slots = [...batch.entries()];
    const priority = slots.reduce<WorkPriority>((p, [, slot]) => higherPriority(p, slot.priority), "bulk");
    let results: BatchResults<R>;
    this.inFlight[priority] += 1;
    try {
      results = await withWorkPriority(priority, () =>
        this.options.execute(slots.map(([, slot]) => slot.item)),
      );
    } catch (error) {
      for (const [, slot] of slots) for (const w of slot.waiters) w.reject(error);
      return;
    } finally {
      this.inFlight[priority] -= 1;
      // A batch that waited for this call goes now, with everything it gathered meanwhile.
      if (this.overdue) this.flushWhenFree();
    }
    for (const [key, slot] of slots) {
      const value = results.get(key);
      for (const w of slot.waiters) {
        if (value instanceof Error) w.reject(value);
        else w.resolve(value);
      }
    }
  }

  /** Batch calls made and items submitted so far (items / batches = the folding factor). */
  stats(): { batches: number; items: number } {
    return { batches: this.batches, items: this.items };
  }
}
