import type { CrmPort } from "../../src/ports/crm";

/**
 * What a sandbox (or recording) seeds for the contract, in CRM-neutral terms. Each CRM's sandbox provides
 * one from its demo data; the suite never names a CRM property except through `scoreProperty`.
 */
export interface CrmContractSeed {
  /** A lead with e-mail, country and a company size. */
  lead: { id: string; email: string; country: string; employees: number };
  /** At least three existing leads (the first may equal `lead.id`). */
  leadIds: string[];
  /** An id of the right shape that the CRM does not know. */
  missingLeadId: string;
  /** An active person who may own leads. */
  activeOwnerId: string;
  /** A deactivated user (listed, never active). */
  inactiveOwnerId: string;
  /** A queue, where the CRM has them. */
  queueOwnerId?: string;
  /** A company/account with that domain, owned by `ownerId`. */
  account: { domain: string; ownerId: string };
  /** `email` belongs to lead `leadId` and also to the duplicate record `duplicateId`. */
  duplicate: { email: string; leadId: string; duplicateId: string };
  /** A lead whose last form submission is named `name`. */
  conversion: { leadId: string; name: string };
  /** A lead with at least `minCount` page views. */
  pageViews: { leadId: string; minCount: number };
  /** The CRM's name of the field that holds Handoff's total score (read back through `getLeads` extras). */
  scoreProperty: string;
}

export interface CrmContractSubject {
  crm: CrmPort;
  seed: CrmContractSeed;
  teardown(): Promise<void>;
}

/**
 * The one contract every CrmPort adapter passes (HubSpot and Salesforce on their sandboxes; the
 * in-memory CRM). Each subject is fresh per `describe`, so tests may write.
 *
 * @example crmPortContract("HubSpot on the sandbox", async () => ({ crm, seed, teardown }));
 */
