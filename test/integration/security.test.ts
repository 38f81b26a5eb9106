import { Writable } from "node:stream";
import request from "supertest";
import winston from "winston";
import { createTokenCipher } from "../../src/adapters/crypto/token-cipher";
import { createLogger } from "../../src/logging/logger";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { waitFor } from "../helpers/capture-servers";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
} from "../helpers/runtime";
import { hubSpotHeaders } from "../helpers/sign";
import { systemClock } from "../../src/composition/system-clock";

/**
 * Security checks on the running app: logs carry ids only, tokens are unreadable in the database without the
 * key, and one connection's data never answers for another's.
 */
describe("security", () => {
  const lines: string[] = [];
  let sandbox: SandboxServer;
  let rt: TestRuntime;
  let logger: ReturnType<typeof createLogger>;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    logger = createLogger({
      level: "debug",
      format: "json",
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    rt = await startTestRuntime({
      logger,
      product: {
        publicUrl: "https://handoff.test",
        adminToken: TEST_ADMIN_TOKEN,
        encryptionKey: TEST_KEY,
        embedded: false,
        hubspot: { clientId: "demo-client-id", clientSecrets: [TEST_SECRET], apiBase: undefined },
        salesforce: {
          clientId: undefined,
          clientSecret: undefined,
          loginUrl: sandbox.salesforceInstanceUrl,
        },
      },
    } as Parameters<typeof startTestRuntime>[0]);
    await seedDemoConnections(rt.connections, { sandboxUrl: sandbox.url, now: systemClock });
    await rt.connections.upsert({ id: "other-portal", crm: "hubspot", externalId: "1234567", name: "Other" });
  });

  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
    await sandbox.close();
  });

  it("when a lead is handed over and errors happen, then no log line holds an e-mail, name, token or secret", async () => {
    const id = "660001";
    addQualifyingContact(sandbox, id, Date.now());
    const body = JSON.stringify([
      formSubmittedEvent(Number(DEMO.hubspot.portalId), id, 660001, Date.now() - 1000),
    ]);
    const res = await request(rt.url!)
      .post("/webhooks/hubspot")
      .set(hubSpotHeaders(TEST_SECRET, "https://handoff.test/webhooks/hubspot", body))
      .send(body);
    expect(res.status).toBe(200);
    await waitFor(
      async () => (await rt.pool.query("SELECT 1 FROM handoffs WHERE lead_id = $1", [id])).rows.length > 0,
    );
    // A refused request and a bad admin token are logged too.
    await request(rt.url!)
      .get("/admin/api/parked")
      .set("authorization", "Bearer wrong-token-with-secret@evil.example");
    logger.error("a failure mentioning lena.kraus@example.com and Bearer abc.def.ghi", {
      email: "lena.kraus@example.com",
      accessToken: DEMO.hubspot.accessToken,
    });

    await new Promise((r) => setTimeout(r, 500)); // winston writes asynchronously
    expect(lines.length).toBeGreaterThan(5);
    const forbidden = [
      /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/, // any e-mail address
      new RegExp(DEMO.hubspot.accessToken),
      new RegExp(TEST_SECRET),
      new RegExp(TEST_ADMIN_TOKEN),
      /Kraus Software|Lena/, // the lead's name and company
      /Bearer [A-Za-z0-9]/,
    ];
    const leaks = lines.filter((line) => forbidden.some((re) => re.test(line)));
    expect(leaks).toEqual([]);
  });

  it("stores OAuth tokens encrypted: the table has no plaintext and another key cannot read them", async () => {
    const r = await rt.pool.query(
      "SELECT access_token_enc, refresh_token_enc FROM connections WHERE id = $1",
      [DEMO.hubspot.connectionId],
    );
    const stored = JSON.stringify(r.rows[0]);
    expect(stored).not.toContain(DEMO.hubspot.accessToken);
    expect(r.rows[0].access_token_enc).toMatch(/^v1:[^:]+:/);
    const wrong = createTokenCipher(Buffer.alloc(32, 1).toString("base64"));
    expect(() => wrong.decrypt(r.rows[0].access_token_enc)).toThrow(
      expect.objectContaining({ code: "token_key_unknown" }),
    );
    const sameIdWrongKey = createTokenCipher(
      `${r.rows[0].access_token_enc.split(":")[1]}:${Buffer.alloc(32, 2).toString("base64")}`,
    );
    expect(() => sameIdWrongKey.decrypt(r.rows[0].access_token_enc)).toThrow(
      expect.objectContaining({ code: "token_unreadable" }),
    );
  });

  it("never answers one connection's data for another: cards, replays and admin lists are scoped", async () => {
    const id = "660001";
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const own = await request(rt.url!).get(`/cards/preview/${DEMO.hubspot.connectionId}/${id}`).set(admin);
    expect(own.status).toBe(200);
    const other = await request(rt.url!).get(`/cards/preview/other-portal/${id}`).set(admin);
    expect(other.status).toBe(404);
    const unauthenticated = await request(rt.url!).get(`/cards/preview/${DEMO.hubspot.connectionId}/${id}`);
    expect(unauthenticated.status).toBe(401);
    const events = await rt.pool.query("SELECT event_key FROM events WHERE connection_id = $1 LIMIT 1", [
      DEMO.hubspot.connectionId,
    ]);
    expect(await rt.events.get("other-portal", events.rows[0].event_key)).toBeNull();
    const replay = await request(rt.url!)
      .post(`/admin/api/parked/other-portal/${encodeURIComponent(events.rows[0].event_key)}/replay`)
      .set(admin);
    expect(replay.status).toBe(404);
    const parked = await request(rt.url!).get("/admin/api/parked?connectionId=other-portal").set(admin);
    expect(parked.body.parked).toEqual([]);
  });
});
