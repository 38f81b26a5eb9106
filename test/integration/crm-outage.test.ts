import request from "supertest";
import { sendHubSpot } from "../helpers/demo-stack";
import { jobTitleChangedEvent } from "../helpers/sandbox-leads";
import { waitFor } from "../helpers/capture-servers";
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from "../helpers/runtime";
import { CrmNotFoundError, CrmUnavailableError } from "../../src/domain/errors";
import type { StoredEvent } from "../../src/ports/events";

const PORTAL = 3141592;

describe("a CRM that goes down, hangs or forgets a contact", () => {
  let rt: TestRuntime;
  let crmDown = false;
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const NOW = Date.now();
  beforeAll(async () => {
    rt = await startTestRuntime({
      now: () => new Date(NOW),
      // No attempt cap: only the horizon parks, as in production.
      retry: { baseDelayMs: 1000, maxDelayMs: 2000 },
      breaker: { threshold: 3, baseCooldownMs: 1500, maxCooldownMs: 3000 },
      handleLeadEvent: async (event: StoredEvent) => {
        calls.push(event.objectId);
        const slow = event.objectId === "9101";
        if (slow) running += 1;
        maxRunning = Math.max(maxRunning, running);
        try {
          if (event.objectId === "9001")
            throw new CrmNotFoundError(`hubspot: contact ${event.objectId} not found`);
          if (event.objectId === "9101") await new Promise((r) => setTimeout(r, 1500));
          if (crmDown) throw new CrmUnavailableError("hubspot: batch read failed with 503");
          return "processed";
        } finally {
          if (slow) running -= 1;
        }
      },
    });
    await rt.connections.upsert({ id: "hs-out", crm: "hubspot", externalId: String(PORTAL), name: "Outage" });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  const deliver = (objectIds: string[], firstEventId: number) =>
    sendHubSpot(
      rt,
      objectIds.map((id, i) => jobTitleChangedEvent(PORTAL, id, firstEventId + i, NOW - 60_000)),
      NOW,
    );
  const statusOf = async (objectId: string) =>
    (await rt.pool.query("SELECT status FROM events WHERE object_id = $1", [objectId])).rows[0]?.status;

  it("when the CRM is down, then its connection pauses as a whole, nothing is parked, and every event is handled by itself once the CRM answers again", async () => {
    crmDown = true;
    expect((await deliver(["101", "102", "103", "104", "105"], 1)).status).toBe(200);
    // The breaker opens after 3 outages: /metrics and the admin API say the connection is paused.
    await waitFor(async () => {
      const metrics = await request(rt.url!).get("/metrics");
      return /handoff_crm_breaker_open\{connection="hs-out",state="(open|half_open)"\} 1/.test(metrics.text);
    });
    const metrics = await request(rt.url!).get("/metrics");
    expect(metrics.text).toMatch(/handoff_events_waiting\{connection="hs-out"\} 5/);
    expect(metrics.text).toMatch(/handoff_events_parked\{connection="hs-out"\} 0/);
    const health = await request(rt.url!)
      .get("/admin/api/health?connectionId=hs-out")
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(health.body.connections[0]).toMatchObject({ connectionId: "hs-out", waiting: 5, parked: 0 });
    expect(["open", "half_open"]).toContain(health.body.connections[0].crm);
    const callsWhileOpen = calls.length;
    await new Promise((r) => setTimeout(r, 1000));
    // While paused, at most one probe reaches the CRM: the other events wait without calls.
    expect(calls.length - callsWhileOpen).toBeLessThanOrEqual(1);
    crmDown = false;
    await waitFor(async () => {
      const r = await rt.pool.query(
        "SELECT count(*)::int AS n FROM events WHERE connection_id = 'hs-out' AND status = 'processed'",
      );
      return r.rows[0].n === 5;
    }, 20_000);
    const after = await request(rt.url!).get("/metrics");
    expect(after.text).not.toMatch(/handoff_crm_breaker_open\{connection="hs-out"/);
  });

  it("when the contact no longer exists in the CRM, then its event is ignored with the reason, not parked", async () => {
    expect((await deliver(["9001"], 100)).status).toBe(200);
    await waitFor(async () => (await statusOf("9001")) === "ignored");
    const r = await rt.pool.query("SELECT last_error FROM events WHERE object_id = '9001'");
    expect(r.rows[0].last_error).toMatchObject({
      code: "crm_not_found",
      message: expect.stringMatching(/not found/),
    });
  });

  it("when pg-boss runs a second job for an event that is still running, then the event is handled once, never twice at once", async () => {
    expect((await deliver(["9101"], 200)).status).toBe(200);
    await waitFor(() => calls.includes("9101"));
    // What an expired-but-alive job looks like: another job for the same event, outside its lead's group.
    const event = await rt.pool.query("SELECT event_key FROM events WHERE object_id = '9101'");
    await rt.boss.send("lead-event", { connectionId: "hs-out", eventKey: event.rows[0].event_key });
    await waitFor(async () => (await statusOf("9101")) === "processed");
    await new Promise((r) => setTimeout(r, 1500));
    expect(calls.filter((c) => c === "9101")).toHaveLength(1);
    expect(maxRunning).toBe(1);
  });
});
