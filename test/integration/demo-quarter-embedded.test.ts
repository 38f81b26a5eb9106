import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { embeddedDatabaseUrl } from "../../src/adapters/postgres/embedded";
import { DEMO } from "../../src/composition/seed-demo";
import { HUBSPOT_SANDBOX_DEMO } from "../../src/sandbox/hubspot/state";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { waitFor } from "../helpers/capture-servers";
import { freePort } from "../helpers/free-port";
import { TEST_ADMIN_TOKEN } from "../helpers/runtime";

// Three weeks through the pipeline for two CRMs, twice: minutes on a busy machine.
jest.setTimeout(900_000);

const CONNECTIONS = [DEMO.hubspot.connectionId, DEMO.salesforce.connectionId];

/** The embedded default on its own data directory and ports, with three weeks of history and no live traffic. */
async function embeddedEnv(): Promise<NodeJS.ProcessEnv & { HANDOFF_DATA_DIR: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-demo-quarter-"));
  // The embedded PostgreSQL runs as its own user, which must reach its data directory.
  chmodSync(dir, 0o755);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HANDOFF_DATA_DIR: dir,
    PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    HANDOFF_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    TRAFFIC: "false",
    DEMO_HISTORY_WEEKS: "3",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
  };
}

interface LogLine {
  message: string;
  [field: string]: unknown;
}

