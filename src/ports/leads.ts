import type { HandoffCardInput } from "../domain/handoff-card";
import type { Activity, Stage } from "../domain/lead";
import type { LifecycleEvent } from "../domain/lifecycle";
import type { HandoffStatus } from "../domain/reports";

export interface LeadState {
  stage: Stage;
  lastEventAt: string | null;
  mergedInto: string | null;
}

/** Where a handoff stands (the domain's one definition, re-exported for the stores). */
export type { HandoffStatus };

export interface HandoffRecord {
  id: string;
  connectionId: string;
  leadId: string;
  eventKey: string;
  ownerId: string | null;
  repKey: string | null;
  method: string | null;
  taskId: string | null;
  startedAt: string;
  dueAt: string;
  firstTouchAt: string | null;
  status: HandoffStatus;
  rejectReason: string | null;
  /** The rep's own words with their accept/reject (kept with the handoff, erased with it). */
  feedbackNote?: string | null;
  feedbackAt: string | null;
  slaHash: string | null;
  score: { fit: number; engagement: number; total: number; reasons: unknown[] };
  source: Record<string, unknown>;
  cardInput: HandoffCardInput;
  createdAt: string;
}

export type NewHandoff = Omit<
  HandoffRecord,
  "taskId" | "firstTouchAt" | "status" | "rejectReason" | "feedbackNote" | "feedbackAt" | "createdAt"
>;

/** A lead sales converted in the CRM, as Handoff recorded it. */
export interface ConversionRecord {
  connectionId: string;
  leadId: string;
  handoffId: string | null;
  convertedOn: string;
  contactId: string | null;
  accountId: string | null;
  opportunityId: string | null;
  handoffOwnerId: string | null;
  convertedOwnerId: string | null;
  ownerChanged: boolean;
  recordedAt: string;
}

/** Sales' accept or reject of a handoff: the reject reason (null on accept), when, and the rep's note. */
export interface HandoffFeedback {
  status: "accepted" | "rejected";
  reason: string | null;
  at: string;
  note?: string | null;
}

/** A lead's new stage and score after an event; `eventAt` only ever moves the lead's last event forward. */
export interface LeadStateChange {
  stage: Stage;
  fit: number;
  engagement: number;
  total: number;
  heldReason: string | null;
  eventAt: string;
}

/**
 * What the pipeline remembers per lead: stage and history, handoffs (task, clock, feedback, card) and the
 * notification ledger. Every method takes the connection id first; nothing crosses connections.
 */
export interface LeadStore {
  getState(connectionId: string, leadId: string): Promise<LeadState | null>;
  saveState(connectionId: string, leadId: string, state: LeadStateChange): Promise<void>;
  history(connectionId: string, leadId: string): Promise<LifecycleEvent[]>;
  /** Appends to the lead's history once per event (a redelivery adds nothing). */
  addLifecycle(
    connectionId: string,
    leadId: string,
    event: LifecycleEvent,
    eventKey: string | null,
  ): Promise<void>;
  /** Creates the handoff once per (event, lead); a retry gets the first one back. */
  createHandoff(h: NewHandoff): Promise<HandoffRecord>;
  handoffByEvent(connectionId: string, eventKey: string, leadId: string): Promise<HandoffRecord | null>;
  getHandoff(connectionId: string, id: string): Promise<HandoffRecord | null>;
  /** The lead's newest handoff (open or not). */
  latestHandoff(connectionId: string, leadId: string): Promise<HandoffRecord | null>;
  setTask(connectionId: string, handoffId: string, taskId: string): Promise<void>;
  updateCardInput(connectionId: string, handoffId: string, cardInput: HandoffCardInput): Promise<void>;
  /** Records accept/reject once: returns false when the handoff already has feedback or is not open. */
  setFeedback(connectionId: string, handoffId: string, feedback: HandoffFeedback): Promise<boolean>;
  markFirstTouch(connectionId: string, handoffId: string, at: string): Promise<void>;
  /** Claims the right to send one channel's message for a handoff; false when it was claimed before. */
  claimNotification(connectionId: string, handoffId: string, channel: string): Promise<boolean>;
  notificationStatus(
    connectionId: string,
    handoffId: string,
    channel: string,
  ): Promise<{
    status: string;
    attempts: number;
    receipt_id: string | null;
  } | null>;
  markNotification(
    connectionId: string,
    handoffId: string,
    channel: string,
    outcome:
      | {
          status: "sent";
          receiptId?: string;
        }
      | {
          status: "failed" | "pending";
          error: string;
        },
  ): Promise<void>;
  addActivities(connectionId: string, leadId: string, activities: Activity[]): Promise<void>;
  activities(connectionId: string, leadId: string, limit?: number): Promise<Activity[]>;
  markMerged(connectionId: string, mergedIds: string[], into: string): Promise<void>;
  /** Records a conversion once per lead; a second call (redelivery, reconcile) returns the first record. */
  recordConversion(c: Omit<ConversionRecord, "recordedAt">, at: string): Promise<ConversionRecord>;
  conversion(connectionId: string, leadId: string): Promise<ConversionRecord | null>;
  /** The conversion that made any of these Contacts (the person is already sales'), if one did. */
  conversionByContact(connectionId: string, contactIds: string[]): Promise<ConversionRecord | null>;
  /** Links a handoff to the CRM's Lead record it opened or reused (once per handoff). */
  saveLeadRecord(
    connectionId: string,
    link: { recordId: string; leadId: string; handoffId: string; created: boolean },
    at: string,
  ): Promise<void>;
  /** The Lead record a handoff opened, if any. */
  leadRecordOfHandoff(connectionId: string, handoffId: string): Promise<string | null>;
  /** The person and handoff a Lead record was last used for. */
  leadRecord(connectionId: string, recordId: string): Promise<{ leadId: string; handoffId: string } | null>;
  /** One line of the audit log (who tried what on which lead, and how it ended); ids only, never names. */
  audit(
    connectionId: string,
    entry: { actor: string; action: string; subject: string; details: Record<string, unknown>; at: string },
  ): Promise<void>;
  /**
   * Runs `work` while holding the lock of one person (connection + normalised e-mail), so that two records of
   * the same person handed over at the same instant, on any workers, take turns: the second sees the first's
   * handoff and is linked to it.
   */
  withPersonLock<T>(connectionId: string, email: string, work: () => Promise<T>): Promise<T>;
  /** Another CRM record of the same person, linked to the open handoff instead of getting its own. */
  linkToHandoff(connectionId: string, handoffId: string, leadId: string, at: string): Promise<void>;
  /** The records linked to a handoff (duplicates of its lead). */
  linkedLeads(connectionId: string, handoffId: string): Promise<string[]>;
  /**
   * Privacy deletion: removes the lead's personal data from every Handoff table (state, history, handoffs
   * with their cards, decisions with their snapshots, activity), and strips the stored events down to ids.
   */
  erase(connectionId: string, leadId: string): Promise<void>;
}
