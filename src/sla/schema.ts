/**
 * The SLA file's schema. The YAML is snake_case (what admins edit); `slaSchema` validates it and maps it to
 * the camelCase `Sla` the domain reads. Custom messages use "what is wrong — how to fix", which the loader
 * splits into message and hint.
 */
import { z } from "zod";
import { parseCondition, resolveField } from "../domain/conditions";
import { parseDuration } from "../domain/duration";
import { parseWorkingHours } from "../domain/working-hours";
import { didYouMean } from "./did-you-mean";
import type { ActivityKind } from "../domain/lead";
import type { Condition, Pool, Rep, Territory } from "../domain/routing-rules";
import type { Decay, Duration, EngagementRule, FitRule, FollowUp, FollowUpTier, Sla } from "../domain/sla";

export const ACTIVITY_KINDS = [
  "page_view",
  "form_submission",
  "content_download",
  "webinar_attended",
  "email_open",
  "email_click",
  "contact_me",
  "demo_request",
  "chat",
] as const satisfies readonly ActivityKind[];

/**
 * CRM lead statuses that mean sales turned the lead down (HubSpot `hs_lead_status`, Salesforce Lead `Status`),
 * with the reject reason each stands for, when the SLA does not list its own.
 */
export const DEFAULT_CRM_REJECTIONS: Record<string, string> = {
  UNQUALIFIED: "not_icp",
  BAD_TIMING: "bad_timing",
  Unqualified: "not_icp",
  "Closed - Not Converted": "not_icp",
};

/** The funnel vocabulary seeded for new SLAs: marketing's words ↔ sales' words. */
export const DEFAULT_VOCABULARY = {
  attract: "prospecting",
  convert: "identify solutions",
  close: "evaluate solutions",
} as const;

const duration = z.union([z.string(), z.number()]).transform((value, ctx): Duration => {
  const parsed = parseDuration(value);
  if (parsed === undefined || parsed.minutes <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a duration — write a number and a unit: 30m, 4h, 1d, 2w or 1 month`,
    });
    return z.NEVER;
  }
  return parsed;
});

const percent = z.union([z.string(), z.number()]).transform((value, ctx): number => {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  const fraction = m?.[1] !== undefined ? Number(m[1]) / 100 : typeof value === "number" ? value : NaN;
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction > 1) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a share of the deadline — write 50% or 100%` });
    return z.NEVER;
  }
  return fraction;
});

/** A minimum score: `50` or `">= 50"`. Scores are compared inclusively. */
const threshold = z.union([z.string(), z.number()]).transform((value, ctx): number => {
  if (typeof value === "number") return value;
  const m = /^\s*>=\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (m?.[1] === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `threshold "${value}" is not a minimum — write ">= 50" (thresholds are inclusive minimums)`,
    });
    return z.NEVER;
  }
  return Number(m[1]);
});

/** Marks `when: any` between parsing and the check (never left in the output). */
const MATCH_ANY = "\u0000any";

const conditionItem = z.union([z.string(), z.number(), z.boolean()]);
const condition = z
  .union([conditionItem, z.array(z.union([z.string(), z.number()]))], {
    error: 'expected a value, a list of values or a comparison — e.g. ES, [ES, PT], "VP*" or ">= 100"',
  })
  .superRefine((value, ctx) => {
    for (const problem of parseCondition(value as Condition).problems) {
      ctx.addIssue({ code: "custom", message: `${problem.message} — ${problem.hint}` });
    }
  });

