/**
 * The handoff card: what a rep needs to act on a lead, as one view model behind every rendering (HubSpot app
 * card JSON, Salesforce Canvas and preview HTML, Slack, e-mail, the CRM task body). Pure: plain data in, plain
 * data out, `now` passed in. All display strings are built here so that every rendering says the same thing.
 */
import type { Activity, ActivityKind, ActivitySource, Crm, Lead, Stage } from "./lead";

/** One line of the score breakdown as the scoring engine explains it ("+15 job title matches 'VP*'"). */
export interface ScoreReason {
  /** The SLA rule's stable label (`fit[2]`, a rule name). */
  rule: string;
  points: number;
  /** What in the lead matched, in words. */
  evidence: string;
  axis?: "fit" | "engagement";
}

export interface ScoreInput {
  fit: number;
  engagement: number;
  total: number;
  reasons: ScoreReason[];
}

/** Why the lead is handed over now. */
export type HandoffTrigger =
  /** A buying-signal activity (a `trigger: handoff` rule such as a contact-me form). */
  | { kind: "activity"; activity: Activity; rule?: string }
  /** Fit and engagement both reached the MQL minimums. */
  | { kind: "threshold"; occurredAt: string; met?: string[] }
  /** The previous owner missed the follow-up, or a manager moved the lead. */
  | { kind: "reassigned"; occurredAt: string; reason?: string }
  | { kind: "manual"; occurredAt: string };

export interface FormSubmission {
  name: string;
  url?: string;
  occurredAt: string;
  /** The answers as the form labels them; shown to the rep only, never logged. */
  fields?: { label: string; value: string }[];
}

export interface OwnerInput {
  id: string;
  name?: string;
  email?: string;
}

export interface CadenceInput {
  calls: { done: number; required: number };
  emails: { done: number; required: number };
  /** End of the cadence window (ISO). */
  windowEndsAt?: string;
  /** When the rep first touched the lead (ISO), if they have. */
  firstTouchAt?: string;
}

export type Decision = "accept" | "reject";

export interface FeedbackInput {
  decision: Decision;
  reason?: string;
  at: string;
}

/** Everything the card is built from, gathered by the app layer from the store, the SLA and the CRM snapshot. */
export interface HandoffCardInput {
  connectionId: string;
  crm: Crm;
  lead: Lead;
  /** Link to the record in the CRM. */
  recordUrl?: string;
  trigger: HandoffTrigger;
  score: ScoreInput;
  /** MQL minimums from the SLA, drawn as a mark on the score bars. */
  thresholds?: { fit: number; engagement: number };
  /** Score ranges from the SLA. @default 0..100 on both axes */
  caps?: { fit: { min: number; max: number }; engagement: { min: number; max: number } };
  /** Recent activity, any order; the card picks the last conversion and the last five content views. */
  activities: Activity[];
  /** The form just submitted, with its answers. @default the trigger's activity when it is a form */
  formSubmitted?: FormSubmission;
  owner: OwnerInput | null;
  /** Why the router chose this owner, in words ("territory DACH (country DE)", "round robin: next in pool"). */
  routingReasons: string[];
  followUp: FollowUpInput | null;
  stage: Stage;
  cadence?: CadenceInput;
  feedback?: FeedbackInput;
  rejectReasons: string[];
  /** The decision record this card explains; opaque, safe to put in links and buttons. */
  handoffId?: string;
  slaVersion?: number;
  /** Optional context that could not be loaded ("content views: …"); shown so the rep knows what is missing. */
  gaps?: string[];
  /** What happened to the follow-up task when it could not go to the owner (a queue owns the lead). */
  taskNote?: string;
  /** Set when the handoff gets no follow-up task at all, and why: a queue owns the lead and no rep takes its task. */
  noTask?: "queue_owner";
}

/** Why a handoff has no follow-up task, as reports and the lead story say it; undefined when it should have one. */
export function noTaskReason(input: Pick<HandoffCardInput, "noTask"> | null | undefined): string | undefined {
  return input?.noTask === "queue_owner" ? "no task: a queue owns the lead" : undefined;
}

export interface CardActivity {
  kind: ActivityKind;
  label: string;
  url?: string;
  occurredAt: string;
  ago: string;
}

export interface CardReason {
  axis: "fit" | "engagement" | "other";
  rule: string;
  points: number;
  /** What matched, without the points: "job title matches 'VP*'". */
  evidence: string;
  /** The points once, then the evidence: "+15 job title matches 'VP*'". */
  label: string;
  /** Bar length relative to the largest reason, 0..100. */
  barPercent: number;
}

