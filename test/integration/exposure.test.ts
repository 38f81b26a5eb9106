import net from "node:net";
import request from "supertest";
import { createTokenCipher } from "../../src/adapters/crypto/token-cipher";
import { PostgresConnectionStore } from "../../src/adapters/postgres/connection-store";
import { isLoopbackHost, readConfig } from "../../src/config/read-config";
import { describeError } from "../../src/jobs/boss";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
} from "../helpers/runtime";

const settings = (host: string) => ({
  publicUrl: "https://handoff.test",
  adminToken: TEST_ADMIN_TOKEN,
  encryptionKey: TEST_KEY,
  embedded: true,
  host,
  hubspot: { clientId: "demo-client-id", clientSecrets: [TEST_SECRET], apiBase: undefined },
  salesforce: { clientId: undefined, clientSecret: undefined, loginUrl: "http://127.0.0.1:9/salesforce" },
  notifyWorker: false,
});

/** Sends raw bytes over one socket; resolves with what came back and how many body bytes were accepted. */
function rawRequest(port: number, head: string, body: { total: number; chunk: number; delayMs?: number }) {
  return new Promise<{ response: string; sent: number }>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let response = "";
    let sent = 0;
    let closed = false;
    socket.on("data", (d) => (response += d.toString("utf8")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      resolve({ response, sent });
    });
    socket.write(head);
    const chunk = Buffer.alloc(body.chunk, 0x7b);
    const pump = async () => {
      while (!closed && sent < body.total) {
        if (body.delayMs) await new Promise((r) => setTimeout(r, body.delayMs));
        if (closed) return;
        const ok = socket.write(chunk);
        sent += chunk.length;
        if (!ok) await new Promise((r) => socket.once("drain", r).once("close", r));
      }
      if (!closed) socket.end();
    };
    void pump();
  });
}

describe("exposure and access", () => {
  let rt: TestRuntime;
  let port: number;
  beforeAll(async () => {
    rt = await startTestRuntime({
      host: "127.0.0.1",
      requestTimeoutMs: 1000,
      headersTimeoutMs: 1000,
      webhookMaxBodyBytes: 1_048_576,
      product: settings("0.0.0.0"),
    } as Parameters<typeof startTestRuntime>[0]);
    port = Number(new URL(rt.url!).port);
    await rt.connections.upsert({ id: "hs-exp", crm: "hubspot", externalId: "2718281", name: "Exposure" });
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  it("when the embedded default starts without HOST, then it listens on 127.0.0.1; production and HOST choose otherwise", () => {
    expect(readConfig({}).host).toBe("127.0.0.1");
    expect(readConfig({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
  });

  it("when the embedded default is reachable from outside, then the card preview asks for a token", async () => {
    const res = await request(rt.url!).get("/cards/preview/hs-exp/51");
    expect(res.status).toBe(401);
    expect(res.text).toContain("this card link needs a token");
  });

  it("when a path or query carries %00, then 400, even unauthenticated", async () => {
    for (const path of [
      "/admin/api/parked?connectionId=%00",
      "/cards/preview/hs%00/1",
      "/webhooks/hubspot%00",
    ]) {
      const res = await request(rt.url!).get(path);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_request" });
    }
  });

  it("when replay-all names an unknown connection or sends an unreadable body, then 404 / 400 and nothing is replayed", async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const unknown = await request(rt.url!)
      .post("/admin/api/parked/replay-all")
      .set(admin)
      .send({ connectionId: "no-such" });
    expect(unknown.status).toBe(404);
    const text = await request(rt.url!)
      .post("/admin/api/parked/replay-all")
      .set({ ...admin, "content-type": "text/plain" })
      .send("connectionId=hs-exp");
    expect(text.status).toBe(400);
    const broken = await request(rt.url!)
      .post("/admin/api/parked/replay-all")
      .set({ ...admin, "content-type": "application/json" })
      .send('{"connectionId": ');
    expect(broken.status).toBe(400);
    const audit = await rt.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'replay_all_parked'",
    );
    expect(audit.rows[0].n).toBe(0);
  });

  it("when a script guesses bearer tokens, then it gets 429 after 20, and the right token still works", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const res = await request(rt.url!)
        .get("/admin/api/events/counts")
        .set("authorization", `Bearer guess-${i}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const right = await request(rt.url!)
      .get("/admin/api/events/counts")
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(right.status).toBe(200);
  });

  it("when the dashboard form is guessed at, then wrong tokens get 429 but the right one still signs in", async () => {
    const attempt = (token: string) =>
      request(rt.url!).post("/admin/login").type("form").send({ token }).redirects(0);
    for (let i = 0; i < 10; i += 1) expect((await attempt(`guess-${i}`)).status).toBe(401);
    expect((await attempt("guess-11")).status).toBe(429);
    const right = await attempt(TEST_ADMIN_TOKEN);
    expect(right.status).toBe(303);
    expect(right.headers["set-cookie"]?.[0]).toMatch(/^handoff_admin=/);
  });

  it("when a Salesforce connection is stored, then its webhook token is encrypted at rest and still opens its endpoint", async () => {
    const c = await rt.connections.upsert({
      id: "sf-exp",
      crm: "salesforce",
      externalId: "00DHz000004Hnd0MAC",
      name: "SF",
    });
    const row = await rt.pool.query("SELECT webhook_token FROM connections WHERE id = 'sf-exp'");
    expect(row.rows[0].webhook_token).not.toContain(c.webhookToken!);
    expect(row.rows[0].webhook_token).toMatch(/^[^:]+:[^:]+:[^:]+:/);
    expect((await rt.connections.get("sf-exp"))?.webhookToken).toBe(c.webhookToken);
    // A token written in plain text by an earlier version is encrypted at the next start.
    await rt.pool.query("UPDATE connections SET webhook_token = 'legacy-plain-token' WHERE id = 'sf-exp'");
    // What the next start does, on the table itself (the running app's lookups are cached for a few seconds).
    const stored = new PostgresConnectionStore(rt.pool, createTokenCipher(TEST_KEY, []));
    expect(await stored.sealWebhookTokens()).toBe(1);
    expect((await stored.get("sf-exp"))?.webhookToken).toBe("legacy-plain-token");
  });

  it("when a body is larger than the limit, then the answer is 413 and the socket is closed instead of read to the end", async () => {
    const total = 50 * 1024 * 1024;
    const head =
      "POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${total}\r\n\r\n`;
    const { response, sent } = await rawRequest(port, head, { total, chunk: 64 * 1024 });
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(sent).toBeLessThan(total / 2);
  });

  it("when a body drips in slower than the request timeout, then the request is cut off with 408", async () => {
    const head =
      "POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      "Content-Length: 100000\r\n\r\n";
    const { response, sent } = await rawRequest(port, head, { total: 100_000, chunk: 10, delayMs: 100 });
    expect(response).toMatch(/^HTTP\/1\.1 408/);
    expect(sent).toBeLessThan(100_000);
  });

  it("when pg-boss reports a plain object, then the log line reads as a message, not [object Object]", () => {
    expect(describeError({ message: "connection terminated", code: "57P01" })).toBe(
      "connection terminated (57P01)",
    );
    expect(describeError({ reason: "x" })).toBe("{ reason: 'x' }");
  });
});
