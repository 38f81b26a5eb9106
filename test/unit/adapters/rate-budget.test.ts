import { BatchCoalescer } from "../../../src/adapters/batch-coalescer";
import { RateBudgetQueue } from "../../../src/adapters/rate-budget";
import { CrmRateLimitedError } from "../../../src/domain/errors";
import { currentWorkPriority, withWorkPriority } from "../../../src/ports/work-priority";

describe("RateBudgetQueue", () => {
  it("when 12 calls are run against a cap of 5 per 200 ms, then no rolling 200 ms window holds more than 5 starts", async () => {
    const budget = new RateBudgetQueue({
      name: "c1",
      limit: { intervalCap: 5, intervalMs: 200, concurrency: 10 },
    });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () =>
        budget.run(async () => {
          starts.push(Date.now());
        }),
      ),
    );
    for (const s of starts) expect(starts.filter((t) => t >= s && t < s + 195).length).toBeLessThanOrEqual(5);
    expect(budget.calls).toBe(12);
    budget.close();
  });

  it("when the daily allocation minus the reserve is used, then calls fail fast as rate-limited", async () => {
    const budget = new RateBudgetQueue({ name: "org", daily: { limit: 10, reserveShare: 0.2 } });
    budget.observeDailyUsage(8, 10);
    await expect(budget.run(async () => 1)).rejects.toBeInstanceOf(CrmRateLimitedError);
    expect(budget.usage()).toEqual({ used: 8, limit: 10, windowMs: 86_400_000 });
  });

  it("when more calls wait than maxQueued, then the extra call is refused as rate-limited", async () => {
    const budget = new RateBudgetQueue({ name: "c", concurrency: 1, maxQueued: 1 });
    let release = (): void => undefined;
    const first = budget.run(() => new Promise<void>((r) => (release = r)));
    const second = budget.run(async () => undefined);
    await expect(budget.run(async () => undefined)).rejects.toMatchObject({ code: "crm_rate_limited" });
    release();
    await Promise.all([first, second]);
  });

  it("rejects a cap of 0 with a message naming the option", () => {
    expect(() => new RateBudgetQueue({ name: "x", limit: { intervalCap: 0, intervalMs: 1000 } })).toThrow(
      "Expected `default.intervalCap` to be an integer ≥ 1, got `0`",
    );
  });
});

describe("BatchCoalescer", () => {
  it("when 250 reads arrive together, then they go out as batches of at most 100 and each caller gets its own result", async () => {
    const sizes: number[] = [];
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      keyOf: (id) => id,
      execute: async (ids) => {
        sizes.push(ids.length);
        return new Map(ids.filter((id) => id !== "7").map((id) => [id, `lead-${id}`]));
      },
    });
    const ids = Array.from({ length: 250 }, (_, i) => String(i));
    const results = await Promise.all(ids.map((id) => reads.submit(id)));
    expect(sizes).toEqual([100, 100, 50]);
    expect(results[3]).toBe("lead-3");
    expect(results[7]).toBeUndefined();
  });

  it("when two writes to the same record meet in one batch, then they are merged and the later field wins", async () => {
    const sent: Record<string, unknown>[][] = [];
    const writes = new BatchCoalescer<{ id: string; a?: number; b?: number }, void>({
      maxBatchSize: 100,
      keyOf: (u) => u.id,
      merge: (x, y) => ({ ...x, ...y }),
      execute: async (items) => {
        sent.push(items);
        return new Map();
      },
    });
    await Promise.all([writes.submit({ id: "1", a: 1, b: 1 }), writes.submit({ id: "1", b: 2 })]);
    expect(sent).toEqual([[{ id: "1", a: 1, b: 2 }]]);
  });

  it("when one item of a batch fails, then only its caller sees the error", async () => {
    const c = new BatchCoalescer<string, number>({
      maxBatchSize: 10,
      keyOf: (id) => id,
      execute: async () =>
        new Map<string, number | Error>([
          ["a", 1],
          ["b", new Error("bad b")],
        ]),
    });
    await expect(c.submit("b")).rejects.toThrow("bad b");
    const [a] = await Promise.all([c.submit("a")]);
    expect(a).toBe(1);
  });
});

