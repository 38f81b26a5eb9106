import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { HandoffProduct } from "../../src/composition/compose";
import { DEMO } from "../../src/composition/seed-demo";
import type { SalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import { type SandboxServer } from "../../src/sandbox/server";
import { waitFor } from "../helpers/capture-servers";
import { demoProduct, startDemoStack } from "../helpers/demo-stack";
import { dachWebLead } from "../helpers/sandbox-leads";
import type { TestDatabase } from "../helpers/db";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime";

// Wednesday 2026-11-18 10:00 in Madrid and Berlin; the org's clock stands a minute before Handoff's.
const NOW = new Date("2026-11-18T09:00:00.000Z");
const CONNECTION = DEMO.salesforce.connectionId;

describe("Salesforce Professional Edition (no outbound messages): changed leads are polled", () => {
  let sandbox: SandboxServer;
  let rt: TestRuntime;
  let handoff: HandoffProduct;
  let traffic: SalesforceTrafficGenerator;

  // A restart: the same database, a new runtime.
  const restart = (db: TestDatabase) =>
    startTestRuntime({ db, product: demoProduct(sandbox, () => NOW, { salesforce: true }) }).then((rt) => {
      handoff = rt.product!;
      return rt;
    });

  const newLead = (first: string, last: string, company: string) =>
    traffic.createLead(
      dachWebLead({
        FirstName: first,
        LastName: last,
        Company: company,
        Email: `${first}.${last}@${company.split(" ")[0]!.toLowerCase()}.example`.toLowerCase(),
      }),
    );

  const handedOver = (leadId: string) =>
    waitFor(async () => {
      const h = await new PostgresLeadStore(rt.pool).latestHandoff(CONNECTION, leadId);
      return h?.taskId ? h : undefined;
    });

  beforeAll(async () => {
    const stack = await startDemoStack({
      now: () => NOW,
      sandbox: { salesforce: { edition: "professional", now: () => NOW.getTime() - 60_000 } },
      salesforce: true,
    });
    ({ sandbox, rt } = stack);
    handoff = rt.product!;
    traffic = stack.salesforceTraffic();
  });

  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
    await sandbox.close();
  });

  it("when a qualifying lead is created, then no outbound message comes, and one poll hands it over", async () => {
    const leadId = newLead("Jonas", "Lang", "Rhein Cloud AG");
    expect(await traffic.flush()).toEqual([]);

    const poll = await handoff.pollChangedLeads(CONNECTION);
    expect(poll).toMatchObject({ polled: true, since: new Date(NOW.getTime() - 3_600_000).toISOString() });
    expect(poll.stored).toBeGreaterThanOrEqual(1);
    const h = await handedOver(leadId);
    const lead = sandbox.salesforce.records.get("Lead")?.get(leadId) as Record<string, unknown>;
    expect(lead.OwnerId).toBe(h.ownerId);
    const events = await rt.pool.query(
      "SELECT event_key, kind, object_type FROM events WHERE connection_id = $1 AND object_id = $2",
      [CONNECTION, leadId],
    );
    expect(events.rows).toEqual([
      {
        event_key: expect.stringMatching(new RegExp(`^poll:${leadId}:`)),
        kind: "property_changed",
        object_type: "lead",
      },
    ]);
  });

  it("when polls overlap, then a change read twice is stored once and the lead is handed over once", async () => {
    const leadId = newLead("Lea", "Berg", "Kranich Data GmbH");
    const first = await handoff.pollChangedLeads(CONNECTION);
    expect(first.stored).toBeGreaterThanOrEqual(1);
    await handedOver(leadId);
    const created = String(sandbox.salesforce.records.get("Lead")?.get(leadId)?.CreatedDate);

    // The next poll reads the overlap again (2 minutes before the watermark): the creation is a duplicate.
    const again = await handoff.pollChangedLeads(CONNECTION);
    expect(again.duplicates).toBeGreaterThanOrEqual(1);
    const creation = await rt.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE connection_id = $1 AND event_key = $2",
      [
        CONNECTION,
        `poll:${leadId}:${new Date(created.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")).toISOString()}`,
      ],
    );
    expect(creation.rows[0].n).toBe(1);
    const handoffs = await rt.pool.query("SELECT count(*)::int AS n FROM handoffs WHERE lead_id = $1", [
      leadId,
    ]);
    expect(handoffs.rows[0].n).toBe(1);
  });

  it("when Handoff restarts, then the next poll starts from the stored watermark and still hands over", async () => {
    const stored = await rt.pool.query<{ modified_at: Date }>(
      "SELECT modified_at FROM lead_poll_watermarks WHERE connection_id = $1",
      [CONNECTION],
    );
    const watermark = stored.rows[0]!.modified_at.getTime();
    const db = rt.db;
    await rt.stop();
    rt = await restart(db);

    const leadId = newLead("Mia", "Vogt", "Elbe Systems GmbH");
    const poll = await handoff.pollChangedLeads(CONNECTION);
    expect(poll.since).toBe(new Date(watermark - 120_000).toISOString());
    expect(poll.stored).toBeGreaterThanOrEqual(1);
    await handedOver(leadId);
    const parked = await rt.pool.query("SELECT count(*)::int AS n FROM events WHERE status = 'parked'");
    expect(parked.rows[0].n).toBe(0);
  });
});