export interface CardAxis {
  points: number;
  min: number;
  max: number;
  /** Position of `points` on the axis, 0..100. */
  percent: number;
  threshold?: number;
  thresholdPercent?: number;
  /** Whether the points reach the MQL minimum (undefined when the SLA gives none). */
  meetsThreshold?: boolean;
}

export type FollowUpStatus = "on_track" | "due_soon" | "overdue" | "done";

/** The follow-up clock as stored with the handoff. */
export interface FollowUpInput {
  startedAt: string;
  dueAt: string;
  businessHours?: boolean;
  /** The SLA's follow-up tier that set the deadline (`default` for the top-level terms). */
  tier?: string;
  /** Why that tier applies ("trigger "contact-me" matches …"). */
  tierReasons?: string[];
  /** When the second touch is due (the tier's next_touch after the first touch), once the first is known. */
  nextTouchDueAt?: string;
}

export interface CardFollowUp {
  startedAt: string;
  dueAt: string;
  businessHours: boolean;
  /** The SLA tier whose deadline this is; absent for handoffs made before tiers existed. */
  tier?: string;
  tierReasons?: string[];
  /** When the second touch is due, once the first touch is known and the tier sets a next touch. */
  nextTouchDueAt?: string;
  /** Negative when overdue. */
  minutesLeft: number;
  totalMinutes: number;
  /** Share of the follow-up window still left, 0..100. */
  percentLeft: number;
  status: FollowUpStatus;
  /** "due in 1 h 5 min", "12 min overdue", "touched in time". */
  countdown: string;
}

export type CadenceStatus = "not_started" | "in_progress" | "complete" | "behind";

export interface CardCadence {
  calls: { done: number; required: number };
  emails: { done: number; required: number };
  windowEndsAt?: string;
  status: CadenceStatus;
  summary: string;
}

export interface HandoffCard {
  version: 1;
  connectionId: string;
  crm: Crm;
  leadId: string;
  handoffId?: string;
  slaVersion?: number;
  generatedAt: string;
  who: {
    name: string;
    role?: string;
    company?: string;
    location?: string;
    recordUrl?: string;
    /** "VP Sales at Acme GmbH" */
    headline: string;
  };
  whyNow: { kind: HandoffTrigger["kind"]; headline: string; occurredAt: string; ago: string };
  score: { total: number; fit: CardAxis; engagement: CardAxis; reasons: CardReason[] };
  lastConversion: (CardActivity & { isTrigger: boolean }) | null;
  /** Newest first, at most five. */
  recentViews: CardActivity[];
  /** Where the views come from, in words ("HubSpot web analytics"), or null when there are none. */
  recentViewsSource: string | null;
  /** Context that could not be loaded for this card (and the follow-up task's fate, when it has no owner). */
  notes: string[];
  formSubmitted: (FormSubmission & { ago: string; fields: { label: string; value: string }[] }) | null;
  owner: { id: string; name: string; email?: string; reasons: string[] } | null;
  followUp: CardFollowUp | null;
  stage: { key: Stage; label: string };
  cadence: CardCadence | null;
  feedback: {
    status: "pending" | "accepted" | "rejected";
    reason?: string;
    reasonLabel?: string;
    at?: string;
    rejectReasons: { value: string; label: string }[];
  };
}

export const RECENT_VIEWS_SHOWN = 5;
/** Below this share of the window left, a follow-up is "due soon". */
const DUE_SOON_PERCENT = 25;

const CONVERSION_KINDS: ReadonlySet<ActivityKind> = new Set([
  "form_submission",
  "contact_me",
  "demo_request",
  "content_download",
  "webinar_attended",
]);
const CONTENT_VIEW_KINDS: ReadonlySet<ActivityKind> = new Set(["page_view", "content_download"]);

const STAGE_LABELS: Record<Stage, string> = {
  subscriber: "Subscriber",
  lead: "Lead",
  nurture: "Nurture",
  mql: "MQL (marketing qualified)",
  sql: "SQL (sales accepted)",
  opportunity: "Opportunity",
  customer: "Customer",
  other: "Other",
};

const KIND_LABELS: Record<ActivityKind, string> = {
  page_view: "Viewed",
  form_submission: "Submitted form",
  content_download: "Downloaded",
  webinar_attended: "Attended webinar",
  email_open: "Opened e-mail",
  email_click: "Clicked e-mail",
  contact_me: "Asked to be contacted",
  demo_request: "Requested a demo",
  chat: "Chatted",
};

