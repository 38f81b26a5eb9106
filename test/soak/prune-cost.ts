/**
 * What the daily retention run costs at volume, on a throwaway embedded PostgreSQL: fills `events` with
 * `--per-day` events a day (HubSpot-shaped payloads, ~1.2 KB) for `--days` days, runs the pruning a first
 * time (catch-up), then plays `--cycles` days of steady state (a new day of events arrives, the daily run
 * deletes a day and strips a day, autovacuum's plain VACUUM follows) and prints each run's time, rows and
 * the table's size, so "row deletes are cheap enough, and the table stays its size" is a measurement.
 *
 * @example npx tsx test/soak/prune-cost.ts --per-day 100000 --days 12 --cycles 3
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { startEmbeddedPostgres } from "../../src/adapters/postgres/embedded";
import { migrate } from "../../src/adapters/postgres/migrate";
import { pruneRetention, STRIP_BATCH, type RetentionPolicy } from "../../src/adapters/postgres/retention";

const DAY = 86_400_000;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Rows Removed by Filter"?: number;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: PlanNode[];
}
const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const perDay = flag("per-day", 100_000);
const days = flag("days", 12);
const cycles = flag("cycles", 3);
// Scaled-down windows with production's shape: rows are deleted after `eventsDays`, stripped after 3.
const policy: RetentionPolicy = {
  rawPayloadDays: 3,
  eventsDays: days - 2,
  decisionsDays: 400,
  handoffsDays: 400,
  auditDays: 400,
  activityDays: 400,
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-prune-"));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    port: await freePort(),
    supervise: false,
  });
  const pool = new Pool({ connectionString: pg.url("handoff"), max: 4 });
  // Stopping the server ends idle connections with a FATAL: expected here, not a crash.
  pool.on("error", () => undefined);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    await migrate(pool);
    await pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ('hs-prune', 'hubspot', '1', 'Prune')",
    );
    // A fixed origin: the figures mean the same whatever day this runs.
    const origin = Date.UTC(2027, 0, 1);
    const fillDay = (day: number) =>
      pool.query(
        `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, received_at, payload, status, processed_at)
         SELECT 'hs-prune', 'e-' || $1::int || '-' || g, 'property_changed', 'contact', (g % 50000)::text, t, t,
           jsonb_build_object('eventKey', 'e-' || $1::int || '-' || g, 'propertyName', 'jobtitle', 'propertyValue', 'VP Sales',
             'raw', jsonb_build_object('eventId', g, 'subscriptionId', 2001, 'portalId', 62515, 'appId', 424242,
               'occurredAt', (extract(epoch FROM t) * 1000)::bigint, 'subscriptionType', 'contact.propertyChange',
               'attemptNumber', 0, 'objectId', g % 50000, 'propertyName', 'jobtitle', 'propertyValue', 'VP Sales',
               'changeSource', 'CRM_UI', 'sourceId', 'userId:1', 'padding', repeat('x', 700))),
           'processed', t
         FROM generate_series(1, $2::int) g,
              LATERAL (SELECT $3::timestamptz + (g::float8 / $2::int) * interval '1 day' AS t) at`,
        [day, perDay, new Date(origin + day * DAY)],
      );
    const sizeMb = async () =>
      Number((await pool.query("SELECT pg_total_relation_size('events') AS b")).rows[0].b) / 1_048_576;
    const started = performance.now();
    for (let d = 0; d < days; d += 1) await fillDay(d);
    await pool.query("VACUUM ANALYZE events");
    out(
      `filled ${(perDay * days).toLocaleString("en")} events (${days} days × ${perDay.toLocaleString("en")}) in ${Math.round((performance.now() - started) / 1000)} s; events ${Math.round(await sizeMb())} MB`,
    );
    const run = async (label: string, day: number) => {
      const t = performance.now();
      const report = await pruneRetention(pool, policy, new Date(origin + day * DAY + 3 * 3_600_000));
      const ms = performance.now() - t;
      const v = performance.now();
      await pool.query("VACUUM events");
      const touched = report.eventsDeleted + report.eventPayloadsStripped;
      out(
        `${label}: deleted ${report.eventsDeleted.toLocaleString("en")}, stripped ${report.eventPayloadsStripped.toLocaleString("en")} in ${(ms / 1000).toFixed(1)} s (${((ms / Math.max(1, touched)) * 1000).toFixed(0)} µs a row); VACUUM ${((performance.now() - v) / 1000).toFixed(1)} s; events ${Math.round(await sizeMb())} MB`,
      );
    };
    await run("catch-up run", days);
    for (let c = 1; c <= cycles; c += 1) {
      await fillDay(days + c - 1);
      await run(`day ${c} (steady state)`, days + c);
    }
    // What one strip batch reads to find its rows (the rows it passes over are the cost that grows with the table).
    await fillDay(days + cycles);
    const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${STRIP_BATCH}`, [
      new Date(origin + (days + cycles + 1 - policy.rawPayloadDays) * DAY),
      5000,
    ]);
    const top = (plan.rows[0]["QUERY PLAN"] as { Plan: PlanNode; "Execution Time": number }[])[0]!;
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      nodes.push(n);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(top.Plan);
    out(
      `one strip batch: ${nodes.map((n) => `${n["Node Type"]}${n["Index Name"] ? ` on ${n["Index Name"]}` : ""} (rows ${n["Actual Rows"]}, passed over ${n["Rows Removed by Filter"] ?? 0})`).join(" → ")}; ${top["Execution Time"].toFixed(0)} ms, ${top.Plan["Shared Hit Blocks"] + top.Plan["Shared Read Blocks"]} blocks`,
    );
    out(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" / ")}`,
    );
  } finally {
    await pool.end();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`prune-cost failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
