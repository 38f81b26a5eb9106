/**
 * The CRM rate budget kept in PostgreSQL: two budgets on separate pools stand for two worker processes on
 * one portal; a third one created later stands for a restarted worker.
 */
import { Pool } from "pg";
import { PostgresRateWindow } from "../../src/adapters/postgres/rate-window-store";
import { RateBudgetQueue } from "../../src/adapters/rate-budget";
import { withWorkPriority } from "../../src/ports/work-priority";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const LIMIT = { intervalCap: 8, intervalMs: 600, concurrency: 4 };

describe("rate budget shared in PostgreSQL", () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const budgets: RateBudgetQueue[] = [];
  const worker = (name: string, limit: typeof LIMIT & { liveReserve?: number } = LIMIT) => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    const budget = new RateBudgetQueue({ name, limit, store: new PostgresRateWindow(pool) });
    budgets.push(budget);
    return budget;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const b of budgets) b.close();
    for (const p of pools) await p.end();
    await db.close();
  });

  it("when two processes call one portal at once, then no rolling window holds more calls than the cap", async () => {
    const a = worker("portal-1");
    const b = worker("portal-1");
    const starts: number[] = [];
    const ends: number[] = [];
    const call = async () => {
      starts.push(performance.now());
      await new Promise((r) => setTimeout(r, 5));
      ends.push(performance.now());
    };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).run(call)).concat(
        Array.from({ length: 4 }, () => b.run(call)),
      ),
    );
    expect(starts).toHaveLength(24);
    // Every start is preceded, within one window, by at most cap − 1 other calls that started before it.
    for (const s of starts) {
      expect(starts.filter((t) => t <= s && t > s - LIMIT.intervalMs + 20).length).toBeLessThanOrEqual(
        LIMIT.intervalCap,
      );
    }
    // Together they used the budget: 24 calls need at least two full windows, and not many more.
    expect(Math.max(...ends) - Math.min(...starts)).toBeGreaterThan(2 * LIMIT.intervalMs - 50);
  });

  it("when a worker restarts, then the new process still counts the calls the old one made in the window", async () => {
    const before = worker("portal-2");
    await Promise.all(Array.from({ length: LIMIT.intervalCap }, () => before.run(async () => undefined)));
    const lastEnd = performance.now();
    before.close();
    const after = worker("portal-2");
    let startedAt = 0;
    await after.run(async () => {
      startedAt = performance.now();
    });
    // It waits for the old process's calls to leave the window (a fresh budget would start at once).
    expect(startedAt - lastEnd).toBeGreaterThan(LIMIT.intervalMs / 2);
  });

  it("when bulk work in one process fills the window up to the live reserve, then a live call in another process starts at once", async () => {
    const limit = { ...LIMIT, intervalMs: 5_000, liveReserve: 2 };
    const bulkWorker = worker("portal-3", limit);
    const liveWorker = worker("portal-3", limit);
    const bulk = Array.from({ length: 8 }, () =>
      withWorkPriority("bulk", () => bulkWorker.run(async () => 1)),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(bulkWorker.calls).toBe(limit.intervalCap - limit.liveReserve);
    const started = performance.now();
    await withWorkPriority("live", () => liveWorker.run(async () => 1));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(bulkWorker.calls).toBe(limit.intervalCap - limit.liveReserve);
    bulkWorker.close();
    await Promise.allSettled(bulk);
  });
});
