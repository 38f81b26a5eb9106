import type { Activity, Lead, Stage } from "../../domain/lead";
import type { CrmAccount, CrmOwner, CrmTouch, LeadStatusMap, LeadUpdate } from "../../ports/crm";

/** HubSpot hands every property over as a string (or null). */
export type HubSpotProperties = Record<string, string | null | undefined>;

export interface HubSpotObject {
  id: string;
  properties: HubSpotProperties;
  createdAt?: Date | string;
  updatedAt?: Date | string;
}

/**
 * The contact properties a Lead is built from: standard properties every portal has (HubSpot has no business-model
 * property; a rule on a custom property names it as `property:<name>` and is read on demand).
 */
/**
 * HubSpot's default lead statuses that are sales' decision (`hs_lead_status`); the others (`NEW`, `OPEN`,
 * `IN_PROGRESS`, `ATTEMPTED_TO_CONTACT`, `CONNECTED`) are touches. Portals can edit them (reference/hubspot.md,
 * "`hs_lead_status` default options").
 */
export const HUBSPOT_LEAD_STATUSES: LeadStatusMap = {
  accepted: ["OPEN_DEAL"],
  rejected: ["UNQUALIFIED", "BAD_TIMING"],
  reasons: { BAD_TIMING: "bad_timing" },
};

export const LEAD_PROPERTIES = [
  "email",
  "firstname",
  "lastname",
  "company",
  "jobtitle",
  "hs_seniority",
  "industry",
  "numemployees",
  "annualrevenue",
  "country",
  "state",
  "zip",
  "city",
  "lifecyclestage",
  "hs_lead_status",
  "hubspot_owner_id",
  "createdate",
  "lastmodifieddate",
  "hs_analytics_source",
  "hs_analytics_source_data_1",
  "hs_analytics_source_data_2",
  "recent_conversion_event_name",
  "recent_conversion_date",
  "hs_additional_emails",
] as const;

/** The contact properties Handoff writes (created in group `handoff` by `ensureFields`). */
export const HANDOFF_CONTACT_PROPERTIES = [
  { name: "handoff_fit_score", label: "Handoff fit score", type: "number", fieldType: "number" },
  {
    name: "handoff_engagement_score",
    label: "Handoff engagement score",
    type: "number",
    fieldType: "number",
  },
  { name: "handoff_score", label: "Handoff score", type: "number", fieldType: "number" },
  { name: "handoff_score_summary", label: "Handoff score summary", type: "string", fieldType: "textarea" },
  { name: "handoff_decision_id", label: "Handoff decision id", type: "string", fieldType: "text" },
  { name: "handoff_sla_version", label: "Handoff SLA version", type: "string", fieldType: "text" },
  { name: "handoff_follow_up_due", label: "Handoff follow-up due", type: "datetime", fieldType: "date" },
] as const;

/** On tasks: the decision a task belongs to, so a redelivered event finds its task instead of making another. */
export const HANDOFF_TASK_PROPERTIES = [
  { name: "handoff_decision_id", label: "Handoff decision id", type: "string", fieldType: "text" },
] as const;

const MAPPED = new Set<string>(LEAD_PROPERTIES);

const LIFECYCLE_TO_STAGE: Record<string, Stage> = {
  subscriber: "subscriber",
  lead: "lead",
  marketingqualifiedlead: "mql",
  salesqualifiedlead: "sql",
  opportunity: "opportunity",
  customer: "customer",
  evangelist: "other",
  other: "other",
};

/**
 * Handoff stage → `lifecyclestage`. HubSpot has no nurture stage: a recycled lead goes back to `lead`
 * (its lead status says why).
 */
const STAGE_TO_LIFECYCLE: Record<Stage, string> = {
  subscriber: "subscriber",
  lead: "lead",
  nurture: "lead",
  mql: "marketingqualifiedlead",
  sql: "salesqualifiedlead",
  opportunity: "opportunity",
  customer: "customer",
  other: "other",
};

/** Stages that may be a move backwards, which HubSpot ignores unless the stage is cleared first (reference §6). */
export const BACKWARD_STAGES: ReadonlySet<Stage> = new Set<Stage>(["subscriber", "lead", "nurture"]);

