import fc from "fast-check";
import request from "supertest";
import { hubSpotHeaders } from "../helpers/sign";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
} from "../helpers/runtime";

const ORG = "00D5g000004bE2xEAE";
const RUNS = { hubspot: 4000, salesforce: 3500, cards: 2500 };

/**
 * Hostile input: more than 10,000 generated bodies and headers against the webhook and card routes.
 * Every one must be answered on purpose (its status and a stable error code): never a 5xx, never a crash.
 */
describe("hostile input on the webhook and card endpoints", () => {
  let rt: TestRuntime;
  let sfToken: string;
  const seen = new Map<number, number>();
  const count = (status: number) => seen.set(status, (seen.get(status) ?? 0) + 1);

  beforeAll(async () => {
    rt = await startTestRuntime({
      worker: false,
      product: {
        publicUrl: "https://handoff.test",
        adminToken: TEST_ADMIN_TOKEN,
        encryptionKey: TEST_KEY,
        embedded: false,
        hubspot: { clientId: "x", clientSecrets: [TEST_SECRET], apiBase: undefined },
        salesforce: {
          clientId: "x",
          clientSecret: "canvas-consumer-secret",
          loginUrl: "http://127.0.0.1:1",
        },
        notifyWorker: false,
      },
    });
    await rt.connections.upsert({ id: "hs", crm: "hubspot", externalId: "9876543", name: "hs" });
    sfToken = (await rt.connections.upsert({ id: "sf", crm: "salesforce", externalId: ORG, name: "sf" }))
      .webhookToken!;
  }, 60_000);

  afterAll(async () => {
    process.stdout.write(`hostile input statuses: ${JSON.stringify(Object.fromEntries([...seen].sort()))}\n`);
    await rt.stop();
    await rt.db.close();
  });

  const expectHandled = (res: request.Response) => {
    count(res.status);
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400 && res.type === "application/json") {
      expect(res.body).toEqual(
        expect.objectContaining({ error: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) }),
      );
    }
  };

  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const hubspotBody = fc.oneof(
    fc.json({ depthSize: "large" }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ unit: "binary" }),
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString("latin1")),
    fc.integer({ min: 1, max: 3000 }).map(deep),
    fc.integer({ min: 101, max: 400 }).map((n) =>
      JSON.stringify(
        Array.from({ length: n }, (_, i) => ({
          eventId: i,
          subscriptionId: 1,
          portalId: 9876543,
          occurredAt: 1,
          subscriptionType: "contact.creation",
          objectId: i,
        })),
      ),
    ),
    fc
      .record({
        eventId: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        subscriptionId: fc.anything(),
        portalId: fc.oneof(fc.constant(9876543), fc.integer(), fc.string()),
        occurredAt: fc.oneof(fc.integer(), fc.double(), fc.string()),
        subscriptionType: fc.oneof(
          fc.constantFrom("contact.creation", "contact.propertyChange", "object.merge", "x"),
          fc.string(),
        ),
        objectId: fc.anything(),
        propertyValue: fc.anything(),
      })
      .map((e) => JSON.stringify([e])),
  );

  it("HubSpot webhook: forged, replayed, stale and well-signed garbage never gets a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        hubspotBody,
        fc.constantFrom("signed", "forged", "stale", "future", "missing", "garbage-timestamp"),
        fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "",
          "application/xml",
        ),
        async (body, mode, type) => {
          const url = "https://handoff.test/webhooks/hubspot";
          const now = Date.now();
          const headers: Record<string, string> = {
            ...hubSpotHeaders(
              TEST_SECRET,
              url,
              body,
              mode === "stale" ? now - 600_000 : mode === "future" ? now + 600_000 : now,
            ),
          };
          if (type) headers["content-type"] = type;
          else delete headers["content-type"];
          if (mode === "forged")
            headers["x-hubspot-signature-v3"] = Buffer.from(body.slice(0, 32)).toString("base64");
          if (mode === "missing") delete headers["x-hubspot-signature-v3"];
          if (mode === "garbage-timestamp") headers["x-hubspot-request-timestamp"] = "12e3; DROP";
          const res = await request(rt.url!)
            .post("/webhooks/hubspot")
            .set(headers)
            .send(Buffer.from(body, "latin1"));
          expectHandled(res);
          if (mode !== "signed") expect(res.status).not.toBe(200);
        },
      ),
      { numRuns: RUNS.hubspot },
    );
  }, 240_000);

  it("HubSpot webhook: a body over the size limit is refused with 413", async () => {
    const body = JSON.stringify([{ x: "y".repeat(2_000_000) }]);
    const res = await request(rt.url!)
      .post("/webhooks/hubspot")
      .set(hubSpotHeaders(TEST_SECRET, "https://handoff.test/webhooks/hubspot", body))
      .send(body);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("payload_too_large");
  });

  const xmlBody = fc.oneof(
    fc.string({ unit: "binary" }),
    fc
      .string()
      .map(
        (s) =>
          `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${s}</soapenv:Body></soapenv:Envelope>`,
      ),
    fc.constant(
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><a>&lol1;</a>`,
    ),
    fc.constant(
      `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>`,
    ),
    fc.integer({ min: 1, max: 5000 }).map((n) => "<a>".repeat(n) + "</a>".repeat(n)),
    fc
      .array(fc.string({ maxLength: 20 }), { maxLength: 150 })
      .map(
        (ids) =>
          `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${ORG}</OrganizationId>` +
          ids
            .map(
              (id) =>
                `<Notification><Id>${id.replace(/[<&]/g, "")}</Id><sObject><sf:Id xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${id.replace(/[<&]/g, "")}</sf:Id></sObject></Notification>`,
            )
            .join("") +
          `</notifications></soapenv:Body></soapenv:Envelope>`,
      ),
  );

  it("Salesforce outbound messages: malformed XML, entity attacks, wrong tokens and orgs never get a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        xmlBody,
        fc.constantFrom("right", "wrong-token", "unknown-connection"),
        fc.constantFrom("text/xml; charset=utf-8", "application/json", "text/plain"),
        async (body, mode, type) => {
          const path =
            mode === "right"
              ? `/webhooks/salesforce/sf/${sfToken}`
              : mode === "wrong-token"
                ? `/webhooks/salesforce/sf/nope`
                : `/webhooks/salesforce/zz/${sfToken}`;
          const res = await request(rt.url!)
            .post(path)
            .set("content-type", type)
            .send(Buffer.from(body, "latin1"));
          count(res.status);
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) expect(res.text).toContain("soapenv:Fault");
          if (/<!DOCTYPE/.test(body)) expect(res.status).not.toBe(200);
        },
      ),
      { numRuns: RUNS.salesforce },
    );
  }, 240_000);

  it("card endpoints: unsigned, forged and malformed card, Canvas and feedback requests never get a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/cards/hubspot/handoff",
          "/cards/salesforce/canvas",
          "/cards/feedback",
          "/cards/preview/hs/51",
        ),
        fc.oneof(
          fc.json(),
          fc.string({ unit: "binary" }),
          fc.string().map((s) => `signed_request=${encodeURIComponent(s)}`),
        ),
        fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain"),
        fc.boolean(),
        async (path, body, type, signed) => {
          const headers: Record<string, string> = { "content-type": type };
          if (signed)
            Object.assign(headers, hubSpotHeaders(TEST_SECRET, `https://handoff.test${path}`, body), {
              "content-type": type,
            });
          const res = path.startsWith("/cards/preview")
            ? await request(rt.url!).get(path)
            : await request(rt.url!).post(path).set(headers).send(Buffer.from(body, "latin1"));
          expectHandled(res);
        },
      ),
      { numRuns: RUNS.cards },
    );
  }, 240_000);
});
