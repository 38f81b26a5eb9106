/**
 * What changed between two SLA versions, in the YAML's words: which rules, thresholds, pools, reps and
 * owners. Rules and territories are matched by their id/name (not by position), so reordering is quiet
 * and an edited rule shows as a change of that rule.
 */
import type { Sla } from "../domain/sla";
import { canonicalJson } from "./canonical-hash";

export interface SlaChange {
  kind: "added" | "removed" | "changed";
  /** YAML-style path: `fit["title"].points`, `routing.pools.dach.cap_open`. */
  path: string;
  before?: string;
  after?: string;
}

// Follow-up tiers are named by `tier` once mapped, so a reordered or edited tier reads by its name.
const KEY_FIELDS = ["id", "name", "rep", "key", "tier"] as const;

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function keyOf(item: unknown): string | undefined {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return undefined;
  for (const field of KEY_FIELDS) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/** One-line rendering of a value as an admin would write it. */
export function summarize(value: unknown): string {
  if (value === undefined) return "(none)";
  if (value === null || typeof value !== "object")
    return typeof value === "string" ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(summarize).join(", ")}]`;
  const record = value as Record<string, unknown>;
  // Durations read as written.
  if (typeof record.text === "string" && typeof record.minutes === "number") return record.text;
  return `{ ${Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${snake(k)}: ${summarize(v)}`)
    .join(", ")} }`;
}

function walk(path: string, a: unknown, b: unknown, out: SlaChange[]): void {
  if (canonicalJson(a) === canonicalJson(b)) return;
  if (a === undefined) {
    out.push({ kind: "added", path, after: summarize(b) });
    return;
  }
  if (b === undefined) {
    out.push({ kind: "removed", path, before: summarize(a) });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyed = [...a, ...b].every((item) => keyOf(item) !== undefined);
    if (keyed) {
      const before = new Map(a.map((item) => [keyOf(item) ?? "", item]));
      const after = new Map(b.map((item) => [keyOf(item) ?? "", item]));
      for (const [key, item] of before) walk(`${path}["${key}"]`, item, after.get(key), out);
      for (const [key, item] of after) if (!before.has(key)) walk(`${path}["${key}"]`, undefined, item, out);
      return;
    }
    const plain = [...a, ...b].every((item) => item === null || typeof item !== "object");
    if (plain) {
      const removed = a.filter((x) => !b.includes(x));
      const added = b.filter((x) => !a.includes(x));
      if (removed.length > 0) out.push({ kind: "removed", path, before: removed.map(summarize).join(", ") });
      if (added.length > 0) out.push({ kind: "added", path, after: added.map(summarize).join(", ") });
      if (removed.length === 0 && added.length === 0) {
        out.push({ kind: "changed", path, before: summarize(a), after: summarize(b) });
      }
      return;
    }
  }
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (isRecord(a) && isRecord(b) && !(typeof a.text === "string" && typeof a.minutes === "number")) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      walk(path === "" ? snake(key) : `${path}.${snake(key)}`, a[key], b[key], out);
    }
    return;
  }
  out.push({ kind: "changed", path, before: summarize(a), after: summarize(b) });
}

/** Every change from `before` to `after`, in document order. */
export function diffSla(before: Sla, after: Sla): SlaChange[] {
  const out: SlaChange[] = [];
  walk("", before, after, out);
  // Back to the file's layout where the domain type nests differently.
  return out.map((c) => ({
    ...c,
    path: c.path.replace(/^routing\.reps\b/, "reps").replace(/\.manager_key$/, ".manager"),
  }));
}

/** `~ qualify.mql.fit: 50 → 60`, `+ fit["students"]: { … }`, `- routing.reps["ben"]: { … }`. */
export function formatChange(change: SlaChange): string {
  switch (change.kind) {
    case "added":
      return `+ ${change.path}: ${change.after ?? ""}`;
    case "removed":
      return `- ${change.path}: ${change.before ?? ""}`;
    case "changed":
      return `~ ${change.path}: ${change.before ?? ""} → ${change.after ?? ""}`;
  }
}
