import request from "supertest";
import samples from "../fixtures/hubspot/webhook-samples.json";
import { waitFor } from "../helpers/capture-servers";
import { hubSpotHeaders } from "../helpers/sign";
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_SECRET, type TestRuntime } from "../helpers/runtime";

const PORTAL = 9876543;
const URL_PATH = "/webhooks/hubspot";

function delivery(overrides: Record<string, unknown> = {}) {
  return [
    {
      eventId: 100,
      subscriptionId: 2001,
      portalId: PORTAL,
      appId: 424242,
      occurredAt: 1767225600000,
      subscriptionType: "contact.propertyChange",
      attemptNumber: 0,
      objectId: 51,
      propertyName: "recent_conversion_date",
      propertyValue: "1767225599000",
      changeSource: "FORM",
      sourceId: "userId:123",
      ...overrides,
    },
  ];
}

describe("POST /webhooks/hubspot", () => {
  let rt: TestRuntime;
  let failing = false;
  beforeAll(async () => {
    rt = await startTestRuntime({
      handleLeadEvent: async () => {
        if (failing) throw new Error("CRM exploded");
        return "processed";
      },
      retry: { maxAttempts: 2, baseDelayMs: 1000 },
    });
    await rt.connections.upsert({
      id: "hs-demo",
      crm: "hubspot",
      externalId: String(PORTAL),
      name: "Demo portal",
    });
    await rt.connections.upsert({
      id: "hs-other",
      crm: "hubspot",
      externalId: "1111111",
      name: "Other portal",
    });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    request(rt.url!).post(URL_PATH).set(headers).send(body);
  const signed = (body: string, ts = Date.now()) =>
    hubSpotHeaders(TEST_SECRET, rt.publicUrl + URL_PATH, body, ts);

  it("when a signed delivery arrives, then it is stored, acknowledged and processed by the worker", async () => {
    const body = JSON.stringify(delivery({ eventId: 1 }));
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, stored: 1, duplicates: 0 });
    const key = `hs:${PORTAL}:2001:1:51:recent_conversion_date:1767225600000`;
    const stored = await rt.events.get("hs-demo", key);
    expect(stored).toMatchObject({ kind: "form_submitted", objectId: "51", crm: "hubspot" });
    await waitFor(async () => (await rt.events.get("hs-demo", key))?.status === "processed");
  });

  it("when the same delivery is redelivered 3 times, then one event and one job exist", async () => {
    const body = JSON.stringify(delivery({ eventId: 2 }));
    for (let i = 0; i < 4; i += 1) {
      const res = await post(body, signed(body));
      expect(res.status).toBe(200);
      expect(res.body.stored).toBe(i === 0 ? 1 : 0);
    }
    const events = await rt.pool.query("SELECT count(*)::int AS n FROM events WHERE event_key LIKE $1", [
      `hs:${PORTAL}:2001:2:%`,
    ]);
    expect(events.rows[0].n).toBe(1);
    const key = `hs:${PORTAL}:2001:2:51:recent_conversion_date:1767225600000`;
    await waitFor(async () => (await rt.events.get("hs-demo", key))?.status === "processed");
    const intake = await rt.pool.query(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'intake-batch' AND data->'eventKeys' ? $1",
      [key],
    );
    expect(intake.rows[0].n).toBe(1);
    const jobs = await rt.pool.query(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'lead-event' AND data->>'eventKey' = $1",
      [key],
    );
    expect(jobs.rows[0].n).toBe(1);
  });

  it("when every sample event kind arrives in one delivery, then each is accepted", async () => {
    const all = Object.entries(samples)
      .filter(([k]) => k !== "note")
      .flatMap(([, list]) => list as Record<string, unknown>[]);
    const body = JSON.stringify(all);
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(res.body.received).toBe(all.length);
    expect(res.body.stored + res.body.ignored).toBe(all.length);
    const kinds = await rt.pool.query("SELECT DISTINCT kind FROM events WHERE connection_id = 'hs-demo'");
    expect(kinds.rows.map((r) => r.kind).sort()).toEqual(
      expect.arrayContaining([
        "association_changed",
        "created",
        "deleted",
        "merged",
        "privacy_deleted",
        "property_changed",
      ]),
    );
  });

  it("when the route is unknown, then 404 with the error shape", async () => {
    const res = await request(rt.url!).post("/webhooks/nope").send("x");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      error: "not_found",
      message: expect.any(String),
      hint: expect.any(String),
    });
  });

  it("when the content type is not JSON, then 415 before anything else", async () => {
    const res = await post("[]", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(res.body.error).toBe("unsupported_media_type");
  });

  it("when the signature header is missing, then 400 naming it", async () => {
    const res = await post("[]", { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: "missing_header",
      message: expect.stringMatching(/Signature-v3/),
    });
  });

  it("when the body was tampered with, then 401 invalid_signature and nothing is stored", async () => {
    const body = JSON.stringify(delivery({ eventId: 3 }));
    const res = await post(body.replace('"objectId":51', '"objectId":52'), signed(body));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: "invalid_signature", hint: expect.stringMatching(/proxy/) });
    expect(
      await rt.events.get("hs-demo", `hs:${PORTAL}:2001:3:52:recent_conversion_date:1767225600000`),
    ).toBeNull();
  });

  it("when the signature is stale, then 401 stale_signature", async () => {
    const body = JSON.stringify(delivery({ eventId: 4 }));
    const res = await post(body, signed(body, Date.now() - 6 * 60_000));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("stale_signature");
  });

  it("when the payload breaks the schema, then 400 lists every issue with its path", async () => {
    const body = JSON.stringify([{ eventId: "x", portalId: PORTAL, occurredAt: "yesterday" }, { foo: 1 }]);
    const res = await post(body, signed(body));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_payload");
    const paths = res.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["[0].eventId", "[0].occurredAt", "[0].subscriptionId", "[1].eventId"]),
    );
  });

  it("when a delivery has more than 100 events, then 400", async () => {
    const body = JSON.stringify(Array.from({ length: 101 }, (_, i) => delivery({ eventId: 1000 + i })[0]));
    const res = await post(body, signed(body));
    expect(res.status).toBe(400);
  });

  it("when the body is larger than the limit, then 413", async () => {
    const body = JSON.stringify([{ pad: "x".repeat(1_100_000) }]);
    const res = await post(body, signed(body));
    expect(res.status).toBe(413);
  });

  it("when the handler always throws, then the event is parked with its reason and replays once fixed", async () => {
    failing = true;
    const body = JSON.stringify(delivery({ eventId: 5 }));
    expect((await post(body, signed(body))).status).toBe(200);
    const key = `hs:${PORTAL}:2001:5:51:recent_conversion_date:1767225600000`;
    const parked = await waitFor(async () => {
      const e = await rt.events.get("hs-demo", key);
      return e?.status === "parked" ? e : undefined;
    });
    expect(parked.lastError).toMatchObject({ code: "handler_failed", message: "CRM exploded" });
    expect(parked.attempts).toBe(2);

    const list = await request(rt.url!)
      .get("/admin/api/parked")
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(list.status).toBe(200);
    expect(list.body.parked.map((p: { eventKey: string }) => p.eventKey)).toContain(key);

    // Another connection's id cannot replay (or see) this event.
    const cross = await request(rt.url!)
      .post(`/admin/api/parked/hs-other/${encodeURIComponent(key)}/replay`)
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(cross.status).toBe(404);
    expect(await rt.events.get("hs-other", key)).toBeNull();

    failing = false;
    const replay = await request(rt.url!)
      .post(`/admin/api/parked/hs-demo/${encodeURIComponent(key)}/replay`)
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(replay.status).toBe(202);
    await waitFor(async () => (await rt.events.get("hs-demo", key))?.status === "processed");
  });

  it("when the admin token is missing or wrong, then the admin API refuses with 401", async () => {
    expect((await request(rt.url!).get("/admin/api/parked")).status).toBe(401);
    const wrong = await request(rt.url!).get("/admin/api/parked").set("authorization", "Bearer nope");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("unauthorized");
  });

  it("serves health, readiness and metrics", async () => {
    expect((await request(rt.url!).get("/healthz")).status).toBe(200);
    expect((await request(rt.url!).get("/readyz")).status).toBe(200);
    const metrics = await request(rt.url!).get("/metrics");
    expect(metrics.text).toMatch(/handoff_webhook_events_total\{crm="hubspot",outcome="stored"\}/);
  });
});
