import request from "supertest";
import vectors from "../fixtures/salesforce/vectors.json";
import { waitFor } from "../helpers/capture-servers";
import { hubSpotHeaders } from "../helpers/sign";
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_SECRET, type TestRuntime } from "../helpers/runtime";

const PORTAL = 7654321;
const URL_PATH = "/webhooks/hubspot";
const ORG = vectors.outbound_message.ids.OrganizationId;
const sfBatch = vectors.outbound_message.requests.find((r) => r.name === "lead_batch_3")!.body;

/** A real-shaped propertyChange event, dated a minute before the injected clock. */
function hubSpotEvent(eventId: number, nowMs: number, overrides: Record<string, unknown> = {}) {
  return {
    eventId,
    subscriptionId: 2001,
    portalId: PORTAL,
    appId: 424242,
    occurredAt: nowMs - 60_000,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: 5000 + eventId,
    propertyName: "jobtitle",
    propertyValue: "VP Sales",
    changeSource: "CRM_UI",
    sourceId: "userId:123",
    ...overrides,
  };
}

/** Too deep even for JSON.stringify: spliced into the body as text, as a hostile sender would. */
const DEEP = "__nested_10000_deep__";
const DEEP_JSON = `${"[".repeat(10_000)}"bottom"${"]".repeat(10_000)}`;

