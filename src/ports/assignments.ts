import type { Lead } from "../domain/lead";
import type { RoutingRules } from "../domain/routing-rules";
import type {
  AccountCandidate,
  DuplicateCandidate,
  OwnerStatus,
  RoutingDecision,
} from "../domain/routing-snapshot";

/** What the caller read from the CRM just before assigning (never from a cache) plus the lead and rules. */
export interface AssignRequest {
  connectionId: string;
  lead: Lead;
  rules: RoutingRules;
  /** Owners with their active flag: `(await crm.listOwners()).map(toOwnerStatus)`. */
  owners: OwnerStatus[];
  /** Accounts whose domain matches the lead's e-mail domain (`CrmPort.findAccountsByDomain`). */
  accounts?: AccountCandidate[];
  /** Leads/contacts with the same e-mail (`CrmPort.findDuplicatesByEmail`). */
  duplicates?: DuplicateCandidate[];
  now: Date;
  /** The event that caused this decision: one decision per (event, lead); a retry gets the first one back. */
  eventKey?: string;
  /** Hash of the SLA version the rules come from, stamped on the decision. */
  slaHash?: string;
  /** Use this id for the decision row (e.g. one the pipeline already wrote into CRM requests). */
  decisionId?: string;
  /**
   * More to store with the decision (the pipeline's score and stage): merged into the row's `inputs` and
   * `outcome` next to the `routing` key this store owns.
   */
  record?: { inputs?: Record<string, unknown>; outcome?: Record<string, unknown> };
  /** CRM owner ids the lead must not go to (a reassignment skips every previous assignee). */
  excludeOwnerIds?: string[];
}

export interface Assignment {
  decisionId: string;
  decision: RoutingDecision;
  /** True when the decision already existed for this event and was returned unchanged. */
  replayed: boolean;
}

export interface StoredDecision {
  id: string;
  connectionId: string;
  leadId: string;
  eventKey: string | null;
  slaHash: string | null;
  createdAt: Date;
  inputs: Record<string, unknown>;
  outcome: Record<string, unknown>;
}

/**
 * Atomic routing over PostgreSQL. The domain decides from a snapshot; this store makes the decision atomic
 * across any number of app instances.
 */
export interface AssignmentStore {
  /**
   * Routes one lead and commits the result in ONE transaction: locks the lead, the pool's fairness row and the
   * involved reps' rows (`SELECT … FOR UPDATE`, in key order), re-reads availability, out-of-office entries,
   * caps and counters, runs `routeLead`, takes the slot with conditional updates (`… WHERE open < cap
   * RETURNING`), saves the pool's new fairness state, the open assignment and the decision row, then commits.
   * Idempotent per `eventKey`.
   * @throws AppError `routing_conflict` (retryable) if a slot vanished under the lock (should never happen)
   */
  assign(request: AssignRequest): Promise<Assignment>;
  /**
   * Frees the open slot of a lead (converted, rejected, reassigned or closed). Returns false when the lead had no
   * open Handoff assignment.
   */
  release(connectionId: string, leadId: string, reason: string, now: Date): Promise<boolean>;
  /** A stored decision by id (any connection when `connectionId` is undefined: the CLI's replay). */
  getDecision(connectionId: string | undefined, decisionId: string): Promise<StoredDecision>;
  /** The leads Handoff handed over that still take a slot, oldest first. */
  openAssignments(connectionId: string): Promise<OpenAssignment[]>;
  /**
   * Sets each rep's open count from the CRM's own count of their open leads (`CrmPort.countOpenLeadsByOwner`):
   * open = Handoff's open assignments + the CRM's open leads beyond them. Reps not in `crmOpen` are recounted
   * from Handoff's assignments alone.
   */
  reconcileOpenCounts(
    connectionId: string,
    crmOpen: Record<string, number>,
    now: Date,
  ): Promise<RepOpenCount[]>;
  /** Each rep's open count and what it is made of (the dashboard). */
  openCounts(connectionId: string): Promise<RepOpenCount[]>;
}

export interface OpenAssignment {
  leadId: string;
  repKey: string;
  ownerId: string;
  assignedAt: Date;
}

/** A rep's open count and its parts. */
export interface RepOpenCount {
  repKey: string;
  /** What the open cap is compared with. */
  open: number;
  /** Leads Handoff handed over that are still open. */
  handedOver: number;
  /** Open leads in the CRM beyond Handoff's own (assigned by hand or before Handoff), at the last reconcile. */
  otherInCrm: number;
  /** The CRM's own count at the last reconcile; null before the first. */
  crmOpen: number | null;
  reconciledAt: Date | null;
}
