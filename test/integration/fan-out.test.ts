/**
 * Fan-out: events that need no work are settled where the delivery is fanned out, without a job; the
 * others become jobs at their priority, and every CRM call of a job runs at that priority.
 */
import request from "supertest";
import { currentWorkPriority, type WorkPriority } from "../../src/ports/work-priority";
import { waitFor } from "../helpers/capture-servers";
import { hubSpotHeaders } from "../helpers/sign";
import { startTestRuntime, TEST_SECRET, type TestRuntime } from "../helpers/runtime";

const PORTAL = 9876543;

function event(eventId: number, overrides: Record<string, unknown>) {
  return {
    eventId,
    subscriptionId: 2001,
    portalId: PORTAL,
    appId: 424242,
    occurredAt: 1767225600000,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: 500 + eventId,
    changeSource: "CRM_UI",
    sourceId: "userId:123",
    ...overrides,
  };
}

describe("fan-out of stored deliveries", () => {
  let rt: TestRuntime;
  const handled: { objectId: string; priority: WorkPriority }[] = [];
  beforeAll(async () => {
    rt = await startTestRuntime({
      handleLeadEvent: async (e) => {
        handled.push({ objectId: e.objectId, priority: currentWorkPriority() });
        return "processed";
      },
    });
    await rt.connections.upsert({ id: "hs-fan", crm: "hubspot", externalId: String(PORTAL), name: "Portal" });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  it("when a delivery mixes company changes, Handoff's own echoes, an import and a form submission, then the first two settle without a job and the others run at their priority", async () => {
    const events = [
      event(1, {
        subscriptionType: "company.propertyChange",
        propertyName: "industry",
        propertyValue: "SOFTWARE",
      }),
      event(2, { propertyName: "handoff_fit_score", propertyValue: "40", changeSource: "INTEGRATION" }),
      event(3, { subscriptionType: "contact.creation", changeFlag: "CREATED", changeSource: "IMPORT" }),
      event(4, {
        propertyName: "recent_conversion_date",
        propertyValue: "1767225599000",
        changeSource: "FORM",
      }),
      event(5, { propertyName: "jobtitle", propertyValue: "VP Sales" }),
    ];
    const body = JSON.stringify(events);
    const res = await request(rt.url!)
      .post("/webhooks/hubspot")
      .set(hubSpotHeaders(TEST_SECRET, `${rt.publicUrl}/webhooks/hubspot`, body))
      .send(body);
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await rt.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE connection_id = 'hs-fan' AND status IN ('processed', 'ignored')",
      );
      return r.rows[0]!.n === 5;
    });
    const status = await rt.pool.query<{ object_id: string; status: string }>(
      "SELECT object_id, status FROM events WHERE connection_id = 'hs-fan' ORDER BY object_id",
    );
    expect(status.rows).toEqual([
      { object_id: "501", status: "ignored" },
      { object_id: "502", status: "ignored" },
      { object_id: "503", status: "processed" },
      { object_id: "504", status: "processed" },
      { object_id: "505", status: "processed" },
    ]);
    const jobs = await rt.pool.query<{ object: string; priority: number }>(
      `SELECT split_part(group_id, ':', 2) AS object, priority FROM pgboss.job
        WHERE name = 'lead-event' AND group_id LIKE 'hs-fan:%' ORDER BY 1`,
    );
    expect(jobs.rows).toEqual([
      { object: "503", priority: 0 },
      { object: "504", priority: 20 },
      { object: "505", priority: 10 },
    ]);
    expect([...handled].sort((a, b) => a.objectId.localeCompare(b.objectId))).toEqual([
      { objectId: "503", priority: "bulk" },
      { objectId: "504", priority: "live" },
      { objectId: "505", priority: "normal" },
    ]);
  });
});