export function crmPortContract(name: string, makeSubject: () => Promise<CrmContractSubject>): void {
  describe(`CrmPort contract: ${name}`, () => {
    let subject: CrmContractSubject;
    let crm: CrmPort;
    let seed: CrmContractSeed;

    beforeAll(async () => {
      subject = await makeSubject();
      crm = subject.crm;
      seed = subject.seed;
    });
    afterAll(async () => {
      await subject?.teardown();
    });

    it("when fields are ensured twice, then the second run finds everything in place", async () => {
      const first = await crm.ensureFields();
      expect(first.missing).toEqual([]);
      const second = await crm.ensureFields();
      expect(second).toEqual({ created: [], missing: [] });
    });

    it("when leads are read in a batch, then known ids come back typed and unknown ids are left out", async () => {
      const leads = await crm.getLeads([seed.lead.id, seed.missingLeadId]);
      expect(leads).toHaveLength(1);
      const lead = leads[0]!;
      expect(lead.id).toBe(seed.lead.id);
      expect(lead.email).toBe(seed.lead.email);
      expect(lead.country).toBe(seed.lead.country);
      expect(lead.employees).toBe(seed.lead.employees);
      expect(typeof lead.properties).toBe("object");
    });

    it("when many single reads run at once, then every caller gets its own lead", async () => {
      const leads = await Promise.all(seed.leadIds.map((id) => crm.getLeads([id])));
      expect(leads.map((l) => l[0]?.id)).toEqual(seed.leadIds);
    });

    it("when a lead is qualified and assigned, then reading it back shows the stage, the owner and the score", async () => {
      const id = seed.leadIds[1]!;
      await crm.updateLeads([
        {
          leadId: id,
          fitScore: 60,
          engagementScore: 45,
          totalScore: 105,
          scoreSummary: "+25 company size ≥ 100",
          stage: "mql",
          ownerId: seed.activeOwnerId,
          decisionId: "dec-contract-1",
          slaVersion: "v1",
        },
      ]);
      const [lead] = await crm.getLeads([id], [seed.scoreProperty]);
      expect(lead?.stage).toBe("mql");
      expect(lead?.ownerId).toBe(seed.activeOwnerId);
      expect(lead?.properties[seed.scoreProperty]).toBe(105);
    });

    it("when an update names a lead the CRM does not know, then it fails as not found", async () => {
      await expect(crm.updateLeads([{ leadId: seed.missingLeadId, totalScore: 1 }])).rejects.toMatchObject({
        code: "crm_not_found",
      });
    });

    it("when the follow-up task for one decision is created twice, then there is one task", async () => {
      const task = {
        leadId: seed.leadIds[2]!,
        ownerId: seed.activeOwnerId,
        subject: "Call back: asked to be contacted",
        body: "Why now: contact-me form. Fit 60, engagement 45.",
        dueAt: new Date(Date.now() + 30 * 60_000).toISOString(),
        // Capitals on purpose: HubSpot matches IN on a string property only with lowercase values.
        decisionId: "Dec-Contract-Task",
      };
      const first = await crm.createTask(task);
      const second = await crm.createTask(task);
      expect(first.id).toBeTruthy();
      expect(second.id).toBe(first.id);
      expect(first.leadId).toBe(task.leadId);
    });

    it("when owners are listed, then deactivated users are there but never active", async () => {
      const owners = await crm.listOwners();
      const active = owners.find((o) => o.id === seed.activeOwnerId);
      const inactive = owners.find((o) => o.id === seed.inactiveOwnerId);
      expect(active).toMatchObject({ active: true, kind: "person" });
      expect(inactive).toMatchObject({ active: false });
      if (seed.queueOwnerId)
        expect(owners.find((o) => o.id === seed.queueOwnerId)).toMatchObject({ kind: "queue" });
    });

    it("when an account is looked up by e-mail domain, then its owner comes with it", async () => {
      const accounts = await crm.findAccountsByDomain(seed.account.domain);
      expect(accounts.map((a) => a.ownerId)).toContain(seed.account.ownerId);
      expect(await crm.findAccountsByDomain("no-such-domain.example")).toEqual([]);
    });

    it("when duplicates are looked up by e-mail, then the other record is found and the lead itself excluded", async () => {
      const dups = await crm.findDuplicatesByEmail(seed.duplicate.email, seed.duplicate.leadId);
      expect(dups.map((d) => d.id)).toContain(seed.duplicate.duplicateId);
      expect(dups.map((d) => d.id)).not.toContain(seed.duplicate.leadId);
    });

    it("when the last conversion is read, then it names the form and when it happened", async () => {
      const conversion = await crm.getLastConversion(seed.conversion.leadId);
      expect(conversion?.name).toBe(seed.conversion.name);
      expect(Number.isFinite(Date.parse(conversion?.occurredAt ?? ""))).toBe(true);
    });

    it("when recent activities are read, then page views come newest first, at most the limit", async () => {
      const activities = await crm.getRecentActivities(seed.pageViews.leadId, 5);
      const views = activities.filter((a) => a.kind === "page_view");
      expect(views.length).toBeGreaterThanOrEqual(Math.min(5, seed.pageViews.minCount));
      expect(views.length).toBeLessThanOrEqual(5);
      const times = views.map((v) => v.occurredAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(views.every((v) => typeof v.url === "string")).toBe(true);
    });

    it("when open leads are counted per owner, then every asked owner gets a number", async () => {
      const counts = await crm.countOpenLeadsByOwner([seed.activeOwnerId, seed.inactiveOwnerId]);
      expect(Object.keys(counts).sort()).toEqual([seed.activeOwnerId, seed.inactiveOwnerId].sort());
      expect(Object.values(counts).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    });

    it("when touches are listed for a lead, then they are touches since the given time, oldest first", async () => {
      const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
      const touches = await crm.listTouches(seed.lead.id, since);
      expect(touches.every((t) => t.leadId === seed.lead.id && t.occurredAt >= since)).toBe(true);
    });

    it("reports its rate budget", () => {
      const budget = crm.rateBudget();
      expect(budget.used).toBeGreaterThanOrEqual(0);
      expect(budget.limit).toBeGreaterThan(0);
      expect(budget.windowMs).toBeGreaterThan(0);
    });
  });
}
