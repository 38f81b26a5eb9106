import type { Activity, Crm, Lead, LeadConversion, Stage } from "../domain/lead";

/**
 * Which lead-status values mean sales' decision, in each CRM's own words (values compared case-insensitively). Each
 * CRM folder names its own defaults; the use case gets them as data.
 */
export interface LeadStatusMap {
  /** Sales took the lead (→ SQL). */
  accepted: string[];
  /** Sales turned the lead down (→ recycled); the reason comes from the status or `reasons`. */
  rejected: string[];
  /** Status value → SLA reject reason, where the status itself says why (`BAD_TIMING` → `bad_timing`). */
  reasons: Record<string, string>;
}

/** A CRM user who can own leads. */
export interface CrmOwner {
  /** The id written into the owner field (HubSpot owner id, Salesforce User/Queue id). */
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** False for deactivated/archived users: they never get leads. */
  active: boolean;
  kind: "person" | "queue";
  teams: { id: string; name: string; primary?: boolean }[];
  /** Manager's owner id, where the CRM knows it (Salesforce `ManagerId`). */
  managerId?: string;
  /** The CRM user behind the owner where it differs from `id` (HubSpot's `userId`, what its cards send). */
  userId?: string;
}

export interface CrmAccount {
  id: string;
  name?: string;
  domain?: string;
  ownerId?: string;
  employees?: number;
  industry?: string;
}

/** What Handoff writes back to one lead. Only the fields present are written. */
export interface LeadUpdate {
  leadId: string;
  fitScore?: number;
  engagementScore?: number;
  totalScore?: number;
  /** One line per reason, for the CRM's own views. */
  scoreSummary?: string;
  stage?: Stage;
  leadStatus?: string;
  ownerId?: string;
  /** Handoff's decision id, so a write can be recognised as already done. */
  decisionId?: string;
  slaVersion?: string;
  followUpDueAt?: string;
}

export interface FollowUpTask {
  leadId: string;
  ownerId: string;
  subject: string;
  body: string;
  /** ISO-8601 instant. */
  dueAt: string;
  priority?: "LOW" | "MEDIUM" | "HIGH";
  type?: "CALL" | "EMAIL" | "TODO";
  /** Idempotency: the task for one decision is created once. */
  decisionId: string;
  /**
   * An earlier attempt may have created this task without recording it (Handoff's handoffs table has no
   * task id for a handoff opened before this attempt): look for it by decision id before creating it.
   * False: Handoff knows no attempt was made before, so the task is created without a search. Absent is
   * read as true (search first), the safe side for a caller that does not know. @default true
   */
  mayExist?: boolean;
}

export interface CreatedTask {
  id: string;
  leadId: string;
}

/** A touch by sales on a lead (call, e-mail, meeting logged), for the follow-up clock and cadence. */
export interface CrmTouch {
  leadId: string;
  kind: "call" | "email" | "meeting" | "task_completed" | "status_change";
  occurredAt: string;
  ownerId?: string;
}

/** The last form submission of a lead. */
export interface Conversion {
  name: string;
  occurredAt: string;
  pageUrl?: string;
  formId?: string;
  /** Field name → submitted value (never logged). */
  values?: Record<string, string>;
}

/** Where a lead stands in the CRM's own prospecting pipeline (HubSpot's Leads object). */
export type LeadRecordStage = "new" | "attempting" | "connected" | "qualified" | "disqualified" | "other";

/** The record sales works the lead on besides the person's own: HubSpot's Lead (object type 0-136). */
export interface LeadRecord {
  id: string;
  stage: LeadRecordStage;
  ownerId?: string;
  /** The CRM's disqualification reason as stored (HubSpot `hs_lead_disqualification_reason`). */
  disqualificationReason?: string;
}

/** What a handoff puts on the Lead record: its name, the routed owner and Handoff's own fields. */
export interface LeadRecordInput {
  /** The person's record (HubSpot contact id). */
  leadId: string;
  name: string;
  ownerId: string;
  /** Handoff's fields, written as on the person's record. */
  fields: Omit<LeadUpdate, "leadId" | "stage" | "leadStatus" | "ownerId">;
}