// `when: any` is the plain way to say "every lead"; an empty `{}` is refused because it is usually unfinished.
const when = z
  .preprocess(
    (value) =>
      typeof value === "string" && value.trim().toLowerCase() === "any" ? { [MATCH_ANY]: true } : value,
    z.record(z.string(), condition),
  )
  .superRefine((value, ctx) => {
    if (MATCH_ANY in value) {
      delete (value as Record<string, unknown>)[MATCH_ANY];
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) {
      ctx.addIssue({
        code: "custom",
        message:
          "empty `when` — name at least one field, or write `when: any` to match every lead (for territories, routing.default_pool sends every other lead to a pool)",
      });
    }
    for (const key of keys) {
      if (resolveField(key) === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown lead field "${key}" — use a lead field or property:<crm name>`,
          params: { atKey: true, unknownField: key },
        });
      }
    }
  });

const wildcard = z
  .string()
  .min(1, { error: "empty pattern — write a pattern such as /pricing* or contact-me, or remove the key" });

const fitRule = z.strictObject({
  id: z.string().min(1).optional(),
  when,
  points: z.number({ error: "expected a number of points — write e.g. 10 or -20, without quotes" }),
  reason: z.string().optional(),
});

const engagementRule = z.strictObject({
  id: z.string().min(1).optional(),
  on: z.enum(ACTIVITY_KINDS),
  url: wildcard.optional(),
  form: wildcard.optional(),
  name: wildcard.optional(),
  points: z.number({ error: "expected a number of points — write e.g. 10 or -20, without quotes" }),
  max: z
    .number()
    .positive({ error: "max must be above 0 — it caps the points this rule adds in total" })
    .optional(),
  max_per_day: z
    .number()
    .positive({ error: "max_per_day must be above 0 — it caps the points this rule adds per day" })
    .optional(),
  within: duration.optional(),
  trigger: z.literal("handoff").optional(),
  reason: z.string().optional(),
});

// `decay: none` is shorthand for no decay; otherwise a half-life or steps.
const decay = z.preprocess(
  (value) => (value === "none" ? {} : value),
  z.strictObject({
    half_life_days: z
      .number()
      .positive({ error: "half_life_days must be above 0 — e.g. 30 halves points every 30 days" })
      .optional(),
    steps: z
      .array(
        z.strictObject({
          after: duration,
          keep: z.union([percent, z.literal(0).transform(() => 0)]),
        }),
      )
      .min(1)
      .optional(),
  }),
);

const range = z.strictObject({ min: z.number(), max: z.number() });

/** Every form the working-hours parser reads: several groups, breaks, overnight shifts, "24/7". */
const workingHours = z.string().superRefine((value, ctx) => {
  const week = parseWorkingHours(value);
  if ("error" in week) {
    ctx.addIssue({
      code: "custom",
      message: `${week.error.replace(/; write/, " — write")}; groups are separated by ";", e.g. "Mon-Thu 09:00-18:00; Fri 09:00-14:00"`,
    });
  }
});

function checkTimeZone(value: string, ctx: z.RefinementCtx): void {
  if (isTimeZone(value)) return;
  const close = didYouMean(value, timeZoneNames());
  ctx.addIssue({
    code: "custom",
    message: `"${value}" is not an IANA time zone — ${close ? `did you mean ${close}?` : "write e.g. Europe/Madrid or America/New_York"}`,
  });
}

const rep = z.strictObject({
  crm_id: z.union([z.string().min(1), z.number().int()]).transform(String),
  name: z.string().optional(),
  email: z.string().optional(),
  hours: workingHours.default("Mon-Fri 09:00-18:00"),
  timezone: z.string().superRefine(checkTimeZone),
  holidays: z.string().optional(),
  manager: z.string().optional(),
  cap_open: z.number().int().nonnegative().optional(),
  cap_per_month: z.number().int().nonnegative().optional(),
});

const pool = z.strictObject({
  members: z.array(
    z.strictObject({
      rep: z.string(),
      weight: z.number().nonnegative().default(1),
    }),
  ),
  cap_open: z.number().int().nonnegative().optional(),
  cap_per_day: z.number().int().nonnegative().optional(),
  cap_per_week: z.number().int().nonnegative().optional(),
  cap_per_month: z.number().int().nonnegative().optional(),
  on_return: z.enum(["no_catch_up", "catch_up_gradually"]).default("no_catch_up"),
  lead: z.string().optional(),
});

const routing = z.strictObject({
  existing_owner: z.enum(["keep", "reassign"]).default("keep"),
  account_match: z.boolean().default(true),
  territories: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        when,
        pool: z.string(),
        priority: z.number().int().optional(),
      }),
    )
    .default([]),
  pools: z.record(z.string(), pool),
  default_pool: z.string().optional(),
  open_leads: z
    .strictObject({
      statuses: z
        .array(z.string().min(1))
        .min(1, { error: "no open statuses — list the CRM lead statuses that still take a rep's slot" }),
      stages: z
        .array(z.enum(["subscriber", "lead", "nurture", "mql", "sql", "other"]))
        .default(["subscriber", "lead", "mql", "other"]),
    })
    .optional(),
  fallback: z
    .strictObject({
      queue: z.string().optional(),
      owner_id: z.union([z.string(), z.number().int()]).transform(String).optional(),
      task_owner: z.string().min(1).optional(),
    })
    .refine((f) => f.queue !== undefined || f.owner_id !== undefined, {
      error: "fallback names nobody — set queue or owner_id so leads nobody can take still land somewhere",
    }),
});

// A tier is chosen by what is known at handoff: the trigger that fired, score bands, the territory or pool.
const tierWhen = z
  .strictObject({
    trigger: condition.optional(),
    fit: condition.optional(),
    engagement: condition.optional(),
    score: condition.optional(),
    territory: condition.optional(),
    pool: condition.optional(),
  })
  .refine((w) => Object.values(w).some((v) => v !== undefined), {
    error:
      "empty `when` — name at least one of trigger, fit, engagement, score, territory or pool (leads no tier matches get the follow_up terms above)",
  });

const escalateTo = z.union([z.string(), z.number()]).transform(String);

const followUpTier = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _-]*$/, {
    error: "a tier name is a short word — e.g. hot, contact_me or content (letters, digits, _ and -)",
  }),
  when: tierWhen,
  first_touch: duration,
  next_touch: duration.optional(),
  max: duration.optional(),
  business_hours: z.boolean().optional(),
  remind_at: z.array(percent).optional(),
  escalate_to: escalateTo.optional(),
  reassign_after: duration.optional(),
});

const isoDate = z.union([z.string(), z.date()]).transform((value, ctx): string => {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a date — write YYYY-MM-DD, e.g. 2027-01-01` });
    return z.NEVER;
  }
  return text;
});

