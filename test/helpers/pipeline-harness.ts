import { createHolidayCalendar } from "../../src/adapters/holidays";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import type { AssignmentStore } from "../../src/ports/assignments";
import type { StoredEvent } from "../../src/ports/events";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { LeadStore } from "../../src/ports/leads";
import { createLeadEventHandler, type PipelineDeps } from "../../src/app/handle-lead-event";
import { inProductWords } from "../../src/adapters/postgres/event-store";
import { combineLeadStatusMaps, recordCrmLeadStatus } from "../../src/app/record-crm-lead-status";
import { HUBSPOT_LEAD_STATUSES } from "../../src/adapters/hubspot/hubspot-mapper";
import { SALESFORCE_LEAD_STATUSES } from "../../src/adapters/salesforce/salesforce-mapper";
import type { FeedbackDeps } from "../../src/app/record-feedback";
import type { Sla } from "../../src/domain/sla";
import { createCapturingLogger } from "../../src/logging/logger";
import type { CrmPort } from "../../src/ports/crm";
import type { TestDatabase } from "./db";
import { demoRules } from "./routing-builders";
import { anSla, engagementRule } from "../unit/sla/builders";

import { MemoryCrm } from "./memory/memory-crm";

export { MemoryCrm };

/**
 * An SLA whose form submission alone makes an MQL (50 engagement points, thresholds fit 0 and engagement 40),
 * routed by `rules` (the demo DACH/Iberia/NA pools without holidays), with `UNQUALIFIED` meaning "not_icp".
 */
export function formSla(rules = demoRules()): Sla {
  for (const rep of Object.values(rules.reps)) delete rep.holidays;
  const s = anSla({
    routing: rules,
    engagement: [engagementRule({ on: "form_submission", points: 50 })],
    mqlFit: 0,
    mqlEngagement: 40,
  });
  s.feedback = { rejectReasons: ["not_icp", "no_budget"], crmRejections: { UNQUALIFIED: "not_icp" } };
  return s;
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
  const stores = {
    leads: new PostgresLeadStore(db.pool),
    assignments: new PostgresAssignmentStore({ pool: db.pool, logger: createCapturingLogger() }),
  };
  return createPipelineOn(stores, sla, now, crm);
}

/**
 * The pipeline on the stores given (PostgreSQL, or the in-memory ones of `test/helpers/memory`), a memory CRM,
 * an SLA and an injected clock; `overrides` replaces collaborators (a notifier that records, a record URL).
 */
export function createPipelineOn(
  stores: { leads: LeadStore; assignments: AssignmentStore },
  sla: Sla,
  now: () => Date,
  crm = new MemoryCrm(),
  overrides: Partial<PipelineDeps> = {},
): Pipeline {
  const logger = createCapturingLogger();
  const { leads, assignments } = stores;
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
    recordLeadStatus: (event, log) =>
      recordCrmLeadStatus(
        feedbackDeps,
        event,
        log,
        combineLeadStatusMaps(HUBSPOT_LEAD_STATUSES, SALESFORCE_LEAD_STATUSES),
      ),
    now,
    ...overrides,
  };
  const handler = createLeadEventHandler(deps);
  // As the worker gets it from the event store: in Handoff's words, whatever shape the test wrote it in.
  return {
    crm,
    leads,
    assignments,
    deps,
    feedbackDeps,
    logger,
    handle: (e) => handler(inProductWords(e), logger),
  };
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