/** One lead as a poll of changed records lists it: its id, when it last changed, and the fields the CRM sent. */
export interface ChangedLead {
  id: string;
  /** ISO-8601 instant of the change (Salesforce `SystemModstamp`). */
  modifiedAt: string;
  /** The record's fields as read (ids and times only), kept on the event as the CRM's raw form. */
  fields: Record<string, string>;
}

export interface RateBudget {
  /** Requests used / allowed in the CRM's window (HubSpot 10 s, Salesforce 24 h). */
  used: number;
  limit: number;
  windowMs: number;
}

/**
 * Everything Handoff needs from a CRM. Implemented by the HubSpot and Salesforce adapters (and the
 * in-memory CRM for unit tests); one contract suite (`test/contract/crm-port.contract.ts`) runs against each.
 * Every method may throw CrmRateLimitedError, CrmAuthError, CrmNotFoundError, CrmValidationError or
 * CrmUnavailableError; nothing else escapes an adapter.
 */
export interface CrmPort {
  readonly crm: Crm;
  /** Batch read; ids the CRM does not know are left out of the result. */
  getLeads(ids: string[], extraProperties?: string[]): Promise<Lead[]>;
  updateLeads(updates: LeadUpdate[]): Promise<void>;
  createTask(task: FollowUpTask): Promise<CreatedTask>;
  listOwners(): Promise<CrmOwner[]>;
  /** The account/company whose domain matches (free-mail domains are filtered by the caller). */
  findAccountsByDomain(domain: string): Promise<CrmAccount[]>;
  /** Other leads/contacts with the same e-mail, excluding `excludeId`. */
  findDuplicatesByEmail(email: string, excludeId?: string): Promise<Lead[]>;
  getLastConversion(leadId: string): Promise<Conversion | null>;
  /** The most recent activities (page views first of all), newest first, at most `limit` per kind. */
  getRecentActivities(leadId: string, limit: number): Promise<Activity[]>;
  /**
   * How many open leads each owner has in the CRM: leads whose lead status is one of `openStatuses` (the SLA's
   * `routing.open_leads.statuses`; the adapter's defaults when omitted) and that are not converted.
   */
  countOpenLeadsByOwner(ownerIds: string[], openStatuses?: string[]): Promise<Record<string, number>>;
  /** Touches logged since `since` (ISO), for the follow-up clock. */
  listTouches(leadId: string, since: string): Promise<CrmTouch[]>;
  /**
   * Who owns the records a converted lead became: the Opportunity's owner, else the Contact's. Only CRMs that
   * convert leads (Salesforce) implement it; a conversion can hand them to someone other than the lead's owner.
   */
  conversionOwner?(conversion: LeadConversion): Promise<string | undefined>;
  /**
   * Opens the Lead record of a handoff (HubSpot's Leads object, where the portal has it and granted its scopes):
   * reuses the person's open Lead, or creates one associated with the contact and its company; either way owned by
   * `ownerId` and carrying Handoff's fields. Null where the CRM has no such object for this connection.
   */
  openLeadRecord?(input: LeadRecordInput): Promise<{ record: LeadRecord; created: boolean } | null>;
  /** One Lead record as it is now; null when it is gone or the object is not available. */
  getLeadRecord?(id: string): Promise<LeadRecord | null>;
  /**
   * True when this account cannot tell Handoff of lead changes itself (a Salesforce edition without outbound
   * messages), so Handoff polls `changedLeadPages` instead. Only CRMs where that can happen implement it.
   */
  needsChangePolling?(): Promise<boolean>;
  /**
   * Leads changed after `since` (ISO), oldest change first, one page per CRM call; stop iterating to stop
   * reading. Implemented with `needsChangePolling`.
   */
  changedLeadPages?(since: string): AsyncIterable<ChangedLead[]>;
  /** Creates (HubSpot) or checks (Salesforce describe) the fields Handoff writes. Returns what was missing. */
  ensureFields(): Promise<{ created: string[]; missing: string[] }>;
  rateBudget(): RateBudget;
}