const REASON_LABELS: Record<string, string> = {
  not_icp: "Not in our ICP",
  no_budget: "No budget",
  wrong_contact: "Wrong contact",
  duplicate: "Duplicate",
  student_or_job_seeker: "Student or job seeker",
};

/**
 * Builds the card from plain data. `now` sets the countdown and every "5 min ago".
 * @example const card = buildHandoffCard(input, new Date("2026-11-23T10:00:00Z"));
 */
export function buildHandoffCard(input: HandoffCardInput, now: Date): HandoffCard {
  const nowMs = now.getTime();
  const card: HandoffCard = {
    version: 1,
    connectionId: input.connectionId,
    crm: input.crm,
    leadId: input.lead.id,
    generatedAt: now.toISOString(),
    who: who(input),
    whyNow: whyNow(input.trigger, nowMs),
    score: score(input),
    lastConversion: lastConversion(input, nowMs),
    recentViews: recentViews(input.activities, nowMs),
    recentViewsSource: recentViewsSource(input.activities),
    notes: [...(input.gaps ?? []), ...(input.taskNote ? [input.taskNote] : [])],
    formSubmitted: formSubmitted(input, nowMs),
    owner: input.owner
      ? {
          id: input.owner.id,
          name: input.owner.name ?? `Owner ${input.owner.id}`,
          ...(input.owner.email ? { email: input.owner.email } : {}),
          reasons: input.routingReasons,
        }
      : null,
    followUp: input.followUp ? followUp(input.followUp, input.cadence?.firstTouchAt, nowMs) : null,
    stage: { key: input.stage, label: STAGE_LABELS[input.stage] },
    cadence: input.cadence ? cadence(input.cadence, nowMs) : null,
    feedback: feedback(input),
  };
  if (input.handoffId !== undefined) card.handoffId = input.handoffId;
  if (input.slaVersion !== undefined) card.slaVersion = input.slaVersion;
  return card;
}

