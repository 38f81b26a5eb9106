import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Pool } from "pg";
import { migrate } from "../../src/adapters/postgres/migrate";
import { hubSpotHeaders } from "../helpers/sign";
import type { BenchFigure } from "./figures";

const SECRET = "bench-client-secret-0123456789";

export async function startInstances(
  n: number,
  databaseUrl: string,
): Promise<{ urls: string[]; children: ChildProcess[] }> {
  const children: ChildProcess[] = [];
  const urls = await Promise.all(
    Array.from({ length: n }, () => {
      // BENCH_CPU_PROF=<dir> writes each instance's CPU profile there (to find where intake time goes).
      const profile = process.env.BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : [];
      const child = spawn(
        path.resolve("node_modules/.bin/tsx"),
        [...profile, "test/bench/intake-process.ts"],
        {
          env: { ...process.env, BENCH_INSTANCE_DATABASE_URL: databaseUrl },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      children.push(child);
      return new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
          const m = /ready (\S+)/.exec(d.toString());
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`instance exited with ${code}`)));
      });
    }),
  );
  return { urls, children };
}

async function load(urls: string[], portalId: number, batches: number, concurrency: number): Promise<number> {
  let next = 0;
  let eventId = Math.floor(Math.random() * 1e9);
  const worker = async (w: number) => {
    while (next < batches) {
      const i = next++;
      const events = Array.from({ length: 100 }, () => ({
        eventId: eventId++,
        subscriptionId: 2001,
        portalId,
        occurredAt: Date.now(),
        subscriptionType: "contact.propertyChange",
        objectId: 1 + (eventId % 5000),
        propertyName: "recent_conversion_date",
        propertyValue: String(Date.now()),
      }));
      const body = JSON.stringify(events);
      const url = urls[(i + w) % urls.length]!;
      const res = await fetch(`${url}/webhooks/hubspot`, {
        method: "POST",
        headers: hubSpotHeaders(SECRET, "https://bench.handoff.test/webhooks/hubspot", body),
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`intake answered ${res.status}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return (batches * 100) / ((performance.now() - started) / 1000);
}

/**
 * Scale-out: intake throughput of 1 and of 3 app processes on one PostgreSQL, same load (30 requests in
 * flight), side by side. On this 2-core machine the processes and PostgreSQL share two cores, so the ratio
 * shows contention more than capacity; on a managed PostgreSQL with more cores it is the figure to watch.
 */
export async function benchScaling(databaseUrl: string, batches = 200): Promise<BenchFigure[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  await migrate(pool);
  const portalId = 8_000_000 + Math.floor(Math.random() * 999_999);
  await pool.query(
    "INSERT INTO connections (id, crm, external_id, name) VALUES ($1, 'hubspot', $2, 'scaling bench') ON CONFLICT DO NOTHING",
    [`scaling-${portalId}`, String(portalId)],
  );
  await pool.end();
  const results: number[] = [];
  for (const n of [1, 3]) {
    const { urls, children } = await startInstances(n, databaseUrl);
    try {
      await load(urls, portalId, 20, 30);
      results.push(await load(urls, portalId, batches, 30));
    } finally {
      for (const c of children) c.kill("SIGTERM");
    }
  }
  const [one, three] = results as [number, number];
  return [
    {
      id: "scaling.intake_1_events_per_s",
      name: "intake, 1 instance (30 in flight)",
      value: Math.round(one),
      unit: "events/s",
      target: "-",
    },
    {
      id: "scaling.intake_3_events_per_s",
      name: "intake, 3 instances on one PostgreSQL",
      value: Math.round(three),
      unit: "events/s",
      target: "-",
    },
    {
      id: "scaling.ratio_3_to_1",
      name: "scaling ratio 3 vs 1 instances (2 cores shared with PostgreSQL)",
      value: Math.round((three / one) * 100) / 100,
      unit: "x",
      target: "> 1 on more cores",
    },
  ];
}
