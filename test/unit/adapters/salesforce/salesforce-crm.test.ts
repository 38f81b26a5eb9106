import {
  CrmAuthError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmValidationError,
} from "../../../../src/domain/errors";
import { createMemorySalesforceTokenStore } from "../../../../src/adapters/salesforce/memory-token-store";
import { createSalesforceCrm, type SalesforceCrm } from "../../../../src/adapters/salesforce/salesforce-crm";
import { silent } from "../../../helpers/silent-logger";
import { createSalesforceSession } from "../../../../src/adapters/salesforce/salesforce-oauth";
import {
  SALESFORCE_DEMO_ACCOUNTS,
  SALESFORCE_DEMO_CONTACTS,
  SALESFORCE_DEMO_QUEUE_ID,
  SALESFORCE_DEMO_USERS,
  salesforceDemoLeadId,
} from "../../../../src/sandbox/salesforce/seed";
import {
  startSalesforceSandbox,
  type RunningSalesforceSandbox,
} from "../../../../src/sandbox/salesforce/start";
import {
  expireSalesforceSessions,
  injectSalesforceFault,
  revokeSalesforceTokens,
  setApiCallsUsed,
} from "../../../../src/sandbox/salesforce/state";
import { salesforceTestCrm } from "../../../helpers/salesforce-test-crm";
import { systemClock } from "../../../../src/composition/system-clock";
import type { Clock } from "../../../../src/ports/clock";

let sandbox: RunningSalesforceSandbox;
let crm: SalesforceCrm;
let store: ReturnType<typeof createMemorySalesforceTokenStore>;

function adapter(now: Clock = systemClock): SalesforceCrm {
  const built = salesforceTestCrm({
    instanceUrl: sandbox.instanceUrl,
    connectionId: "c1",
    now,
    coalesceWindowMs: 5,
  });
  store = built.store;
  return built.crm;
}

beforeEach(async () => {
  sandbox = await startSalesforceSandbox();
  crm = adapter();
});
afterEach(() => sandbox.close());

test("reads seeded leads in one SOQL batch and maps them to typed leads", async () => {
  const ids = [salesforceDemoLeadId(7), salesforceDemoLeadId(1), "00Q5g0000009999XYZ"];
  const leads = await crm.getLeads(ids);
  expect(leads.map((l) => l.id)).toEqual([salesforceDemoLeadId(7), salesforceDemoLeadId(1)]);
  expect(leads[0]).toMatchObject({
    company: "MadridSoft",
    country: "ES",
    postalCode: "28013",
    employees: 310,
    stage: "lead",
    ownerId: SALESFORCE_DEMO_QUEUE_ID,
    email: "lucia.garcia@madridsoft.es",
  });
});

test("when a lead update sets the owner, the org's assignment rule does not take it back", async () => {
  const leadId = salesforceDemoLeadId(1);
  await crm.updateLeads([
    {
      leadId,
      ownerId: SALESFORCE_DEMO_USERS.anna,
      stage: "mql",
      fitScore: 70,
      engagementScore: 45,
      totalScore: 115,
      decisionId: "d-1",
    },
  ]);
  const [lead] = await crm.getLeads([leadId]);
  expect(lead).toMatchObject({
    ownerId: SALESFORCE_DEMO_USERS.anna,
    stage: "mql",
    leadStatus: "Marketing Qualified",
  });
  expect(lead?.properties.Handoff_Score__c).toBe(115);
});

/** Ben's follow-up task on demo lead 2 for one decision. */
const followUpTask = (decisionId: string) => ({
  leadId: salesforceDemoLeadId(2),
  ownerId: SALESFORCE_DEMO_USERS.ben,
  subject: "Follow up: new MQL",
  body: "Why now: webinar attended",
  dueAt: "2026-11-24T09:30:00.000Z",
  decisionId,
});

test("update and task for the same decision fold into one composite call, and the task is created once", async () => {
  const before = sandbox.state.apiCallsTotal;
  const leadId = salesforceDemoLeadId(2);
  const task = followUpTask("d-2");
  const [, created] = await Promise.all([
    crm.updateLeads([{ leadId, ownerId: SALESFORCE_DEMO_USERS.ben }]),
    crm.createTask(task),
  ]);
  // 1 lookup of tasks already made for the decision + 1 composite carrying the update and the task
  expect(sandbox.state.apiCallsTotal - before).toBe(2);
  const again = await crm.createTask(task);
  expect(again).toEqual(created);
  const fresh = adapter();
  expect(await fresh.createTask(task)).toEqual(created);
  const tasks = [...(sandbox.state.records.get("Task")?.values() ?? [])].filter(
    (t) => t.Handoff_Decision_Id__c === "d-2",
  );
  expect(tasks).toHaveLength(1);
  expect(tasks[0]).toMatchObject({
    WhoId: leadId,
    ActivityDate: "2026-11-24",
    Priority: "High",
    Type: "Call",
  });
});