/** `npm start` (src/main.ts) in its own process, as a newcomer runs it; its JSON log lines are kept. */
async function start(env: NodeJS.ProcessEnv, until = "Handoff is running") {
  // Its own process group: tsx runs Handoff in a child process, and the embedded PostgreSQL is one more.
  const child: ChildProcess = spawn(path.resolve("node_modules/.bin/tsx"), ["src/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const lines: LogLine[] = [];
  let rest = "";
  child.stdout!.on("data", (d: Buffer) => {
    const text = rest + d.toString("utf8");
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line (the admin-token notice)
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const running = {
    lines,
    line: (message: string) => lines.find((l) => l.message === message),
    url: `http://127.0.0.1:${env.PORT}`,
    /** Ctrl-C: work drained, the sandbox's records saved, then "stopped". */
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    /** A crash: Handoff's processes (tsx, Handoff, its PostgreSQL) all die at once, with no chance to clean up. */
    kill: async () => {
      process.kill(-child.pid!, "SIGKILL");
      return exited;
    },
  };
  await Promise.race([
    waitFor(() => lines.find((l) => l.message.startsWith(until)), 600_000),
    exited.then((code) => {
      throw new Error(`Handoff exited (${code}) before logging "${until}"`);
    }),
  ]);
  return running;
}
type Running = Awaited<ReturnType<typeof start>>;

async function report<T>(running: Running, name: string, connectionId: string): Promise<T> {
  const res = await fetch(`${running.url}/admin/api/reports/${name}?connectionId=${connectionId}&since=4w`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function withDatabase<T>(env: NodeJS.ProcessEnv, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: embeddedDatabaseUrl(Number(env.EMBEDDED_PG_PORT)) });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function counts(pool: Pool) {
  const r = await pool.query<{ connection_id: string; events: string; handoffs: string }>(
    `SELECT c.id AS connection_id,
            (SELECT count(*) FROM events e WHERE e.connection_id = c.id) AS events,
            (SELECT count(*) FROM handoffs h WHERE h.connection_id = c.id) AS handoffs
       FROM connections c WHERE c.id = ANY($1) ORDER BY c.id`,
    [CONNECTIONS],
  );
  return r.rows;
}

describe("the embedded default's demo quarter", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("when the embedded default starts for the first time with a short history, then the reports of both the HubSpot portal and the Salesforce org have weekly history; after a restart the sandbox still has the history's records and nothing is played again", async () => {
    const env = await embeddedEnv();
    dirs.push(env.HANDOFF_DATA_DIR);
    const first = await start(env);
    let seededLeads: { connectionId: string; leadId: string }[] = [];
    let before: Awaited<ReturnType<typeof counts>> = [];
    try {
      expect(first.line("demo quarter seeded")).toMatchObject({ seeded: true, parked: 0 });
      for (const connectionId of CONNECTIONS) {
        const channels = await report<{ rows: { week: string; leads: number; qualified: number }[] }>(
          first,
          "channels",
          connectionId,
        );
        const weeks = new Map<string, { leads: number; qualified: number }>();
        for (const row of channels.rows) {
          const w = weeks.get(row.week) ?? { leads: 0, qualified: 0 };
          weeks.set(row.week, { leads: w.leads + row.leads, qualified: w.qualified + row.qualified });
        }
        // Three weeks of history cover three or four calendar weeks: each has leads, and MQLs come every week but
        // the first (the portal's first leads of the quarter are few).
        const all = [...weeks.values()];
        expect(all.filter((w) => w.leads > 0).length).toBeGreaterThanOrEqual(3);
        expect(all.filter((w) => w.qualified > 0).length).toBeGreaterThanOrEqual(2);
        const feedback = await report<{ handoffs: number; accepted: number; rejected: number }>(
          first,
          "feedback",
          connectionId,
        );
        expect(feedback.handoffs).toBeGreaterThan(5);
        expect(feedback.accepted + feedback.rejected).toBeGreaterThan(0);
        const pace = await report<{ pace: { weeks: { delivered: number; future: boolean }[] } }>(
          first,
          "pace",
          connectionId,
        );
        expect(pace.pace.weeks.filter((w) => !w.future && w.delivered > 0).length).toBeGreaterThan(0);
      }
      await withDatabase(env, async (pool) => {
        before = await counts(pool);
        const r = await pool.query<{ connection_id: string; lead_id: string }>(
          `SELECT DISTINCT ON (connection_id) connection_id, lead_id FROM handoffs
            WHERE connection_id = ANY($1) ORDER BY connection_id, started_at`,
          [CONNECTIONS],
        );
        seededLeads = r.rows.map((row) => ({ connectionId: row.connection_id, leadId: row.lead_id }));
      });
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(seededLeads).toHaveLength(2);

    const second = await start(env);
    try {
      expect(second.line("demo quarter seeded")).toBeUndefined();
      expect(second.line("CRM sandbox: records of the last session restored")).toBeDefined();
      const sandbox = `http://127.0.0.1:${env.SANDBOX_PORT}`;
      for (const { connectionId, leadId } of seededLeads) {
        const hubspot = connectionId === DEMO.hubspot.connectionId;
        const res = await fetch(
          hubspot
            ? `${sandbox}/hubspot/crm/v3/objects/contacts/${leadId}`
            : `${sandbox}/salesforce/services/data/v62.0/sobjects/Lead/${leadId}`,
          {
            headers: {
              authorization: `Bearer ${hubspot ? HUBSPOT_SANDBOX_DEMO.accessToken : SALESFORCE_SANDBOX_DEMO.accessToken}`,
            },
          },
        );
        expect({ connectionId, status: res.status }).toEqual({ connectionId, status: 200 });
        // The lead's card (its story in the CRM) still loads from the sandbox.
        const card = await fetch(`${second.url}/cards/preview/${connectionId}/${leadId}`);
        expect({ connectionId, status: card.status }).toEqual({ connectionId, status: 200 });
      }
      expect(await withDatabase(env, counts)).toEqual(before);
    } finally {
      await second.stop();
    }
  });

  it("when the process is killed with -9 in the middle of the history, then the next start removes what was played and plays the quarter once, whole", async () => {
    const env = await embeddedEnv();
    dirs.push(env.HANDOFF_DATA_DIR);
    const killed = await start(env, "demo quarter: week played");
    await killed.kill();
    expect(killed.line("demo quarter seeded")).toBeUndefined();

    const again = await start(env);
    try {
      expect(
        again.lines.filter((l) => l.message.startsWith("demo quarter: an unfinished play")),
      ).toHaveLength(2);
      const seeded = again.line("demo quarter seeded");
      expect(seeded).toMatchObject({ seeded: true, parked: 0 });
      expect(Number(seeded?.discarded)).toBeGreaterThan(0);
      await withDatabase(env, async (pool) => {
        const markers = await pool.query<{ connection_id: string; events: number; finished: boolean }>(
          "SELECT connection_id, events, finished_at IS NOT NULL AS finished FROM demo_history ORDER BY connection_id",
        );
        const now = await counts(pool);
        // Every stored event is one this play ran: nothing of the killed play is left, nothing is there twice.
        expect(
          now.map((c) => ({ connection_id: c.connection_id, events: Number(c.events), finished: true })),
        ).toEqual(markers.rows);
      });
    } finally {
      await again.stop();
    }
  });
});
