import type { StoredEvent } from "../ports/events";
import type { AssignmentStore } from "../ports/assignments";
import type { ConversionRecord, HandoffRecord, LeadStore } from "../ports/leads";
import type { HolidayCalendar } from "../ports/holidays";
import type { Activity, Lead } from "../domain/lead";
import type { LifecycleEvent } from "../domain/lifecycle";
import type { CrmOwner, CrmPort, FollowUpTask } from "../ports/crm";
import type { ScoreHistory } from "../ports/lead-story";
import type { Logger } from "../ports/logger";
import type { ActiveSla } from "../ports/sla-versions";
import type { SyncedPairDeps } from "./synced-pair";

export type { ActiveSla };

/** What the pipeline knows about the lead while it handles one event. */
export interface LeadContext {
  connectionId: string;
  crm: CrmPort;
  sla: ActiveSla;
  lead: Lead;
  activities: Activity[];
  history: LifecycleEvent[];
  owners: CrmOwner[];
  recordUrl: string | undefined;
  /** Optional context that could not be loaded, in words for the card ("content views: …"). */
  gaps: string[];
}

/** Everything the pipeline needs, passed in (tests pass fakes; `composition/compose.ts` passes the real ones, all at construction). */
export interface PipelineDeps {
  crmFor(connectionId: string): Promise<CrmPort>;
  slaFor(connectionId: string): Promise<ActiveSla>;
  leads: LeadStore;
  assignments: AssignmentStore;
  holidays: HolidayCalendar;
  /** Link to the record in the CRM, for the card. */
  recordUrl(connectionId: string, leadId: string): string | undefined;
  /** The follow-up task for a handoff (subject/body from the card snapshot). */
  taskFor(ctx: LeadContext, handoff: HandoffRecord): FollowUpTask;
  /** Enqueues one job per configured channel, once per handoff. */
  notify(connectionId: string, handoffId: string): Promise<void>;
  /** Starts the follow-up clock's timers (reminders, escalation, reassignment). */
  scheduleFollowUp?(connectionId: string, handoff: HandoffRecord): Promise<void>;
  /**
   * A lead-status change by a person: feedback (accepted/rejected) or a touch (`recordCrmLeadStatus`).
   * `accepted`/`rejected` end the event's handling: the feedback is the news.
   */
  recordLeadStatus?(event: StoredEvent, log: Logger): Promise<string>;
  /** A change on a handoff's Lead record (HubSpot Leads object): a touch, acceptance or rejection. */
  recordLeadRecordStage?(event: StoredEvent, log: Logger): Promise<string>;
  /** Sales converted the lead in the CRM: closes its handoff as accepted (`recordConversion`). */
  recordConversion?(
    crm: CrmPort,
    connectionId: string,
    lead: Lead,
    log: Logger,
  ): Promise<ConversionRecord | null>;
  /** The lead's score per event, for the admin's lead story. */
  scores?: ScoreHistory;
  /** Synced pairs (HubSpot marketing + Salesforce sales): events of a paired connection go through the pair first. */
  syncedPairs?: SyncedPairDeps;
  now(): Date;
}