/** "Not in our ICP" for `not_icp`; unknown keys are turned into words. */
export function rejectReasonLabel(reason: string): string {
  const known = REASON_LABELS[reason];
  if (known) return known;
  const words = reason.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "45 min", "1 h 5 min", "2 d 3 h" (absolute value; the caller says whether it is ahead or behind). */
export function formatMinutes(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${m} min`;
  if (m < 1440) {
    const rest = m % 60;
    return rest === 0 ? `${Math.floor(m / 60)} h` : `${Math.floor(m / 60)} h ${rest} min`;
  }
  const hours = Math.floor((m % 1440) / 60);
  return hours === 0 ? `${Math.floor(m / 1440)} d` : `${Math.floor(m / 1440)} d ${hours} h`;
}

/** "just now", "4 min ago", "2 d ago"; "in 5 min" for a future instant. */
export function formatAgo(iso: string, nowMs: number): string {
  const minutes = (nowMs - Date.parse(iso)) / 60_000;
  if (!Number.isFinite(minutes)) return "";
  if (Math.abs(minutes) < 1) return "just now";
  return minutes > 0 ? `${formatMinutes(minutes)} ago` : `in ${formatMinutes(minutes)}`;
}

function who(input: HandoffCardInput): HandoffCard["who"] {
  const { lead } = input;
  const name =
    [lead.firstName, lead.lastName].filter((p) => p && p.trim()).join(" ") || lead.email || `Lead ${lead.id}`;
  const role = lead.jobTitle?.trim() || undefined;
  const company = lead.company?.trim() || undefined;
  const location = [lead.city, lead.state, lead.country].filter((p) => p && p.trim()).join(", ") || undefined;
  const headline = role && company ? `${role} at ${company}` : (role ?? company ?? "");
  return {
    name,
    headline,
    ...(role ? { role } : {}),
    ...(company ? { company } : {}),
    ...(location ? { location } : {}),
    ...(input.recordUrl ? { recordUrl: input.recordUrl } : {}),
  };
}

function activityLabel(a: Activity): string {
  const what = a.title?.trim() || a.name?.trim() || a.url?.trim() || "";
  return what ? `${KIND_LABELS[a.kind]} “${what}”` : KIND_LABELS[a.kind];
}

function whyNow(trigger: HandoffTrigger, nowMs: number): HandoffCard["whyNow"] {
  const occurredAt = trigger.kind === "activity" ? trigger.activity.occurredAt : trigger.occurredAt;
  let headline: string;
  switch (trigger.kind) {
    case "activity": {
      const page = trigger.activity.url ? ` on ${trigger.activity.url}` : "";
      headline = `${activityLabel(trigger.activity)}${trigger.activity.kind === "page_view" ? "" : page}`;
      break;
    }
    case "threshold":
      headline = trigger.met?.length
        ? `Reached the MQL minimums: ${trigger.met.join(", ")}`
        : "Reached the MQL minimums for fit and engagement";
      break;
    case "reassigned":
      headline = trigger.reason ? `Reassigned: ${trigger.reason}` : "Reassigned to you";
      break;
    case "manual":
      headline = "Handed over by hand";
      break;
  }
  return { kind: trigger.kind, headline, occurredAt, ago: formatAgo(occurredAt, nowMs) };
}

function axis(points: number, range: { min: number; max: number }, threshold: number | undefined): CardAxis {
  const span = range.max - range.min || 1;
  const pct = (v: number) => Math.round(Math.min(100, Math.max(0, ((v - range.min) / span) * 100)));
  const rounded = Math.round(points);
  const out: CardAxis = { points: rounded, min: range.min, max: range.max, percent: pct(points) };
  if (threshold !== undefined) {
    out.threshold = threshold;
    out.thresholdPercent = pct(threshold);
    out.meetsThreshold = points >= threshold;
  }
  return out;
}

function signed(points: number): string {
  return points > 0 ? `+${points}` : String(points);
}

/** Scoring writes the rule's points first ("+25 employees 850"); the card shows the points in their own place. */
function splitEvidence(evidence: string): { nominal: number | undefined; what: string } {
  const m = /^([+-]\d+(?:\.\d+)?) (.*)$/s.exec(evidence);
  return m ? { nominal: Number(m[1]), what: m[2] as string } : { nominal: undefined, what: evidence };
}

function score(input: HandoffCardInput): HandoffCard["score"] {
  const caps = input.caps ?? { fit: { min: 0, max: 100 }, engagement: { min: 0, max: 100 } };
  const largest = Math.max(1, ...input.score.reasons.map((r) => Math.abs(r.points)));
  const order = { fit: 0, engagement: 1, other: 2 };
  const reasons = input.score.reasons
    .map((r): CardReason => {
      const points = Math.round(r.points * 10) / 10;
      const { nominal, what } = splitEvidence(r.evidence);
      // Each line says its points once; a decayed rule also says what it was worth when fresh.
      const evidence =
        nominal !== undefined && nominal !== points ? `${what} (${signed(nominal)} before decay)` : what;
      return {
        axis: r.axis ?? "other",
        rule: r.rule,
        points,
        evidence,
        label: `${signed(points)} ${evidence}`,
        barPercent: Math.round((Math.abs(r.points) / largest) * 100),
      };
    })
    // Fit first, then engagement; within an axis the rules that moved the score most come first.
    .sort((a, b) => order[a.axis] - order[b.axis] || Math.abs(b.points) - Math.abs(a.points));
  return {
    total: Math.round(input.score.total),
    fit: axis(input.score.fit, caps.fit, input.thresholds?.fit),
    engagement: axis(input.score.engagement, caps.engagement, input.thresholds?.engagement),
    reasons,
  };
}

function newestFirst(activities: Activity[]): Activity[] {
  return [...activities]
    .filter((a) => Number.isFinite(Date.parse(a.occurredAt)))
    .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt));
}

function toCardActivity(a: Activity, nowMs: number): CardActivity {
  return {
    kind: a.kind,
    label: a.title?.trim() || a.name?.trim() || a.url?.trim() || KIND_LABELS[a.kind],
    ...(a.url ? { url: a.url } : {}),
    occurredAt: a.occurredAt,
    ago: formatAgo(a.occurredAt, nowMs),
  };
}

function lastConversion(input: HandoffCardInput, nowMs: number): HandoffCard["lastConversion"] {
  const latest = newestFirst(input.activities).find((a) => CONVERSION_KINDS.has(a.kind));
  if (!latest) return null;
  const trigger = input.trigger.kind === "activity" ? input.trigger.activity : undefined;
  const isTrigger =
    trigger !== undefined &&
    (latest.id !== undefined && trigger.id !== undefined
      ? latest.id === trigger.id
      : latest.occurredAt === trigger.occurredAt && latest.kind === trigger.kind);
  return { ...toCardActivity(latest, nowMs), isTrigger };
}

function shownViews(activities: Activity[]): Activity[] {
  return newestFirst(activities)
    .filter((a) => CONTENT_VIEW_KINDS.has(a.kind))
    .slice(0, RECENT_VIEWS_SHOWN);
}

function recentViews(activities: Activity[], nowMs: number): CardActivity[] {
  return shownViews(activities).map((a) => toCardActivity(a, nowMs));
}

const VIEW_SOURCE_LABELS: Record<ActivitySource, string> = {
  crm_events: "the CRM's page-view events",
  property_history:
    "the history of the contact's Last Page Seen (one page per change; exact page views need HubSpot Enterprise)",
  handoff: "Handoff's own records",
};

/** "from the CRM's page-view events and Handoff's own records": every source of the views shown. */
function recentViewsSource(activities: Activity[]): string | null {
  // Cards stored before sources were recorded carry none: they say nothing rather than guess.
  const sources = [
    ...new Set(shownViews(activities).flatMap((a) => (a.source === undefined ? [] : [a.source]))),
  ];
  if (sources.length === 0) return null;
  return `from ${sources.map((s) => VIEW_SOURCE_LABELS[s]).join(" and ")}`;
}

function formSubmitted(input: HandoffCardInput, nowMs: number): HandoffCard["formSubmitted"] {
  let form = input.formSubmitted;
  if (!form && input.trigger.kind === "activity" && CONVERSION_KINDS.has(input.trigger.activity.kind)) {
    const a = input.trigger.activity;
    form = {
      name: a.name?.trim() || a.title?.trim() || "Form",
      occurredAt: a.occurredAt,
      ...(a.url ? { url: a.url } : {}),
    };
  }
  if (!form) return null;
  return { ...form, fields: form.fields ?? [], ago: formatAgo(form.occurredAt, nowMs) };
}

function followUp(
  f: NonNullable<HandoffCardInput["followUp"]>,
  firstTouchAt: string | undefined,
  nowMs: number,
): CardFollowUp {
  const due = Date.parse(f.dueAt);
  const totalMinutes = Math.max(0, Math.round((due - Date.parse(f.startedAt)) / 60_000));
  const minutesLeft = Math.round((due - nowMs) / 60_000);
  const percentLeft =
    totalMinutes === 0 ? 0 : Math.round(Math.min(100, Math.max(0, (minutesLeft / totalMinutes) * 100)));
  let status: FollowUpStatus;
  let countdown: string;
  if (firstTouchAt !== undefined) {
    status = "done";
    countdown = Date.parse(firstTouchAt) <= due ? "touched in time" : "touched late";
  } else if (minutesLeft < 0) {
    status = "overdue";
    countdown = `${formatMinutes(minutesLeft)} overdue`;
  } else {
    status = percentLeft <= DUE_SOON_PERCENT ? "due_soon" : "on_track";
    countdown = `due in ${formatMinutes(minutesLeft)}`;
  }
  return {
    startedAt: f.startedAt,
    dueAt: f.dueAt,
    businessHours: f.businessHours ?? false,
    ...(f.tier === undefined ? {} : { tier: f.tier }),
    ...(f.tierReasons === undefined ? {} : { tierReasons: f.tierReasons }),
    ...(f.nextTouchDueAt === undefined ? {} : { nextTouchDueAt: f.nextTouchDueAt }),
    minutesLeft,
    totalMinutes,
    percentLeft,
    status,
    countdown,
  };
}

function cadence(c: CadenceInput, nowMs: number): CardCadence {
  const done = c.calls.done + c.emails.done;
  const complete = c.calls.done >= c.calls.required && c.emails.done >= c.emails.required;
  const windowOver = c.windowEndsAt !== undefined && Date.parse(c.windowEndsAt) < nowMs;
  const status: CadenceStatus = complete
    ? "complete"
    : windowOver
      ? "behind"
      : done === 0
        ? "not_started"
        : "in_progress";
  const counts = `${c.calls.done}/${c.calls.required} calls, ${c.emails.done}/${c.emails.required} e-mails`;
  const until =
    c.windowEndsAt && !complete
      ? ` (window ${windowOver ? "ended" : "ends"} ${formatAgo(c.windowEndsAt, nowMs)})`
      : "";
  return {
    calls: c.calls,
    emails: c.emails,
    ...(c.windowEndsAt ? { windowEndsAt: c.windowEndsAt } : {}),
    status,
    summary: `${counts}${until}`,
  };
}

function feedback(input: HandoffCardInput): HandoffCard["feedback"] {
  const rejectReasons = input.rejectReasons.map((value) => ({ value, label: rejectReasonLabel(value) }));
  const f = input.feedback;
  if (!f) return { status: "pending", rejectReasons };
  return {
    status: f.decision === "accept" ? "accepted" : "rejected",
    at: f.at,
    ...(f.reason ? { reason: f.reason, reasonLabel: rejectReasonLabel(f.reason) } : {}),
    rejectReasons,
  };
}
