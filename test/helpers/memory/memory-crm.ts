import { CrmUnavailableError } from "../../../src/domain/errors";
import type { Activity, Crm, Lead } from "../../../src/domain/lead";
import type { CrmOwner, CrmPort, CrmTouch, FollowUpTask, LeadUpdate } from "../../../src/ports/crm";

/** A CRM held in memory: leads and activities the test sets, and every write Handoff makes. */
export class MemoryCrm implements CrmPort {
  readonly tasks: FollowUpTask[] = [];
  readonly updates: LeadUpdate[] = [];
  readonly touches: CrmTouch[] = [];
  readonly leads = new Map<string, Lead>();
  readonly activities = new Map<string, Activity[]>();
  /** What `countOpenLeadsByOwner` answers, and the statuses it was last asked about. */
  openCounts: Record<string, number> = {};
  countedStatuses: string[] | undefined;
  /** Owner writes that fail (as a 5xx would) before one goes through. */
  failOwnerWrites = 0;
  readonly owners: CrmOwner[] = [
    { id: "80001", userId: "9001", firstName: "Anna", active: true, kind: "person", teams: [] },
    { id: "80002", firstName: "Ben", active: true, kind: "person", teams: [] },
    { id: "80007", firstName: "Maria", active: true, kind: "person", teams: [] },
    { id: "80009", firstName: "Mia", active: true, kind: "person", teams: [] },
    { id: "Q1", firstName: "Inbound triage", active: true, kind: "queue", teams: [] },
  ];
  constructor(readonly crm: Crm = "hubspot") {}
  getLeads(ids: string[]) {
    return Promise.resolve(ids.flatMap((id) => (this.leads.has(id) ? [{ ...this.leads.get(id)! }] : [])));
  }
  updateLeads(updates: LeadUpdate[]) {
    if (this.failOwnerWrites > 0 && updates.some((u) => u.ownerId)) {
      this.failOwnerWrites -= 1;
      return Promise.reject(new CrmUnavailableError(`${this.crm} answered 502`));
    }
    this.updates.push(...updates);
    for (const u of updates) {
      const lead = this.leads.get(u.leadId);
      if (lead && u.ownerId) lead.ownerId = u.ownerId;
      if (lead && u.stage) lead.stage = u.stage;
    }
    return Promise.resolve();
  }
  createTask(task: FollowUpTask) {
    this.tasks.push(task);
    return Promise.resolve({ id: `task-${this.tasks.length}`, leadId: task.leadId });
  }
  listOwners() {
    return Promise.resolve(this.owners);
  }
  findAccountsByDomain() {
    return Promise.resolve([]);
  }
  findDuplicatesByEmail(email: string, excludeId?: string) {
    return Promise.resolve(
      [...this.leads.values()].filter((l) => l.email === email && l.id !== excludeId).map((l) => ({ ...l })),
    );
  }
  getLastConversion() {
    return Promise.resolve(null);
  }
  getRecentActivities(leadId: string) {
    return Promise.resolve([...(this.activities.get(leadId) ?? [])]);
  }
  countOpenLeadsByOwner(ownerIds: string[], statuses?: string[]) {
    this.countedStatuses = statuses;
    return Promise.resolve(Object.fromEntries(ownerIds.map((id) => [id, this.openCounts[id] ?? 0])));
  }
  listTouches(leadId: string, since: string) {
    return Promise.resolve(this.touches.filter((t) => t.leadId === leadId && t.occurredAt >= since));
  }
  ensureFields() {
    return Promise.resolve({ created: [], missing: [] });
  }
  rateBudget() {
    return { used: 0, limit: 100, windowMs: 10_000 };
  }
}
