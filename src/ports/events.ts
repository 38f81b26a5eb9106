import type { AppError } from "../domain/errors";
import type { LeadEvent } from "../domain/lead";
import type { IncomingEvent } from "../domain/screen-event";

/** An `intake-batch` job: the events one delivery stored, fanned out to one lead-event job each. */
export interface IntakeBatchJob {
  connectionIds: string[];
  eventKeys: string[];
  objectIds: string[];
}

export interface AppendResult {
  /** Event keys stored (and enqueued) by this call. */
  stored: string[];
  /** Event keys stored parked (not enqueued) by this call: kept with their raw form and reason. */
  parked: string[];
  /** Events already known: acknowledged and ignored. */
  duplicates: number;
}

export interface StoredEvent extends LeadEvent {
  status: "pending" | "processing" | "processed" | "ignored" | "parked";
  attempts: number;
  lastError: { code: string; message: string; hint?: string } | null;
  receivedAt: string;
  parkedAt: string | null;
}

/**
 * The durable, deduplicated log of every accepted CRM event. An acknowledged event is never lost and a redelivered
 * one is never processed twice. Every read takes the connection id first: one portal never sees another's rows.
 */
export interface EventStore {
  /**
   * Stores a delivery in one transaction and enqueues its new events. One bad event never fails its
   * neighbours: quarantined events are stored parked, and if PostgreSQL still refuses a value the events
   * are stored one by one and the refused one is parked with the database's reason.
   */
  append(events: IncomingEvent[]): Promise<AppendResult>;
  /**
   * Fans stored deliveries out, in one transaction: events that need no work (companies, Handoff's own
   * echoes: see settlesWithoutWork) are settled as "ignored" in one statement, the others become one
   * lead-event job each, grouped per lead and carrying the event's priority (form submissions first,
   * imports last). Events already settled (a re-run of the same fan-out) are left alone.
   * @returns how many events were settled here and how many jobs were created.
   */
  fanOut(batches: IntakeBatchJob[]): Promise<{
    settled: number;
    queued: number;
  }>;
  get(connectionId: string, eventKey: string): Promise<StoredEvent | null>;
  /**
   * Takes the event for one run, for `leaseSeconds`. Another run of the same event (pg-boss re-running a job
   * it thinks expired) gets how long the holder keeps it instead, so an event never runs twice at once.
   * @returns the event; `{ heldForMs }` when another run holds it; null when it is settled or unknown.
   */
  claim(
    connectionId: string,
    eventKey: string,
    leaseSeconds: number,
  ): Promise<StoredEvent | { heldForMs: number } | null>;
  /** Keeps holding an event whose run is still busy. */
  extendLease(connectionId: string, eventKey: string, leaseSeconds: number): Promise<void>;
  /** Settles the event; `reason` says why it was ignored (kept for the admin). */
  markProcessed(
    connectionId: string,
    eventKey: string,
    status?: "processed" | "ignored",
    reason?: AppError,
  ): Promise<void>;
  /**
   * Records a failed attempt that will be retried and releases the event.
   * @returns the attempt count so far and how long the event has been failing
   */
  recordFailure(
    connectionId: string,
    eventKey: string,
    error: AppError,
  ): Promise<{ attempts: number; failingForMs: number }>;
  park(connectionId: string, eventKey: string, error: AppError): Promise<void>;
  /**
   * The connection's CRM answers again: put back every event parked on a retryable failure, with a fresh
   * attempt budget. Events parked for their content stay. @returns how many were replayed
   */
  replayRetryable(connectionId: string, limit?: number): Promise<number>;
  /** Waiting (pending or running) and parked events per connection, for /metrics and the dashboard. */
  backlog(): Promise<{ connectionId: string; waiting: number; parked: number }[]>;
  listParked(connectionId: string | undefined, limit?: number): Promise<StoredEvent[]>;
  /**
   * Puts a parked event back on the queue with a fresh attempt budget.
   * @returns false when the event is not parked (already replayed, or another connection's).
   */
  replay(connectionId: string, eventKey: string): Promise<boolean>;
  counts(connectionId?: string): Promise<Record<string, number>>;
}