test("lists users with active flag, manager and team, and the queue", async () => {
  const owners = await crm.listOwners();
  expect(owners.find((o) => o.id === SALESFORCE_DEMO_USERS.felix)).toMatchObject({
    active: false,
    kind: "person",
  });
  expect(owners.find((o) => o.id === SALESFORCE_DEMO_USERS.anna)).toMatchObject({
    active: true,
    managerId: SALESFORCE_DEMO_USERS.maria,
    teams: [{ id: "DACH", name: "DACH", primary: true }],
  });
  expect(owners.find((o) => o.id === SALESFORCE_DEMO_QUEUE_ID)).toMatchObject({
    kind: "queue",
    lastName: "Inbound triage",
  });
});

test("finds the account by website domain and counts open leads per owner", async () => {
  expect(await crm.findAccountsByDomain("bauwerk.de")).toEqual([
    expect.objectContaining({
      id: SALESFORCE_DEMO_ACCOUNTS.bauwerk,
      ownerId: SALESFORCE_DEMO_USERS.anna,
      domain: "bauwerk.de",
    }),
  ]);
  expect(await crm.findAccountsByDomain("werk.de")).toEqual([]);
  const counts = await crm.countOpenLeadsByOwner([
    SALESFORCE_DEMO_USERS.anna,
    SALESFORCE_DEMO_USERS.emma,
    SALESFORCE_DEMO_QUEUE_ID,
  ]);
  expect(counts).toEqual({
    [SALESFORCE_DEMO_USERS.anna]: 3,
    [SALESFORCE_DEMO_USERS.emma]: 1,
    [SALESFORCE_DEMO_QUEUE_ID]: 0,
  });
});

test("duplicates by e-mail exclude the lead itself; conversion comes from LeadSource and CreatedDate", async () => {
  const lead = (await crm.getLeads([salesforceDemoLeadId(3)]))[0];
  expect(lead?.email).toBeDefined();
  expect(await crm.findDuplicatesByEmail(lead?.email ?? "", lead?.id)).toEqual([]);
  const dupes = await crm.findDuplicatesByEmail(lead?.email ?? "");
  expect(dupes.map((d) => d.id)).toEqual([lead?.id]);
  expect(await crm.getLastConversion(salesforceDemoLeadId(3))).toEqual({
    name: "Web",
    occurredAt: lead?.createdAt,
  });
  expect(await crm.getRecentActivities(salesforceDemoLeadId(3), 5)).toEqual([]);
});

test("ensureFields reports nothing missing on the sandbox org", async () => {
  expect(await crm.ensureFields()).toEqual({ created: [], missing: [] });
});

test("an expired session is refreshed once and the call succeeds; the new token is saved", async () => {
  await crm.getLeads([salesforceDemoLeadId(1)]);
  expireSalesforceSessions(sandbox.state);
  const leads = await crm.getLeads([salesforceDemoLeadId(1)]);
  expect(leads).toHaveLength(1);
  expect(store.saved).toBe(1);
});

test("a revoked refresh token surfaces as CrmAuthError", async () => {
  revokeSalesforceTokens(sandbox.state);
  await expect(crm.getLeads([salesforceDemoLeadId(1)])).rejects.toBeInstanceOf(CrmAuthError);
  await expect(crm.listOwners()).rejects.toMatchObject({ code: "crm_auth" });
});

test("REQUEST_LIMIT_EXCEEDED becomes a retryable CrmRateLimitedError; a 503 a retryable CrmUnavailableError", async () => {
  await crm.ensureFields();
  setApiCallsUsed(sandbox.state, sandbox.state.dailyApiLimit);
  await expect(crm.countOpenLeadsByOwner([SALESFORCE_DEMO_USERS.anna])).rejects.toBeInstanceOf(
    CrmRateLimitedError,
  );
  setApiCallsUsed(sandbox.state, 0);
  injectSalesforceFault(sandbox.state, { status: 503, errorCode: "SERVER_UNAVAILABLE" });
  await expect(crm.updateLeads([{ leadId: salesforceDemoLeadId(1), totalScore: 3 }])).rejects.toBeInstanceOf(
    CrmUnavailableError,
  );
  // The budget follows the org's own daily allocation, as /limits reports it for its edition and licences.
  expect(crm.rateBudget()).toMatchObject({ limit: sandbox.state.dailyApiLimit, windowMs: 86_400_000 });
});

