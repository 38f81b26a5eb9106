/**
 * Conditions on lead fields, shared by fit rules and territories.
 *
 * A condition is one of:
 * - an exact value: `"ES"`, `250`, `true` (strings compare case-insensitively);
 * - a wildcard: `"28*"`, `"VP*"`, `"*manager*"` (`*` = any characters, `?` = one character);
 * - a comparison: `">= 100"`, `"< 50"`, `"!= student"`; numbers may carry k/m/bn: `">= 10M"`;
 * - a range, both ends included: `"100..500"`, postal codes `"28000..28999"`;
 * - a list: any of its items matches.
 * A lead with no value for the field matches nothing (except `"!= x"`, which asks for "not x").
 */
import type { Condition, When } from "./routing-rules";
import type { Lead } from "./lead";

export type FieldValue = string | number | boolean | null | undefined;

/** One parsed condition item, ready to test many values. */
export type Matcher =
  | { kind: "exact"; text: string; number: number | undefined }
  | { kind: "wildcard"; pattern: RegExp; source: string }
  | { kind: "compare"; op: ">=" | ">" | "<=" | "<"; bound: number }
  | { kind: "not"; inner: Matcher }
  | { kind: "range"; low: number; high: number }
  | { kind: "text_range"; low: string; high: string }
  | { kind: "boolean"; value: boolean };

export interface ConditionProblem {
  message: string;
  hint: string;
}

/** Lead fields a condition may name. YAML spellings (`job_title`, `jobtitle`, `postal_code`) map here. */
export const LEAD_FIELDS = [
  "email",
  "emailDomain",
  "firstName",
  "lastName",
  "company",
  "jobTitle",
  "seniority",
  "industry",
  "employees",
  "annualRevenue",
  "country",
  "state",
  "postalCode",
  "city",
  "businessModel",
  "leadSource",
  "stage",
  "crmStage",
  "leadStatus",
  "ownerId",
  "utmSource",
  "utmMedium",
  "utmCampaign",
] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

const FIELD_ALIASES = new Map<string, LeadField>();
for (const field of LEAD_FIELDS) FIELD_ALIASES.set(squash(field), field);
FIELD_ALIASES.set("title", "jobTitle");
FIELD_ALIASES.set("zip", "postalCode");
FIELD_ALIASES.set("postcode", "postalCode");
FIELD_ALIASES.set("region", "state");
FIELD_ALIASES.set("revenue", "annualRevenue");
FIELD_ALIASES.set("companysize", "employees");
FIELD_ALIASES.set("numberofemployees", "employees");
FIELD_ALIASES.set("domain", "emailDomain");

function squash(name: string): string {
  return name.replace(/[_\s-]/g, "").toLowerCase();
}

/** The property prefix for CRM properties not mapped to a Lead field: `property:hs_analytics_source`. */
export const PROPERTY_PREFIX = "property:";

/**
 * Resolves a field name as written in the SLA (`jobtitle`, `postal_code`, `property:foo`) to the Lead field,
 * or undefined when it names nothing.
 */
export function resolveField(name: string): LeadField | { property: string } | undefined {
  if (fieldCache.has(name)) return fieldCache.get(name);
  const field = resolveFieldUncached(name);
  fieldCache.set(name, field);
  return field;
}

const fieldCache = new Map<string, LeadField | { property: string } | undefined>();

function resolveFieldUncached(name: string): LeadField | { property: string } | undefined {
  if (name.startsWith(PROPERTY_PREFIX)) {
    const property = name.slice(PROPERTY_PREFIX.length).trim();
    return property === "" ? undefined : { property };
  }
  return FIELD_ALIASES.get(squash(name));
}

/** Every spelling `resolveField` accepts for Lead fields, for "did you mean" suggestions. */
export function knownFieldNames(): string[] {
  return [...LEAD_FIELDS];
}

/** Reads a field (as resolved by `resolveField`) from a lead. */
export function readField(lead: Lead, field: LeadField | { property: string }): FieldValue {
  if (typeof field === "object") return lead.properties[field.property];
  switch (field) {
    case "emailDomain": {
      const at = lead.email?.lastIndexOf("@") ?? -1;
      return at >= 0 ? lead.email?.slice(at + 1).toLowerCase() : undefined;
    }
    case "utmSource":
      return lead.utm?.source;
    case "utmMedium":
      return lead.utm?.medium;
    case "utmCampaign":
      return lead.utm?.campaign;
    default:
      return lead[field];
  }
}

const COMPARE = /^(>=|<=|!=|>|<|=)\s*(.+)$/;
const RANGE = /^(.+?)\s*\.\.\s*(.+)$/;
const NUMBER = /^([+-]?\d+(?:[.,]\d+)?)\s*(k|m|mm|bn|b)?$/i;
const MULTIPLIERS: Record<string, number> = { k: 1e3, m: 1e6, mm: 1e6, b: 1e9, bn: 1e9 };

