import request from "supertest";
import vectors from "../fixtures/salesforce/vectors.json";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime";

const ORG = vectors.outbound_message.ids.OrganizationId;
const single = vectors.outbound_message.requests.find((r) => r.name === "lead_single")!.body;
const batch = vectors.outbound_message.requests.find((r) => r.name === "lead_batch_3")!.body;

describe("POST /webhooks/salesforce/:connectionId/:token", () => {
  let rt: TestRuntime;
  let token: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    const c = await rt.connections.upsert({
      id: "sf-test",
      crm: "salesforce",
      externalId: ORG,
      name: "Test org",
    });
    token = c.webhookToken!;
    await rt.connections.upsert({
      id: "sf-other",
      crm: "salesforce",
      externalId: "00D5g000004bE2xEAE",
      name: "Other",
    });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  const post = (
    body: string,
    path = `/webhooks/salesforce/sf-test/${token}`,
    type = "text/xml; charset=utf-8",
  ) => request(rt.url!).post(path).set("content-type", type).send(body);

  it("when an outbound message arrives, then the Ack is sent after the notifications are stored", async () => {
    const res = await post(single);
    expect(res.status).toBe(200);
    expect(res.text).toBe(vectors.outbound_message.ack_response.body);
    const stored = await rt.events.get("sf-test", "sf:04lHz00000Ab0C1IAJ");
    expect(stored).toMatchObject({ crm: "salesforce", objectType: "lead", objectId: "00QHz00000Lx7aAMAR" });
  });

  it("when notifications are redelivered, then they are deduplicated on notification Id, not lead Id", async () => {
    expect((await post(batch)).status).toBe(200);
    expect((await post(batch)).status).toBe(200);
    const r = await rt.pool.query(
      "SELECT event_key FROM events WHERE connection_id = 'sf-test' ORDER BY event_key",
    );
    expect(r.rows.map((x) => x.event_key)).toEqual([
      "sf:04lHz00000Ab0C1IAJ",
      "sf:04lHz00000Ab0C2IAJ",
      "sf:04lHz00000Ab0C3IAJ",
      "sf:04lHz00000Ab0C4IAJ",
    ]);
    const company = await rt.events.get("sf-test", "sf:04lHz00000Ab0C2IAJ");
    expect((company?.raw as { fields: Record<string, string> }).fields.Company).toBe("Müller & Söhne GmbH");
  });

  it("when the OrganizationId belongs to another org, then a SOAP fault and nothing stored", async () => {
    const res = await post(
      single.replace(ORG, "00DAb000000Zzz9MAC").replace("04lHz00000Ab0C1IAJ", "04lHz00000Zz0C1IAJ"),
    );
    expect(res.status).toBe(401);
    expect(res.text).toContain(
      "<faultstring>OrganizationId 00DAb000000Zzz9MAC is not connected to this endpoint</faultstring>",
    );
    expect(await rt.events.get("sf-test", "sf:04lHz00000Zz0C1IAJ")).toBeNull();
  });

  it("when the path token is wrong, then 401 with a SOAP fault", async () => {
    const res = await post(single, `/webhooks/salesforce/sf-test/${token}x`);
    expect(res.status).toBe(401);
    expect(res.text).toContain("soapenv:Fault");
  });

  it("when another connection's token is used with this connection's id, then 401", async () => {
    const other = await rt.connections.get("sf-other");
    const res = await post(single, `/webhooks/salesforce/sf-test/${other!.webhookToken}`);
    expect(res.status).toBe(401);
  });

  it("when the connection is unknown, then 404", async () => {
    expect((await post(single, `/webhooks/salesforce/nope/${token}`)).status).toBe(404);
  });

  it("when the content type is wrong, then 415", async () => {
    expect((await post(single, undefined, "application/json")).status).toBe(415);
  });

  it("when the XML is malformed, then a SOAP fault with 400, not a crash", async () => {
    const res = await post(single.slice(0, 300));
    expect(res.status).toBe(400);
    expect(res.text).toContain("<faultcode>soapenv:Client</faultcode>");
  });

  it("when the XML declares entities, then it is refused before parsing", async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>${single.replace(/^<\?xml[^>]*>/, "")}`;
    const res = await post(bomb);
    expect(res.status).toBe(400);
    expect(res.text).toContain("DOCTYPE");
  });
});