test("a refused record (inactive owner) fails only its own caller, as CrmValidationError", async () => {
  const bad = crm.updateLeads([{ leadId: salesforceDemoLeadId(4), ownerId: SALESFORCE_DEMO_USERS.felix }]);
  const good = crm.updateLeads([{ leadId: salesforceDemoLeadId(5), ownerId: SALESFORCE_DEMO_USERS.ben }]);
  await expect(bad).rejects.toBeInstanceOf(CrmValidationError);
  await expect(bad).rejects.toMatchObject({ message: expect.stringContaining("INACTIVE_OWNER_OR_USER") });
  await expect(good).resolves.toBeUndefined();
});

test("calls and e-mails logged as tasks are touches; Handoff's own open follow-up task is not", async () => {
  const leadId = salesforceDemoLeadId(6);
  const now = Date.now();
  await crm.createTask({
    leadId,
    ownerId: SALESFORCE_DEMO_USERS.anna,
    subject: "Follow up",
    body: "Why now",
    dueAt: new Date(now + 3_600_000).toISOString(),
    decisionId: "d-touch",
  });
  const tasks = sandbox.state.records.get("Task");
  const stamp = new Date(now).toISOString().replace("Z", "+0000");
  tasks?.set("00T5g0000009001AAA", {
    Id: "00T5g0000009001AAA",
    WhoId: leadId,
    OwnerId: SALESFORCE_DEMO_USERS.anna,
    TaskSubtype: "Call",
    Type: "Call",
    Status: "Completed",
    IsClosed: true,
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    CompletedDateTime: stamp,
  });
  const touches = await crm.listTouches(leadId, new Date(now - 60_000).toISOString());
  expect(touches).toEqual([
    { leadId, kind: "call", occurredAt: new Date(now).toISOString(), ownerId: SALESFORCE_DEMO_USERS.anna },
  ]);
});

test("the poll lists leads changed after a watermark, oldest first, with their change time", async () => {
  await crm.updateLeads([{ leadId: salesforceDemoLeadId(12), totalScore: 5 }]);
  const since = new Date(Date.now() - 60_000).toISOString();
  const pages: string[][] = [];
  for await (const page of crm.changedLeadPages(since)) pages.push(page.map((c) => c.id));
  expect(pages).toEqual([[salesforceDemoLeadId(12)]]);
});

test("when the org is an Enterprise org, then it needs no polling (it has outbound messages), read once", async () => {
  const before = sandbox.state.apiCallsTotal;
  expect(await crm.needsChangePolling()).toBe(false);
  expect(await crm.needsChangePolling()).toBe(false);
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
});

test("ensureFields names the custom fields an org lacks", async () => {
  await sandbox.close();
  sandbox = await startSalesforceSandbox();
  const lead = sandbox.state.objects.get("Lead");
  if (lead) lead.fields = lead.fields.filter((f) => f.name !== "Handoff_Score__c");
  const task = sandbox.state.objects.get("Task");
  if (task) task.fields = task.fields.filter((f) => f.name !== "Handoff_Decision_Id__c");
  crm = adapter();
  expect(await crm.ensureFields()).toEqual({
    created: [],
    missing: ["Lead.Handoff_Score__c", "Task.Handoff_Decision_Id__c"],
  });
  // Reads leave out what the org does not have instead of failing the query.
  expect(await crm.getLeads([salesforceDemoLeadId(1)])).toHaveLength(1);
});

test("a stage the org has no Lead Status for is refused before any call", async () => {
  const before = sandbox.state.apiCallsTotal;
  await expect(
    crm.updateLeads([{ leadId: salesforceDemoLeadId(1), stage: "customer" }]),
  ).rejects.toMatchObject({
    code: "crm_validation",
    message: expect.stringContaining('no Lead Status is mapped for stage "customer"'),
  });
  expect(sandbox.state.apiCallsTotal).toBe(before);
});

test("a refused value is named by code and field, never quoted", async () => {
  const failure = crm.updateLeads([{ leadId: salesforceDemoLeadId(1), leadStatus: "secret@example.com" }]);
  await expect(failure).rejects.toMatchObject({
    message:
      "salesforce: update of lead 00Q5g0000000001EAA refused (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST on Status)",
  });
});

test("without an OAuth client an expired session is a CrmAuthError, not a crash", async () => {
  const session = createSalesforceSession({
    connectionId: "c2",
    store: createMemorySalesforceTokenStore({
      c2: { accessToken: "expired", refreshToken: "r", instanceUrl: sandbox.instanceUrl },
    }),
    config: { clientId: "", clientSecret: "", redirectUri: "" },
  });
  const bare = createSalesforceCrm({ connectionId: "c2", session, logger: silent, now: systemClock });
  await expect(bare.listOwners()).rejects.toMatchObject({
    code: "crm_auth",
    message: expect.stringContaining("not configured"),
  });
});

