/**
 * The HubSpot adapter against the sandbox's real limits: batching keeps 1,000 lead updates far inside
 * 110 requests / 10 s; the budget keeps unbatchable calls under the limit; 429 storms and 5xx faults
 * surface as retryable errors and no write is lost once the job retries; expired tokens are refreshed once;
 * a revoked install fails as crm_auth.
 */
import { HubSpotCrm } from "../../src/adapters/hubspot/hubspot-crm";
import {
  HubSpotTokenProvider,
  staticHubSpotAccess,
  type HubSpotTokens,
  type HubSpotTokenStore,
} from "../../src/adapters/hubspot/hubspot-oauth";
import { HUBSPOT_OAUTH_BUDGET, RateBudgetQueue } from "../../src/adapters/rate-budget";
import { AppError, CrmAuthError, CrmRateLimitedError, CrmUnavailableError } from "../../src/domain/errors";
import type { LeadUpdate } from "../../src/ports/crm";
import {
  emptyStats,
  expireHubSpotTokens,
  HUBSPOT_SANDBOX_DEMO,
  issueTokens,
  revokeHubSpotTokens,
  type HubSpotSandboxState,
} from "../../src/sandbox/hubspot/state";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { systemClock } from "../../src/composition/system-clock";
import { silent } from "../helpers/silent-logger";

