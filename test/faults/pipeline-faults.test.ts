import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCapturingLogger } from "../../src/logging/logger";
import { startHandoffRuntime, type HandoffRuntime as Runtime } from "../../src/composition/handoff-runtime";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { hubSpotHeaders } from "../helpers/sign";
import { freePort } from "../helpers/free-port";
import { systemClock } from "../../src/composition/system-clock";

const SECRET = "fault-suite-secret-0123456789";
const KEY = randomBytes(32).toString("base64");
const PORTAL = Number(DEMO.hubspot.portalId);
const CONTACTS = 24;

/**
 * The claim users trust Handoff with: nothing acknowledged is lost and nothing is written twice, while a
 * worker is killed with SIGKILL mid-batch, PostgreSQL restarts during intake and processing, the CRM answers
 * with 429 storms, 5xx bursts and slow responses, and deliveries arrive duplicated, reordered and late.
 */
describe("fault suite: kill -9, PostgreSQL restart, 429 storms, 5xx bursts, duplicate/reordered/late deliveries", () => {
  let dir: string;
  let port: number;
  let pg: { url(db: string): string; stop(): Promise<void> };
  let sandbox: SandboxServer;
  let intake: Runtime;
  const workers: ChildProcess[] = [];
  let stopping = false;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "handoff-faults-"));
    chmodSync(dir, 0o755);
    port = await freePort();
    pg = await startPostgresProcess(path.join(dir, "pg"), port);
    sandbox = await startSandbox({ port: 0 });
    intake = await startHandoffRuntime({
      databaseUrl: pg.url("faults"),
      logger: createCapturingLogger(),
      publicUrl: "https://handoff.test",
      hubspotSecrets: [SECRET],
      adminToken: "fault-suite-admin-token-0123456789",
      encryptionKey: KEY,
      port: 0,
      worker: false,
      now: systemClock,
    });
    await seedDemoConnections(intake.connections, { sandboxUrl: sandbox.url, now: systemClock });
  }, 60_000);

  afterAll(async () => {
    stopping = true;
    for (const w of workers) w.kill("SIGKILL");
    await intake?.stop().catch(() => undefined);
    await sandbox?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(path.resolve("node_modules/.bin/tsx"), ["test/faults/worker-process.ts"], {
      env: { ...process.env, FAULT_DATABASE_URL: pg.url("faults"), FAULT_KEY: KEY },
      stdio: ["ignore", "pipe", "pipe"],
    });
    workers.push(child);
    child.stderr!.on("data", () => undefined);
    // A worker that dies on its own (e.g. its database went away) is restarted, as a supervisor would.
    child.on("exit", (code, signal) => {
      if (!stopping && signal !== "SIGKILL" && code !== 0) void startWorker();
    });
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) resolve(child);
      });
      child.on("exit", () => reject(new Error("worker exited before it was ready")));
    });
  }

  const stats = { sent: 0, acknowledged: 0, refused: 0 };

  /** Delivers like HubSpot: retries on any non-2xx or connection failure until acknowledged. */
  async function deliver(events: object[]): Promise<void> {
    const body = JSON.stringify(events);
    stats.sent += events.length;
    for (let attempt = 0; attempt < 60; attempt += 1) {
      try {
        const res = await fetch(`${intake.url}/webhooks/hubspot`, {
          method: "POST",
          headers: hubSpotHeaders(SECRET, "https://handoff.test/webhooks/hubspot", body),
          body,
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          stats.acknowledged += events.length;
          return;
        }
        stats.refused += 1;
      } catch {
        stats.refused += 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("delivery never acknowledged");
  }

  const faults = (body: object) =>
    fetch(`${sandbox.url}/hubspot/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("when everything goes wrong at once, then 0 events are lost and 0 CRM writes are duplicated", async () => {
    const now = Date.now();
    const ids = Array.from({ length: CONTACTS }, (_, i) => String(880_000 + i));
    ids.forEach((id, i) => addQualifyingContact(sandbox, id, now, i));
    const events = ids.map((id, i) => formSubmittedEvent(PORTAL, id, 50_000 + i, now - 60_000));
    // Reordered: deliveries in shuffled batches; duplicated: every batch twice; late: old duplicates at the end.
    const shuffled = [...events].sort((a, b) => ((a.eventId * 7919) % 13) - ((b.eventId * 7919) % 13));
    const batches = [0, 1, 2].map((k) => shuffled.slice(k * 8, k * 8 + 8));

    await faults({ latencyMs: 40 });
    const w1 = await startWorker();
    await deliver(batches[0]!);
    await deliver(batches[0]!);
    await new Promise((r) => setTimeout(r, 700));
    w1.kill("SIGKILL"); // mid-batch: CRM calls in flight

    await faults({ latencyMs: 40, count: 25, status: 429 }); // a 429 storm
    await startWorker();
    await deliver(batches[1]!);

    // PostgreSQL restarts while the last batch is delivered and the others are processed.
    const restart = (async () => {
      await pg.stop();
      await new Promise((r) => setTimeout(r, 500));
      pg = await startPostgresProcess(path.join(dir, "pg"), port);
    })();
    await deliver(batches[2]!);
    await restart;
    await deliver(batches[1]!);
    await faults({ latencyMs: 40, failRate: 0.2, status: 503 }); // a 5xx burst
    await new Promise((r) => setTimeout(r, 2000));
    await faults({ latencyMs: 0, failRate: 0, count: 0 });
    await deliver(events.slice(0, 4).map((e) => ({ ...e, attemptNumber: 3 }))); // late redeliveries

    const settled = async () => {
      const r = await intake.pool.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM events GROUP BY status",
      );
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n])) as Record<string, number>;
    };
    let counts: Record<string, number> = {};
    const until = Date.now() + 150_000;
    while (Date.now() < until) {
      counts = await settled().catch(() => ({}));
      if ((counts.processed ?? 0) + (counts.parked ?? 0) + (counts.ignored ?? 0) === CONTACTS) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    const handoffs = await intake.pool.query<{ lead_id: string; n: number }>(
      "SELECT lead_id, count(*)::int AS n FROM handoffs GROUP BY lead_id",
    );
    // Handoff records the CRM task it made per handoff; a task made without Handoff's task property (a portal
    // without it, or a worker killed before it was created) counts the same. A duplicate CRM write is a second
    // follow-up task for the same person, whichever way it was made.
    const recorded = await intake.pool.query<{ task_id: string }>(
      "SELECT task_id FROM handoffs WHERE task_id IS NOT NULL",
    );
    const taskIds = new Set(recorded.rows.map((r) => String(r.task_id)));
    const crmTasks = [...sandbox.hubspot.objects.get("tasks")!.values()];
    const tasks = crmTasks.filter((t) => taskIds.has(String(t.id)));
    const tasksPerLead = new Map<string, number>();
    for (const t of crmTasks) {
      const subject = String(t.properties.hs_task_subject ?? "");
      const lead = ids.find((id) => new RegExp(`^Follow up: Lena Kraus ${id}\\b`).test(subject));
      if (lead) tasksPerLead.set(lead, (tasksPerLead.get(lead) ?? 0) + 1);
    }
    const duplicates =
      [...tasksPerLead.values()].filter((n) => n > 1).length + handoffs.rows.filter((r) => r.n > 1).length;
    const processed = counts.processed ?? 0;
    const summary = {
      "events sent (incl. duplicates)": stats.sent,
      "events acknowledged": stats.acknowledged,
      "deliveries refused/retried": stats.refused,
      "unique events stored":
        (counts.processed ?? 0) + (counts.parked ?? 0) + (counts.pending ?? 0) + (counts.ignored ?? 0),
      processed,
      parked: counts.parked ?? 0,
      "CRM tasks written": tasks.length,
      duplicates,
      lost: CONTACTS - processed,
    };
    process.stdout.write(
      `\nfault suite\n${Object.entries(summary)
        .map(([k, v]) => `  ${k.padEnd(32)} ${v}`)
        .join("\n")}\n`,
    );

    expect(processed).toBe(CONTACTS);
    expect(counts.parked ?? 0).toBe(0);
    expect(handoffs.rows).toHaveLength(CONTACTS);
    expect(duplicates).toBe(0);
    expect(tasks.length).toBe(CONTACTS);
    expect(tasksPerLead.size).toBe(CONTACTS); // every person's task is found in the CRM by its subject
  }, 240_000);
});

/**
 * The database in its own process, so that the suite can stop and start it like a real server restart.
 * A start that fails (the port still held by the server just stopped, a slow machine) is tried again, as an
 * operator's service manager would; the last failure's stderr is in the error.
 */
async function startPostgresProcess(
  dataDir: string,
  port: number,
): Promise<{ url(db: string): string; stop(): Promise<void> }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    try {
      return await startPostgresOnce(dataDir, port);
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
  throw lastError;
}

function startPostgresOnce(
  dataDir: string,
  port: number,
): Promise<{ url(db: string): string; stop(): Promise<void> }> {
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["test/faults/pg-process.ts"], {
    env: { ...process.env, FAULT_PG_DIR: dataDir, FAULT_PG_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\S+)/.exec(d.toString());
      if (!m) return;
      const base = m[1]!.replace(/\/faults$/, "");
      resolve({
        url: (db) => `${base}/${db}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`postgres process exited with ${code}: ${stderr.trim()}`)));
  });
}
