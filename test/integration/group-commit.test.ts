/**
 * Group commit at intake: deliveries that arrive together are stored in shared transactions, and each is
 * still answered with its own counts, only after the COMMIT that holds its events.
 */
import request from "supertest";
import { hubSpotHeaders } from "../helpers/sign";
import { startTestRuntime, TEST_SECRET, type TestRuntime } from "../helpers/runtime";

const PORTAL = 9876543;

function delivery(first: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    eventId: first + i,
    subscriptionId: 2001,
    portalId: PORTAL,
    appId: 424242,
    occurredAt: 1767225600000,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: 700 + first + i,
    propertyName: "jobtitle",
    propertyValue: "VP Sales",
    changeSource: "CRM_UI",
    sourceId: "userId:123",
  }));
}

describe("group commit at intake", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    // No worker: the jobs stay where intake put them.
    rt = await startTestRuntime({ worker: false });
    await rt.connections.upsert({ id: "hs-group", crm: "hubspot", externalId: String(PORTAL), name: "P" });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  it("when 12 deliveries arrive at once, two of them carrying the same events, then each gets its own counts, every event is stored once, and they share transactions", async () => {
    const bodies = Array.from({ length: 11 }, (_, d) => JSON.stringify(delivery(1000 + d * 10, 10)));
    bodies.push(bodies[3]!); // HubSpot redelivers a delivery while the first is still being stored
    const answers = await Promise.all(
      bodies.map((body) =>
        request(rt.url!)
          .post("/webhooks/hubspot")
          .set(hubSpotHeaders(TEST_SECRET, `${rt.publicUrl}/webhooks/hubspot`, body))
          .send(body),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
    const stored = answers.map((a) => a.body.stored as number);
    const duplicates = answers.map((a) => a.body.duplicates as number);
    expect(stored.reduce((a, b) => a + b, 0)).toBe(110);
    expect(duplicates.reduce((a, b) => a + b, 0)).toBe(10);
    // The two copies of one delivery: one stored its 10 events, the other found them already stored.
    expect([stored[3], stored[11]].sort()).toEqual([0, 10]);
    const events = await rt.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE connection_id = 'hs-group'",
    );
    expect(events.rows[0]!.n).toBe(110);
    const jobs = await rt.pool.query<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, sum(jsonb_array_length(data->'eventKeys'))::int AS keys
         FROM pgboss.job WHERE name = 'intake-batch'`,
    );
    expect(jobs.rows[0]!.keys).toBe(110);
    // One job row per transaction: without group commit there would be one per storing delivery (11).
    expect(jobs.rows[0]!.n).toBeLessThan(11);
  });
});
