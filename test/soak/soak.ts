/**
 * The soak: the embedded default at 10× the demo's traffic for N minutes, with a `kill -9` of its PostgreSQL
 * and later of the whole app inside the run, then a drain, a clean SIGTERM and the figures an operator needs.
 * The CRM sandbox and the traffic run in this process, so the CRMs' state (and every task written) survives
 * the app's death, as the real CRMs would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { HANDOFF_TASK_DECISION_FIELD } from "../../src/adapters/salesforce/salesforce-mapper";
import { DEMO } from "../../src/composition/seed-demo";
import { HubSpotTrafficGenerator } from "../../src/sandbox/hubspot/traffic";
import { createSalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import { startSandbox } from "../../src/sandbox/server";
import { freePort } from "../helpers/free-port";

export interface SoakReport {
  minutes: number;
  acknowledged: { hubspotEvents: number; salesforceMessages: number };
  stored: Record<string, number>;
  parkedReasons: Record<string, number>;
  duplicateCrmWrites: number;
  crmTasks: number;
  /**
   * Peak RSS of the app's last life over 70–85 % of the run (after warm-up) and over 85–100 % (the end),
   * sampled every 5 s (every second in a short run). Peaks, not two instants: RSS follows V8's heap reservation in a sawtooth of minutes
   * (it grows with allocation and is given back after a major GC), and two instants land on random phases.
   */
  rssMb: { warm: number; end: number; changePercent: number; lowest: number };
  /** Memory every 30 s: seconds into the soak, the app's life (1, then 2 after the kill), RSS and V8 heap. */
  memory: MemorySample[];
  /** Heap snapshots written (with `heapSnapshotDir`), named by the share of the run they were taken at. */
  heapSnapshots: string[];
  tables: { table: string; rows: number; mb: number }[];
  bytesPerEvent: number;
  kills: string[];
  cleanShutdown: boolean;
  unreadableErrors: number;
}

export interface MemorySample {
  atS: number;
  life: number;
  rssMb: number;
  heapUsedMb: number;
  /** What V8 has reserved for its heap (used or not). */
  heapTotalMb: number;
  externalMb: number;
}

