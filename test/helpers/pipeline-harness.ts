import { createHolidayCalendar } from "../../src/adapters/holidays";
import { createAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import type { AssignmentStore } from "../../src/ports/assignments";
import type { StoredEvent } from "../../src/ports/events";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { LeadStore } from "../../src/ports/leads";
import { createLeadEventHandler, type PipelineDeps } from "../../src/app/handle-lead-event";
import { recordCrmLeadStatus } from "../../src/app/record-crm-lead-status";
import type { FeedbackDeps } from "../../src/app/record-feedback";
import type { Activity, Crm, Lead } from "../../src/domain/lead";
import type { Sla } from "../../src/domain/sla";
import { createCapturingLogger } from "../../src/logging/logger";
import type { CrmOwner, CrmPort, CrmTouch, FollowUpTask, LeadUpdate } from "../../src/ports/crm";
import type { TestDatabase } from "./db";

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

/** A movable clock the whole pipeline reads. */
export function movableClock(startIso: string) {
  let at = Date.parse(startIso);
  const clock = () => new Date(at);
  return Object.assign(clock, {
    set: (iso: string) => void (at = Date.parse(iso)),
    advance: (ms: number) => void (at += ms),
  });
}

export interface Pipeline {
  crm: MemoryCrm;
  leads: LeadStore;
  assignments: AssignmentStore;
  deps: PipelineDeps;
  feedbackDeps: FeedbackDeps;
  logger: ReturnType<typeof createCapturingLogger>;
  handle(event: StoredEvent): Promise<"processed" | "ignored">;
}

/** The real pipeline (stores on PostgreSQL) on a memory CRM, an SLA and an injected clock. */
export function createPipeline(db: TestDatabase, sla: Sla, now: () => Date, crm = new MemoryCrm()): Pipeline {
  const logger = createCapturingLogger();
  const leads = new PostgresLeadStore(db.pool);
  const assignments = createAssignmentStore({ pool: db.pool, logger });
  const slaFor = () => Promise.resolve({ sla, hash: "sha256:test" });
  const crmFor = () => Promise.resolve(crm as CrmPort);
  const feedbackDeps: FeedbackDeps = { leads, assignments, crmFor, slaFor, logger, now };
  const deps: PipelineDeps = {
    crmFor,
    slaFor,
    leads,
    assignments,
    holidays: createHolidayCalendar(),
    recordUrl: () => undefined,
    taskFor: (ctx, handoff) => ({
      leadId: ctx.lead.id,
      ownerId: handoff.ownerId!,
      subject: "Follow up",
      body: "",
      dueAt: handoff.dueAt,
      priority: "HIGH",
      type: "CALL",
      decisionId: handoff.id,
    }),
    notify: () => Promise.resolve(),
    recordLeadStatus: (event, log) => recordCrmLeadStatus(feedbackDeps, event, log),
    now,
  };
  const handler = createLeadEventHandler(deps);
  return { crm, leads, assignments, deps, feedbackDeps, logger, handle: (e) => handler(e, logger) };
}

let seq = 0;

/** A stored CRM event as the worker hands it to the pipeline. */
export function anEvent(
  connectionId: string,
  objectId: string,
  occurredAt: string,
  overrides: Partial<StoredEvent> = {},
): StoredEvent {
  seq += 1;
  return {
    connectionId,
    crm: "hubspot",
    eventKey: `evt-${seq}-${objectId}`,
    kind: "property_changed",
    objectType: "contact",
    objectId,
    occurredAt,
    propertyName: "recent_conversion_date",
    raw: {},
    status: "processing",
    attempts: 1,
    lastError: null,
    receivedAt: occurredAt,
    parkedAt: null,
    ...overrides,
  };
}