const timezone = z.string().superRefine(checkTimeZone);

/** The YAML document as written (snake_case), before mapping. */
export const rawSlaSchema = z.strictObject({
  sla: z.strictObject({
    name: z.string().min(1),
    version: z.number().int().positive({ error: "version must be a whole number from 1 — e.g. version: 3" }),
    effective: isoDate.optional(),
    timezone,
  }),
  calendar: z
    .strictObject({
      hours: workingHours.default("Mon-Fri 09:00-17:00"),
      holidays: z.string().min(1).optional(),
      days_off: z.array(isoDate).default([]),
    })
    .optional(),
  vocabulary: z
    .object({ attract: z.string(), convert: z.string(), close: z.string() })
    .catchall(z.string())
    .default({ ...DEFAULT_VOCABULARY }),
  required_fields: z
    .array(
      z.string().refine((f) => resolveField(f) !== undefined, {
        error: (issue) =>
          `unknown lead field "${String(issue.input)}" — use a lead field such as jobtitle or country`,
      }),
    )
    .default([]),
  fit: z.array(fitRule),
  engagement: z.array(engagementRule),
  decay: decay.default({}),
  caps: z
    .strictObject({
      fit: range.default({ min: 0, max: 100 }),
      engagement: range.default({ min: 0, max: 100 }),
    })
    .default({ fit: { min: 0, max: 100 }, engagement: { min: 0, max: 100 } }),
  qualify: z.strictObject({
    mql: z.strictObject({ fit: threshold, engagement: threshold }),
    trigger_min_fit: threshold.optional(),
    trigger_within: duration.default({ text: "30d", minutes: 30 * 1440 }),
  }),
  recycle: z
    .strictObject({
      cooldown: duration.default({ text: "30d", minutes: 30 * 1440 }),
      requalify_on: z.enum(["new_evidence", "score"]).default("new_evidence"),
      stage: z.enum(["nurture", "lead"]).default("nurture"),
    })
    .default({
      cooldown: { text: "30d", minutes: 30 * 1440 },
      requalify_on: "new_evidence",
      stage: "nurture",
    }),
  routing,
  reps: z.record(z.string(), rep),
  follow_up: z.strictObject({
    first_touch: duration,
    next_touch: duration.optional(),
    max: duration,
    business_hours: z.boolean().default(true),
    remind_at: z.array(percent).default([0.5, 1]),
    escalate_to: escalateTo.default("manager"),
    reassign_after: duration,
    cadence: z.strictObject({
      calls: z.number().int().nonnegative(),
      emails: z.number().int().nonnegative(),
      within: duration,
    }),
    tiers: z.array(followUpTier).optional(),
  }),
  feedback: z
    .strictObject({
      reject_reasons: z
        .array(
          z.string().regex(/^[a-z0-9_]+$/, {
            error: "reject reasons are snake_case codes — e.g. not_icp, no_budget",
          }),
        )
        .min(1, { error: "no reject reasons — list at least one, e.g. [not_icp, no_budget]" }),
      crm_rejections: z.record(z.string().min(1), z.string()).optional(),
    })
    .superRefine((value, ctx) => {
      for (const [status, reason] of Object.entries(value.crm_rejections ?? {})) {
        if (!value.reject_reasons.includes(reason)) {
          ctx.addIssue({
            code: "custom",
            path: ["crm_rejections", status],
            message: `"${reason}" is not one of feedback.reject_reasons — map the status to ${value.reject_reasons.join(", ")} or add the reason`,
          });
        }
      }
    }),
  commitment: z.strictObject({ mql_per_quarter: z.number().int().nonnegative() }),
});

