import nock from "nock";
import { nockWithLoopbackOnly } from "../helpers/nock-loopback";
import { HubSpotCrm } from "../../src/adapters/hubspot/hubspot-crm";
import {
  HubSpotTokenProvider,
  staticHubSpotAccess,
  type HubSpotTokens,
  type HubSpotTokenStore,
} from "../../src/adapters/hubspot/hubspot-oauth";
import { CrmAuthError, CrmRateLimitedError, CrmUnavailableError } from "../../src/domain/errors";
import { HUBSPOT_DEMO_OWNERS, recordFormSubmission } from "../../src/sandbox/hubspot/seed";
import { HUBSPOT_SANDBOX_DEMO, type HubSpotForm } from "../../src/sandbox/hubspot/state";
import { startSandbox } from "../../src/sandbox/server";
import { crmPortContract, type CrmContractSeed } from "./crm-port.contract";
import { systemClock } from "../../src/composition/system-clock";
import { silent } from "../helpers/silent-logger";

/** The demo portal's fixture, in the contract's CRM-neutral terms. */
export const HUBSPOT_CONTRACT_SEED: CrmContractSeed = {
  lead: { id: "501", email: "lukas.meyer@bauwerk.de", country: "DE", employees: 850 },
  leadIds: ["501", "502", "503", "504"],
  missingLeadId: "999999",
  activeOwnerId: HUBSPOT_DEMO_OWNERS.anna,
  inactiveOwnerId: HUBSPOT_DEMO_OWNERS.felix,
  queueOwnerId: HUBSPOT_DEMO_OWNERS.inboundTriage,
  account: { domain: "bauwerk.de", ownerId: HUBSPOT_DEMO_OWNERS.anna },
  duplicate: { email: "sofia.garcia@madridsoft.es", leadId: "502", duplicateId: "531" },
  conversion: { leadId: "501", name: "Contact me" },
  pageViews: { leadId: "502", minCount: 5 },
  scoreProperty: "handoff_score",
};

crmPortContract("HubSpot adapter on the sandbox", async () => {
  const sandbox = await startSandbox({ port: 0 });
  const crm = new HubSpotCrm({
    connectionId: "hubspot-9876543",
    access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
    logger: silent,
    now: systemClock,
    basePath: sandbox.hubspotBasePath,
  });
  return {
    crm,
    seed: HUBSPOT_CONTRACT_SEED,
    teardown: async () => {
      crm.budget.close();
      await sandbox.close();
    },
  };
});

