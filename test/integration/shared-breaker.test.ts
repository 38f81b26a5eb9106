import request from "supertest";
import { sendHubSpot } from "../helpers/demo-stack";
import { jobTitleChangedEvent } from "../helpers/sandbox-leads";
import { waitFor } from "../helpers/capture-servers";
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from "../helpers/runtime";
import { CrmUnavailableError } from "../../src/domain/errors";
import type { StoredEvent } from "../../src/ports/events";

const PORTAL = 2718281;
const OPEN = /handoff_crm_breaker_open\{connection="hs-shared",state="open"\} 1/;

describe("one CRM circuit breaker per connection, shared by every process on the database", () => {
  const NOW = Date.now();
  const calls: string[] = [];
  let worker: TestRuntime;
  let web: TestRuntime;
  const down = async (event: StoredEvent): Promise<"processed"> => {
    calls.push(event.objectId);
    throw new CrmUnavailableError("hubspot: batch read failed with 503");
  };
  // Opens after 3 outages and stays open for a minute: long enough to look at it from elsewhere.
  const breaker = { threshold: 3, baseCooldownMs: 60_000, maxCooldownMs: 60_000 };
  beforeAll(async () => {
    worker = await startTestRuntime({
      retry: { baseDelayMs: 200, maxDelayMs: 400 },
      breaker,
      handleLeadEvent: down,
    });
    web = await startTestRuntime({ db: worker.db, worker: false, breaker });
    await worker.connections.upsert({
      id: "hs-shared",
      crm: "hubspot",
      externalId: String(PORTAL),
      name: "Shared",
    });
  });
  afterAll(async () => {
    await web.stop();
    await worker.stop();
    await worker.db.close();
  });

  const deliver = (rt: TestRuntime, objectIds: string[], firstEventId: number) =>
    sendHubSpot(
      rt,
      objectIds.map((id, i) => jobTitleChangedEvent(PORTAL, id, firstEventId + i, NOW - 60_000)),
      NOW,
    );

  it("when the worker process opens a connection's breaker, then the web process sees it open, and a restarted worker keeps it closed to the CRM", async () => {
    expect((await deliver(web, ["301", "302", "303"], 1)).status).toBe(200);
    await waitFor(async () => OPEN.test((await request(worker.url!).get("/metrics")).text), 20_000);
    // The other process never ran a job: it reads the state the worker wrote.
    await waitFor(async () => OPEN.test((await request(web.url!).get("/metrics")).text), 5_000);
    const health = await request(web.url!)
      .get("/admin/api/health?connectionId=hs-shared")
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(health.body.connections[0]).toMatchObject({ connectionId: "hs-shared", crm: "open" });

    // A new worker process (a restart) on the same database: the pause stands, no event reaches the CRM.
    await worker.stop();
    const callsBefore = calls.length;
    worker = await startTestRuntime({
      db: web.db,
      retry: { baseDelayMs: 200, maxDelayMs: 400 },
      breaker,
      handleLeadEvent: down,
    });
    expect(OPEN.test((await request(worker.url!).get("/metrics")).text)).toBe(true);
    expect((await deliver(web, ["304"], 10)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));
    expect(calls.length).toBe(callsBefore);
    const waiting = await worker.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE connection_id = 'hs-shared' AND object_id = '304' AND status = 'pending'",
    );
    expect(waiting.rows[0].n).toBe(1);
  });
});
