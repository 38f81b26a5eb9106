/**
 * Checks that need the whole document: references between blocks (pools, reps, managers), thresholds no
 * lead can reach, rules that can never fire (errors), and smells (warnings): unreachable or overlapping
 * territories, pools nobody in which can take a lead, duplicated rules.
 */
import { matchCondition, parseMatcher, resolveField } from "../domain/conditions";
import type { Condition, When } from "../domain/routing-rules";
import { parseDuration, writtenInMinutes } from "../domain/duration";
import { poolCoverage } from "../domain/pool-coverage";
import { DEFAULT_TIER, THRESHOLDS_TRIGGER } from "../domain/follow-up-tier";
import type { Duration, Sla } from "../domain/sla";
import { suggest } from "./did-you-mean";
import type { Severity } from "./sla-problem";

export interface Finding {
  severity: Severity;
  path: (string | number)[];
  atKey?: boolean;
  message: string;
  hint: string;
}

export interface CheckOptions {
  /**
   * Why a rep cannot take leads next week ("away until 2026-12-01", "inactive in the CRM"), or undefined
   * when they can. Supplied by routing from the roster; without it only the SLA itself is checked.
   */
  unavailable?: (repKey: string) => string | undefined;
  /**
   * Checks each pool's working hours and public holidays over `days` from `from`: a pool nobody works in is
   * named. `holidays` answers holiday code → local `YYYY-MM-DD` dates in [from, to] (a HolidayCalendar).
   * Without it only the SLA's own caps and weights are checked.
   */
  coverage?: {
    from: Date;
    days: number;
    holidays: (codes: string[], from: string, to: string) => Record<string, string[]>;
  };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Activity kinds that carry a page URL, and those that carry a form. */
const KINDS_WITH_URL = new Set([
  "page_view",
  "form_submission",
  "contact_me",
  "demo_request",
  "content_download",
  "email_click",
]);
const KINDS_WITH_FORM = new Set(["form_submission", "contact_me", "demo_request"]);

/** Cross-block errors on the raw document (works even when other parts are broken), then smells. */
export function checkSla(raw: unknown, sla: Sla | undefined, options: CheckOptions = {}): Finding[] {
  const found: Finding[] = [];
  checkReferences(obj(raw) ?? {}, found);
  if (sla !== undefined) {
    checkReachability(sla, found);
    checkRules(sla, found);
    sla.fit.forEach((rule, i) => checkNumericFields(rule.when, ["fit", i, "when"], found));
    sla.routing.territories.forEach((t, i) =>
      checkNumericFields(t.when, ["routing", "territories", i, "when"], found),
    );
    checkTerritories(sla, found);
    checkPools(sla, options, found);
    checkFollowUp(sla, found);
    checkFollowUpTiers(sla, found);
    checkMinuteSlips(obj(raw) ?? {}, sla, found);
  }
  return found;
}

/**
 * Windows, cooldowns and decay steps are days to months long; one written in minutes ("1m") is almost always
 * meant as a month, and would silently make the rule count nothing.
 */
function checkMinuteSlips(raw: Obj, sla: Sla, found: Finding[]): void {
  const slip = (path: (string | number)[], text: string) =>
    found.push({
      severity: "warning",
      path,
      message: `"${text}" is ${text.replace(/\D+$/, "")} minute(s) — unusually short here`,
      hint: `"m" means minutes; for months write "${text.replace(/\s*\D+$/, "")} month" (30 days) or use d/w`,
    });
  const spans: [(string | number)[], Duration | undefined][] = [
    ...sla.engagement.map((r, i): [(string | number)[], Duration | undefined] => [
      ["engagement", i, "within"],
      r.within,
    ]),
    [["qualify", "trigger_within"], sla.qualify.triggerWithin],
    [["recycle", "cooldown"], sla.recycle.cooldown],
    [["follow_up", "cadence", "within"], sla.followUp.cadence.within],
  ];
  for (const [path, span] of spans) if (span && writtenInMinutes(span)) slip(path, span.text);
  arr(obj(raw.decay)?.steps).forEach((step, i) => {
    const after = obj(step)?.after;
    const parsed = after === undefined ? undefined : parseDuration(after as string | number);
    if (parsed && writtenInMinutes(parsed)) slip(["decay", "steps", i, "after"], parsed.text);
  });
}

function checkReferences(doc: Obj, found: Finding[]): void {
  const routing = obj(doc.routing) ?? {};
  const pools = obj(routing.pools) ?? {};
  const reps = obj(doc.reps) ?? {};
  const poolNames = Object.keys(pools);
  const repNames = Object.keys(reps);
  // Without a reps block the schema already says so; every reference would only repeat it.
  const repsMissing = obj(doc.reps) === undefined;
  arr(routing.territories).forEach((t, i) => {
    const pool = obj(t)?.pool;
    if (typeof pool === "string" && !(pool in pools)) {
      found.push({
        severity: "error",
        path: ["routing", "territories", i, "pool"],
        message: `territory sends leads to pool "${pool}", which is not defined`,
        hint: `${suggest(pool, poolNames, "pools defined")} (pools live under routing.pools)`,
      });
    }
  });
  if (typeof routing.default_pool === "string" && !(routing.default_pool in pools)) {
    found.push({
      severity: "error",
      path: ["routing", "default_pool"],
      message: `default pool "${routing.default_pool}" is not defined`,
      hint: suggest(routing.default_pool, poolNames, "pools defined"),
    });
  }
  for (const [name, p] of Object.entries(pools)) {
    arr(obj(p)?.members).forEach((m, i) => {
      const rep = obj(m)?.rep;
      if (typeof rep === "string" && !repsMissing && !(rep in reps)) {
        found.push({
          severity: "error",
          path: ["routing", "pools", name, "members", i, "rep"],
          message: `rep "${rep}" is not listed under reps`,
          hint: `${suggest(rep, repNames, "reps listed")} (or add ${rep} under reps with crm_id and timezone)`,
        });
      }
    });
    const lead = obj(p)?.lead;
    if (typeof lead === "string" && !repsMissing && !(lead in reps)) {
      found.push({
        severity: "error",
        path: ["routing", "pools", name, "lead"],
        message: `team lead "${lead}" is not listed under reps`,
        hint: suggest(lead, repNames, "reps listed"),
      });
    }
  }
  const taskOwner = obj(routing.fallback)?.task_owner;
  if (typeof taskOwner === "string" && !repsMissing && !(taskOwner in reps)) {
    found.push({
      severity: "error",
      path: ["routing", "fallback", "task_owner"],
      message: `task owner "${taskOwner}" is not listed under reps`,
      hint: `${suggest(taskOwner, repNames, "reps listed")} (the follow-up task of a queue's lead goes to this rep)`,
    });
  }
  for (const [key, r] of Object.entries(reps)) {
    const manager = obj(r)?.manager;
    if (typeof manager === "string" && !(manager in reps)) {
      found.push({
        severity: "error",
        path: ["reps", key, "manager"],
        message: `manager "${manager}" is not listed under reps`,
        hint: `${suggest(manager, repNames, "reps listed")} (escalations go to the manager's CRM user)`,
      });
    }
  }
  const reasons = arr(obj(doc.feedback)?.reject_reasons);
  reasons.forEach((r, i) => {
    if (reasons.indexOf(r) !== i) {
      found.push({
        severity: "error",
        path: ["feedback", "reject_reasons", i],
        message: `reject reason "${String(r)}" is listed twice`,
        hint: "remove the second one; reports count by reason",
      });
    }
  });
}

const NUMERIC_FIELDS = new Set(["employees", "annualRevenue"]);

/** A condition item that compares text, which no number can match. */
function isTextual(item: string | number | boolean): boolean {
  const matcher = parseMatcher(item);
  return (
    "kind" in matcher &&
    ((matcher.kind === "exact" && matcher.number === undefined) ||
      matcher.kind === "wildcard" ||
      matcher.kind === "text_range")
  );
}

/** `employees: large` can never match a number: a rule that can never fire. */
function checkNumericFields(when: When, path: (string | number)[], found: Finding[]): void {
  for (const [name, condition] of Object.entries(when)) {
    const field = resolveField(name);
    if (typeof field !== "string" || !NUMERIC_FIELDS.has(field)) continue;
    for (const item of Array.isArray(condition) ? condition : [condition]) {
      if (isTextual(item)) {
        found.push({
          severity: "error",
          path: [...path, name],
          message: `this rule can never fire: ${name} is a number and "${String(item)}" is text`,
          hint: 'compare with a number: ">= 100", "< 50" or a range "100..500"',
        });
      }
    }
  }
}

function checkReachability(sla: Sla, found: Finding[]): void {
  const positiveFit = sla.fit.reduce((sum, r) => sum + Math.max(0, r.points), 0);
  const maxFit = Math.min(sla.caps.fit.max, positiveFit);
  const unboundedEngagement = sla.engagement.some((r) => r.points > 0 && r.max === undefined);
  const positiveEngagement = sla.engagement.reduce((sum, r) => sum + (r.points > 0 ? (r.max ?? 0) : 0), 0);
  const maxEngagement = unboundedEngagement
    ? sla.caps.engagement.max
    : Math.min(sla.caps.engagement.max, positiveEngagement);
  if (sla.qualify.mql.fit > maxFit) {
    found.push({
      severity: "error",
      path: ["qualify", "mql", "fit"],
      message: `no lead can reach fit ${sla.qualify.mql.fit}: the most a lead can score is ${maxFit}`,
      hint: `lower the threshold to at most ${maxFit}, or raise caps.fit.max / the fit rules' points`,
    });
  }
  if (sla.qualify.mql.engagement > maxEngagement) {
    found.push({
      severity: "error",
      path: ["qualify", "mql", "engagement"],
      message: `no lead can reach engagement ${sla.qualify.mql.engagement}: the most a lead can score is ${maxEngagement}`,
      hint: `lower the threshold to at most ${maxEngagement}, or raise caps.engagement.max / the rules' max`,
    });
  }
  const hasTrigger = sla.engagement.some((r) => r.trigger === "handoff");
  // When trigger_min_fit is left to default to the MQL fit, the MQL error already says it all.
  if (hasTrigger && sla.qualify.triggerMinFit > maxFit && sla.qualify.triggerMinFit !== sla.qualify.mql.fit) {
    found.push({
      severity: "error",
      path: ["qualify", "trigger_min_fit"],
      message: `handoff triggers can never fire: they need fit ${sla.qualify.triggerMinFit} and the most is ${maxFit}`,
      hint: `lower trigger_min_fit to at most ${maxFit}`,
    });
  }
  for (const axis of ["fit", "engagement"] as const) {
    const cap = sla.caps[axis];
    if (cap.min > cap.max) {
      found.push({
        severity: "error",
        path: ["caps", axis, "min"],
        message: `caps.${axis}.min ${cap.min} is above max ${cap.max}`,
        hint: "swap them",
      });
    }
    if (sla.qualify.mql[axis] <= cap.min) {
      found.push({
        severity: "warning",
        path: ["qualify", "mql", axis],
        message: `every lead passes the ${axis} threshold ${sla.qualify.mql[axis]} (scores start at ${cap.min})`,
        hint: "raise it, or remove the axis from the agreement on purpose",
      });
    }
  }
  if (sla.sla.effective === undefined) {
    found.push({
      severity: "warning",
      path: ["sla", "effective"],
      message: "no effective date",
      hint: "set effective: YYYY-MM-DD before publishing; publish refuses without it",
    });
  }
}

function sameWhen(a: When, b: When): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

function checkRules(sla: Sla, found: Finding[]): void {
  sla.fit.forEach((rule, i) => {
    if (rule.points === 0) {
      found.push({
        severity: "warning",
        path: ["fit", i, "points"],
        message: "this rule adds 0 points",
        hint: "give it points or remove it",
      });
    }
    const earlier = sla.fit.findIndex((r, j) => j < i && sameWhen(r.when, rule.when));
    if (earlier >= 0) {
      found.push({
        severity: "warning",
        path: ["fit", i, "when"],
        message: `same condition as fit[${earlier}]: both add points to the same leads`,
        hint: "merge the two rules into one",
      });
    }
  });
  sla.engagement.forEach((rule, i) => {
    if (rule.url !== undefined && !KINDS_WITH_URL.has(rule.on)) {
      found.push({
        severity: "error",
        path: ["engagement", i, "url"],
        message: `this rule can never fire: ${rule.on} activities have no page URL`,
        hint: "remove url, or use on: page_view",
      });
    }
    if (rule.form !== undefined && !KINDS_WITH_FORM.has(rule.on)) {
      found.push({
        severity: "error",
        path: ["engagement", i, "form"],
        message: `this rule can never fire: ${rule.on} activities have no form`,
        hint: "remove form, or use on: form_submission",
      });
    }
    if (rule.trigger === "handoff" && rule.points < 0) {
      found.push({
        severity: "error",
        path: ["engagement", i, "trigger"],
        message: "a handoff trigger on a negative signal hands over leads that just lost points",
        hint: "remove trigger, or make the points positive",
      });
    }
    if (rule.points === 0 && rule.trigger === undefined) {
      found.push({
        severity: "warning",
        path: ["engagement", i, "points"],
        message: "this rule adds 0 points",
        hint: "give it points or remove it",
      });
    }
    if (rule.max !== undefined && rule.max < Math.abs(rule.points)) {
      found.push({
        severity: "warning",
        path: ["engagement", i, "max"],
        message: `max ${rule.max} is below one activity's ${Math.abs(rule.points)} points`,
        hint: `raise max to at least ${Math.abs(rule.points)} or lower points`,
      });
    }
  });
}

function exactItems(condition: Condition): (string | number)[] | undefined {
  const items = Array.isArray(condition) ? condition : [condition];
  const plain = items.filter(
    (i): i is string | number => typeof i === "number" || (typeof i === "string" && !/[*?<>=!]|\.\./.test(i)),
  );
  return plain.length === items.length ? plain : undefined;
}

function fieldKey(name: string): string {
  const field = resolveField(name);
  return typeof field === "object" ? `property:${field.property}` : (field ?? name);
}

/** Every lead matching `inner` also matches `outer`, as far as exact values tell. */
function covers(outer: When, inner: When): boolean {
  const innerByField = new Map(Object.entries(inner).map(([k, c]) => [fieldKey(k), c]));
  for (const [name, outerCondition] of Object.entries(outer)) {
    const innerCondition = innerByField.get(fieldKey(name));
    if (innerCondition === undefined) return false;
    if (JSON.stringify(innerCondition) === JSON.stringify(outerCondition)) continue;
    const items = exactItems(innerCondition);
    if (items === undefined || !items.every((item) => matchCondition(item, outerCondition))) return false;
  }
  return true;
}

/** A value some lead could have that matches both, or undefined when none is apparent. */
function overlapExample(a: When, b: When): string | undefined {
  const byField = new Map(Object.entries(b).map(([k, c]) => [fieldKey(k), c]));
  const examples: string[] = [];
  for (const [name, ca] of Object.entries(a)) {
    const cb = byField.get(fieldKey(name));
    if (cb === undefined) continue;
    const itemsA = exactItems(ca) ?? [];
    const itemsB = exactItems(cb) ?? [];
    const shared = itemsA.find((i) => matchCondition(i, cb)) ?? itemsB.find((i) => matchCondition(i, ca));
    if (shared === undefined) return undefined;
    examples.push(`${name} ${String(shared)}`);
  }
  return examples.length > 0 ? examples.join(", ") : undefined;
}

function checkTerritories(sla: Sla, found: Finding[]): void {
  const list = sla.routing.territories;
  list.forEach((later, i) => {
    for (let j = 0; j < i; j++) {
      const earlier = list[j];
      if (earlier === undefined) continue;
      const samePriority = (earlier.priority ?? 0) === (later.priority ?? 0);
      const first = (earlier.priority ?? 0) <= (later.priority ?? 0) ? earlier : later;
      if (first === earlier && covers(earlier.when, later.when)) {
        found.push({
          severity: "warning",
          path: ["routing", "territories", i],
          message: `territory "${later.name}" is unreachable: every lead it matches is taken by "${earlier.name}" first`,
          hint: `narrow "${earlier.name}", or give "${later.name}" a lower priority number`,
        });
        return;
      }
      if (!samePriority) continue;
      const example = overlapExample(earlier.when, later.when);
      if (example !== undefined && earlier.pool !== later.pool) {
        found.push({
          severity: "warning",
          path: ["routing", "territories", i, "when"],
          message: `territory "${later.name}" overlaps "${earlier.name}" (e.g. ${example}); "${earlier.name}" wins by file order`,
          hint: "make the conditions disjoint, or set priority on both to make the order explicit",
        });
      }
    }
  });
}

/** Pools nobody in which works over the coverage window (hours, holidays), with the reason per member. */
function uncoveredPools(sla: Sla, options: CheckOptions): Map<string, string> {
  const uncovered = new Map<string, string>();
  const window = options.coverage;
  if (!window) return uncovered;
  const day = 86_400_000;
  // Local dates can be a day either side of the UTC window.
  const from = new Date(window.from.getTime() - day).toISOString().slice(0, 10);
  const to = new Date(window.from.getTime() + (window.days + 1) * day).toISOString().slice(0, 10);
  const codes = [
    ...new Set(Object.values(sla.routing.reps).flatMap((r) => (r.holidays ? [r.holidays] : []))),
  ];
  const holidays = window.holidays(codes, from, to);
  for (const c of poolCoverage(sla.routing, window.from, window.days, holidays)) {
    if (c.problem !== undefined) uncovered.set(c.pool, c.problem);
  }
  return uncovered;
}

function checkPools(sla: Sla, options: CheckOptions, found: Finding[]): void {
  const coverage = uncoveredPools(sla, options);
  const used = new Set([...sla.routing.territories.map((t) => t.pool), sla.routing.defaultPool]);
  for (const [name, pool] of Object.entries(sla.routing.pools)) {
    const why: string[] = [];
    for (const member of pool.members) {
      const rep = sla.routing.reps[member.rep];
      const cap = rep?.capOpen ?? pool.capOpen;
      const away = options.unavailable?.(member.rep);
      if (member.weight === 0) why.push(`${member.rep}: weight 0`);
      else if (cap === 0) why.push(`${member.rep}: cap 0`);
      else if (pool.capPerDay === 0 || pool.capPerWeek === 0) why.push(`${member.rep}: pool cap 0`);
      else if (away !== undefined) why.push(`${member.rep}: ${away}`);
    }
    const unstaffed = pool.members.length === 0 || why.length === pool.members.length;
    const uncovered = unstaffed ? undefined : coverage.get(name);
    if (uncovered !== undefined) {
      found.push({
        severity: "warning",
        path: ["routing", "pools", name, "members"],
        message: `${uncovered} in the next ${options.coverage?.days ?? 0} days`,
        hint: "add a member who works then, or route its territories elsewhere",
      });
    }
    if (pool.members.length === 0) {
      // An empty pool is a mistake, not a routing choice: its leads would quietly go to the fallback.
      found.push({
        severity: "error",
        path: ["routing", "pools", name, "members"],
        message: `pool "${name}" has no members: every lead sent there would go to the fallback`,
        hint: "add at least one rep, or remove the pool and route its territories elsewhere",
      });
    } else if (why.length === pool.members.length) {
      found.push({
        severity: "warning",
        path: ["routing", "pools", name, "members"],
        message: `nobody in pool "${name}" can take a lead next week (${why.join("; ")})`,
        hint: "add an available member or route its territories elsewhere",
      });
    }
    if (!used.has(name)) {
      found.push({
        severity: "warning",
        path: ["routing", "pools", name],
        atKey: true,
        message: `pool "${name}" receives no leads: no territory or default_pool names it`,
        hint: "add a territory for it or remove it",
      });
    }
  }
}

function checkFollowUp(sla: Sla, found: Finding[]): void {
  const f = sla.followUp;
  if (f.firstTouch.minutes > f.max.minutes) {
    found.push({
      severity: "error",
      path: ["follow_up", "first_touch"],
      message: `first_touch ${f.firstTouch.text} is longer than max ${f.max.text}`,
      hint: "the first-touch deadline must fit inside max; shorten it or raise max",
    });
  }
  if (f.reassignAfter.minutes < f.firstTouch.minutes) {
    found.push({
      severity: "warning",
      path: ["follow_up", "reassign_after"],
      message: `reassign_after ${f.reassignAfter.text} is shorter than first_touch ${f.firstTouch.text}`,
      hint: "reps would lose leads before their deadline; make reassign_after at least first_touch",
    });
  }
  if (
    f.escalateTo !== "manager" &&
    !(f.escalateTo in sla.routing.reps) &&
    !/^[0-9A-Za-z]{5,18}$/.test(f.escalateTo)
  ) {
    found.push({
      severity: "error",
      path: ["follow_up", "escalate_to"],
      message: `escalate_to "${f.escalateTo}" is neither "manager", a rep, nor a CRM user id`,
      hint: suggest(f.escalateTo, ["manager", ...Object.keys(sla.routing.reps)], "use"),
    });
  }
}

/**
 * A tier the router can never choose, or whose terms cannot hold: a trigger that is no `trigger: handoff`
 * rule, a territory or pool that does not exist, a score band on text, two tiers of one name, a tier behind
 * one that catches the same leads, or a deadline longer than its max.
 */
function checkFollowUpTiers(sla: Sla, found: Finding[]): void {
  const triggers = [
    THRESHOLDS_TRIGGER,
    ...sla.engagement.filter((r) => r.trigger === "handoff").map((r) => r.id),
  ];
  const names: Record<"trigger" | "territory" | "pool", string[]> = {
    trigger: triggers,
    territory: sla.routing.territories.map((t) => t.name),
    pool: Object.keys(sla.routing.pools),
  };
  const seen = new Map<string, number>();
  const tiers = sla.followUp.tiers ?? [];
  tiers.forEach((tier, i) => {
    const at = (...rest: (string | number)[]) => ["follow_up", "tiers", i, ...rest];
    const earlier = seen.get(tier.tier.toLowerCase());
    if (earlier !== undefined || tier.tier.toLowerCase() === DEFAULT_TIER) {
      found.push({
        severity: "error",
        path: at("name"),
        message:
          earlier !== undefined
            ? `tier "${tier.tier}" is named twice (also follow_up.tiers[${earlier}])`
            : `"${DEFAULT_TIER}" is the name of the follow_up terms above`,
        hint: "give each tier its own name; reports and cards show it",
      });
    }
    seen.set(tier.tier.toLowerCase(), i);
    for (const key of ["trigger", "territory", "pool"] as const) {
      const condition = tier.when[key];
      if (condition === undefined) continue;
      for (const item of Array.isArray(condition) ? condition : [condition]) {
        const text = String(item);
        if (/[*?]/.test(text) || names[key].some((n) => matchCondition(n, text))) continue;
        found.push({
          severity: "error",
          path: at("when", key),
          message: `this tier can never apply: ${key} "${text}" is not ${
            key === "trigger" ? "a `trigger: handoff` engagement rule nor thresholds" : `a ${key} of routing`
          }`,
          hint: suggest(text, names[key], key === "trigger" ? "triggers" : `${key}s`),
        });
      }
    }
    for (const key of ["fit", "engagement", "score"] as const) {
      const condition = tier.when[key];
      if (condition === undefined) continue;
      for (const item of Array.isArray(condition) ? condition : [condition]) {
        if (isTextual(item)) {
          found.push({
            severity: "error",
            path: at("when", key),
            message: `this tier can never apply: ${key} is a score and "${String(item)}" is not a number or band`,
            hint: 'write a score band: ">= 60", "< 40" or "40..79"',
          });
        }
      }
    }
    if (tier.firstTouch.minutes > tier.max.minutes) {
      found.push({
        severity: "error",
        path: at("first_touch"),
        message: `first_touch ${tier.firstTouch.text} is longer than max ${tier.max.text}`,
        hint: "the first-touch deadline must fit inside max; shorten it or set the tier's own max",
      });
    }
    const shadow = tiers.slice(0, i).findIndex((t) => covers(t.when as When, tier.when as When));
    if (shadow >= 0) {
      found.push({
        severity: "warning",
        path: at("when"),
        message: `tier "${tier.tier}" never applies: follow_up.tiers[${shadow}] "${tiers[shadow]?.tier}" comes first and takes every lead it would`,
        hint: "the first matching tier applies: move the narrower tier above the wider one",
      });
    }
  });
}