/** Parses "250", "1.5M", "10k" into a number; undefined when it is not one. */
export function parseNumber(text: string): number | undefined {
  const m = NUMBER.exec(text.trim().replace(/_/g, ""));
  if (!m || m[1] === undefined) return undefined;
  const base = Number(m[1].replace(",", "."));
  const unit = m[2]?.toLowerCase();
  return unit === undefined ? base : base * (MULTIPLIERS[unit] ?? 1);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

/** Parses one condition item, or explains why it cannot be used. */
export function parseMatcher(item: string | number | boolean): Matcher | ConditionProblem {
  if (typeof item === "boolean") return { kind: "boolean", value: item };
  if (typeof item === "number") {
    if (!Number.isFinite(item))
      return { message: `${item} is not a finite number`, hint: "use a plain number" };
    return { kind: "exact", text: String(item), number: item };
  }
  const text = item.trim();
  if (text === "") {
    return {
      message: "empty condition",
      hint: 'write a value, a wildcard such as "VP*", or a comparison ">= 100"',
    };
  }
  const compare = COMPARE.exec(text);
  if (compare && compare[1] !== undefined && compare[2] !== undefined) {
    const op = compare[1];
    const rest = compare[2].trim();
    if (op === "!=" || op === "=") {
      const inner = parseMatcher(parseNumber(rest) ?? rest);
      if ("message" in inner) return inner;
      return op === "=" ? inner : { kind: "not", inner };
    }
    const bound = parseNumber(rest);
    if (bound === undefined) {
      return {
        message: `"${text}" compares with "${rest}", which is not a number`,
        hint: 'comparisons need a number, e.g. ">= 100" or ">= 10M"',
      };
    }
    return { kind: "compare", op: op as ">=" | ">" | "<=" | "<", bound };
  }
  const range = RANGE.exec(text);
  if (range && range[1] !== undefined && range[2] !== undefined) {
    const [lowText, highText] = [range[1].trim(), range[2].trim()];
    const low = parseNumber(lowText);
    const high = parseNumber(highText);
    if (low !== undefined && high !== undefined) {
      if (low > high) {
        return {
          message: `range "${text}" is empty: ${lowText} is above ${highText}`,
          hint: `write the lower end first: "${highText}..${lowText}"`,
        };
      }
      return { kind: "range", low, high };
    }
    if (lowText.includes("*") || highText.includes("*")) {
      return {
        message: `range "${text}" mixes a range with a wildcard`,
        hint: 'use either "28000..28999" or "28*"',
      };
    }
    if (lowText.toLowerCase() > highText.toLowerCase()) {
      return {
        message: `range "${text}" is empty: "${lowText}" sorts after "${highText}"`,
        hint: "write the lower end first",
      };
    }
    return { kind: "text_range", low: lowText.toLowerCase(), high: highText.toLowerCase() };
  }
  if (text.includes("*") || text.includes("?")) {
    if (/^[*?]+$/.test(text) && text !== "*") {
      return { message: `wildcard "${text}" is only wildcards`, hint: 'use "*" to match any value' };
    }
    if (text.includes("**")) {
      return {
        message: `wildcard "${text}" has "**"`,
        hint: `one "*" already matches any characters: "${text.replace(/\*+/g, "*")}"`,
      };
    }
    const source = escapeRegex(text).replace(/\*/g, ".*").replace(/\?/g, ".");
    return { kind: "wildcard", pattern: new RegExp(`^${source}$`, "is"), source: text };
  }
  return { kind: "exact", text: text.toLowerCase(), number: parseNumber(text) };
}

function isProblem(value: Matcher | ConditionProblem): value is ConditionProblem {
  return "message" in value;
}

/** Parses every item of a condition; problems are listed per item. */
export function parseCondition(condition: Condition): { matchers: Matcher[]; problems: ConditionProblem[] } {
  const items = Array.isArray(condition) ? condition : [condition];
  const matchers: Matcher[] = [];
  const problems: ConditionProblem[] = [];
  if (items.length === 0)
    problems.push({ message: "empty list matches nothing", hint: "list at least one value" });
  for (const item of items) {
    const parsed = parseMatcher(item);
    if (isProblem(parsed)) problems.push(parsed);
    else matchers.push(parsed);
  }
  return { matchers, problems };
}

function toNumber(value: FieldValue): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return parseNumber(value);
  return undefined;
}

function toText(value: FieldValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  return String(value).trim().toLowerCase();
}

/** Tests one parsed matcher against a value. */
export function testMatcher(value: FieldValue, matcher: Matcher): boolean {
  switch (matcher.kind) {
    case "not":
      return !testMatcher(value, matcher.inner);
    case "boolean": {
      if (typeof value === "boolean") return value === matcher.value;
      const text = toText(value);
      if (text === undefined) return false;
      return matcher.value
        ? text === "true" || text === "yes" || text === "1"
        : text === "false" || text === "no" || text === "0";
    }
    case "exact": {
      if (matcher.number !== undefined && typeof value === "number") return value === matcher.number;
      return toText(value) === matcher.text;
    }
    case "wildcard": {
      const text = value === null || value === undefined ? undefined : String(value).trim();
      return text !== undefined && matcher.pattern.test(text);
    }
    case "compare": {
      const n = toNumber(value);
      if (n === undefined) return false;
      switch (matcher.op) {
        case ">=":
          return n >= matcher.bound;
        case ">":
          return n > matcher.bound;
        case "<=":
          return n <= matcher.bound;
        case "<":
          return n < matcher.bound;
      }
      return false;
    }
    case "range": {
      const n = toNumber(value);
      return n !== undefined && n >= matcher.low && n <= matcher.high;
    }
    case "text_range": {
      const text = toText(value);
      return text !== undefined && text >= matcher.low && text <= matcher.high;
    }
  }
}

