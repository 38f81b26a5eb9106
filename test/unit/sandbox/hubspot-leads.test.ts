import { HUBSPOT_SANDBOX_DEMO, type HubSpotSandboxOptions } from "../../../src/sandbox/hubspot/state";
import { startSandbox, type SandboxServer } from "../../../src/sandbox/server";

const auth = {
  authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}`,
  "content-type": "application/json",
};
const CONTACT = { email: "lena@kraus-leads.example", firstname: "Lena", lastname: "Kraus" };

describe("the HubSpot sandbox's Leads object", () => {
  let sandbox: SandboxServer;
  const start = async (options: HubSpotSandboxOptions) => {
    sandbox = await startSandbox({ port: 0, hubspot: options });
  };
  afterEach(async () => {
    await sandbox.close();
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.hubspotBasePath}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const newContact = async () => {
    const res = await api("/crm/v3/objects/contacts", {
      method: "POST",
      body: JSON.stringify({ properties: CONTACT }),
    });
    return ((await res.json()) as { id: string }).id;
  };

  it.each([
    ["a Starter portal", { tier: "starter", leadsObject: true }],
    ["a Professional portal without Leads set up", { tier: "professional" }],
    [
      "a Professional portal whose token lacks the leads scopes",
      { tier: "professional", leadsObject: true, grantLeadsScopes: false },
    ],
  ] as const)(
    "when %s is asked for Leads, then HubSpot's 403 MISSING_SCOPES comes back and the token lists no leads scope",
    async (_name, options) => {
      await start(options);
      const res = await api("/crm/v3/objects/leads/batch/read", {
        method: "POST",
        body: JSON.stringify({ inputs: [{ id: "1" }], properties: ["hs_pipeline_stage"] }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        category: "MISSING_SCOPES",
        errors: [{ context: { requiredGranularScopes: ["crm.objects.leads.read"] } }],
      });
      const props = await api("/crm/v3/properties/leads", {
        method: "POST",
        body: JSON.stringify({
          name: "handoff_score",
          label: "x",
          type: "number",
          fieldType: "number",
          groupName: "handoff",
        }),
      });
      expect(props.status).toBe(403);
      const info = await fetch(
        `${sandbox.hubspotBasePath}/oauth/v1/access-tokens/${HUBSPOT_SANDBOX_DEMO.accessToken}`,
      );
      expect(((await info.json()) as { scopes: string[] }).scopes).not.toContain("crm.objects.leads.read");
    },
  );

  it("when a Lead is created without a name or without a contact, then it is refused; with both, it starts at New in the lead pipeline", async () => {
    await start({ tier: "professional", leadsObject: true });
    const contactId = await newContact();
    const toContact = [
      { to: { id: contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 578 }] },
    ];

    const nameless = await api("/crm/v3/objects/leads", {
      method: "POST",
      body: JSON.stringify({ properties: {}, associations: toContact }),
    });
    expect(nameless.status).toBe(400);
    const alone = await api("/crm/v3/objects/leads", {
      method: "POST",
      body: JSON.stringify({ properties: { hs_lead_name: "Lena Kraus" } }),
    });
    expect(alone.status).toBe(400);
    expect(((await alone.json()) as { message: string }).message).toMatch(
      /associated with an existing contact/,
    );

    const made = await api("/crm/v3/objects/leads", {
      method: "POST",
      body: JSON.stringify({ properties: { hs_lead_name: "Lena Kraus" }, associations: toContact }),
    });
    expect(made.status).toBe(201);
    const lead = (await made.json()) as { id: string };
    const read = await api(`/crm/v3/objects/leads/${lead.id}?properties=hs_pipeline,hs_pipeline_stage`);
    expect(((await read.json()) as { properties: Record<string, string> }).properties).toMatchObject({
      hs_pipeline: "lead-pipeline-id",
      hs_pipeline_stage: "new-stage-id",
    });
    const back = await api(`/crm/v4/objects/contacts/${contactId}/associations/leads`);
    expect(((await back.json()) as { results: { toObjectId: number }[] }).results).toEqual([
      expect.objectContaining({ toObjectId: Number(lead.id) }),
    ]);
  });
});