/** Adds `n` contacts to the sandbox portal; returns their ids. */
function addContacts(state: HubSpotSandboxState, n: number): string[] {
  const contacts = state.objects.get("contacts")!;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(100_000 + i);
    const at = new Date(state.now()).toISOString();
    contacts.set(id, {
      id,
      properties: {
        email: `lead${i}@load.example`,
        lifecyclestage: "lead",
        country: "DE",
        numemployees: "250",
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
    ids.push(id);
  }
  return ids;
}

/** What a job does: run, and on a retryable error try again (here without the real backoff). */
async function asJob<T>(run: () => Promise<T>, attempts = 20): Promise<{ value: T; failures: AppError[] }> {
  const failures: AppError[] = [];
  for (let i = 0; ; i++) {
    try {
      return { value: await run(), failures };
    } catch (e) {
      if (!(e instanceof AppError) || !e.retryable || i >= attempts) throw e;
      failures.push(e);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("HubSpot adapter inside the sandbox's real limits", () => {
  let sandbox: SandboxServer;
  const crms: HubSpotCrm[] = [];
  const adapter = (options: Partial<ConstructorParameters<typeof HubSpotCrm>[0]> = {}): HubSpotCrm => {
    const crm = new HubSpotCrm({
      connectionId: "hubspot-9876543",
      access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
      basePath: sandbox.hubspotBasePath,
      logger: silent,
      now: systemClock,
      ...options,
    });
    crms.push(crm);
    return crm;
  };

  beforeEach(async () => {
    sandbox = await startSandbox({ port: 0 });
    // The install step: Handoff's properties exist before anything writes them.
    const installer = adapter();
    await installer.ensureFields();
    sandbox.hubspot.stats = emptyStats();
    sandbox.hubspot.windows.tenSecond.length = 0;
  });
  afterEach(async () => {
    for (const crm of crms.splice(0)) crm.budget.close();
    await sandbox.close();
  });

  it("when 1,000 leads are read and updated one by one by concurrent workers, then there are zero 429s and at most 1.5 calls per lead", async () => {
    const ids = addContacts(sandbox.hubspot, 1000);
    const crm = adapter();
    await Promise.all(
      ids.map(async (id, i) => {
        const [lead] = await crm.getLeads([id]);
        expect(lead?.employees).toBe(250);
        await crm.updateLeads([
          {
            leadId: id,
            fitScore: 40 + (i % 20),
            totalScore: 80,
            stage: "mql",
            ownerId: i % 2 ? "80001" : "80002",
          },
        ]);
      }),
    );
    const stats = sandbox.hubspot.stats;
    expect(stats.rateLimited).toBe(0);
    expect(stats.apiCalls / ids.length).toBeLessThanOrEqual(1.5);
    const contacts = sandbox.hubspot.objects.get("contacts")!;
    expect(ids.every((id) => contacts.get(id)?.properties.lifecyclestage === "marketingqualifiedlead")).toBe(
      true,
    );
    expect(contacts.get(ids[7]!)?.properties.handoff_fit_score).toBe("47");
  });

  it("when unbatchable calls exceed the limit, then the budget spaces them so the sandbox never answers 429", async () => {
    // A 2-second "ten-second window" so the test runs fast, with HubSpot's proportions: 22 per window at
    // the sandbox, 20 in the budget (110 vs 100).
    sandbox.hubspot.rateWindowMs = 2_000;
    sandbox.hubspot.tenSecondLimit = 22;
    const budget = new RateBudgetQueue({
      name: "hubspot-9876543",
      limit: { intervalCap: 20, intervalMs: 2_000, concurrency: 5 },
    });
    // Owners are cached per adapter: 30 adapters sharing the connection's budget each list them once.
    await Promise.all(Array.from({ length: 30 }, () => adapter({ budget }).listOwners()));
    expect(sandbox.hubspot.stats.apiCalls).toBe(60);
    expect(sandbox.hubspot.stats.rateLimited).toBe(0);
  });

  it("when a Starter portal is called beyond its limit, then Handoff's own budget keeps every call under the tier's limit", async () => {
    await sandbox.close();
    sandbox = await startSandbox({ port: 0, hubspot: { tier: "starter" } });
    // Handoff is an OAuth app: a Starter portal gives it 110 per 10 s, and its budget allows itself fewer.
    expect(sandbox.hubspot.tenSecondLimit).toBe(110);
    expect(sandbox.hubspot.dailyLimit).toBeUndefined();
    const limit = HUBSPOT_OAUTH_BUDGET.limit!;
    const { intervalCap } = limit;
    expect(intervalCap).toBeLessThan(sandbox.hubspot.tenSecondLimit);
    // The same caps over a 1-second window, so the test runs fast.
    sandbox.hubspot.rateWindowMs = 1_000;
    const budget = new RateBudgetQueue({
      name: "hubspot-9876543",
      limit: { ...limit, intervalMs: 1_000 },
    });
    await Promise.all(Array.from({ length: 130 }, () => adapter({ budget }).listOwners()));
    expect(sandbox.hubspot.stats.apiCalls).toBe(260);
    expect(sandbox.hubspot.stats.rateLimited).toBe(0);
  });

  it("when nothing paces the calls, then the sandbox's limit is real and answers 429 with HubSpot's headers and body", async () => {
    sandbox.hubspot.tenSecondLimit = 5;
    const res = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${sandbox.hubspotBasePath}/crm/v3/owners/`, {
          headers: { authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}` },
        }),
      ),
    );
    const limited = res.filter((r) => r.status === 429);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-max")).toBe("5");
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-remaining")).toBe("0");
    expect(await limited[0]!.json()).toMatchObject({
      status: "error",
      errorType: "RATE_LIMIT",
      policyName: "TEN_SECONDLY_ROLLING",
      correlationId: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it("when a 429 storm hits a burst of writes, then they fail as rate-limited (retryable) and every write lands on retry", async () => {
    const ids = addContacts(sandbox.hubspot, 250);
    const crm = adapter({ maxPauseMs: 200 });
    sandbox.hubspot.faults.status = 429;
    sandbox.hubspot.faults.count = 4;
    const outcomes = await Promise.all(
      ids.map((id) => asJob(() => crm.updateLeads([{ leadId: id, totalScore: 91, decisionId: `d-${id}` }]))),
    );
    const failures = outcomes.flatMap((o) => o.failures);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f instanceof CrmRateLimitedError && f.retryable)).toBe(true);
    const contacts = sandbox.hubspot.objects.get("contacts")!;
    expect(ids.filter((id) => contacts.get(id)?.properties.handoff_score !== "91")).toEqual([]);
  });

  it("when the CRM answers 5xx to a share of calls, then they fail as unavailable (retryable) and no write is lost", async () => {
    const ids = addContacts(sandbox.hubspot, 300);
    const crm = adapter({ coalesceWindowMs: 2 });
    sandbox.hubspot.faults.status = 503;
    sandbox.hubspot.faults.count = 2;
    sandbox.hubspot.faults.failRate = 0.3;
    const updates: LeadUpdate[] = ids.map((id) => ({ leadId: id, totalScore: 64, stage: "mql" }));
    const outcomes = await Promise.all(updates.map((u) => asJob(() => crm.updateLeads([u]))));
    const failures = outcomes.flatMap((o) => o.failures);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f instanceof CrmUnavailableError && f.retryable)).toBe(true);
    const contacts = sandbox.hubspot.objects.get("contacts")!;
    expect(ids.filter((id) => contacts.get(id)?.properties.handoff_score !== "64")).toEqual([]);
    // Each injected fault fails one batch call, i.e. every lead folded into it.
    expect(sandbox.hubspot.stats.faultsInjected).toBeGreaterThanOrEqual(2);
    expect(failures.length).toBeGreaterThanOrEqual(sandbox.hubspot.stats.faultsInjected);
  });

  describe("with OAuth tokens", () => {
    const config = () => ({
      clientId: HUBSPOT_SANDBOX_DEMO.clientId,
      clientSecret: HUBSPOT_SANDBOX_DEMO.clientSecret,
      redirectUri: "http://127.0.0.1/oauth/hubspot/callback",
      scopes: ["oauth"],
      apiBaseUrl: sandbox.hubspotBasePath,
    });
    const memoryStore = (initial: HubSpotTokens): HubSpotTokenStore & { saved: HubSpotTokens[] } => {
      let current = initial;
      const saved: HubSpotTokens[] = [];
      return {
        saved,
        load: async () => current,
        save: async (_id, tokens) => {
          current = tokens;
          saved.push(tokens);
        },
      };
    };

    it("when the access token expired early at HubSpot, then it is refreshed once and the call succeeds", async () => {
      const issued = issueTokens(sandbox.hubspot);
      const store = memoryStore({
        accessToken: issued.access,
        refreshToken: issued.refresh,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      const access = new HubSpotTokenProvider({
        connectionId: "c",
        store,
        config: config(),
        now: systemClock,
      });
      const crm = adapter({ access });
      expireHubSpotTokens(sandbox.hubspot, issued.access);
      const leads = await crm.getLeads(["501"]);
      expect(leads.map((l) => l.id)).toEqual(["501"]);
      expect(access.refreshes).toBe(1);
      expect(store.saved).toHaveLength(1);
      expect(store.saved[0]!.hubId).toBe(9876543);
    });

    it("when the access token is about to expire, then it is refreshed before the call, without a 401", async () => {
      const issued = issueTokens(sandbox.hubspot);
      const store = memoryStore({
        accessToken: issued.access,
        refreshToken: issued.refresh,
        expiresAt: new Date(Date.now() + 60_000),
      });
      const access = new HubSpotTokenProvider({
        connectionId: "c",
        store,
        config: config(),
        now: systemClock,
      });
      const crm = adapter({ access });
      await Promise.all([crm.listOwners(), crm.getLeads(["501"])]);
      expect(access.refreshes).toBe(1);
      expect(store.saved[0]!.accessToken).not.toBe(issued.access);
    });

    it("when the app was uninstalled (tokens revoked), then calls fail as crm_auth with a hint to reinstall", async () => {
      const issued = issueTokens(sandbox.hubspot);
      const store = memoryStore({
        accessToken: issued.access,
        refreshToken: issued.refresh,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      const crm = adapter({
        access: new HubSpotTokenProvider({ connectionId: "c", store, config: config(), now: systemClock }),
      });
      revokeHubSpotTokens(sandbox.hubspot);
      const failure = crm.updateLeads([{ leadId: "501", totalScore: 1 }]);
      await expect(failure).rejects.toBeInstanceOf(CrmAuthError);
      await expect(failure).rejects.toMatchObject({
        code: "crm_auth",
        retryable: false,
        hint: expect.stringMatching(/install/),
      });
    });
  });
});
