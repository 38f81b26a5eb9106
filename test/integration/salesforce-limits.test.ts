/**
 * The Salesforce adapter against the sandbox's real limits: batching keeps 1,000 handoffs far inside the
 * daily allocation, and limit errors, 5xx faults and expired sessions end in retries, never in lost writes.
 */
import { createMemorySalesforceTokenStore } from "../../src/adapters/salesforce/memory-token-store";
import type { SalesforceCrm } from "../../src/adapters/salesforce/salesforce-crm";
import { RateBudgetQueue, salesforceBudgetOptions } from "../../src/adapters/rate-budget";
import { AppError, CrmAuthError, CrmRateLimitedError } from "../../src/domain/errors";
import type { Logger } from "../../src/ports/logger";
import { salesforceTestCrm } from "../helpers/salesforce-test-crm";
import { prepareCreate, objectOrThrow } from "../../src/sandbox/salesforce/records";
import { SALESFORCE_DEMO_USERS } from "../../src/sandbox/salesforce/seed";
import { startSalesforceSandbox, type RunningSalesforceSandbox } from "../../src/sandbox/salesforce/start";
import {
  expireSalesforceSessions,
  injectSalesforceFault,
  revokeSalesforceTokens,
  SALESFORCE_SANDBOX_DEMO,
  setApiCallsUsed,
} from "../../src/sandbox/salesforce/state";

const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: (message, fields) => void logs.push({ level: "debug", message, ...(fields ? { fields } : {}) }),
  info: (message, fields) => void logs.push({ level: "info", message, ...(fields ? { fields } : {}) }),
  warn: (message, fields) => void logs.push({ level: "warn", message, ...(fields ? { fields } : {}) }),
  error: (message, fields) => void logs.push({ level: "error", message, ...(fields ? { fields } : {}) }),
  child: () => logger,
};

let sandbox: RunningSalesforceSandbox;
let store: ReturnType<typeof createMemorySalesforceTokenStore>;

let clock = Date.parse("2026-11-23T10:00:00Z");

function adapter(budget?: RateBudgetQueue): SalesforceCrm {
  const built = salesforceTestCrm({
    instanceUrl: sandbox.instanceUrl,
    logger,
    now: () => new Date(clock),
    ...(budget ? { budget } : {}),
  });
  store = built.store;
  return built.crm;
}

/** Web-to-lead: n new Leads in the org's triage queue (written straight into the sandbox, not counted). */
function createLeads(n: number): string[] {
  const lead = objectOrThrow(sandbox.state, "Lead");
  return Array.from({ length: n }, (_, i) =>
    prepareCreate(
      sandbox.state,
      lead,
      { LastName: `Load ${i}`, Company: `Company ${i}`, Email: `load${i}@example.com`, LeadSource: "Web" },
      { autoAssignOff: false, userId: SALESFORCE_DEMO_USERS.maria },
    ).commit(),
  );
}

const reps = [SALESFORCE_DEMO_USERS.anna, SALESFORCE_DEMO_USERS.ben, SALESFORCE_DEMO_USERS.carla];

/** What the worker does with a job: run it, and on a retryable error run it again (the job's backoff). */
async function asJob<T>(work: () => Promise<T>, attempts = 10): Promise<{ value: T; retries: AppError[] }> {
  const retries: AppError[] = [];
  for (;;) {
    try {
      return { value: await work(), retries };
    } catch (err) {
      if (!(err instanceof AppError) || !err.retryable || retries.length + 1 >= attempts) throw err;
      retries.push(err);
    }
  }
}

