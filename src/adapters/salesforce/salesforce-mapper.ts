/**
 * Salesforce field names stop here: SOQL rows in, typed `Lead`/`CrmOwner`/`CrmAccount` out, and
 * `LeadUpdate`/`FollowUpTask` in, sObject fields out.
 */
import type { Lead, LeadConversion, Stage } from "../../domain/lead";
import type {
  CrmAccount,
  CrmOwner,
  CrmTouch,
  FollowUpTask,
  LeadStatusMap,
  LeadUpdate,
} from "../../ports/crm";

export type SalesforceRecord = Record<string, unknown>;

/** Standard Lead fields Handoff reads, when the org has them (describe decides; see salesforce-crm.ts). */
/**
 * Lead `Status` values that are sales' decision in a Salesforce org as commonly set up; the others
 * (`Open - Not Contacted`, `Working - Contacted`) are touches. An org's values are its `LeadStatus` rows
 * (https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-leadstatus.html).
 */
export const SALESFORCE_LEAD_STATUSES: LeadStatusMap = {
  accepted: ["Qualified", "Closed - Converted"],
  rejected: ["Unqualified", "Closed - Not Converted"],
  reasons: {},
};

export const LEAD_READ_FIELDS = [
  "Id",
  "FirstName",
  "LastName",
  "Email",
  "Company",
  "Title",
  "Industry",
  "NumberOfEmployees",
  "AnnualRevenue",
  "Website",
  "City",
  "State",
  "StateCode",
  "PostalCode",
  "Country",
  "CountryCode",
  "LeadSource",
  "Status",
  "Rating",
  "OwnerId",
  "IsConverted",
  "ConvertedDate",
  "ConvertedContactId",
  "ConvertedAccountId",
  "ConvertedOpportunityId",
  "CreatedDate",
  "LastModifiedDate",
  // Who wrote last: a synced pair tells the HubSpot connector's owner syncs from a person's reassignment by it.
  "LastModifiedById",
] as const;

/** The custom fields Handoff writes on Lead. ensureFields checks them with describe. */
export const HANDOFF_LEAD_FIELDS = {
  fitScore: "Handoff_Fit_Score__c",
  engagementScore: "Handoff_Engagement_Score__c",
  totalScore: "Handoff_Score__c",
  scoreSummary: "Handoff_Score_Summary__c",
  decisionId: "Handoff_Decision_Id__c",
  slaVersion: "Handoff_SLA_Version__c",
  followUpDueAt: "Handoff_Follow_Up_Due__c",
} as const;

/** On Task, so that a retried create can find the task it already made for a decision. */
export const HANDOFF_TASK_DECISION_FIELD = "Handoff_Decision_Id__c";

/** Lead Status is org-configurable (LeadStatus rows): which value means which Handoff stage. */
export interface StageStatusMap {
  /** Status written for each stage Handoff sets. */
  write: Partial<Record<Stage, string>>;
  /** Status read → stage (values not listed map to "other"). */
  read: Record<string, Stage>;
}