export function lifecycleToStage(value: string | null | undefined): Stage | undefined {
  if (!value) return undefined;
  // Custom stages have numeric internal values: keep the raw value in crmStage, call the stage "other".
  return LIFECYCLE_TO_STAGE[value] ?? "other";
}

export function stageToLifecycle(stage: Stage): string {
  return STAGE_TO_LIFECYCLE[stage];
}

function text(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

/** "850", "1,200", "100-500" (HubSpot's old enumeration: the lower bound), "1000+" → a number. */
export function parseEmployees(v: string | null | undefined): number | undefined {
  const t = text(v);
  if (!t) return undefined;
  const m = /^(\d[\d,.]*)/.exec(t.replace(/\s/g, ""));
  if (!m?.[1]) return undefined;
  const n = Number(m[1].replace(/[,.](?=\d{3}\b)/g, "").replace(",", "."));
  return Number.isFinite(n) ? Math.floor(n) : undefined;
}

export function parseNumber(v: string | null | undefined): number | undefined {
  const t = text(v);
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** HubSpot datetimes arrive as ISO strings (v3 objects) or epoch-millisecond strings (webhooks, some APIs). */
export function toIso(v: string | number | Date | null | undefined): string | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : undefined;
  if (typeof v === "number" || /^\d{10,14}$/.test(v)) {
    const d = new Date(Number(v));
    return Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
  }
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** Strings → the typed value an SLA `property:` rule compares with. */
function typed(v: string | null | undefined): string | number | boolean | null {
  if (v === null || v === undefined || v === "") return null;
  if (v === "true" || v === "false") return v === "true";
  if (/^-?\d+(\.\d+)?$/.test(v) && v.length < 16) return Number(v);
  return v;
}

/** Drops undefined values, so optional fields are absent rather than `undefined`. */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: { [K in keyof T]?: Exclude<T[K], undefined> } = {};
  for (const k of Object.keys(o) as (keyof T)[]) {
    const v = o[k];
    if (v !== undefined) out[k] = v as Exclude<T[keyof T], undefined>;
  }
  return out;
}

/** A HubSpot contact → Handoff's Lead. The only place that knows HubSpot's contact property names. */
export function toLead(contact: HubSpotObject): Lead {
  const p = contact.properties;
  const properties: Lead["properties"] = {};
  for (const [name, value] of Object.entries(p)) {
    if (!MAPPED.has(name)) properties[name] = typed(value);
  }
  // The conversion is kept for rules and the card, in Handoff's words.
  if (text(p.recent_conversion_event_name))
    properties.recent_conversion = text(p.recent_conversion_event_name)!;
  const convertedAt = toIso(p.recent_conversion_date);
  if (convertedAt) properties.recent_conversion_at = convertedAt;
  const utm = defined({
    source: text(p.hs_analytics_source_data_1) ?? text(p.hs_analytics_source)?.toLowerCase(),
    medium: text(p.hs_analytics_source)?.toLowerCase(),
    campaign: text(p.hs_analytics_source_data_2),
  });
  const lead: Lead = {
    id: String(contact.id),
    properties,
    ...defined({
      email: text(p.email)?.toLowerCase(),
      firstName: text(p.firstname),
      lastName: text(p.lastname),
      company: text(p.company),
      jobTitle: text(p.jobtitle),
      seniority: text(p.hs_seniority),
      industry: text(p.industry),
      employees: parseEmployees(p.numemployees),
      annualRevenue: parseNumber(p.annualrevenue),
      country: text(p.country),
      state: text(p.state),
      postalCode: text(p.zip),
      city: text(p.city),
      leadSource: text(p.hs_analytics_source),
      stage: lifecycleToStage(p.lifecyclestage),
      crmStage: text(p.lifecyclestage),
      leadStatus: text(p.hs_lead_status),
      ownerId: text(p.hubspot_owner_id),
      createdAt: toIso(p.createdate ?? contact.createdAt),
      updatedAt: toIso(p.lastmodifieddate ?? contact.updatedAt),
    }),
  };
  if (Object.keys(utm).length > 0) lead.utm = utm;
  return lead;
}

/** What Handoff writes → HubSpot contact properties. Only present fields are written. */
export function toHubSpotProperties(update: LeadUpdate): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (name: string, v: string | number | undefined): void => {
    if (v !== undefined) out[name] = String(v);
  };
  set("handoff_fit_score", update.fitScore);
  set("handoff_engagement_score", update.engagementScore);
  set("handoff_score", update.totalScore);
  set("handoff_score_summary", update.scoreSummary);
  set("lifecyclestage", update.stage === undefined ? undefined : stageToLifecycle(update.stage));
  set("hs_lead_status", update.leadStatus);
  set("hubspot_owner_id", update.ownerId);
  set("handoff_decision_id", update.decisionId);
  set("handoff_sla_version", update.slaVersion);
  set("handoff_follow_up_due", update.followUpDueAt);
  return out;
}

