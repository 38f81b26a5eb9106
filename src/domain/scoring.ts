/**
 * Scores a lead by the SLA: fit (who they are) and engagement (what they did, fading with age). Pure and
 * deterministic: the same lead, activities, SLA and `now` always give the same breakdown. Every point is
 * explained by a reason naming its rule and evidence, so sales can see why a lead arrived.
 */
import { localTime } from "./working-hours";
import { matchCondition, matchesWhen, readField, resolveField } from "./conditions";
import type { Activity, Lead } from "./lead";
import type { Decay, EngagementRule, Sla } from "./sla";

export interface ScoreReason {
  /** The rule's id (`pricing-page`, `fit[2]`), or `caps` for an axis limit. */
  rule: string;
  axis: "fit" | "engagement";
  /** Points this reason contributes, after decay (rounded to one decimal). */
  points: number;
  /** "+10 viewed /pricing on 2026-11-20". */
  evidence: string;
  /** How decay changed the points: "10 → 6.3 after 20 days (half-life 30 days)". */
  decay?: string;
  /** When the evidence happened (engagement reasons). */
  at?: string;
}

export interface HandoffTrigger {
  rule: string;
  evidence: string;
  at: string;
}

export interface ScoreBreakdown {
  fit: number;
  engagement: number;
  total: number;
  reasons: ScoreReason[];
  /** Required fields (as named in the SLA) the lead does not have yet. */
  missingFields: string[];
  /** `trigger: handoff` activities found (in their rule's window). */
  triggers: HandoffTrigger[];
  /** The newest activity that added points: "new evidence" for requalifying after a rejection. */
  latestEvidenceAt?: string;
  /** The instant scored at (ISO). */
  at: string;
}

const DAY_MS = 86_400_000;

/** Scores a lead at `now` (activities after `now` are ignored, so previews "as of" a date are honest). */
export function scoreLead(
  lead: Lead,
  activities: readonly Activity[],
  sla: Sla,
  now: Date | string,
): ScoreBreakdown {
  const nowMs = typeof now === "string" ? Date.parse(now) : now.getTime();
  const reasons: ScoreReason[] = [];
  const dates = dateFormatter(sla.sla.timezone);

  let fit = 0;
  for (const rule of sla.fit) {
    const { matched, evidence } = matchesWhen(lead, rule.when);
    if (!matched) continue;
    fit += rule.points;
    const why = rule.reason ?? evidence.join(", ");
    reasons.push({
      rule: rule.id,
      axis: "fit",
      points: rule.points,
      evidence: `${signed(rule.points)} ${why}`,
    });
  }
  fit = clampAxis("fit", fit, sla.caps.fit, reasons);

  let engagement = 0;
  const triggers: HandoffTrigger[] = [];
  let latestEvidenceMs = -Infinity;
  let latestEvidenceAt: string | undefined;
  const triggerWithinMinutes = sla.qualify.triggerWithin?.minutes ?? Infinity;
  // Parsed once per activity, not once per rule that looks at it.
  const times: number[] = new Array<number>(activities.length);
  for (let i = 0; i < activities.length; i++) times[i] = Date.parse((activities[i] as Activity).occurredAt);
  const paths: (string | undefined)[] = new Array<string | undefined>(activities.length);
  for (const rule of sla.engagement) {
    let sum = 0;
    const firstReason = reasons.length;
    // Points already counted per local day, and activities the daily cap left out.
    const perDay = rule.maxPerDay === undefined ? undefined : new Map<string, number>();
    let overDailyCap = 0;
    for (let i = 0; i < activities.length; i++) {
      const activity = activities[i] as Activity;
      if (activity.kind !== rule.on) continue;
      const atMs = times[i] as number;
      if (!(atMs <= nowMs)) continue;
      const ageDays = (nowMs - atMs) / DAY_MS;
      if (rule.within !== undefined && ageDays * 1440 > rule.within.minutes) continue;
      if (!activityMatches(rule, activity, paths, i)) continue;
      let raw = rule.points;
      if (perDay !== undefined && rule.maxPerDay !== undefined) {
        const day = localTime(new Date(atMs), sla.sla.timezone).date;
        const used = perDay.get(day) ?? 0;
        const left = Math.max(0, rule.maxPerDay - used);
        if (left === 0) {
          overDailyCap += 1;
          continue;
        }
        raw = Math.sign(rule.points) * Math.min(Math.abs(rule.points), left);
        perDay.set(day, used + Math.abs(raw));
      }
      const what = `${describeActivity(activity)} on ${dates(atMs)}`;
      // Negative signals describe who the person is, not timing: they do not fade.
      const factor = rule.points > 0 ? decayFactor(sla.decay, ageDays) : 1;
      const points = raw * factor;
      sum += points;
      const reason: ScoreReason = {
        rule: rule.id,
        axis: "engagement",
        points: round(points),
        evidence: `${signed(rule.points)} ${rule.reason === undefined ? what : `${what}: ${rule.reason}`}`,
        at: activity.occurredAt,
      };
      if (factor !== 1) reason.decay = describeDecay(rule.points, points, ageDays, sla.decay);
      reasons.push(reason);
      if (rule.points > 0 && atMs > latestEvidenceMs) {
        latestEvidenceMs = atMs;
        latestEvidenceAt = activity.occurredAt;
      }
      if (rule.trigger === "handoff" && ageDays * 1440 <= triggerWithinMinutes)
        triggers.push({ rule: rule.id, evidence: what, at: activity.occurredAt });
    }
    if (overDailyCap > 0) {
      reasons.push({
        rule: rule.id,
        axis: "engagement",
        points: 0,
        evidence: `${rule.id} counts at most ${rule.maxPerDay} a day: ${overDailyCap} more ${overDailyCap === 1 ? "activity" : "activities"} on capped days not counted`,
      });
    }
    if (rule.max !== undefined && Math.abs(sum) > rule.max) {
      const capped = Math.sign(sum) * rule.max;
      const counted = reasons.length - firstReason;
      reasons.push({
        rule: rule.id,
        axis: "engagement",
        points: round(capped - sum),
        evidence: `${rule.id} counts at most ${signed(capped)} (${counted} activities gave ${signed(round(sum))})`,
      });
      sum = capped;
    }
    engagement += sum;
  }
  engagement = clampAxis("engagement", engagement, sla.caps.engagement, reasons);

  const missingFields: string[] = [];
  for (const name of sla.requiredFields) {
    const field = resolveField(name);
    const value = field === undefined ? undefined : readField(lead, field);
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
      missingFields.push(name);
    }
  }

  const breakdown: ScoreBreakdown = {
    fit: round(fit),
    engagement: round(engagement),
    total: round(fit + engagement),
    reasons,
    missingFields,
    triggers,
    at: new Date(nowMs).toISOString(),
  };
  if (latestEvidenceAt !== undefined) breakdown.latestEvidenceAt = latestEvidenceAt;
  return breakdown;
}