export type RawSla = z.output<typeof rawSlaSchema>;

let zones: string[] | undefined;
function timeZoneNames(): string[] {
  zones ??= Intl.supportedValuesOf("timeZone");
  return zones;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function mapDecay(raw: RawSla["decay"]): Decay {
  if (raw.steps !== undefined) {
    const steps = raw.steps
      .map((s) => ({ afterDays: s.after.minutes / 1440, keep: s.keep }))
      .sort((a, b) => a.afterDays - b.afterDays);
    return { kind: "step", steps };
  }
  if (raw.half_life_days !== undefined) return { kind: "half_life", halfLifeDays: raw.half_life_days };
  return { kind: "none" };
}

// Absent tiers and next_touch stay absent, so an SLA without them hashes as it always did.
function mapFollowUp(raw: RawSla["follow_up"]): FollowUp {
  const remindAt = (list: number[]) => [...list].sort((a, b) => a - b);
  const base = {
    firstTouch: raw.first_touch,
    ...(raw.next_touch === undefined ? {} : { nextTouch: raw.next_touch }),
    max: raw.max,
    businessHours: raw.business_hours,
    remindAt: remindAt(raw.remind_at),
    escalateTo: raw.escalate_to,
    reassignAfter: raw.reassign_after,
  };
  const tiers = raw.tiers?.map((t): FollowUpTier => ({
    tier: t.name,
    when: t.when as FollowUpTier["when"],
    firstTouch: t.first_touch,
    ...(t.next_touch === undefined ? {} : { nextTouch: t.next_touch }),
    max: t.max ?? base.max,
    businessHours: t.business_hours ?? base.businessHours,
    remindAt: t.remind_at === undefined ? base.remindAt : remindAt(t.remind_at),
    escalateTo: t.escalate_to ?? base.escalateTo,
    reassignAfter: t.reassign_after ?? base.reassignAfter,
  }));
  return { ...base, cadence: raw.cadence, ...(tiers === undefined ? {} : { tiers }) };
}

/** Maps the validated YAML to the domain's `Sla`. */
export function toSla(raw: RawSla): Sla {
  const fit = raw.fit.map((r, i): FitRule => ({
    id: r.id ?? `fit[${i}]`,
    when: r.when as FitRule["when"],
    points: r.points,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  }));
  const engagement = raw.engagement.map((r, i): EngagementRule => ({
    id: r.id ?? `engagement[${i}]`,
    on: r.on,
    points: r.points,
    ...(r.url === undefined ? {} : { url: r.url }),
    ...(r.form === undefined ? {} : { form: r.form }),
    ...(r.name === undefined ? {} : { name: r.name }),
    ...(r.max === undefined ? {} : { max: r.max }),
    ...(r.max_per_day === undefined ? {} : { maxPerDay: r.max_per_day }),
    ...(r.within === undefined ? {} : { within: r.within }),
    ...(r.trigger === undefined ? {} : { trigger: r.trigger }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  }));
  const reps: Record<string, Rep> = {};
  for (const [key, r] of Object.entries(raw.reps)) {
    reps[key] = {
      key,
      crmId: r.crm_id,
      hours: r.hours,
      timezone: r.timezone,
      ...(r.name === undefined ? {} : { name: r.name }),
      ...(r.email === undefined ? {} : { email: r.email }),
      ...(r.holidays === undefined ? {} : { holidays: r.holidays }),
      ...(r.manager === undefined ? {} : { managerKey: r.manager }),
      ...(r.cap_open === undefined ? {} : { capOpen: r.cap_open }),
      ...(r.cap_per_month === undefined ? {} : { capPerMonth: r.cap_per_month }),
    };
  }
  const pools: Record<string, Pool> = {};
  for (const [name, p] of Object.entries(raw.routing.pools)) {
    pools[name] = {
      name,
      members: p.members.map((m) => ({ rep: m.rep, weight: m.weight })),
      onReturn: p.on_return,
      ...(p.cap_open === undefined ? {} : { capOpen: p.cap_open }),
      ...(p.cap_per_day === undefined ? {} : { capPerDay: p.cap_per_day }),
      ...(p.cap_per_week === undefined ? {} : { capPerWeek: p.cap_per_week }),
      ...(p.cap_per_month === undefined ? {} : { capPerMonth: p.cap_per_month }),
      ...(p.lead === undefined ? {} : { lead: p.lead }),
    };
  }
  const territories = raw.routing.territories.map((t): Territory => ({
    name: t.name,
    when: t.when as Territory["when"],
    pool: t.pool,
    ...(t.priority === undefined ? {} : { priority: t.priority }),
  }));
  const { attract, convert, close, ...extra } = raw.vocabulary;
  const fallback = raw.routing.fallback;
  return {
    sla: {
      name: raw.sla.name,
      version: raw.sla.version,
      timezone: raw.sla.timezone,
      ...(raw.sla.effective === undefined ? {} : { effective: raw.sla.effective }),
    },
    ...(raw.calendar === undefined
      ? {}
      : {
          calendar: {
            hours: raw.calendar.hours,
            daysOff: [...raw.calendar.days_off].sort(),
            ...(raw.calendar.holidays === undefined ? {} : { holidays: raw.calendar.holidays }),
          },
        }),
    vocabulary: { attract, convert, close, extra: extra as Record<string, string> },
    requiredFields: raw.required_fields,
    fit,
    engagement,
    decay: mapDecay(raw.decay),
    caps: raw.caps,
    qualify: {
      mql: raw.qualify.mql,
      triggerMinFit: raw.qualify.trigger_min_fit ?? raw.qualify.mql.fit,
      triggerWithin: raw.qualify.trigger_within,
    },
    recycle: {
      cooldown: raw.recycle.cooldown,
      requalifyOn: raw.recycle.requalify_on,
      stage: raw.recycle.stage,
    },
    routing: {
      existingOwner: raw.routing.existing_owner,
      accountMatch: raw.routing.account_match,
      territories,
      pools,
      ...(raw.routing.default_pool === undefined ? {} : { defaultPool: raw.routing.default_pool }),
      ...(raw.routing.open_leads === undefined ? {} : { openLeads: raw.routing.open_leads }),
      ...(raw.calendar?.days_off.length ? { daysOff: [...raw.calendar.days_off].sort() } : {}),
      fallback: {
        ...(fallback.queue === undefined ? {} : { queue: fallback.queue }),
        ...(fallback.owner_id === undefined ? {} : { ownerId: fallback.owner_id }),
        ...(fallback.task_owner === undefined ? {} : { taskOwner: fallback.task_owner }),
      },
      reps,
    },
    followUp: mapFollowUp(raw.follow_up),
    feedback: {
      rejectReasons: raw.feedback.reject_reasons,
      crmRejections:
        raw.feedback.crm_rejections ??
        Object.fromEntries(
          Object.entries(DEFAULT_CRM_REJECTIONS).filter(([, r]) => raw.feedback.reject_reasons.includes(r)),
        ),
    },
    commitment: { mqlPerQuarter: raw.commitment.mql_per_quarter },
  };
}

/** Validates the parsed YAML (unknown) and produces the domain `Sla`. */
export const slaSchema = rawSlaSchema.transform(toSla) satisfies z.ZodType<Sla>;
