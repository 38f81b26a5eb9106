import {
  exchangeHubSpotCode,
  hubspotAuthorizeUrl,
  HUBSPOT_OPTIONAL_SCOPES,
  HUBSPOT_REQUIRED_SCOPES,
} from "../../../src/adapters/hubspot/hubspot-oauth";
import { createCrmRegistry } from "../../../src/composition/crm-registry";
import { fixedClock } from "../../../src/ports/clock";
import { HUBSPOT_SANDBOX_DEMO } from "../../../src/sandbox/hubspot/state";
import { startSandbox, type SandboxServer } from "../../../src/sandbox/server";
import { MemoryConnectionStore } from "../../helpers/memory/memory-connection-store";
import { silent } from "../../helpers/silent-logger";

const now = fixedClock("2026-11-23T10:00:00Z");

describe("HubSpot sandbox", () => {
  let sandbox: SandboxServer;
  const auth = { authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}` };
  beforeEach(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it("when an admin installs the app, then authorize redirects with a code that the callback exchanges for tokens with the portal id", async () => {
    const config = {
      clientId: HUBSPOT_SANDBOX_DEMO.clientId,
      clientSecret: HUBSPOT_SANDBOX_DEMO.clientSecret,
      redirectUri: "http://127.0.0.1:3000/oauth/hubspot/callback",
      scopes: HUBSPOT_REQUIRED_SCOPES,
      authorizeBaseUrl: sandbox.hubspotBasePath,
      apiBaseUrl: sandbox.hubspotBasePath,
    };
    const res = await fetch(hubspotAuthorizeUrl(config, "signed-state"), { redirect: "manual" });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe("signed-state");
    const tokens = await exchangeHubSpotCode(config, back.searchParams.get("code")!, now);
    expect(tokens).toMatchObject({
      hubId: 9876543,
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    await expect(exchangeHubSpotCode(config, back.searchParams.get("code")!, now)).rejects.toMatchObject({
      code: "crm_auth",
    });
  });

  it.each([
    ["starter", []],
    ["professional", ["crm.objects.leads.read", "crm.objects.leads.write"]],
  ] as const)(
    "when a %s portal installs with optional scopes, then it grants the required ones and only the optional ones its tier has",
    async (tier, leadScopes) => {
      const portal = await startSandbox({ port: 0, hubspot: { tier } });
      try {
        const config = {
          clientId: HUBSPOT_SANDBOX_DEMO.clientId,
          clientSecret: HUBSPOT_SANDBOX_DEMO.clientSecret,
          redirectUri: "http://127.0.0.1:3000/oauth/hubspot/callback",
          scopes: HUBSPOT_REQUIRED_SCOPES,
          optionalScopes: HUBSPOT_OPTIONAL_SCOPES,
          authorizeBaseUrl: portal.hubspotBasePath,
          apiBaseUrl: portal.hubspotBasePath,
        };
        const res = await fetch(hubspotAuthorizeUrl(config, "s"), { redirect: "manual" });
        const code = new URL(res.headers.get("location")!).searchParams.get("code")!;
        const tokens = await exchangeHubSpotCode(config, code, now);
        expect(tokens.scopes).toEqual(
          expect.arrayContaining([...HUBSPOT_REQUIRED_SCOPES, "settings.users.teams.read", ...leadScopes]),
        );
        expect(tokens.scopes?.filter((s) => s.startsWith("crm.objects.leads."))).toEqual(leadScopes);
      } finally {
        await portal.close();
      }
    },
  );

  it("when faults are set at runtime, then the next calls get the injected status and latency", async () => {
    await fetch(`${sandbox.hubspotBasePath}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ latencyMs: 30, status: 503, count: 1 }),
    });
    const t0 = Date.now();
    const first = await fetch(`${sandbox.hubspotBasePath}/crm/v3/owners/`, { headers: auth });
    const second = await fetch(`${sandbox.hubspotBasePath}/crm/v3/owners/`, { headers: auth });
    expect([first.status, second.status]).toEqual([503, 200]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60);
    const stats = (await (await fetch(`${sandbox.hubspotBasePath}/__sandbox/stats`)).json()) as {
      faultsInjected: number;
    };
    expect(stats.faultsInjected).toBe(1);
  });

  it("when search is called more than 5 times in a second, then the extra calls get the secondly 429 without rate-limit headers", async () => {
    const calls = await Promise.all(
      Array.from({ length: 7 }, () =>
        fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/contacts/search`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ filterGroups: [], limit: 1 }),
        }),
      ),
    );
    const limited = calls.filter((c) => c.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-max")).toBeNull();
    expect(await limited[0]!.json()).toMatchObject({
      message: "You have reached your secondly limit.",
      errorType: "RATE_LIMIT",
    });
  });

  it("when a contact is moved to an earlier lifecycle stage directly, then HubSpot ignores it; cleared first, it moves", async () => {
    const patch = (value: string) =>
      fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/contacts/503`, {
        method: "PATCH",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ properties: { lifecyclestage: value } }),
      });
    const contact = sandbox.hubspot.objects.get("contacts")!.get("503")!;
    expect(contact.properties.lifecyclestage).toBe("marketingqualifiedlead");
    await patch("lead");
    expect(contact.properties.lifecyclestage).toBe("marketingqualifiedlead");
    await patch("");
    await patch("lead");
    expect(contact.properties.lifecyclestage).toBe("lead");
  });

  it("when a contact is written with business_model, then HubSpot refuses it: no such standard property exists", async () => {
    const res = await fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/contacts/501`, {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ properties: { business_model: "B2B" } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      category: "VALIDATION_ERROR",
      message: expect.stringContaining("PROPERTY_DOESNT_EXIST"),
    });
  });

  it("when IN is searched, then an enumeration compares case-sensitively and a string property matches lowercase values only, as HubSpot documents", async () => {
    const search = async (propertyName: string, values: string[]) => {
      const res = await fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/contacts/search`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({
          filterGroups: [{ filters: [{ propertyName, operator: "IN", values }] }],
          properties: ["hs_lead_status", "company"],
          limit: 100,
        }),
      });
      return ((await res.json()) as { total: number }).total;
    };
    const contact = sandbox.hubspot.objects.get("contacts")!.get("501")!;
    const status = contact.properties.hs_lead_status!;
    const company = contact.properties.company!;
    expect(company).not.toBe(company.toLowerCase());
    expect(await search("hs_lead_status", [status])).toBeGreaterThan(0);
    expect(await search("hs_lead_status", [status.toLowerCase()])).toBe(0);
    expect(await search("company", [company])).toBe(0);
    expect(await search("company", [company.toLowerCase()])).toBeGreaterThan(0);
  });

  it("when the install did not grant a scope, then every endpoint that needs it answers 403 MISSING_SCOPES naming it, and the others still answer", async () => {
    sandbox.hubspot.grantedScopes = sandbox.hubspot.grantedScopes.filter((s) => s !== "forms");
    const forms = await fetch(`${sandbox.hubspotBasePath}/marketing/v3/forms`, { headers: auth });
    expect(forms.status).toBe(403);
    expect(await forms.json()).toMatchObject({
      category: "MISSING_SCOPES",
      errors: [{ context: { requiredGranularScopes: ["forms"] } }],
    });
    const companyWrite = await fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/companies/1`, {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ properties: { name: "x" } }),
    });
    expect(companyWrite.status).toBe(403);
    const contact = await fetch(`${sandbox.hubspotBasePath}/crm/v3/objects/contacts/501`, { headers: auth });
    expect(contact.status).toBe(200);
  });

  it("lists the deactivated owner only with archived=true, and the Salesforce org is mounted beside it", async () => {
    const active = (await (
      await fetch(`${sandbox.hubspotBasePath}/crm/v3/owners/`, { headers: auth })
    ).json()) as { results: { id: string }[] };
    const archived = (await (
      await fetch(`${sandbox.hubspotBasePath}/crm/v3/owners/?archived=true`, { headers: auth })
    ).json()) as { results: { id: string }[] };
    expect(active.results.map((o) => o.id)).toEqual([
      "80001",
      "80002",
      "80003",
      "80004",
      "80005",
      "80007",
      "80010",
    ]);
    expect(archived.results.map((o) => o.id)).toEqual(["80006"]);
    const root = (await (await fetch(sandbox.url)).json()) as { salesforce: { orgId: string } };
    expect(root.salesforce.orgId).toBe("00D5g000004bE2xEAE");
  });

  it("when the demo connection's token is near expiry, then the composed adapter refreshes it with the seeded refresh token and saves the new pair", async () => {
    const connections = new MemoryConnectionStore();
    await connections.upsert({
      id: "hubspot-9876543",
      crm: "hubspot",
      externalId: "9876543",
      name: "Demo portal",
      instanceUrl: sandbox.hubspotBasePath,
    });
    await connections.saveTokens("hubspot-9876543", {
      accessToken: HUBSPOT_SANDBOX_DEMO.accessToken,
      refreshToken: HUBSPOT_SANDBOX_DEMO.refreshToken,
      expiresAt: new Date(now().getTime() + 60_000),
    });
    const registry = createCrmRegistry({
      connections,
      logger: silent,
      now,
      publicUrl: "http://127.0.0.1:3000",
      hubspot: {
        clientId: HUBSPOT_SANDBOX_DEMO.clientId,
        clientSecret: HUBSPOT_SANDBOX_DEMO.clientSecret,
        apiBase: undefined,
      },
      salesforce: { clientId: undefined, clientSecret: undefined, loginUrl: "https://login.salesforce.com" },
    });
    const crm = await registry.crmFor("hubspot-9876543");
    const [lead] = await crm.getLeads(["501"]);
    expect(lead?.email).toBe("lukas.meyer@bauwerk.de");
    expect((await connections.getTokens("hubspot-9876543"))?.accessToken).not.toBe(
      HUBSPOT_SANDBOX_DEMO.accessToken,
    );
    expect(await registry.crmFor("hubspot-9876543")).toBe(crm);
    registry.close();
  });
});