/** The pipeline's write-back for one lead: owner, stage and scores, plus the follow-up task. */
async function handoff(crm: SalesforceCrm, leadId: string, i: number): Promise<void> {
  const ownerId = reps[i % reps.length] ?? SALESFORCE_DEMO_USERS.anna;
  const results = await Promise.allSettled([
    crm.updateLeads([
      {
        leadId,
        ownerId,
        stage: "mql",
        fitScore: 60,
        engagementScore: 40 + (i % 7),
        totalScore: 100 + (i % 7),
        decisionId: `d-${i}`,
        slaVersion: "v3",
      },
    ]),
    crm.createTask({
      leadId,
      ownerId,
      subject: "Follow up: new MQL",
      body: "Why now: contact-me form",
      dueAt: "2026-11-24T09:00:00.000Z",
      decisionId: `d-${i}`,
    }),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

beforeEach(async () => {
  logs.length = 0;
  // A small org: 2,000 calls a day. One call per write would use it all on 1,000 handoffs.
  sandbox = await startSalesforceSandbox({ dailyApiLimit: 2000 });
});
afterEach(() => sandbox.close());

test("1,000 handoffs (owner + score update and a task each) stay inside the daily limit at ≤ 1.5 calls per lead", async () => {
  const ids = createLeads(1000);
  const budget = new RateBudgetQueue({ name: "org", ...salesforceBudgetOptions(2000) });
  const crm = adapter(budget);
  const before = sandbox.state.apiCallsTotal;
  const results = await Promise.allSettled(ids.map((id, i) => handoff(crm, id, i)));
  const calls = sandbox.state.apiCallsTotal - before;

  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  expect(calls / ids.length).toBeLessThanOrEqual(1.5);
  const leads = ids.map((id) => sandbox.state.records.get("Lead")?.get(id));
  expect(leads.every((l, i) => l?.OwnerId === reps[i % 3] && l?.Status === "Marketing Qualified")).toBe(true);
  const tasks = [...(sandbox.state.records.get("Task")?.values() ?? [])];
  expect(tasks).toHaveLength(1000);
  expect(crm.rateBudget()).toEqual({ used: calls, limit: 2000, windowMs: 86_400_000 });
  // The connection's shared budget learned the org's usage from Sforce-Limit-Info.
  expect(budget.usage()).toEqual({ used: calls, limit: 2000, windowMs: 86_400_000 });
  process.stdout.write(
    `salesforce: ${calls} API calls for 1000 handoffs (${(calls / 1000).toFixed(3)} per lead)\n`,
  );
});

test("when the daily limit is used up, writes fail as retryable CrmRateLimitedError and land after the window", async () => {
  const ids = createLeads(50);
  const crm = adapter();
  setApiCallsUsed(sandbox.state, 2000);
  const first = await Promise.allSettled(ids.map((id, i) => handoff(crm, id, i)));
  expect(first.every((r) => r.status === "rejected" && r.reason instanceof CrmRateLimitedError)).toBe(true);
  const reason = (first[0] as PromiseRejectedResult).reason as CrmRateLimitedError;
  expect(reason).toMatchObject({ code: "crm_rate_limited", retryable: true });
  expect(reason.retryAfterMs).toBeGreaterThanOrEqual(60_000);

  // Over the limit, the adapter stops calling: the next attempt fails fast without spending a call.
  const callsBefore = sandbox.state.apiCallsTotal;
  await expect(handoff(crm, ids[0] ?? "", 0)).rejects.toBeInstanceOf(CrmRateLimitedError);
  expect(sandbox.state.apiCallsTotal).toBe(callsBefore);

  // The rolling window moves on; after the back-off one probe call finds room again.
  setApiCallsUsed(sandbox.state, 0);
  clock += 6 * 60_000;
  const second = await Promise.allSettled(ids.map((id, i) => asJob(() => handoff(crm, id, i))));
  expect(second.filter((r) => r.status === "rejected")).toEqual([]);
  expect([...(sandbox.state.records.get("Task")?.values() ?? [])]).toHaveLength(50);
});

test("a burst of 5xx faults ends in retries, not lost writes or duplicate tasks", async () => {
  const ids = createLeads(300);
  const crm = adapter();
  injectSalesforceFault(sandbox.state, { status: 503, errorCode: "SERVER_UNAVAILABLE", count: 3 });
  injectSalesforceFault(sandbox.state, {
    status: 500,
    errorCode: "UNKNOWN_EXCEPTION",
    count: 2,
    pathIncludes: "/composite",
  });
  const results = await Promise.allSettled(ids.map((id, i) => asJob(() => handoff(crm, id, i))));
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  const retried = results.filter((r) => r.status === "fulfilled" && r.value.retries.length > 0);
  expect(retried.length).toBeGreaterThan(0);
  for (const r of retried) {
    if (r.status === "fulfilled")
      expect(r.value.retries.every((e) => e.code === "crm_unavailable")).toBe(true);
  }
  const tasks = [...(sandbox.state.records.get("Task")?.values() ?? [])];
  expect(new Set(tasks.map((t) => t.Handoff_Decision_Id__c)).size).toBe(300);
  expect(tasks).toHaveLength(300);
  expect(
    ids.every((id) => sandbox.state.records.get("Lead")?.get(id)?.Status === "Marketing Qualified"),
  ).toBe(true);
});

test("an expired session is refreshed once for many concurrent calls, and every call succeeds", async () => {
  const ids = createLeads(20);
  const crm = adapter();
  await crm.getLeads(ids.slice(0, 1));
  expireSalesforceSessions(sandbox.state);
  const results = await Promise.allSettled([
    ...ids.map((id, i) => handoff(crm, id, i)),
    crm.listOwners(),
    crm.countOpenLeadsByOwner(reps),
  ]);
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  expect(store.saved).toBe(1);
  expect(logs.filter((l) => l.message.includes("refreshing")).length).toBeGreaterThanOrEqual(1);
  // Logs carry ids only, never tokens.
  expect(JSON.stringify(logs)).not.toContain(SALESFORCE_SANDBOX_DEMO.accessToken);
});

test("a revoked refresh token surfaces as a non-retryable CrmAuthError with a hint", async () => {
  const [id] = createLeads(1);
  const crm = adapter();
  revokeSalesforceTokens(sandbox.state);
  const failure = handoff(crm, id ?? "", 0);
  await expect(failure).rejects.toBeInstanceOf(CrmAuthError);
  await expect(failure).rejects.toMatchObject({
    code: "crm_auth",
    retryable: false,
    hint: expect.stringContaining("reinstall"),
  });
});
