import type { HandoffSettings } from "../../src/composition/compose";
import { seedDemoQuarter } from "../../src/composition/demo-history/seed-demo-quarter";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { fixedClock } from "../../src/ports/clock";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
} from "../helpers/runtime";

// Twelve weeks of two CRMs through the pipeline: minutes on a busy machine (README: the measured figures).
jest.setTimeout(900_000);

const now = fixedClock("2026-11-27T16:00:00Z");
const CONNECTIONS = [DEMO.hubspot.connectionId, DEMO.salesforce.connectionId];

/** The embedded default as `npm start` wires it: demo connections, then the quarter, then the product. */
async function startDemo(db: TestDatabase, sandbox: SandboxServer) {
  let seeded: Awaited<ReturnType<typeof seedDemoQuarter>> | undefined;
  const settings: HandoffSettings = {
    publicUrl: "https://handoff.test",
    adminToken: TEST_ADMIN_TOKEN,
    encryptionKey: TEST_KEY,
    embedded: true,
    hubspot: { clientId: "demo-client-id", clientSecrets: [TEST_SECRET], apiBase: undefined },
    salesforce: { clientId: undefined, clientSecret: undefined, loginUrl: "https://login.salesforce.com" },
  };
  const rt = await startTestRuntime({
    db,
    now,
    hubspotSecrets: [TEST_SECRET],
    product: settings,
    beforeStart: async (infra) => {
      await seedDemoConnections(infra.connections, { sandboxUrl: sandbox.url, now });
      seeded = await seedDemoQuarter({ core: infra, settings, sandbox, now });
    },
  });
  return { rt, seeded: seeded! };
}

async function report<T>(rt: TestRuntime, name: string, connectionId: string): Promise<T> {
  const res = await fetch(`${rt.url}/admin/api/reports/${name}?connectionId=${connectionId}&since=12w`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function tableCounts(db: TestDatabase) {
  const r = await db.pool.query<{ events: string; handoffs: string; lifecycle: string }>(
    `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM handoffs) AS handoffs,
            (SELECT count(*) FROM lifecycle_events) AS lifecycle`,
  );
  return r.rows[0];
}

describe("the demo quarter", () => {
  let db: TestDatabase;
  let sandbox: SandboxServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    sandbox = await startSandbox({ port: 0, hubspot: { leadsObject: true } });
  });
  afterAll(async () => {
    await sandbox.close();
    await db.close();
  });

  it("when the demo starts for the first time, then the dashboard's reports of both demo CRMs show twelve weeks of leads, MQLs, handoffs, verdicts with reasons and breaches; a second start adds nothing", async () => {
    const first = await startDemo(db, sandbox);
    let after: Awaited<ReturnType<typeof tableCounts>>;
    try {
      expect(first.seeded).toMatchObject({ seeded: true, parked: 0 });
      process.stdout.write(`demo quarter: ${JSON.stringify(first.seeded)}\n`);

      expect(Object.keys(first.seeded.connections).sort()).toEqual([...CONNECTIONS].sort());
      for (const connectionId of CONNECTIONS) {
        const channels = await report<{
          rows: {
            week: string;
            source: string;
            leads: number;
            qualified: number;
            qualifiedRate: number | null;
          }[];
        }>(first.rt, "channels", connectionId);
        const weeks = new Map<string, { leads: number; qualified: number }>();
        for (const row of channels.rows) {
          const w = weeks.get(row.week) ?? { leads: 0, qualified: 0 };
          weeks.set(row.week, { leads: w.leads + row.leads, qualified: w.qualified + row.qualified });
        }
        // Twelve weeks dated back from a Friday cover thirteen calendar weeks: each full one has leads, and all
        // but at most one have MQLs (the portal's first week of the quarter can have none).
        const all = [...weeks.values()];
        expect({ connectionId, withLeads: all.filter((w) => w.leads > 0).length >= 12 }).toEqual({
          connectionId,
          withLeads: true,
        });
        expect({ connectionId, withMqls: all.filter((w) => w.qualified > 0).length >= 11 }).toEqual({
          connectionId,
          withMqls: true,
        });
        // Channels differ: the best and the worst qualified rate are far apart.
        const bySource = new Map<string, { leads: number; qualified: number }>();
        for (const row of channels.rows) {
          const s = bySource.get(row.source) ?? { leads: 0, qualified: 0 };
          bySource.set(row.source, { leads: s.leads + row.leads, qualified: s.qualified + row.qualified });
        }
        const rates = [...bySource.values()].filter((s) => s.leads >= 20).map((s) => s.qualified / s.leads);
        expect(rates.length).toBeGreaterThanOrEqual(4);
        expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.2);

        const feedback = await report<{
          handoffs: number;
          accepted: number;
          rejected: number;
          rejectReasons: { reason: string; count: number }[];
        }>(first.rt, "feedback", connectionId);
        expect(feedback.handoffs).toBeGreaterThan(40);
        expect(feedback.accepted).toBeGreaterThan(0);
        expect(feedback.rejected).toBeGreaterThan(0);
        expect(feedback.rejectReasons.length).toBeGreaterThanOrEqual(3);

        const compliance = await report<{ touched: number; breaches: number; byRep: { repKey: string }[] }>(
          first.rt,
          "compliance",
          connectionId,
        );
        expect(compliance.touched).toBeGreaterThan(0);
        expect(compliance.breaches).toBeGreaterThan(0);

        const pace = await report<{
          pace: { delivered: number; weeks: { delivered: number; future: boolean }[] };
        }>(first.rt, "pace", connectionId);
        expect(pace.pace.delivered).toBeGreaterThan(0);
        expect(pace.pace.weeks.filter((w) => !w.future && w.delivered > 0).length).toBeGreaterThan(0);

        const ooo = await db.pool.query("SELECT rep_key FROM rep_ooo WHERE connection_id = $1", [
          connectionId,
        ]);
        expect(ooo.rows).toEqual([{ rep_key: "ben" }]);
      }
      after = (await tableCounts(db))!;
    } finally {
      await first.rt.stop();
    }

    const second = await startDemo(db, sandbox);
    try {
      expect(second.seeded).toMatchObject({ seeded: false, leads: 0, events: 0 });
      expect(await tableCounts(db)).toEqual(after);
    } finally {
      await second.rt.stop();
    }
  });
});
