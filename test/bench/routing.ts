import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Pool } from "pg";
import { startEmbeddedPostgres } from "../../src/adapters/postgres/embedded";
import { migrate } from "../../src/adapters/postgres/migrate";
import { routeLead } from "../../src/domain/routing";
import type { RoutingInput } from "../../src/domain/routing-snapshot";
import { aLead, aRepState, anInput } from "../helpers/routing-builders";
import { runAssignWorker } from "../integration/routing/run-assign-worker";
import { insertConnection } from "../integration/routing/routing-fixtures";
import { freePort } from "../helpers/free-port";

export interface RoutingFigure {
  id: string;
  name: string;
  value: number;
  unit: string;
  target: string;
}

/** Pure router speed: one decision after another with fairness carried over, on one core. */
function benchPure(seconds = 2): RoutingFigure {
  let input: RoutingInput = anInput({
    lead: aLead({ email: "jo@acme.io", country: "ES", postalCode: "28013" }),
    accounts: [{ id: "9001", domain: "other.io" }],
    repStates: { carla: aRepState({ open: 3 }), diego: aRepState({ away: { reason: "vacation" } }) },
    holidays: { "ES-MD": ["2026-12-08"], ES: ["2026-12-08"] },
  });
  input.repStates.diego = aRepState();
  let n = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) {
      const d = routeLead({ ...input, lead: { ...input.lead, id: `l-${n}` } });
      if (d.fairness && d.pool) input = { ...input, fairness: { [d.pool]: d.fairness } };
      n += 1;
    }
  }
  const rate = Math.round(n / ((performance.now() - started) / 1000));
  return {
    id: "routing.decisions_per_s",
    name: "routing decisions/s (pure, 1 core)",
    value: rate,
    unit: "decisions/s",
    target: "≥ 10,000/s",
  };
}

async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `routing_bench_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Assignments committed per second by `processes` app instances with 10 transactions in flight each. */
async function benchAssign(adminUrl: string, processes: number, perProcess: number): Promise<RoutingFigure> {
  const url = await freshDatabase(adminUrl);
  const pool = new Pool({ connectionString: url, max: 2 });
  await migrate(pool);
  await insertConnection(pool, "c-bench");
  await pool.end();
  const reports = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      runAssignWorker({
        DATABASE_URL: url,
        CONNECTION_ID: "c-bench",
        WORKER: String(i + 1),
        COUNT: String(perProcess),
        CONCURRENCY: "10",
        CAP_OPEN: "1000000",
        ANNA_CAP: "1000000",
      }),
    ),
  );
  const slowest = Math.max(...reports.map((r) => r.seconds));
  return {
    id: `routing.assignments_per_s.${processes}_process${processes > 1 ? "es" : ""}`,
    name: `routing assignments/s (${processes} process${processes > 1 ? "es" : ""} × 10 in flight, one pool)`,
    value: Math.round((processes * perProcess) / slowest),
    unit: "assignments/s",
    target: processes > 1 ? "0 overshoot (tested); throughput reported" : "reported",
  };
}

/**
 * Routing figures: pure decisions per second, and committed assignments per second with 1 and 3 processes
 * against one PostgreSQL (every assignment of one pool serialises on the pool's row, by design).
 * Uses `databaseUrl`, else BENCH_DATABASE_URL / DATABASE_URL, else starts an embedded cluster.
 */
export async function benchRouting(databaseUrl?: string): Promise<RoutingFigure[]> {
  const figures: RoutingFigure[] = [benchPure()];
  let adminUrl = databaseUrl ?? process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-bench-routing-"));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, "pg"),
      port: await freePort(),
      database: "bench",
    });
    adminUrl = pg.adminUrl;
    stop = pg.stop;
  }
  try {
    figures.push(await benchAssign(adminUrl, 1, 600));
    figures.push(await benchAssign(adminUrl, 3, 600));
  } finally {
    await stop?.();
  }
  return figures;
}

if (require.main === module) {
  benchRouting()
    .then((figures) => {
      for (const f of figures) {
        process.stdout.write(
          `${f.name.padEnd(70)} ${f.value.toLocaleString("en-US").padStart(10)} ${f.unit}  (target ${f.target})\n`,
        );
      }
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}