describe("RateBudgetQueue priorities", () => {
  it("when live and bulk calls wait for one lane, then every live call starts before any waiting bulk call", async () => {
    const budget = new RateBudgetQueue({
      name: "p1",
      limit: { intervalCap: 3, intervalMs: 150, concurrency: 1 },
    });
    const order: string[] = [];
    const call = (label: string) => async () => {
      order.push(label);
      await new Promise((r) => setTimeout(r, 2));
    };
    const bulk = Array.from({ length: 4 }, (_, i) =>
      withWorkPriority("bulk", () => budget.run(call(`bulk${i}`))),
    );
    const live = Array.from({ length: 2 }, (_, i) =>
      withWorkPriority("live", () => budget.run(call(`live${i}`))),
    );
    await Promise.all([...bulk, ...live]);
    // The bulk calls were queued first; the live ones overtake all of them.
    expect(order).toEqual(["live0", "live1", "bulk0", "bulk1", "bulk2", "bulk3"]);
    budget.close();
  });

  it("when bulk work has used the window up to the live reserve, then a live call still gets a slot at once and bulk waits", async () => {
    let t = 1_000_000;
    const budget = new RateBudgetQueue({
      name: "p2",
      limit: { intervalCap: 5, intervalMs: 10_000, concurrency: 10, liveReserve: 2 },
      now: () => t,
    });
    const started: string[] = [];
    const bulk = Array.from({ length: 4 }, (_, i) =>
      withWorkPriority("bulk", () => budget.run(async () => void started.push(`bulk${i}`))),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(["bulk0", "bulk1", "bulk2"]);
    await withWorkPriority("live", () => budget.run(async () => void started.push("live")));
    expect(started).toEqual(["bulk0", "bulk1", "bulk2", "live"]);
    t += 10_001;
    await Promise.all(bulk);
    expect(started).toContain("bulk3");
    budget.close();
  });

  it("when a live and a bulk read meet in one batch, then the batch call runs at live priority", async () => {
    const seen: string[] = [];
    const reads = new BatchCoalescer<string, string>({
      maxBatchSize: 10,
      keyOf: (id) => id,
      execute: async (ids) => {
        seen.push(currentWorkPriority());
        return new Map(ids.map((id) => [id, id]));
      },
    });
    await Promise.all([
      withWorkPriority("bulk", () => reads.submit("1")),
      withWorkPriority("live", () => reads.submit("2")),
    ]);
    expect(seen).toEqual(["live"]);
  });

  it("rejects a live reserve as large as the cap, naming the option", () => {
    expect(
      () => new RateBudgetQueue({ name: "x", limit: { intervalCap: 3, intervalMs: 1000, liveReserve: 3 } }),
    ).toThrow("Expected `default.liveReserve` to be an integer in [0, intervalCap), got `3`");
  });
});

describe("BatchCoalescer lingering by priority", () => {
  it("when only bulk items wait, then the batch waits for company longer; a live item sends it at once", async () => {
    const batches: string[][] = [];
    const c = new BatchCoalescer<string, string>({
      maxBatchSize: 100,
      lingerMs: 5,
      bulkLingerMs: 200,
      keyOf: (id) => id,
      execute: async (ids) => {
        batches.push(ids);
        return new Map(ids.map((id) => [id, id]));
      },
    });
    const first = withWorkPriority("bulk", () => c.submit("b1"));
    await new Promise((r) => setTimeout(r, 50));
    const second = withWorkPriority("bulk", () => c.submit("b2"));
    await Promise.all([first, second]);
    expect(batches).toEqual([["b1", "b2"]]);
    const bulk = withWorkPriority("bulk", () => c.submit("b3"));
    const live = withWorkPriority("live", () => c.submit("l1"));
    // Timers fire in the order they fall due, however loaded the machine: a batch that waited for the bulk
    // linger (200 ms) would go out after this 100 ms mark; the live item's (5 ms) goes out before it.
    const order: string[] = [];
    const mark = new Promise<void>((r) =>
      setTimeout(() => {
        order.push(`mark after ${batches.length} batches`);
        r();
      }, 100),
    );
    await Promise.all([bulk, live, mark]);
    expect(batches[1]).toEqual(["b3", "l1"]);
    expect(order).toEqual(["mark after 2 batches"]);
  });
});
