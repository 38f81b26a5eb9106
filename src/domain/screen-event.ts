import type { LeadEvent } from "./lead";

/**
 * What PostgreSQL's jsonb and timestamptz refuse, caught before the INSERT: one such value would otherwise
 * fail the whole delivery, and every retry of it, so the good events next to it would never be stored.
 */

/** Deeper than this, an extra field is dropped: no CRM payload Handoff reads nests more than a few levels. */
export const MAX_EVENT_DEPTH = 32;

/** The earliest instant an event may carry: both CRMs' APIs are younger than this. */
const EARLIEST_OCCURRED_AT = Date.UTC(2000, 0, 1);
/** How far ahead of Handoff's clock an event may be dated (clock skew, time zones written as UTC). */
const LATEST_AHEAD_MS = 2 * 24 * 3600 * 1000;

// Code-unit regexes (no `u` flag): a high surrogate not followed by a low one, or a low one not preceded by a high.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, "g");

export interface Screened<T> {
  value: T;
  /** Plain-words reasons; empty when the value needed no cleaning. */
  problems: string[];
}

/**
 * Returns a copy that jsonb accepts: NUL characters removed from every string and key, unpaired UTF-16
 * surrogates replaced by U+FFFD, and anything nested deeper than `maxDepth` replaced by a marker string.
 *
 * @example cleanForJsonb({ name: "A\u0000B" }).problems // ["NUL character removed at name"]
 */
export function cleanForJsonb<T>(input: T, maxDepth = MAX_EVENT_DEPTH): Screened<T> {
  const problems = new Set<string>();
  const cleanText = (s: string, where: string): string => {
    let out = s;
    if (out.includes("\u0000")) {
      out = out.replaceAll("\u0000", "");
      problems.add(`NUL character removed at ${where || "top level"}`);
    }
    if (LONE_SURROGATE.test(out)) {
      out = out.replace(LONE_SURROGATE_ALL, "\ufffd");
      problems.add(`unpaired surrogate replaced at ${where || "top level"}`);
    }
    return out;
  };
  // The walk stops at maxDepth, so a 10,000-deep value cannot exhaust the stack here.
  const walk = (value: unknown, depth: number, where: string): unknown => {
    if (typeof value === "string") return cleanText(value, where);
    if (value === null || typeof value !== "object") return value;
    if (depth >= maxDepth) {
      problems.add(`value nested deeper than ${maxDepth} levels dropped at ${where}`);
      return `[dropped: nested deeper than ${maxDepth} levels]`;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, depth + 1, `${where}[${i}]`));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = cleanText(k, where ? `${where}.${k}` : k);
      out[key] = walk(v, depth + 1, where ? `${where}.${key}` : key);
    }
    return out;
  };
  return { value: walk(input, 0, "") as T, problems: [...problems] };
}

/**
 * Range-checks an event time: PostgreSQL refuses years past 9999 written in ISO form (an `occurredAt` in
 * microseconds is one), and a date before 2000 or days ahead of now is a sender's bug, not a lead's history.
 * @returns the ISO instant, or the reason it was refused.
 */
export function checkOccurredAt(
  value: number | string | undefined,
  nowMs: number,
): { iso: string } | { problem: string } {
  if (value === undefined || value === "") return { problem: "no event time" };
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return { problem: `event time ${JSON.stringify(value)} is not a date` };
  if (ms < EARLIEST_OCCURRED_AT || ms > nowMs + LATEST_AHEAD_MS) {
    return {
      problem: `event time ${JSON.stringify(value)} is outside 2000-01-01 … two days from now (milliseconds expected)`,
    };
  }
  return { iso: new Date(ms).toISOString() };
}

/**
 * An event as intake hands it to the event store. `quarantine` marks one Handoff cannot use as sent: it is
 * stored parked with the CRM's raw text and the reason, and runs only when an admin replays it (with the
 * cleaned payload).
 */
export type IncomingEvent = LeadEvent & { quarantine?: { reason: string; raw: string } };