export interface HubSpotOwnerShape {
  id: string;
  userId?: number | null;
  email?: string;
  firstName?: string;
  lastName?: string;
  type?: string;
  archived: boolean;
  teams?: { id: string; name: string; primary?: boolean }[];
}

export function toOwner(o: HubSpotOwnerShape): CrmOwner {
  const kind = o.type === "QUEUE" ? "queue" : "person";
  return {
    id: String(o.id),
    // Deactivated users are archived and lose their userId (reference §5.3).
    active: !o.archived && (kind === "queue" || (o.userId !== null && o.userId !== undefined)),
    kind,
    teams: (o.teams ?? []).map((t) => ({
      id: String(t.id),
      name: t.name,
      ...(t.primary === undefined ? {} : { primary: t.primary }),
    })),
    ...defined({ email: o.email?.toLowerCase(), firstName: text(o.firstName), lastName: text(o.lastName) }),
    ...(o.userId !== null && o.userId !== undefined ? { userId: String(o.userId) } : {}),
  };
}

export const COMPANY_PROPERTIES = ["name", "domain", "hubspot_owner_id", "numberofemployees", "industry"];

export function toAccount(c: HubSpotObject): CrmAccount {
  const p = c.properties;
  return {
    id: String(c.id),
    ...defined({
      name: text(p.name),
      domain: text(p.domain)?.toLowerCase(),
      ownerId: text(p.hubspot_owner_id),
      employees: parseEmployees(p.numberofemployees),
      industry: text(p.industry),
    }),
  };
}

export interface WebEventShape {
  id: string;
  occurredAt: Date | string;
  properties?: Record<string, string> | undefined;
}

export function pageViewToActivity(e: WebEventShape): Activity {
  const props = e.properties ?? {};
  return {
    kind: "page_view",
    source: "crm_events",
    occurredAt: toIso(e.occurredAt) ?? new Date(0).toISOString(),
    id: String(e.id),
    ...defined({ url: text(props.hs_url), title: text(props.hs_title) }),
  };
}

/** The property whose history lists recent pages on portals without the Events API ("Last Page Seen"). */
export const LAST_PAGE_PROPERTY = "hs_analytics_last_url";

export interface PropertyVersionShape {
  value: string;
  timestamp: Date | string;
}

/**
 * "Last Page Seen" history → page views, newest first. Coarser than web-analytics events: one entry per change
 * of the property, so a page seen twice in a row counts once (reference §0b, §5.6).
 */
export function lastPageHistoryToActivities(versions: PropertyVersionShape[], limit: number): Activity[] {
  const views: Activity[] = [];
  for (const v of versions) {
    const url = text(v.value);
    const occurredAt = toIso(v.timestamp);
    if (!url || !occurredAt) continue;
    views.push({
      kind: "page_view",
      source: "property_history",
      occurredAt,
      url,
      id: `last-page:${occurredAt}`,
    });
  }
  return views.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).slice(0, limit);
}

/** Engagement object type → the touch it is, for the follow-up clock. */
export const TOUCH_KINDS: Record<string, CrmTouch["kind"]> = {
  calls: "call",
  emails: "email",
  meetings: "meeting",
  tasks: "task_completed",
};
