import { createHash } from "node:crypto";
import type { Sla } from "../domain/sla";

/** JSON with keys sorted at every level and no optional `undefined`s: equal documents, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * What both teams sign: sha256 over the canonical JSON of the parsed SLA, so comments, key order and
 * formatting do not change it but any rule, threshold, owner or date does.
 */
export function canonicalHash(sla: Sla): string {
  return `sha256:${createHash("sha256").update(canonicalJson(sla)).digest("hex")}`;
}