const HUBSPOT_SECRET = "soak-client-secret-0123456789";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** @example const report = await runSoak({ minutes: 1 }); */
export async function runSoak(options: {
  minutes: number;
  log?: (line: string) => void;
  /** Write V8 heap snapshots of the app here at 25 % and 50 % (first life), 70 %, 85 % and 100 % (second). */
  heapSnapshotDir?: string | undefined;
}): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const totalMs = options.minutes * 60_000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "handoff-soak-"));
  // As root the server runs as the `postgres` user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const ports = { app: await freePort(), sandbox: await freePort(), pg: await freePort() };
  const sandbox = await startSandbox({ port: ports.sandbox });
  const logFile = createWriteStream(path.join(dataDir, "app.log"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HANDOFF_DATA_DIR: dataDir,
    PORT: String(ports.app),
    SANDBOX_PORT: String(ports.sandbox),
    EMBEDDED_PG_PORT: String(ports.pg),
    SANDBOX: "false",
    TRAFFIC: "false",
    HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
    LOG_LEVEL: "info",
  };
  delete env.DATABASE_URL;
  const appUrl = `http://127.0.0.1:${ports.app}`;
  let app: ChildProcess;
  let output = "";
  let life = 0;
  const startApp = async () => {
    // Its own process group, so a kill -9 takes its embedded PostgreSQL too, as a crash would.
    const snapshots = options.heapSnapshotDir
      ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${options.heapSnapshotDir}`]
      : [];
    life += 1;
    app = spawn(process.execPath, [...snapshots, "--import", "tsx", "src/main.ts"], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [app.stdout!, app.stderr!]) {
      stream.on("data", (d: Buffer) => {
        output += d.toString("utf8");
        logFile.write(d);
      });
    }
    for (let waited = 0; ; waited += 250) {
      const ready = await fetch(`${appUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      if (app.exitCode !== null) throw new Error(`the app exited while starting; see ${dataDir}/app.log`);
      if (waited > 120_000) throw new Error(`the app did not become ready; see ${dataDir}/app.log`);
      await sleep(250);
    }
  };
  const started = performance.now();
  const rssMb = () => {
    const status = readFileSync(`/proc/${app.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };

  const memory: MemorySample[] = [];
  const metric = (text: string, name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0) / 104_857.6) / 10;
  const sampleMemory = async () => {
    const text = await fetch(`${appUrl}/metrics`).then(
      (r) => r.text(),
      () => "",
    );
    if (!text) return;
    memory.push({
      atS: Math.round((performance.now() - started) / 1000),
      life,
      rssMb: Math.round(rssMb()),
      heapUsedMb: metric(text, "nodejs_heap_size_used_bytes"),
      heapTotalMb: metric(text, "nodejs_heap_size_total_bytes"),
      externalMb: metric(text, "nodejs_external_memory_bytes"),
    });
  };
  const heapSnapshots: string[] = [];
  const snapshot = async (share: number) => {
    if (!options.heapSnapshotDir) return;
    await sampleMemory();
    const before = new Set(readdirSync(options.heapSnapshotDir));
    process.kill(app.pid!, "SIGUSR2");
    // The snapshot is written when its file stops growing.
    for (let waited = 0, last = -1; waited < 120_000; waited += 1000) {
      await sleep(1000);
      const file = readdirSync(options.heapSnapshotDir).find((f) => !before.has(f));
      if (!file) continue;
      const size = statSync(path.join(options.heapSnapshotDir, file)).size;
      if (size > 0 && size === last) {
        const named = `soak-${Math.round(share * 100)}pct-life${life}.heapsnapshot`;
        renameSync(path.join(options.heapSnapshotDir, file), path.join(options.heapSnapshotDir, named));
        heapSnapshots.push(named);
        log(`heap snapshot ${named}`);
        return;
      }
      last = size;
    }
  };

  await startApp();
  log(`app ready on ${appUrl}; data in ${dataDir}`);
  // 10× the embedded default's demo: 200 HubSpot actions a minute, a Salesforce lead every 1.5 s.
  const hubspot = new HubSpotTrafficGenerator({
    state: sandbox.hubspot,
    targetUrl: `${appUrl}/webhooks/hubspot`,
    signedUrl: `http://localhost:${ports.app}/webhooks/hubspot`,
    clientSecret: HUBSPOT_SECRET,
    actionsPerMinute: 200,
  });
  const salesforce = createSalesforceTrafficGenerator(sandbox.salesforce, {
    webhookUrl: `${appUrl}/webhooks/salesforce/${DEMO.salesforce.connectionId}/${DEMO.salesforce.webhookToken}`,
    instanceUrl: sandbox.salesforceInstanceUrl,
    redeliverShare: 0.1,
  });
  hubspot.start();
  salesforce.start(1_500, 1);

  const kills: string[] = [];
  const sampler = setInterval(() => void sampleMemory(), 30_000);
  const rss: { share: number; mb: number }[] = [];
  const rssSampler = setInterval(
    () => {
      try {
        rss.push({ share: (performance.now() - started) / totalMs, mb: rssMb() });
      } catch {
        // The app is between lives (killed, restarting).
      }
    },
    Math.min(5_000, totalMs / 60),
  );
  const at = async (share: number) => {
    const wait = started + share * totalMs - performance.now();
    if (wait > 0) await sleep(wait);
  };
  await at(0.25);
  await snapshot(0.25);
  await at(0.3);
  const postmaster = Number(readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
  process.kill(postmaster, "SIGKILL");
  kills.push(`kill -9 embedded PostgreSQL at ${Math.round((0.3 * totalMs) / 1000)} s`);
  log(kills.at(-1)!);
  await at(0.5);
  await snapshot(0.5);
  await at(0.55);
  process.kill(-app!.pid!, "SIGKILL");
  kills.push(`kill -9 app (with its PostgreSQL) at ${Math.round((0.55 * totalMs) / 1000)} s`);
  log(kills.at(-1)!);
  await startApp();
  log("app restarted");
  await at(0.7);
  await snapshot(0.7);
  await at(0.85);
  await snapshot(0.85);
  await at(1);
  await sampleMemory();
  clearInterval(sampler);
  clearInterval(rssSampler);
  await snapshot(1);
  const within = (from: number, to: number) =>
    rss.filter((r) => r.share >= from && r.share < to).map((r) => r.mb);
  const warm = Math.max(...within(0.7, 0.85), 0);
  const end = Math.max(...within(0.85, 1.01), 0);
  const lowest = Math.min(...within(0.7, 1.01));

  await hubspot.stop();
  await salesforce.stop();
  const db = new Client({
    connectionString: `postgres://handoff:handoff-embedded@127.0.0.1:${ports.pg}/handoff`,
  });
  await db.connect();
  const statusCounts = async () =>
    Object.fromEntries(
      (
        await db.query<{ status: string; n: number }>(
          "SELECT status, count(*)::int AS n FROM events GROUP BY 1",
        )
      ).rows.map((r) => [r.status, r.n]),
    ) as Record<string, number>;
  let stored = await statusCounts();
  for (
    let waited = 0;
    (stored.pending ?? 0) + (stored.processing ?? 0) > 0 && waited < 180_000;
    waited += 1000
  ) {
    await sleep(1000);
    stored = await statusCounts();
  }
  const parkedReasons = Object.fromEntries(
    (
      await db.query<{ code: string; n: number }>(
        "SELECT coalesce(last_error->>'code', 'unknown') AS code, count(*)::int AS n FROM events WHERE status = 'parked' GROUP BY 1",
      )
    ).rows.map((r) => [r.code, r.n]),
  );
  const tables = (
    await db.query<{ table: string; rows: number; bytes: string }>(
      `SELECT c.relname AS table, c.reltuples::bigint::int AS rows, pg_total_relation_size(c.oid)::text AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname IN ('public', 'pgboss') ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 10`,
    )
  ).rows.map((r) => ({ table: r.table, rows: r.rows, mb: Math.round(Number(r.bytes) / 10_485.76) / 100 }));
  const eventBytes = await db.query<{ bytes: string; n: number }>(
    "SELECT pg_total_relation_size('events')::text AS bytes, count(*)::int AS n FROM events",
  );
  await db.end();

  // Duplicate CRM writes: more than one task for one handoff decision, in either CRM.
  const decisionsOf = (values: unknown[], field: string) => {
    const byDecision = new Map<string, number>();
    for (const v of values) {
      const id = String((v as Record<string, unknown>)[field] ?? "");
      if (id) byDecision.set(id, (byDecision.get(id) ?? 0) + 1);
    }
    return [...byDecision.values()];
  };
  const hsTasks = decisionsOf(
    [...(sandbox.hubspot.objects.get("tasks")?.values() ?? [])].map((t) => t.properties),
    "handoff_decision_id",
  );
  const sfTasks = decisionsOf(
    [...(sandbox.salesforce.records.get("Task")?.values() ?? [])],
    HANDOFF_TASK_DECISION_FIELD,
  );
  const counts = [...hsTasks, ...sfTasks];

  // A clean SIGTERM: in-flight work drained, "stopped" logged, exit code 0.
  const exited = new Promise<number | null>((resolve) => app!.once("exit", (code) => resolve(code)));
  app!.kill("SIGTERM");
  const code = await Promise.race([exited, sleep(60_000).then(() => null)]);
  await sandbox.close();
  logFile.end();
  const report: SoakReport = {
    minutes: options.minutes,
    acknowledged: {
      hubspotEvents: hubspot.stats.eventsDelivered,
      salesforceMessages: salesforce.stats.messagesAcked,
    },
    stored,
    parkedReasons,
    duplicateCrmWrites: counts.filter((n) => n > 1).length,
    crmTasks: counts.length,
    memory,
    heapSnapshots,
    rssMb: {
      warm: Math.round(warm),
      end: Math.round(end),
      changePercent: warm > 0 ? Math.round(((end - warm) / warm) * 100) : 0,
      lowest: Math.round(lowest),
    },
    tables,
    bytesPerEvent: Math.round(Number(eventBytes.rows[0]!.bytes) / Math.max(1, eventBytes.rows[0]!.n)),
    kills,
    cleanShutdown: code === 0 && /\bstopped\b/.test(output.slice(-5000)),
    unreadableErrors: (output.match(/\[object Object\]/g) ?? []).length,
  };
  if (report.cleanShutdown) rmSync(dataDir, { recursive: true, force: true });
  return report;
}

/** Prints the report as an operator reads it. */
export function formatSoakReport(r: SoakReport): string {
  const stored = Object.values(r.stored).reduce((a, b) => a + b, 0);
  const perDay = (stored / r.minutes) * 60 * 24;
  const lines = [
    `soak: ${r.minutes} min at 10× the demo traffic; ${r.kills.join("; ")}`,
    `  acknowledged            ${r.acknowledged.hubspotEvents} HubSpot events, ${r.acknowledged.salesforceMessages} Salesforce messages`,
    `  events stored           ${stored} (${Object.entries(r.stored)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
    `  parked, by reason       ${Object.keys(r.parkedReasons).length === 0 ? "none" : JSON.stringify(r.parkedReasons)}`,
    `  CRM tasks written       ${r.crmTasks}; duplicate CRM writes ${r.duplicateCrmWrites}`,
    `  RSS peak 70–85 % / 85–100 % ${r.rssMb.warm} MB / ${r.rssMb.end} MB (${r.rssMb.changePercent >= 0 ? "+" : ""}${r.rssMb.changePercent} %; lowest ${r.rssMb.lowest} MB)`,
    `  events table            ${r.bytesPerEvent} bytes per stored event (raw payloads kept 7 days, rows 400)`,
    `  at this rate            ${Math.round(perDay).toLocaleString("en")} events/day → ${(
      (perDay * 400 * r.bytesPerEvent) /
      1e9
    ).toFixed(
      1,
    )} GB of events at the 400-day retention (an upper bound: raw payloads are stripped after 7 days)`,
    `  largest tables          ${r.tables
      .slice(0, 6)
      .map((t) => `${t.table} ${t.mb} MB`)
      .join(", ")}`,
    `  memory, every 30 s       s: life RSS / V8 heap used / reserved / external MB: ${r.memory
      .map(
        (m) =>
          `${m.atS}: ${m.life} ${m.rssMb}/${Math.round(m.heapUsedMb)}/${Math.round(m.heapTotalMb)}/${Math.round(m.externalMb)}`,
      )
      .join(", ")}`,
    `  shutdown                ${r.cleanShutdown ? 'SIGTERM → "stopped", exit 0' : "NOT clean (see app.log)"}; unreadable error lines ${r.unreadableErrors}`,
  ];
  return lines.join("\n");
}
