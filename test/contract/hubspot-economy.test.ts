/**
 * CRM economy on the professional-tier sandbox: lookups that routing makes per lead fold into calls that
 * serve many leads, and what rarely changes is listed once.
 */
import { HubSpotCrm } from "../../src/adapters/hubspot/hubspot-crm";
import { staticHubSpotAccess } from "../../src/adapters/hubspot/hubspot-oauth";
import { systemClock } from "../../src/composition/system-clock";
import { emptyStats, HUBSPOT_SANDBOX_DEMO } from "../../src/sandbox/hubspot/state";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { addQualifyingContact } from "../helpers/sandbox-leads";
import { silent } from "../helpers/silent-logger";

describe("HubSpot adapter: calls that serve many leads", () => {
  let sandbox: SandboxServer;
  let crm: HubSpotCrm;
  let clock = 0;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  beforeEach(() => {
    clock = systemClock().getTime();
    crm = new HubSpotCrm({
      connectionId: "hubspot-9876543",
      access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
      basePath: sandbox.hubspotBasePath,
      logger: silent,
      now: () => new Date(clock),
    });
    sandbox.hubspot.stats = emptyStats();
  });
  afterEach(() => crm.budget.close());
  afterAll(() => sandbox.close());

  it("when 40 leads' duplicates are looked up at once, then one search finds them, additional e-mails included", async () => {
    const emails = Array.from({ length: 39 }, (_, i) => `nobody${i}@economy.example`);
    const [sofia, ...rest] = await Promise.all([
      crm.findDuplicatesByEmail("sofia.garcia@madridsoft.es", "502"),
      ...emails.map((e) => crm.findDuplicatesByEmail(e)),
    ]);
    expect(sofia!.map((d) => d.id)).toEqual(["531"]);
    expect(rest.every((r) => r.length === 0)).toBe(true);
    // 40 addresses × 2 filters do not fit one 3,000-character body: the fewest searches that do.
    expect(sandbox.hubspot.stats.searchCalls).toBeLessThanOrEqual(2);
  });

  it("when 30 leads from three companies are routed at once, then one search finds the accounts and a later lead asks nothing", async () => {
    const domains = ["bauwerk.de", "madridsoft.es", "no-such-domain.example"];
    const found = await Promise.all(
      Array.from({ length: 30 }, (_, i) => crm.findAccountsByDomain(domains[i % 3]!)),
    );
    expect(found[0]!.map((a) => a.domain)).toContain("bauwerk.de");
    expect(found[2]).toEqual([]);
    expect(sandbox.hubspot.stats.searchCalls).toBe(1);
    await crm.findAccountsByDomain("bauwerk.de");
    expect(sandbox.hubspot.stats.searchCalls).toBe(1);
    clock += 61_000;
    await crm.findAccountsByDomain("bauwerk.de");
    expect(sandbox.hubspot.stats.searchCalls).toBe(2);
  });

  it("when owners are listed for many leads within five minutes, then HubSpot is asked once (active and archived)", async () => {
    await Promise.all(Array.from({ length: 10 }, () => crm.listOwners()));
    const first = sandbox.hubspot.stats.apiCalls;
    expect(first).toBe(2);
    await crm.listOwners();
    expect(sandbox.hubspot.stats.apiCalls).toBe(first);
    clock += 5 * 60_000 + 1;
    await crm.listOwners();
    expect(sandbox.hubspot.stats.apiCalls).toBe(first + 2);
  });

  it("when 20 leads' page views are read below Enterprise, then their Last Page Seen history comes with the leads' own batch read", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => String(610_000 + i));
    for (const [i, id] of ids.entries()) addQualifyingContact(sandbox, id, clock, i);
    await crm.getRecentActivities(ids[0]!, 5); // learns once that the Events API is refused here
    sandbox.hubspot.stats = emptyStats();
    await Promise.all(ids.map((id) => Promise.all([crm.getLeads([id]), crm.getRecentActivities(id, 5)])));
    expect(sandbox.hubspot.stats.apiCalls).toBe(1);
  });

  it("when tasks are created for handoffs opened just now, then no search is made; a retried one is looked for first", async () => {
    const task = (n: number, mayExist: boolean) => ({
      leadId: "501",
      ownerId: "80001",
      subject: "Follow up",
      body: "Qualified",
      dueAt: new Date(clock + 3_600_000).toISOString(),
      decisionId: `economy-${clock}-${n}`,
      mayExist,
    });
    await crm.ensureFields();
    sandbox.hubspot.stats = emptyStats();
    await crm.createTask(task(0, false)); // once per adapter: does the portal's task carry Handoff's property
    sandbox.hubspot.stats = emptyStats();
    await Promise.all([crm.createTask(task(1, false)), crm.createTask(task(2, false))]);
    expect(sandbox.hubspot.stats.searchCalls).toBe(0);
    expect(sandbox.hubspot.stats.apiCalls).toBe(1);
    const again = await crm.createTask(task(1, true));
    expect(sandbox.hubspot.stats.searchCalls).toBe(1);
    expect(again.leadId).toBe("501");
  });

  it("when 120 imported leads submitted the same form an hour ago, then each page of its submissions is read once, not once per lead", async () => {
    const ids = Array.from({ length: 120 }, (_, i) => String(640_000 + i));
    for (const [i, id] of ids.entries()) addQualifyingContact(sandbox, id, clock - 3_600_000, i);
    sandbox.hubspot.stats = emptyStats();
    const conversions = await Promise.all(ids.map((id) => crm.getLastConversion(id)));
    expect(conversions.filter((c) => c?.values !== undefined).length).toBe(120);
    // 2 batch reads of the leads, the forms list, and the pages holding 120+ submissions (50 a page).
    expect(sandbox.hubspot.stats.apiCalls).toBeLessThanOrEqual(10);
  });
});
