import type { HolidayCalendar } from "../../../src/ports/holidays";
import type { Clock } from "../../../src/ports/clock";
import { MemoryAssignmentStore } from "./memory-assignment-store";
import { MemoryConnectionStore } from "./memory-connection-store";
import { MemoryEventStore } from "./memory-event-store";
import { MemoryFollowUpStore } from "./memory-follow-up-store";
import { MemoryLeadStore } from "./memory-lead-store";

export { MemoryAssignmentStore, type RepSettings } from "./memory-assignment-store";
export { MemoryConnectionStore } from "./memory-connection-store";
export { MemoryEventStore, type EnqueuedJob } from "./memory-event-store";
export { MemoryFollowUpStore } from "./memory-follow-up-store";
export { MemoryLeadStore, type AuditEntry } from "./memory-lead-store";

export interface MemoryStores {
  connections: MemoryConnectionStore;
  events: MemoryEventStore;
  leads: MemoryLeadStore;
  assignments: MemoryAssignmentStore;
  followUps: MemoryFollowUpStore;
}

/**
 * Every store the pipeline uses, in memory and sharing their rows as the PostgreSQL stores share one database
 * (a follow-up marks the lead store's handoff reassigned; erasing a lead forgets its routing decisions).
 */
export function createMemoryStores(options: { clock: Clock; holidays?: HolidayCalendar }): MemoryStores {
  const leads = new MemoryLeadStore(options.clock);
  const assignments = new MemoryAssignmentStore(options.holidays ? { holidays: options.holidays } : {});
  leads.onErase((connectionId, leadId) => assignments.eraseLead(connectionId, leadId));
  return {
    connections: new MemoryConnectionStore(),
    events: new MemoryEventStore(options.clock),
    leads,
    assignments,
    followUps: new MemoryFollowUpStore(leads, assignments),
  };
}
