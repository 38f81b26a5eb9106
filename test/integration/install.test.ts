import request from "supertest";
import { HUBSPOT_SANDBOX_DEMO } from "../../src/sandbox/hubspot/state";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_KEY, type TestRuntime } from "../helpers/runtime";

describe("installing Handoff into a CRM (OAuth against the sandbox)", () => {
  let sandbox: SandboxServer;
  let rt: TestRuntime;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    rt = await startTestRuntime({
      worker: false,
      product: {
        publicUrl: "https://handoff.test",
        adminToken: TEST_ADMIN_TOKEN,
        encryptionKey: TEST_KEY,
        embedded: true,
        hubspot: {
          clientId: HUBSPOT_SANDBOX_DEMO.clientId,
          clientSecrets: [HUBSPOT_SANDBOX_DEMO.clientSecret],
          apiBase: sandbox.hubspotBasePath,
        },
        salesforce: {
          clientId: SALESFORCE_SANDBOX_DEMO.clientId,
          clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
          loginUrl: sandbox.salesforceInstanceUrl,
        },
        notifyWorker: false,
      },
    });
  });

  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
    await sandbox.close();
  });

  /** Follows the CRM's consent redirect back to our callback (the browser's part). */
  async function consent(location: string): Promise<string> {
    const res = await fetch(location, { redirect: "manual" });
    const back = new URL(res.headers.get("location")!);
    expect(back.origin).toBe("https://handoff.test");
    return back.pathname + back.search;
  }

  it("when an admin installs the HubSpot app, then the portal is connected with encrypted tokens and Handoff's fields", async () => {
    const start = await request(rt.url!).get("/install/hubspot");
    expect(start.status).toBe(302);
    // The optional scopes (teams, Leads) are asked for, so a portal that has them grants them.
    expect(new URL(start.headers.location!).searchParams.get("optional_scope")?.split(" ")).toEqual([
      "settings.users.teams.read",
      "crm.objects.leads.read",
      "crm.objects.leads.write",
      "crm.schemas.leads.read",
      "crm.schemas.leads.write",
    ]);
    const callback = await consent(start.headers.location!);
    const done = await request(rt.url!).get(callback);
    expect(done.status).toBe(200);
    expect(done.text).toContain("Handoff is installed");
    const id = `hubspot-${HUBSPOT_SANDBOX_DEMO.portalId}`;
    const tokens = await rt.connections.getTokens(id);
    expect(tokens?.accessToken).toMatch(/.+/);
    const raw = await rt.pool.query("SELECT access_token_enc FROM connections WHERE id = $1", [id]);
    expect(raw.rows[0].access_token_enc).not.toContain(tokens!.accessToken);
    expect(sandbox.hubspot.properties.get("contacts")!.has("handoff_score")).toBe(true);
  });

  it("when the callback's state was forged or replayed for another CRM, then it is refused", async () => {
    const res = await request(rt.url!).get("/oauth/hubspot/callback?code=x&state=abc.def");
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_state");
  });

  it("when an admin installs the Salesforce app, then the org is connected and the outbound message endpoint is shown", async () => {
    const start = await request(rt.url!).get("/install/salesforce");
    expect(start.status).toBe(302);
    const cookie = start.headers["set-cookie"]![0]!.split(";")[0]!;
    const callback = await consent(start.headers.location!);
    const withoutCookie = await request(rt.url!).get(callback);
    expect(withoutCookie.status).toBe(400);
    const done = await request(rt.url!).get(callback).set("cookie", cookie);
    expect(done.status).toBe(200);
    expect(done.text).toContain(`/webhooks/salesforce/salesforce-${SALESFORCE_SANDBOX_DEMO.orgId}/`);
    const connection = await rt.connections.get(`salesforce-${SALESFORCE_SANDBOX_DEMO.orgId}`);
    expect(connection?.status).toBe("active");
  });

  it("when an admin disconnects a portal, then its tokens are gone and its webhooks are ignored", async () => {
    const id = `hubspot-${HUBSPOT_SANDBOX_DEMO.portalId}`;
    const res = await request(rt.url!)
      .post(`/admin/api/connections/${id}/disconnect`)
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    expect(await rt.connections.getTokens(id)).toBeNull();
    expect((await rt.connections.get(id))?.status).toBe("disconnected");
  });
});