// Conditions come from a handful of SLA files; parsing each distinct one once keeps scoring fast.
const cache = new Map<string | number | boolean, Matcher | ConditionProblem>();
const CACHE_LIMIT = 10_000;

function cachedMatcher(item: string | number | boolean): Matcher | ConditionProblem {
  let parsed = cache.get(item);
  if (parsed === undefined) {
    parsed = parseMatcher(item);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(item, parsed);
  }
  return parsed;
}

/**
 * Whether a value meets a condition. A condition that cannot be parsed matches nothing (the SLA loader
 * reports it before it gets here).
 */
export function matchCondition(value: FieldValue, condition: Condition): boolean {
  if (Array.isArray(condition)) {
    for (const item of condition) if (matchItem(value, item)) return true;
    return false;
  }
  return matchItem(value, condition);
}

function matchItem(value: FieldValue, item: string | number | boolean): boolean {
  const matcher = cachedMatcher(item);
  if (isProblem(matcher)) return false;
  if ((value === undefined || value === null || value === "") && matcher.kind !== "not") return false;
  return testMatcher(value, matcher);
}

const described = new WeakMap<object, string>();

/** Renders a condition the way an admin wrote it: `"VP*"`, `any of ES, DE`. */
export function describeCondition(condition: Condition): string {
  if (Array.isArray(condition)) {
    let text = described.get(condition);
    if (text === undefined) {
      text = `any of ${condition.map((c) => String(c)).join(", ")}`;
      described.set(condition, text);
    }
    return text;
  }
  return typeof condition === "string" ? `"${condition}"` : String(condition);
}

// Most rules do not match most leads: one shared answer saves an allocation each time.
const NO_MATCH: { matched: boolean; evidence: string[] } = Object.freeze({
  matched: false,
  evidence: Object.freeze([]) as unknown as string[],
});

/**
 * Whether every field condition of `when` holds for the lead (an empty `when` always matches), with one
 * evidence line per condition: `country "ES" matches any of ES, DE`.
 */
export function matchesWhen(lead: Lead, when: When): { matched: boolean; evidence: string[] } {
  const compiled = compileWhen(when);
  // Test everything first: most rules do not match, and evidence strings are only built for those that do.
  for (const c of compiled) if (!testCompiled(c, readCompiled(lead, c))) return NO_MATCH;
  const evidence: string[] = new Array<string>(compiled.length);
  for (let i = 0; i < compiled.length; i++) {
    const c = compiled[i] as CompiledCondition;
    const value = readCompiled(lead, c);
    evidence[i] =
      `${c.name} ${typeof value === "string" ? `"${value}"` : String(value)} matches ${c.description}`;
  }
  return { matched: true, evidence };
}

interface CompiledCondition {
  name: string;
  field: LeadField | { property: string } | undefined;
  matchers: Matcher[];
  description: string;
}

// SLA `when` objects are long-lived: parse each once (fields resolved, items parsed) and reuse it.
const compiledWhens = new WeakMap<When, CompiledCondition[]>();

function compileWhen(when: When): CompiledCondition[] {
  let compiled = compiledWhens.get(when);
  if (compiled === undefined) {
    compiled = [];
    for (const name of Object.keys(when)) {
      const condition = when[name];
      if (condition === undefined) continue;
      const items = Array.isArray(condition) ? condition : [condition];
      const matchers: Matcher[] = [];
      for (const item of items) {
        const parsed = parseMatcher(item);
        // An unparseable item matches nothing (the loader reports it).
        if (!isProblem(parsed)) matchers.push(parsed);
      }
      compiled.push({ name, field: resolveField(name), matchers, description: describeCondition(condition) });
    }
    compiledWhens.set(when, compiled);
  }
  return compiled;
}

function readCompiled(lead: Lead, c: CompiledCondition): FieldValue {
  return c.field === undefined ? undefined : readField(lead, c.field);
}

function testCompiled(c: CompiledCondition, value: FieldValue): boolean {
  const empty = value === undefined || value === null || value === "";
  for (const matcher of c.matchers) {
    if (empty && matcher.kind !== "not") continue;
    if (testMatcher(value, matcher)) return true;
  }
  return false;
}

/** Like `matchesWhen` without building evidence: for hot loops that only need yes or no. */
export function whenHolds(lead: Lead, when: When): boolean {
  for (const c of compileWhen(when)) if (!testCompiled(c, readCompiled(lead, c))) return false;
  return true;
}