/** @default mapping for orgs with the sandbox's statuses; override per connection. */
export const DEFAULT_STAGE_STATUS: StageStatusMap = {
  write: {
    lead: "Open - Not Contacted",
    nurture: "Nurture",
    mql: "Marketing Qualified",
    sql: "Sales Accepted",
  },
  read: {
    "Open - Not Contacted": "lead",
    "Working - Contacted": "sql",
    "Marketing Qualified": "mql",
    "Sales Accepted": "sql",
    Nurture: "nurture",
    "Closed - Not Converted": "nurture",
    "Closed - Converted": "opportunity",
  },
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Salesforce writes datetimes as `2026-11-23T10:00:00.000+0000`; Handoff uses ISO-8601 with `Z`. */
export function fromSalesforceDateTime(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const ms = Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Quotes a value for a SOQL string literal (backslash and quote escaped, as SOQL requires). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** SOQL datetime literals are unquoted ISO instants. */
export function soqlDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO instant: ${iso}`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The record's scalar fields as the Lead's `properties` (for `property:` rules), after `initial`. */
function scalarFields(record: SalesforceRecord, initial: Lead["properties"] = {}): Lead["properties"] {
  const properties = { ...initial };
  for (const [key, value] of Object.entries(record)) {
    if (key === "attributes") continue;
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    ) {
      properties[key] = value;
    }
  }
  return properties;
}

export function toLead(record: SalesforceRecord, stages: StageStatusMap = DEFAULT_STAGE_STATUS): Lead {
  const status = str(record.Status);
  const converted = record.IsConverted === true;
  const properties = scalarFields(record);
  const lead: Lead = withDefined({
    id: String(record.Id),
    email: str(record.Email)?.toLowerCase(),
    firstName: str(record.FirstName),
    lastName: str(record.LastName),
    company: str(record.Company),
    jobTitle: str(record.Title),
    industry: str(record.Industry),
    employees: num(record.NumberOfEmployees),
    annualRevenue: num(record.AnnualRevenue),
    // ISO codes when the org has State & Country picklists; the free-text value otherwise.
    country: str(record.CountryCode) ?? str(record.Country),
    state: str(record.StateCode) ?? str(record.State),
    postalCode: str(record.PostalCode),
    city: str(record.City),
    leadSource: str(record.LeadSource),
    stage: converted ? "opportunity" : status ? (stages.read[status] ?? "other") : undefined,
    crmStage: status,
    leadStatus: status,
    ownerId: str(record.OwnerId),
    createdAt: fromSalesforceDateTime(record.CreatedDate),
    updatedAt: fromSalesforceDateTime(record.LastModifiedDate),
    conversion: converted ? toConversion(record) : undefined,
    properties,
  }) as Lead;
  return lead;
}

/** `IsConverted` with its date and the records the Lead became; orgs that hide the date fall back to the last change. */
function toConversion(record: SalesforceRecord): LeadConversion {
  return withDefined({
    convertedOn:
      str(record.ConvertedDate) ??
      fromSalesforceDateTime(record.LastModifiedDate)?.slice(0, 10) ??
      "1970-01-01",
    contactId: str(record.ConvertedContactId),
    accountId: str(record.ConvertedAccountId),
    opportunityId: str(record.ConvertedOpportunityId),
  }) as LeadConversion;
}

/** A Contact with a lead's e-mail, in Lead shape for routing (its owner is the relationship owner). */
export function toContactLead(record: SalesforceRecord): Lead {
  const properties = scalarFields(record, { sObjectType: "Contact" });
  return withDefined({
    id: String(record.Id),
    email: str(record.Email)?.toLowerCase(),
    firstName: str(record.FirstName),
    lastName: str(record.LastName),
    jobTitle: str(record.Title),
    ownerId: str(record.OwnerId),
    createdAt: fromSalesforceDateTime(record.CreatedDate),
    recordKind: "contact",
    properties,
  }) as Lead;
}

/** The sObject fields for one LeadUpdate. Throws on a stage the org has no status for. */
export function toSalesforceLeadFields(
  update: LeadUpdate,
  stages: StageStatusMap = DEFAULT_STAGE_STATUS,
): SalesforceRecord {
  const fields: SalesforceRecord = {};
  const f = HANDOFF_LEAD_FIELDS;
  if (update.fitScore !== undefined) fields[f.fitScore] = update.fitScore;
  if (update.engagementScore !== undefined) fields[f.engagementScore] = update.engagementScore;
  if (update.totalScore !== undefined) fields[f.totalScore] = update.totalScore;
  if (update.scoreSummary !== undefined) fields[f.scoreSummary] = update.scoreSummary.slice(0, 32_000);
  if (update.decisionId !== undefined) fields[f.decisionId] = update.decisionId;
  if (update.slaVersion !== undefined) fields[f.slaVersion] = update.slaVersion;
  if (update.followUpDueAt !== undefined) fields[f.followUpDueAt] = update.followUpDueAt;
  if (update.ownerId !== undefined) fields.OwnerId = update.ownerId;
  // An explicit leadStatus wins over the stage's mapped status.
  if (update.leadStatus !== undefined) {
    fields.Status = update.leadStatus;
  } else if (update.stage !== undefined) {
    const status = stages.write[update.stage];
    if (status === undefined) throw new Error(`no Lead Status is mapped for stage "${update.stage}"`);
    fields.Status = status;
  }
  return fields;
}

const TASK_PRIORITY = { LOW: "Low", MEDIUM: "Normal", HIGH: "High" } as const;
const TASK_TYPE = { CALL: "Call", EMAIL: "Email", TODO: "Other" } as const;

/**
 * A follow-up Task. `ActivityDate` is a plain date (Salesforce stores it as UTC midnight, so it is the
 * UTC date of the due instant); the exact due time goes into the reminder.
 */
export function toSalesforceTask(task: FollowUpTask): SalesforceRecord {
  return {
    WhoId: task.leadId,
    OwnerId: task.ownerId,
    Subject: task.subject.slice(0, 255),
    ActivityDate: task.dueAt.slice(0, 10),
    ReminderDateTime: task.dueAt,
    IsReminderSet: true,
    Status: "Not Started",
    Priority: TASK_PRIORITY[task.priority ?? "HIGH"],
    Type: TASK_TYPE[task.type ?? "CALL"],
    Description: task.body.slice(0, 32_000),
    [HANDOFF_TASK_DECISION_FIELD]: task.decisionId,
  };
}

export function toOwner(user: SalesforceRecord): CrmOwner {
  const department = str(user.Department);
  return withDefined({
    id: String(user.Id),
    email: str(user.Email)?.toLowerCase(),
    firstName: str(user.FirstName),
    lastName: str(user.LastName),
    active: user.IsActive === true,
    kind: "person" as const,
    teams: department ? [{ id: department, name: department, primary: true }] : [],
    managerId: str(user.ManagerId),
  }) as CrmOwner;
}

export function toQueueOwner(group: SalesforceRecord): CrmOwner {
  return withDefined({
    id: String(group.Id),
    lastName: str(group.Name),
    active: true,
    kind: "queue" as const,
    teams: [],
  }) as CrmOwner;
}

/** `https://www.Bauwerk.de/about` → `bauwerk.de`. */
export function websiteDomain(website: string): string | undefined {
  const trimmed = website.trim().toLowerCase();
  if (!trimmed) return undefined;
  try {
    const host = new URL(/^[a-z]+:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`).hostname;
    return host.replace(/^www\./, "") || undefined;
  } catch {
    return undefined;
  }
}

export function toAccount(account: SalesforceRecord): CrmAccount {
  const website = str(account.Website);
  return withDefined({
    id: String(account.Id),
    name: str(account.Name),
    domain: website ? websiteDomain(website) : undefined,
    ownerId: str(account.OwnerId),
    employees: num(account.NumberOfEmployees),
    industry: str(account.Industry),
  }) as CrmAccount;
}

/** Tasks logged on a lead become touches; Handoff's own open follow-up tasks are not touches. */
export function toTouch(task: SalesforceRecord): CrmTouch | undefined {
  const subtype = str(task.TaskSubtype);
  const type = str(task.Type);
  const completed = task.Status === "Completed" || task.IsClosed === true;
  const kind: CrmTouch["kind"] | undefined =
    subtype === "Call" || (type === "Call" && completed)
      ? "call"
      : subtype === "Email" || (type === "Email" && completed)
        ? "email"
        : type === "Meeting" && completed
          ? "meeting"
          : completed
            ? "task_completed"
            : undefined;
  if (!kind) return undefined;
  const occurredAt =
    fromSalesforceDateTime(task.CompletedDateTime) ?? fromSalesforceDateTime(task.CreatedDate);
  if (!occurredAt) return undefined;
  return withDefined({
    leadId: String(task.WhoId),
    kind,
    occurredAt,
    ownerId: str(task.OwnerId),
  }) as CrmTouch;
}
