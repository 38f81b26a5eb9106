/**
 * One app instance for the multi-process routing test and benchmark: assigns `COUNT` leads with `CONCURRENCY`
 * transactions in flight against `DATABASE_URL`, then prints one JSON line with what it got.
 * Caps: CAP_OPEN (pool, default 40) and ANNA_CAP (default 60).
 * Run: DATABASE_URL=… CONNECTION_ID=… WORKER=1 COUNT=100 CONCURRENCY=10 npx tsx test/integration/routing/assign-worker.ts
 */
import { Pool } from "pg";
import { PostgresAssignmentStore } from "../../../src/adapters/postgres/assignment-store";
import { DEMO_OWNERS, MONDAY_MORNING_EU, aLead } from "../../helpers/routing-builders";
import { cappedDachRules } from "./routing-fixtures";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const connectionId = process.env.CONNECTION_ID ?? "c-routing";
  const worker = process.env.WORKER ?? "0";
  const count = Number(process.env.COUNT ?? "100");
  const concurrency = Number(process.env.CONCURRENCY ?? "10");
  if (!url) throw new Error("DATABASE_URL is not set");
  const pool = new Pool({ connectionString: url, max: concurrency });
  const store = new PostgresAssignmentStore({ pool });
  const rules = cappedDachRules(Number(process.env.CAP_OPEN ?? "40"), Number(process.env.ANNA_CAP ?? "60"));
  const now = new Date(MONDAY_MORNING_EU);
  const perRep: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  async function lane(): Promise<void> {
    while (next < count) {
      const i = next++;
      // Every worker also sends the same "shared" leads: the same lead from several instances at once.
      const leadId = i % 10 === 0 ? `shared-${i}` : `w${worker}-${i}`;
      const { decision } = await store.assign({
        connectionId,
        lead: aLead({ id: leadId }),
        rules,
        owners: DEMO_OWNERS,
        now,
        eventKey: `w${worker}-e${i}`,
      });
      const key = decision.repKey ?? decision.method;
      perRep[key] = (perRep[key] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  process.stdout.write(`${JSON.stringify({ worker, count, seconds, perRep })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