describe("one bad event never loses the delivery it came in", () => {
  let rt: TestRuntime;
  let sfToken: string;
  const NOW = Date.now();
  beforeAll(async () => {
    rt = await startTestRuntime({ now: () => new Date(NOW) });
    await rt.connections.upsert({ id: "hs-poison", crm: "hubspot", externalId: String(PORTAL), name: "P" });
    const sf = await rt.connections.upsert({
      id: "sf-poison",
      crm: "salesforce",
      externalId: ORG,
      name: "S",
    });
    sfToken = sf.webhookToken!;
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  const postHubSpot = (events: unknown[]) => {
    const body = JSON.stringify(events).replace(`"${DEEP}"`, DEEP_JSON);
    return request(rt.url!)
      .post(URL_PATH)
      .set(hubSpotHeaders(TEST_SECRET, rt.publicUrl + URL_PATH, body, NOW))
      .send(body);
  };

  const poisons: [string, (id: number) => Record<string, unknown>, RegExp][] = [
    ["a NUL in a string", (id) => hubSpotEvent(id, NOW, { propertyValue: "VP\u0000Sales" }), /NUL/],
    [
      "an unpaired surrogate",
      (id) => hubSpotEvent(id, NOW, { propertyValue: "VP \ud800 Sales" }),
      /surrogate/,
    ],
    [
      "an occurredAt in microseconds",
      (id) => hubSpotEvent(id, NOW, { occurredAt: NOW * 1000 }),
      /occurredAt/,
    ],
    ["an extra field nested 10,000 deep", (id) => hubSpotEvent(id, NOW, { extra: DEEP }), /deeper/],
    ["an event that breaks the schema", (id) => hubSpotEvent(id, NOW, { subscriptionId: "x" }), /schema/],
  ];

  it.each(poisons)(
    "when a delivery of 9 good events carries %s, then the 9 are stored and processed and the bad one is parked with its raw form",
    async (_name, poison, reason) => {
      const base = 100 * (poisons.findIndex(([n]) => n === _name) + 1);
      const good = Array.from({ length: 9 }, (_, i) => hubSpotEvent(base + i, NOW));
      const bad = poison(base + 9);
      const events = [...good.slice(0, 4), bad, ...good.slice(4)];
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const res = await postHubSpot(events);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject(
          attempt === 0 ? { stored: 9, parked: 1, duplicates: 0 } : { stored: 0, parked: 0, duplicates: 10 },
        );
      }
      const rows = await rt.pool.query<{
        status: string;
        raw: Buffer | null;
        last_error: { message: string };
      }>(
        "SELECT status, raw, last_error FROM events WHERE connection_id = 'hs-poison' AND object_id = ANY($1)",
        [events.map((e) => String(e.objectId))],
      );
      expect(rows.rows).toHaveLength(10);
      const parked = rows.rows.filter((r) => r.status === "parked");
      expect(parked).toHaveLength(1);
      expect(parked[0]!.last_error.message).toMatch(reason);
      // The bytes as sent are kept: parsing them gives back the event HubSpot sent, value for value.
      // (the 10,000-deep one is too deep to serialise alone, so its whole delivery is kept).
      const raw = parked[0]!.raw!.toString("utf8");
      if (bad.extra === DEEP) expect(raw).toContain(DEEP_JSON);
      else expect(JSON.parse(raw)).toEqual(bad);
      await waitFor(async () => {
        const r = await rt.pool.query(
          "SELECT count(*)::int AS n FROM events WHERE connection_id = 'hs-poison' AND object_id = ANY($1) AND status = 'processed'",
          [good.map((e) => String(e.objectId))],
        );
        return r.rows[0].n === 9;
      });
    },
  );

  it("when an event was parked at intake, then the admin sees it with its reason and can replay the cleaned copy", async () => {
    const list = await request(rt.url!)
      .get("/admin/api/parked?connectionId=hs-poison")
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(list.status).toBe(200);
    const nul = list.body.parked.find((p: { error: { message: string } }) => /NUL/.test(p.error.message));
    expect(nul.error).toMatchObject({ code: "unusable_event" });
    const replay = await request(rt.url!)
      .post(`/admin/api/parked/hs-poison/${encodeURIComponent(nul.eventKey)}/replay`)
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(replay.status).toBe(202);
    await waitFor(async () => (await rt.events.get("hs-poison", nul.eventKey))?.status === "processed");
    expect((await rt.events.get("hs-poison", nul.eventKey))?.propertyValue).toBe("VPSales");
  });

  it("when PostgreSQL refuses a value intake did not screen, then that event alone is parked and the rest stored", async () => {
    const ok = (key: string) => ({
      connectionId: "hs-poison",
      crm: "hubspot" as const,
      eventKey: key,
      kind: "property_changed" as const,
      objectType: "contact" as const,
      objectId: key,
      occurredAt: new Date(NOW).toISOString(),
      raw: {},
    });
    const result = await rt.events.append([
      ok("direct-1"),
      { ...ok("direct-2"), raw: { note: "a\u0000b" } },
      ok("direct-3"),
    ]);
    expect(result).toMatchObject({ stored: ["direct-1", "direct-3"], parked: ["direct-2"], duplicates: 0 });
    const parked = await rt.events.get("hs-poison", "direct-2");
    expect(parked).toMatchObject({
      status: "parked",
      lastError: { message: expect.stringMatching(/refused/) },
    });
  });

  it("when a Salesforce notification has an unparseable LastModifiedDate, then the others are acknowledged and it is parked", async () => {
    const xml = sfBatch.replace(
      "<sf:Company>Globex</sf:Company>",
      "<sf:Company>Globex</sf:Company>\n     <sf:LastModifiedDate>yesterday-ish</sf:LastModifiedDate>",
    );
    const res = await request(rt.url!)
      .post(`/webhooks/salesforce/sf-poison/${sfToken}`)
      .set("content-type", "text/xml; charset=utf-8")
      .send(xml);
    expect(res.status).toBe(200);
    expect(res.text).toBe(vectors.outbound_message.ack_response.body);
    const bad = await rt.events.get("sf-poison", "sf:04lHz00000Ab0C3IAJ");
    expect(bad).toMatchObject({
      status: "parked",
      lastError: { message: expect.stringMatching(/LastModifiedDate/) },
    });
    const good = await rt.events.get("sf-poison", "sf:04lHz00000Ab0C2IAJ");
    expect(good?.status).not.toBe("parked");
  });
});