function clampAxis(
  axis: "fit" | "engagement",
  value: number,
  range: { min: number; max: number },
  reasons: ScoreReason[],
): number {
  if (value > range.max) {
    reasons.push({
      rule: "caps",
      axis,
      points: round(range.max - value),
      evidence: `${axis} is capped at ${range.max} (rules gave ${round(value)})`,
    });
    return range.max;
  }
  if (value < range.min) {
    reasons.push({
      rule: "caps",
      axis,
      points: round(range.min - value),
      evidence: `${axis} does not go below ${range.min} (rules gave ${round(value)})`,
    });
    return range.min;
  }
  return value;
}

/** The share of points kept after `ageDays` (1 = all). */
export function decayFactor(decay: Decay, ageDays: number): number {
  if (ageDays <= 0) return 1;
  switch (decay.kind) {
    case "none":
      return 1;
    case "half_life":
      return Math.pow(0.5, ageDays / decay.halfLifeDays);
    case "step": {
      let keep = 1;
      for (const step of decay.steps) if (ageDays >= step.afterDays) keep = Math.min(keep, step.keep);
      return keep;
    }
  }
}

function describeDecay(points: number, decayed: number, ageDays: number, decay: Decay): string {
  const days = Math.floor(ageDays);
  const how =
    decay.kind === "half_life"
      ? `half-life ${decay.halfLifeDays} days`
      : decay.kind === "step"
        ? `step decay, ${Math.round(decayFactor(decay, ageDays) * 100)}% kept`
        : "no decay";
  return points + " → " + round(decayed) + " after " + days + (days === 1 ? " day (" : " days (") + how + ")";
}

function pathOf(url: string): string {
  const scheme = url.indexOf("://");
  let path = url;
  if (scheme >= 0) {
    const slash = url.indexOf("/", scheme + 3);
    path = slash < 0 ? "/" : url.slice(slash);
  }
  const cut = path.search(/[?#]/);
  return cut < 0 ? path : path.slice(0, cut);
}

function activityMatches(
  rule: EngagementRule,
  activity: Activity,
  paths: (string | undefined)[],
  index: number,
): boolean {
  if (rule.url !== undefined) {
    if (activity.url === undefined) return false;
    let target = activity.url;
    if (rule.url.startsWith("/")) {
      target = paths[index] ?? pathOf(activity.url);
      paths[index] = target;
    }
    if (!matchCondition(target, rule.url)) return false;
  }
  if (rule.form !== undefined) {
    if (!matchCondition(activity.name, rule.form) && !matchCondition(activity.id, rule.form)) return false;
  }
  if (rule.name !== undefined) {
    if (!matchCondition(activity.name, rule.name) && !matchCondition(activity.title, rule.name)) return false;
  }
  return true;
}

function describeActivity(a: Activity): string {
  const page = a.url === undefined ? "" : pathOf(a.url);
  const named = a.name ?? a.title ?? "";
  switch (a.kind) {
    case "page_view":
      return `viewed ${page || "a page"}`;
    case "form_submission":
      return `submitted form ${named || page || "(unnamed)"}`;
    case "content_download":
      return `downloaded ${named || page || "content"}`;
    case "webinar_attended":
      return `attended webinar ${named || "(unnamed)"}`;
    case "email_open":
      return `opened e-mail ${named || "(unnamed)"}`;
    case "email_click":
      return `clicked in e-mail ${named || page || "(unnamed)"}`;
    case "contact_me":
      return `asked to be contacted${named ? ` (${named})` : ""}`;
    case "demo_request":
      return `requested a demo${named ? ` (${named})` : ""}`;
    case "chat":
      return `chatted${named ? ` (${named})` : ""}`;
  }
}

function signed(points: number): string {
  return points >= 0 ? `+${points}` : String(points);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

// Dates in reasons are read in the SLA's time zone; one formatter per zone keeps scoring fast.
const formatters = new Map<string, (ms: number) => string>();
const DAY_CACHE_LIMIT = 50_000;

function dateFormatter(timeZone: string): (ms: number) => string {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    const intl = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    const byHour = new Map<number, string>();
    // Zone offsets are whole or half hours (a few are 45 min): caching per quarter-hour is exact.
    format = (ms: number) => {
      const slot = Math.floor(ms / 900_000);
      let text = byHour.get(slot);
      if (text === undefined) {
        text = intl.format(ms);
        if (byHour.size >= DAY_CACHE_LIMIT) byHour.clear();
        byHour.set(slot, text);
      }
      return text;
    };
    formatters.set(timeZone, format);
  }
  return format;
}