test("a contact with the lead's e-mail is a duplicate that names its owner, found in the same call", async () => {
  const lead = (await crm.getLeads([salesforceDemoLeadId(7)]))[0];
  const before = sandbox.state.apiCallsTotal;
  const dupes = await crm.findDuplicatesByEmail(lead?.email ?? "", lead?.id);
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  expect(dupes).toEqual([
    expect.objectContaining({
      id: SALESFORCE_DEMO_CONTACTS.luciaMadridsoft,
      ownerId: SALESFORCE_DEMO_USERS.carla,
      properties: expect.objectContaining({ sObjectType: "Contact" }),
    }),
  ]);
});

test("when many leads look up duplicates at once, then one composite call answers them all, each its own", async () => {
  const ids = [1, 2, 3, 4, 5, 6, 7, 8].map(salesforceDemoLeadId);
  const leads = await crm.getLeads(ids);
  const before = sandbox.state.apiCallsTotal;
  const found = await Promise.all(leads.map((l) => crm.findDuplicatesByEmail(l.email ?? "", l.id)));
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  const lucia = leads.findIndex((l) => l.id === salesforceDemoLeadId(7));
  expect(found[lucia]).toEqual([expect.objectContaining({ id: SALESFORCE_DEMO_CONTACTS.luciaMadridsoft })]);
  // No lead is its own duplicate, and nobody gets another address's records.
  leads.forEach((lead, i) => {
    for (const d of found[i] ?? []) {
      expect(d.id).not.toBe(lead.id);
      expect(d.email).toBe(lead.email);
    }
  });
});

test("when many leads look up accounts at once, then one query answers every domain, and a repeat within a minute is not asked again", async () => {
  let at = Date.parse("2026-11-24T09:00:00Z");
  crm = adapter(() => new Date(at));
  const before = sandbox.state.apiCallsTotal;
  const [bauwerk, madridsoft, none] = await Promise.all([
    crm.findAccountsByDomain("bauwerk.de"),
    crm.findAccountsByDomain("madridsoft.es"),
    crm.findAccountsByDomain("werk.de"),
  ]);
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  expect(bauwerk.map((a) => a.id)).toEqual([SALESFORCE_DEMO_ACCOUNTS.bauwerk]);
  expect(madridsoft.map((a) => a.id)).toEqual([SALESFORCE_DEMO_ACCOUNTS.madridsoft]);
  expect(none).toEqual([]);
  expect(await crm.findAccountsByDomain("www.Bauwerk.de")).toEqual(bauwerk);
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  at += 61_000;
  await crm.findAccountsByDomain("bauwerk.de");
  expect(sandbox.state.apiCallsTotal - before).toBe(2);
});

test("when owners are listed for every lead, then the org is asked once, and again after a write names an owner it refuses", async () => {
  const before = sandbox.state.apiCallsTotal;
  await Promise.all([crm.listOwners(), crm.listOwners()]);
  await crm.listOwners();
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  await expect(
    crm.updateLeads([{ leadId: salesforceDemoLeadId(4), ownerId: SALESFORCE_DEMO_USERS.felix }]),
  ).rejects.toBeInstanceOf(CrmValidationError);
  const afterWrite = sandbox.state.apiCallsTotal;
  await crm.listOwners();
  expect(sandbox.state.apiCallsTotal - afterWrite).toBe(1);
});

test("when no earlier attempt made the task, then it is created without looking for it; when one may have, it is looked up and not made twice", async () => {
  const task = { ...followUpTask("d-first"), mayExist: false };
  const before = sandbox.state.apiCallsTotal;
  const created = await crm.createTask(task);
  expect(sandbox.state.apiCallsTotal - before).toBe(1);
  expect(sandbox.state.apiCallsByRoute.get("GET /query Task by Handoff_Decision_Id__c") ?? 0).toBe(0);
  // A new process (after a crash) retrying the same decision: the handoff was opened before, so it may exist.
  const again = await adapter().createTask({ ...task, mayExist: true });
  expect(again).toEqual(created);
  const tasks = [...(sandbox.state.records.get("Task")?.values() ?? [])].filter(
    (t) => t.Handoff_Decision_Id__c === "d-first",
  );
  expect(tasks).toHaveLength(1);
});

test("when 250 addresses are looked up at once, then they go in statements of at most 100 values, one call each", async () => {
  const emails = Array.from({ length: 250 }, (_, i) => `buyer${i}@import-${i}.example`);
  const composite = () => sandbox.state.apiCallsByRoute.get("POST /composite") ?? 0;
  const before = composite();
  const found = await Promise.all(emails.map((e) => crm.findDuplicatesByEmail(e)));
  expect(found.every((f) => f.length === 0)).toBe(true);
  expect(composite() - before).toBe(3);
});
