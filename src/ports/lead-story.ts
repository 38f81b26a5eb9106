import type { Activity, Lead } from "../domain/lead";
import type { ScoreReason } from "../domain/scoring";

/** The score Handoff computed for a lead at one event, with the stage decision it led to. */
export interface ScorePoint {
  eventKey: string;
  /** When the event was handled (ISO). */
  at: string;
  slaHash: string | null;
  fit: number;
  engagement: number;
  total: number;
  stage: string;
  action: string;
  reason: string;
  reasons: ScoreReason[];
}

/** Where the pipeline writes each lead's score per event (one point per lead and event, kept once). */
export interface ScoreHistory {
  record(connectionId: string, leadId: string, point: ScorePoint): Promise<void>;
}

/** A lead found by CRM id or e-mail. */
export interface LeadMatch {
  leadId: string;
  /** How it matched: the CRM record id, or an e-mail seen on its snapshot or events. */
  matchedBy: "id" | "email";
  lastEventAt: string | null;
  stage: string | null;
}

export interface StoryEvent {
  eventKey: string;
  kind: string;
  occurredAt: string;
  receivedAt: string;
  status: string;
  attempts: number;
  /** Who or what caused it in the CRM (`CRM_UI`, `INTEGRATION`, `FORM`…), when the CRM says. */
  source: string | null;
  property: string | null;
  value: string | null;
  error: { code: string; message: string; hint?: string } | null;
}

export interface StoryLifecycle {
  type: string;
  stage: string | null;
  reason: string | null;
  by: string | null;
  actor: string | null;
  at: string;
}

export interface StoryDecision {
  id: string;
  eventKey: string | null;
  slaHash: string | null;
  createdAt: string;
  inputs: Record<string, unknown>;
  outcome: Record<string, unknown>;
}

export interface StoryNotification {
  channel: string;
  status: string;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
}

export interface StoryFollowUpStep {
  step: string;
  kind: string;
  dueAt: string;
  status: string;
  outcome: string | null;
  firedAt: string | null;
}

export interface StoryHandoff {
  id: string;
  eventKey: string;
  ownerId: string | null;
  ownerName: string | null;
  repKey: string | null;
  method: string | null;
  taskId: string | null;
  /** Why there is no follow-up task ("no task: a queue owns the lead"); null when there is or should be one. */
  noTask: string | null;
  startedAt: string;
  dueAt: string;
  firstTouchAt: string | null;
  status: string;
  rejectReason: string | null;
  feedbackAt: string | null;
  slaHash: string | null;
  notifications: StoryNotification[];
  followUp: StoryFollowUpStep[];
  cadence: {
    callsDone: number;
    callsRequired: number;
    emailsDone: number;
    emailsRequired: number;
    windowEnd: string;
    status: string;
    checkedAt: string;
  } | null;
  reassignedTo: { handoffId: string; toOwnerId: string | null; reason: string; at: string } | null;
}

/** The SLA versions a lead's decisions were made under, by hash. */
export interface StorySlaVersion {
  hash: string;
  name: string;
  version: number;
  status: string;
}

/** Everything Handoff stored about one lead of one connection, oldest first. */
export interface LeadStoryRecords {
  state: {
    stage: string;
    fit: number;
    engagement: number;
    total: number;
    heldReason: string | null;
    lastEventAt: string | null;
    mergedInto: string | null;
  } | null;
  /** Name, e-mail, company, title and country from the newest handoff's snapshot, if it was handed over. */
  person: {
    name: string | null;
    email: string | null;
    company: string | null;
    jobTitle: string | null;
    country: string | null;
  } | null;
  /**
   * The lead as Handoff last saw it whole (the newest handoff's snapshot, or the newest routing decision's
   * input), with its activity: what a draft SLA is tried on.
   */
  snapshot: { lead: Lead; activities: Activity[]; at: string } | null;
  events: StoryEvent[];
  scores: ScorePoint[];
  lifecycle: StoryLifecycle[];
  decisions: StoryDecision[];
  handoffs: StoryHandoff[];
  slaVersions: StorySlaVersion[];
}

/** Reads one lead's story; every read is scoped by the connection id, so portals stay apart. */
export interface LeadStoryReader {
  /** Leads whose CRM id equals `query`, or whose e-mail equals it (case-insensitive), newest first. */
  find(connectionId: string, query: string, limit: number): Promise<LeadMatch[]>;
  read(connectionId: string, leadId: string, limits: { events: number }): Promise<LeadStoryRecords>;
}
