/**
 * What the router decides from: one JSON-plain snapshot, so that a stored decision can be replayed bit for bit
 * (`handoff replay <decisionId>`). Nothing here is read from a cache: the AssignmentStore re-reads it inside
 * the transaction that commits the assignment.
 */
import type { Lead } from "./lead";
import type { RoutingRules } from "./routing-rules";

/** A CRM user or queue as far as routing cares (ids and flags; `name` only to find the fallback queue). */
export interface OwnerStatus {
  id: string;
  active: boolean;
  kind: "person" | "queue";
  name?: string;
}

/** A CRM account/company whose domain matches the lead's e-mail domain. */
export interface AccountCandidate {
  id: string;
  domain?: string;
  ownerId?: string;
  employees?: number;
}

/** Another lead/contact with the same e-mail. */
export interface DuplicateCandidate {
  id: string;
  ownerId?: string;
  updatedAt?: string;
}

/** An out-of-office entry from the roster or a calendar. */
export interface OutOfOffice {
  /** ISO instants; `to` is exclusive. */
  from: string;
  to: string;
  reason?: string;
}

/** Availability and load of one rep, re-read from the store before every assignment. */
export interface RepState {
  away?: { reason?: string; since?: string; until?: string };
  ooo?: OutOfOffice[];
  /** Leads assigned by Handoff and still open. */
  open: number;
  /** Leads assigned today / this ISO week, in the rep's time zone. */
  today: number;
  week: number;
  /** Leads assigned this calendar month in the rep's zone (0 when unknown). */
  month?: number;
  /** Caps set by a team lead; they win over the SLA's pool and rep caps. */
  /** Overrides of the SLA's caps; `perMonth` only when set for the current month. */
  caps?: { open?: number; perDay?: number; perWeek?: number; perMonth?: number };
}

/** Fairness state of one rep in one pool (smooth weighted round robin). */
export interface RepCredit {
  /** SWRR current weight. */
  credit: number;
  /** Whether the rep was absent (away, out of office, holiday, deactivated) at the pool's last decision. */
  absent?: boolean;
  /** Leads still owed from an absence (catch_up_gradually only). */
  owed?: number;
}

/** Fairness state of one pool. Editing the pool keeps every remaining rep's entry. */
export interface PoolFairness {
  reps: Record<string, RepCredit>;
  /** Decisions taken in this pool so far. */
  decisions: number;
}

export interface RoutingInput {
  lead: Lead;
  rules: RoutingRules;
  owners: OwnerStatus[];
  accounts: AccountCandidate[];
  duplicates: DuplicateCandidate[];
  /** Rep key → state. A rep missing here is treated as having no load and no absence. */
  repStates: Record<string, RepState>;
  /** Pool name → fairness state. */
  fairness: Record<string, PoolFairness>;
  /** Holiday code (`DE`, `ES-MD`) → local `YYYY-MM-DD` public holidays around `now`. */
  holidays: Record<string, string[]>;
  /** ISO instant of the decision. */
  now: string;
  /** The open assignment Handoff already made for this lead, if any (idempotency across events). */
  currentAssignment?: { repKey?: string; ownerId: string; decisionId: string };
  /** CRM owner ids that must not get the lead (a reassignment skips every previous assignee). */
  excludeOwnerIds?: string[];
}

export type RoutingMethod =
  "already_assigned" | "existing_owner" | "account_owner" | "duplicate_owner" | "round_robin" | "fallback";

/** One rep the router looked at, and why it was or was not picked. */
export interface CandidateReport {
  rep: string;
  ownerId?: string;
  eligible: boolean;
  /** "away until 2026-11-30 (vacation)", "25/25 open", … */
  skipped?: string;
  weight?: number;
  /** SWRR credit after this decision (pool candidates only). */
  credit?: number;
}

export interface RoutingDecision {
  method: RoutingMethod;
  /** The CRM owner id to write; absent when even the fallback has no owner id (the owner is left as is). */
  ownerId?: string;
  /** The roster rep who got the lead (counted against caps when `counts` is true). */
  repKey?: string;
  territory?: string;
  pool?: string;
  /** One line for people: who got it and why. */
  reason: string;
  /** Each step taken, in order, with its outcome. */
  steps: string[];
  candidates: CandidateReport[];
  /** Whether the assignment takes a slot (open, day and week counters). */
  counts: boolean;
  /** New fairness state of `pool`, to persist with the decision. */
  fairness?: PoolFairness;
}

/**
 * The same value with object keys sorted at every level and `undefined` members dropped. The store routes on
 * the canonical input and replay canonicalises what it reads back (PostgreSQL's jsonb reorders keys), so the
 * key order of a `when` block can never make a replay differ.
 */
export function canonicalize<T>(value: T): T {
  return sortKeys(value) as T;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}
