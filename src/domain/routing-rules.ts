/**
 * The routing part of the SLA, as plain data. The SLA schema (src/sla/) produces these types; the router
 * (domain/routing.ts) consumes them.
 */
import type { OpenLeadRule } from "./open-leads";

/** A condition on a lead field: a list means "any of", strings may use `*` wildcards, numbers may use
 * comparison strings such as ">= 100" or ranges "100..500". */
export type Condition = string | number | boolean | (string | number)[];

/** Field name (Lead field like `country`, `postalCode`, `employees`, or `property:<crm name>`) → condition. */
export type When = Record<string, Condition>;

export interface Territory {
  name: string;
  when: When;
  pool: string;
  /** Lower numbers are tried first; ties keep file order. */
  priority?: number;
}

export type ReturnPolicy = "no_catch_up" | "catch_up_gradually";

export interface PoolMember {
  rep: string;
  weight: number;
}

export interface Pool {
  name: string;
  members: PoolMember[];
  /** Max open leads per rep; undefined = no cap. */
  capOpen?: number;
  capPerDay?: number;
  capPerWeek?: number;
  /** Leads per rep per calendar month in the rep's zone. */
  capPerMonth?: number;
  onReturn: ReturnPolicy;
  /** `catch_up_gradually` only: most leads a returning rep can be owed. @default 3 */
  catchUpMax?: number;
  /** The team lead allowed to manage this pool's availability and caps. */
  lead?: string;
}

export interface Rep {
  key: string;
  crmId: string;
  name?: string;
  email?: string;
  /** e.g. "Mon-Fri 09:00-18:00". */
  hours: string;
  timezone: string;
  /** Country code (optionally with region: "ES-MD") for public holidays. */
  holidays?: string;
  managerKey?: string;
  /** Per-rep overrides of the pool caps. */
  capOpen?: number;
  capPerMonth?: number;
}

export interface Fallback {
  /** A queue name or owner id that takes leads when nobody is eligible. */
  queue?: string;
  ownerId?: string;
  /**
   * The rep (key under reps) who gets the follow-up task of a lead the queue owns: a queue can own the lead but
   * not its task (Salesforce QueueSobject rules). Unset: no task, and the card says so.
   */
  taskOwner?: string;
}

export interface RoutingRules {
  existingOwner: "keep" | "reassign";
  /** Match an existing account by e-mail domain and give the lead to its owner. */
  accountMatch: boolean;
  territories: Territory[];
  pools: Record<string, Pool>;
  /** The pool used when no territory matches. */
  defaultPool?: string;
  fallback: Fallback;
  reps: Record<string, Rep>;
  /** Extra e-mail domains never used for account matching (free-mail and disposable ones are built in). */
  ignoredDomains?: string[];
  /** Company days off (`YYYY-MM-DD`): nobody takes leads, every follow-up clock pauses. */
  daysOff?: string[];
  /** Which CRM statuses and stages keep a lead in its owner's open count. @default DEFAULT_OPEN_LEADS */
  openLeads?: OpenLeadRule;
}