/** Request shapes as reference/hubspot.md §5 documents them, recorded with nock (≥ 14: the SDK uses native fetch). */
describe("HubSpot adapter request shapes", () => {
  const API = "https://api.hubapi.com";
  const bearer = (token: string) => ({ reqheaders: { authorization: `Bearer ${token}` } });
  let crm: HubSpotCrm;

  nockWithLoopbackOnly();
  beforeEach(() => {
    crm = new HubSpotCrm({
      connectionId: "c1",
      access: staticHubSpotAccess("tok"),
      logger: silent,
      now: systemClock,
      coalesceWindowMs: 5,
    });
  });
  afterEach(() => {
    crm.budget.close();
    nock.cleanAll();
  });

  it("when two workers read one lead each, then one batch read with both ids and propertiesWithHistory [] is sent", async () => {
    const scope = nock(API, bearer("tok"))
      .post(
        "/crm/v3/objects/contacts/batch/read",
        (body: { inputs: { id: string }[]; properties: string[]; propertiesWithHistory: string[] }) => {
          return (
            JSON.stringify(body.inputs) === JSON.stringify([{ id: "501" }, { id: "502" }]) &&
            body.properties.includes("numemployees") &&
            body.properties.includes("hubspot_owner_id") &&
            body.propertiesWithHistory.length === 0
          );
        },
      )
      .reply(200, {
        status: "COMPLETE",
        results: [
          {
            id: "501",
            properties: { email: "A@X.DE", numemployees: "1,200", lifecyclestage: "lead" },
            createdAt: "2026-01-01T00:00:00Z",
            updatedAt: "2026-01-01T00:00:00Z",
            archived: false,
          },
          {
            id: "502",
            properties: { email: "b@y.es", numemployees: "100-500", lifecyclestage: "123456" },
            createdAt: "2026-01-01T00:00:00Z",
            updatedAt: "2026-01-01T00:00:00Z",
            archived: false,
          },
        ],
        startedAt: "2026-01-01T00:00:00Z",
        completedAt: "2026-01-01T00:00:00Z",
      });
    const [a, b] = await Promise.all([crm.getLeads(["501"]), crm.getLeads(["502"])]);
    expect(a[0]).toMatchObject({ id: "501", email: "a@x.de", employees: 1200, stage: "lead" });
    expect(b[0]).toMatchObject({ id: "502", employees: 100, stage: "other", crmStage: "123456" });
    scope.done();
  });

  it("when a lead is qualified, then one batch update carries score, lifecycle stage and owner as strings", async () => {
    const scope = nock(API, bearer("tok"))
      .post("/crm/v3/objects/contacts/batch/update", {
        inputs: [
          {
            id: "501",
            properties: {
              handoff_score: "72",
              lifecyclestage: "marketingqualifiedlead",
              hubspot_owner_id: "80001",
              handoff_decision_id: "d1",
            },
          },
        ],
      })
      .reply(200, {
        status: "COMPLETE",
        results: [],
        startedAt: "2026-01-01T00:00:00Z",
        completedAt: "2026-01-01T00:00:00Z",
      });
    await crm.updateLeads([
      { leadId: "501", totalScore: 72, stage: "mql", ownerId: "80001", decisionId: "d1" },
    ]);
    scope.done();
  });

  it("when a lead is recycled, then the lifecycle stage is cleared in its own request before the earlier stage is set", async () => {
    const scope = nock(API, bearer("tok"))
      .post("/crm/v3/objects/contacts/batch/update", {
        inputs: [{ id: "7", properties: { lifecyclestage: "" } }],
      })
      .reply(200, { status: "COMPLETE", results: [], startedAt: "x", completedAt: "x" })
      .post("/crm/v3/objects/contacts/batch/update", {
        inputs: [{ id: "7", properties: { lifecyclestage: "lead", hs_lead_status: "BAD_TIMING" } }],
      })
      .reply(200, { status: "COMPLETE", results: [], startedAt: "x", completedAt: "x" });
    await crm.updateLeads([{ leadId: "7", stage: "nurture", leadStatus: "BAD_TIMING" }]);
    scope.done();
  });

  it("when two follow-up tasks are created at once, then one search by decision ids and one batch create with hs_timestamp and association 204 are sent", async () => {
    const properties = (decision: string, lead: string) => ({
      hs_timestamp: "2026-11-23T10:30:00.000Z",
      hs_task_subject: `Call ${lead}`,
      hs_task_body: "why",
      hubspot_owner_id: "80001",
      hs_task_status: "NOT_STARTED",
      hs_task_priority: "HIGH",
      hs_task_type: "CALL",
      handoff_decision_id: decision,
    });
    const scope = nock(API, bearer("tok"))
      .post("/crm/v3/objects/tasks/search", {
        filterGroups: [
          { filters: [{ propertyName: "handoff_decision_id", operator: "IN", values: ["d8", "d9"] }] },
        ],
        properties: ["handoff_decision_id"],
        limit: 100,
        after: "0",
        sorts: [],
      })
      .reply(200, {
        total: 1,
        results: [
          {
            id: "6999",
            properties: { handoff_decision_id: "d8" },
            createdAt: "2026-01-01T00:00:00Z",
            updatedAt: "2026-01-01T00:00:00Z",
            archived: false,
          },
        ],
      })
      .post("/crm/v3/objects/tasks/batch/create", {
        inputs: [
          {
            properties: properties("d9", "502"),
            associations: [
              {
                to: { id: "502" },
                types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 204 }],
              },
            ],
          },
        ],
      })
      .reply(201, {
        status: "COMPLETE",
        results: [
          {
            id: "7001",
            properties: { handoff_decision_id: "d9" },
            createdAt: "2026-01-01T00:00:00Z",
            updatedAt: "2026-01-01T00:00:00Z",
            archived: false,
          },
        ],
        startedAt: "2026-01-01T00:00:00Z",
        completedAt: "2026-01-01T00:00:00Z",
      });
    const task = (decisionId: string, leadId: string) => ({
      leadId,
      ownerId: "80001",
      subject: `Call ${leadId}`,
      body: "why",
      dueAt: "2026-11-23T10:30:00.000Z",
      decisionId,
    });
    const [again, made] = await Promise.all([
      crm.createTask(task("d8", "501")),
      crm.createTask(task("d9", "502")),
    ]);
    expect(again).toEqual({ id: "6999", leadId: "501" });
    expect(made).toEqual({ id: "7001", leadId: "502" });
    scope.done();
  });

  it("when owners are listed, then active and archived owners are both asked for", async () => {
    const owner = {
      id: "80001",
      userId: 1,
      email: "Anna@X",
      firstName: "Anna",
      lastName: "Berg",
      type: "PERSON",
      archived: false,
      teams: [{ id: "1", name: "DACH", primary: true }],
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    };
    const scope = nock(API, bearer("tok"))
      .get("/crm/v3/owners/")
      .query({ limit: "100", archived: "false" })
      .reply(200, { results: [owner] })
      .get("/crm/v3/owners/")
      .query({ limit: "100", archived: "true" })
      .reply(200, { results: [{ ...owner, id: "80006", userId: null, archived: true }] });
    const owners = await crm.listOwners();
    expect(owners.map((o) => [o.id, o.active])).toEqual([
      ["80001", true],
      ["80006", false],
    ]);
    scope.done();
  });

  it("when page views are read, then the events API is asked for e_visited_page of that contact, newest first", async () => {
    const scope = nock(API, bearer("tok"))
      .get("/events/v3/events/")
      .query({
        objectType: "contact",
        eventType: "e_visited_page",
        limit: "5",
        sort: "-occurredAt",
        objectId: "501",
      })
      .reply(200, {
        results: [
          {
            id: "e1",
            eventType: "e_visited_page",
            objectType: "contact",
            objectId: "501",
            occurredAt: "2026-11-20T10:00:00Z",
            properties: { hs_url: "https://x/pricing", hs_title: "Pricing" },
          },
        ],
      })
      .post("/crm/v3/objects/contacts/batch/read")
      .reply(200, { status: "COMPLETE", results: [], startedAt: "x", completedAt: "x" });
    const activities = await crm.getRecentActivities("501", 5);
    expect(activities).toEqual([
      {
        kind: "page_view",
        source: "crm_events",
        occurredAt: "2026-11-20T10:00:00.000Z",
        id: "e1",
        url: "https://x/pricing",
        title: "Pricing",
      },
    ]);
    scope.done();
  });

  it("when the Events API is refused (portal below Enterprise), then the contact's batch read carries propertiesWithHistory of hs_analytics_last_url", async () => {
    const scope = nock(API)
      .get("/events/v3/events/")
      .query(true)
      .reply(403, {
        status: "error",
        message: "Missing auth details: event-detail-read,web-analytics-api-access",
        category: "MISSING_SCOPES",
        correlationId: "c",
      })
      .post(
        "/crm/v3/objects/contacts/batch/read",
        (body: { inputs: { id: string }[]; propertiesWithHistory: string[] }) =>
          body.inputs.length === 1 &&
          body.inputs[0]!.id === "501" &&
          body.propertiesWithHistory.includes("hs_analytics_last_url"),
      )
      .reply(200, {
        status: "COMPLETE",
        results: [
          {
            id: "501",
            properties: { hs_analytics_last_url: "https://x/demo" },
            propertiesWithHistory: {
              hs_analytics_last_url: [
                { value: "https://x/demo", timestamp: "2026-11-21T09:00:00Z", sourceType: "ANALYTICS" },
                { value: "https://x/pricing", timestamp: "2026-11-20T10:00:00Z", sourceType: "ANALYTICS" },
              ],
            },
            createdAt: "2026-11-01T00:00:00Z",
            updatedAt: "2026-11-21T09:00:00Z",
            archived: false,
          },
        ],
        startedAt: "x",
        completedAt: "x",
      })
      // The lead's own read may leave before HubSpot's refusal is known (the first call per portal only).
      .post("/crm/v3/objects/contacts/batch/read")
      .optionally()
      .reply(200, { status: "COMPLETE", results: [], startedAt: "x", completedAt: "x" });
    const activities = await crm.getRecentActivities("501", 5);
    expect(activities.map((a) => [a.source, a.url, a.occurredAt])).toEqual([
      ["property_history", "https://x/demo", "2026-11-21T09:00:00.000Z"],
      ["property_history", "https://x/pricing", "2026-11-20T10:00:00.000Z"],
    ]);
    scope.done();
  });

  it("when HubSpot refuses the decision-id property on tasks, then the task is created with standard properties only", async () => {
    const refused = [
      {
        isValid: false,
        message: 'Property "handoff_decision_id" does not exist',
        error: "PROPERTY_DOESNT_EXIST",
        name: "handoff_decision_id",
      },
    ];
    const scope = nock(API, bearer("tok"))
      .post("/crm/v3/objects/tasks/batch/create")
      .reply(400, {
        status: "error",
        message: `Property values were not valid: ${JSON.stringify(refused)}`,
        category: "VALIDATION_ERROR",
        correlationId: "c",
      })
      .post("/crm/v3/objects/tasks", (body: { properties: Record<string, string> }) => {
        return (
          body.properties.hs_timestamp === "2026-11-23T10:30:00.000Z" &&
          !("handoff_decision_id" in body.properties)
        );
      })
      .reply(201, {
        id: "7002",
        properties: { hs_timestamp: "2026-11-23T10:30:00.000Z" },
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
        archived: false,
      });
    const made = await crm.createTask({
      leadId: "503",
      ownerId: "80001",
      subject: "Call 503",
      body: "why",
      dueAt: "2026-11-23T10:30:00.000Z",
      decisionId: "d10",
      mayExist: false,
    });
    expect(made).toEqual({ id: "7002", leadId: "503" });
    scope.done();
  });

  it("when HubSpot answers 429 TEN_SECONDLY_ROLLING, then the call fails as rate-limited with a 10 s wait", async () => {
    const scope = nock(API).post("/crm/v3/objects/contacts/batch/update").reply(
      429,
      {
        status: "error",
        message: "You have reached your ten_secondly_rolling limit.",
        errorType: "RATE_LIMIT",
        correlationId: "c",
        policyName: "TEN_SECONDLY_ROLLING",
        requestId: "r",
      },
      { "X-HubSpot-RateLimit-Max": "110", "X-HubSpot-RateLimit-Remaining": "0" },
    );
    const failure = crm.updateLeads([{ leadId: "501", totalScore: 1 }]);
    await expect(failure).rejects.toBeInstanceOf(CrmRateLimitedError);
    await expect(failure).rejects.toMatchObject({ retryAfterMs: 10_000, retryable: true });
    scope.done();
  });

  it("when HubSpot answers 502, then the call fails as unavailable and retryable", async () => {
    const scope = nock(API)
      .post("/crm/v3/objects/contacts/batch/read")
      .reply(502, { status: "error", message: "bad gateway" });
    await expect(crm.getLeads(["1"])).rejects.toBeInstanceOf(CrmUnavailableError);
    scope.done();
  });

  it("when the access token has expired, then it is refreshed once through /oauth/v1/token and the call repeated", async () => {
    const saved: HubSpotTokens[] = [];
    const store: HubSpotTokenStore = {
      load: async () => ({
        accessToken: "old",
        refreshToken: "rt-1",
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
      save: async (_id, tokens) => {
        saved.push(tokens);
      },
    };
    const access = new HubSpotTokenProvider({
      connectionId: "c1",
      store,
      config: {
        clientId: "cid",
        clientSecret: "secret",
        redirectUri: "https://app.example/cb",
        scopes: ["oauth"],
      },
      now: systemClock,
    });
    crm.budget.close();
    crm = new HubSpotCrm({
      connectionId: "c1",
      access,
      logger: silent,
      now: systemClock,
      coalesceWindowMs: 1,
    });
    const scope = nock(API)
      .post("/crm/v3/objects/contacts/batch/read")
      .matchHeader("authorization", "Bearer old")
      .reply(401, {
        status: "error",
        message: "The OAuth token used to make this call expired 1 minute(s) ago.",
        category: "EXPIRED_AUTHENTICATION",
      })
      .post(
        "/oauth/v1/token",
        "grant_type=refresh_token&refresh_token=rt-1&client_id=cid&client_secret=secret",
      )
      .reply(200, {
        token_type: "bearer",
        access_token: "new",
        refresh_token: "rt-1",
        expires_in: 1800,
        hub_id: 9876543,
      })
      .post("/crm/v3/objects/contacts/batch/read")
      .matchHeader("authorization", "Bearer new")
      .reply(200, { status: "COMPLETE", results: [], startedAt: "x", completedAt: "x" });
    await expect(crm.getLeads(["1"])).resolves.toEqual([]);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ accessToken: "new", hubId: 9876543 });
    scope.done();
  });

  it("when the app was uninstalled, then the refresh is refused and the call fails as crm_auth", async () => {
    const access = new HubSpotTokenProvider({
      connectionId: "c1",
      store: {
        load: async () => ({
          accessToken: "old",
          refreshToken: "rt-x",
          expiresAt: new Date(Date.now() + 3_600_000),
        }),
        save: async () => undefined,
      },
      config: {
        clientId: "cid",
        clientSecret: "secret",
        redirectUri: "https://app.example/cb",
        scopes: ["oauth"],
      },
      now: systemClock,
    });
    crm.budget.close();
    crm = new HubSpotCrm({
      connectionId: "c1",
      access,
      logger: silent,
      now: systemClock,
      coalesceWindowMs: 1,
    });
    const scope = nock(API)
      .post("/crm/v3/objects/contacts/batch/read")
      .reply(401, {
        status: "error",
        message: "Authentication credentials not found.",
        category: "INVALID_AUTHENTICATION",
      })
      .post("/oauth/v1/token")
      .reply(400, {
        status: "BAD_REFRESH_TOKEN",
        message: "missing or unknown refresh token",
        correlationId: "c",
      });
    await expect(crm.getLeads(["1"])).rejects.toBeInstanceOf(CrmAuthError);
    scope.done();
  });
});

