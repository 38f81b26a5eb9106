/**
 * Two worker processes on one HubSpot portal: each takes its calls from the portal's rate budget kept in
 * PostgreSQL (20 callers each, bulk priority, unbatchable calls) against the sandbox with HubSpot's real
 * 110 requests / 10 s. Measured: 429s the sandbox answered, and the share of the 110 / 10 s the two used.
 * Run alone: `npx tsx test/bench/workers.ts` (needs BENCH_DATABASE_URL).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Pool } from "pg";
import { migrate } from "../../src/adapters/postgres/migrate";
import { startSandbox } from "../../src/sandbox/server";
import type { BenchFigure } from "./figures";
import { runAlone } from "./harness";

export async function benchWorkers(databaseUrl: string, seconds = 30): Promise<BenchFigure[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  await migrate(pool);
  await pool.end();
  const sandbox = await startSandbox({ port: 0 });
  try {
    // Started a few seconds ahead so both processes are loaded before the first call.
    const startAt = Date.now() + 8_000;
    const results = Promise.all(
      [1, 2].map(
        () =>
          new Promise<{ calls: number; limited: number }>((resolve, reject) => {
            const child = spawn(path.resolve("node_modules/.bin/tsx"), ["test/bench/budget-worker.ts"], {
              env: {
                ...process.env,
                BENCH_INSTANCE_DATABASE_URL: databaseUrl,
                BENCH_HUBSPOT_BASE: sandbox.hubspotBasePath,
                BENCH_START_AT: String(startAt),
                BENCH_SECONDS: String(seconds),
              },
              stdio: ["ignore", "pipe", "inherit"],
            });
            let out = "";
            child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
            child.once("exit", (code) => {
              const m = /done (\d+) (\d+)/.exec(out);
              if (code === 0 && m) resolve({ calls: Number(m[1]), limited: Number(m[2]) });
              else reject(new Error(`budget worker exited with ${code}`));
            });
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
    const before = { ...sandbox.hubspot.stats };
    const workers = await results;
    const stats = sandbox.hubspot.stats;
    const calls = stats.apiCalls - stats.searchCalls - (before.apiCalls - before.searchCalls);
    const limited = stats.rateLimited - before.rateLimited;
    const limit = sandbox.hubspot.tenSecondLimit;
    const share = calls / ((limit * seconds) / 10);
    return [
      {
        id: "workers2.rate_limited",
        name: `two worker processes on one portal, ${seconds} s of bulk calls: 429s from HubSpot's 110 / 10 s`,
        value: limited,
        unit: "",
        target: "0",
        ok: limited === 0,
      },
      {
        id: "workers2.budget_share",
        name: `two worker processes on one portal: share of the 110 / 10 s used (${workers.map((w) => w.calls).join(" + ")} calls)`,
        value: Math.round(share * 1000) / 10,
        unit: "%",
        target: "≥ 90 %",
        ok: share >= 0.9,
      },
    ];
  } finally {
    await sandbox.close();
  }
}

if (require.main === module) runAlone((databaseUrl) => benchWorkers(databaseUrl), 1);
