/**
 * One worker process of the shared-budget benchmark (test/bench/workers.ts): from BENCH_START_AT (epoch ms)
 * for BENCH_SECONDS, 20 callers make bulk HubSpot calls through the connection's rate budget kept in
 * PostgreSQL, then it prints how many calls it made and how many came back 429.
 */
import { Pool } from "pg";
import { PostgresRateWindow } from "../../src/adapters/postgres/rate-window-store";
import { HUBSPOT_OAUTH_BUDGET, RateBudgetRegistry } from "../../src/adapters/rate-budget";
import { withWorkPriority } from "../../src/ports/work-priority";
import { HUBSPOT_SANDBOX_DEMO } from "../../src/sandbox/hubspot/state";

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.BENCH_INSTANCE_DATABASE_URL!, max: 5 });
  const budget = new RateBudgetRegistry(new PostgresRateWindow(pool)).forConnection(
    "hubspot-9876543",
    () => HUBSPOT_OAUTH_BUDGET,
  );
  const base = process.env.BENCH_HUBSPOT_BASE!;
  const startAt = Number(process.env.BENCH_START_AT);
  const endAt = startAt + Number(process.env.BENCH_SECONDS) * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  let calls = 0;
  let limited = 0;
  const caller = async () => {
    while (Date.now() < endAt) {
      const status = await withWorkPriority("bulk", () =>
        budget.run(async () => {
          if (Date.now() >= endAt) return 0;
          const res = await fetch(`${base}/crm/v3/owners/?limit=100`, {
            headers: { authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}` },
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      if (status === 0) break;
      calls += 1;
      if (status === 429) limited += 1;
    }
  };
  await Promise.all(Array.from({ length: 20 }, caller));
  budget.close();
  await pool.end();
  process.stdout.write(`done ${calls} ${limited}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