describe("HubSpot page views on every tier", () => {
  it.each(["starter", "professional"] as const)(
    "when the portal is %s, then the Events API answers 403 MISSING_SCOPES and the adapter lists recent pages from Last Page Seen history instead",
    async (tier) => {
      const sandbox = await startSandbox({ port: 0, hubspot: { tier } });
      const crm = new HubSpotCrm({
        connectionId: "hubspot-9876543",
        access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
        basePath: sandbox.hubspotBasePath,
        logger: silent,
        now: systemClock,
      });
      try {
        const refused = await fetch(
          `${sandbox.hubspotBasePath}/events/v3/events?objectType=contact&objectId=502&eventType=e_visited_page`,
          { headers: { authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}` } },
        );
        expect(refused.status).toBe(403);
        expect(await refused.json()).toMatchObject({ status: "error", category: "MISSING_SCOPES" });

        const first = await crm.getRecentActivities("502", 50);
        const views = first.filter((a) => a.kind === "page_view");
        expect(views.length).toBeGreaterThanOrEqual(5);
        expect(views.every((v) => v.source === "property_history" && v.url?.startsWith("https://"))).toBe(
          true,
        );
        expect(views.map((v) => v.occurredAt)).toEqual([...views.map((v) => v.occurredAt)].sort().reverse());
        // The refusal is remembered: the next lead does not pay another refused call.
        await crm.getRecentActivities("503", 50);
        expect(sandbox.hubspot.stats.byRoute["GET /events/v3/events"]).toBe(2);
      } finally {
        crm.budget.close();
        await sandbox.close();
      }
    },
  );

  it("when the portal is enterprise, then page views come from the Events API", async () => {
    const sandbox = await startSandbox({ port: 0, hubspot: { tier: "enterprise" } });
    const crm = new HubSpotCrm({
      connectionId: "hubspot-9876543",
      access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
      basePath: sandbox.hubspotBasePath,
      logger: silent,
      now: systemClock,
    });
    try {
      const views = (await crm.getRecentActivities("502", 50)).filter((a) => a.kind === "page_view");
      expect(views.length).toBeGreaterThanOrEqual(5);
      expect(views.every((v) => v.source === "crm_events" && v.title)).toBe(true);
    } finally {
      crm.budget.close();
      await sandbox.close();
    }
  });
});

describe("HubSpot last conversion beyond the first page", () => {
  it("when the form is listed after the first 100 forms and its submission after the newest 50, then the adapter still finds both", async () => {
    const sandbox = await startSandbox({ port: 0 });
    const crm = new HubSpotCrm({
      connectionId: "hubspot-9876543",
      access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
      basePath: sandbox.hubspotBasePath,
      now: systemClock,
      logger: silent,
    });
    try {
      const hs = sandbox.hubspot;
      for (let i = 0; i < 150; i += 1) {
        hs.forms.set(`form-${i}`, { id: `form-${i}`, name: `Campaign form ${i}`, submissions: [] });
      }
      const late: HubSpotForm = { id: "late-form", name: "Late webinar signup", submissions: [] };
      hs.forms.set(late.id, late);
      const contact = hs.objects.get("contacts")!.get("504")!;
      const at = Date.now() - 3_600_000;
      recordFormSubmission(
        hs,
        "504",
        contact.properties,
        late.id,
        at,
        "https://www.handoff-demo.example/webinar",
      );
      // HubSpot names the conversion "<form>: <page>"; 120 newer submissions of other people push it back.
      contact.properties.recent_conversion_event_name = `${late.name}: Webinar`;
      for (let i = 0; i < 120; i += 1) {
        late.submissions.unshift({
          conversionId: `other-${i}`,
          submittedAt: at + (i + 1) * 1_000,
          pageUrl: "https://www.handoff-demo.example/webinar",
          contactId: "1",
          values: [{ name: "email", value: `someone${i}@example.com` }],
        });
      }
      const conversion = await crm.getLastConversion("504");
      expect(conversion).toMatchObject({
        formId: "late-form",
        pageUrl: "https://www.handoff-demo.example/webinar",
        values: { email: contact.properties.email },
      });
    } finally {
      crm.budget.close();
      await sandbox.close();
    }
  });
});
