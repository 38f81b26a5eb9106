import { inProductWords } from "../../../src/adapters/postgres/event-store";
import type { AppError } from "../../../src/domain/errors";
import { eventPriority, settlesWithoutWork } from "../../../src/domain/event-triage";
import type { LeadEvent } from "../../../src/domain/lead";
import type { IncomingEvent } from "../../../src/domain/screen-event";
import type { IntakeBatchJob } from "../../../src/ports/events";
import type { Clock } from "../../../src/ports/clock";
import type { AppendResult, EventStore, StoredEvent } from "../../../src/ports/events";
import type { WorkPriority } from "../../../src/ports/work-priority";

type StoredError = { code: string; message: string; hint: string | null; retryable: boolean };

interface Row {
  payload: LeadEvent;
  status: StoredEvent["status"];
  attempts: number;
  lastError: StoredError | null;
  receivedAt: Date;
  parkedAt: Date | null;
  leaseUntil: Date | null;
  failingSince: Date | null;
  /** The bytes the CRM sent, for a quarantined event. */
  raw: string | null;
}

/** A job the store enqueued in the same "transaction" as its rows (pg-boss in PostgreSQL). */
export type EnqueuedJob =
  | { queue: "intake-batch"; data: IntakeBatchJob }
  | {
      queue: "lead-event";
      data: { connectionId: string; eventKey: string; priority: WorkPriority };
      group: string;
    };

const key = (connectionId: string, eventKey: string) => `${connectionId}\u0000${eventKey}`;

function errorJson(error: AppError): StoredError {
  return { code: error.code, message: error.message, hint: error.hint ?? null, retryable: error.retryable };
}

/**
 * EventStore in memory, with the PostgreSQL store's rules: an event key is stored once per connection (a
 * redelivery is a duplicate), quarantined events are stored parked with their raw text, stored events are
 * enqueued with them, a claim holds an event for its lease and a second claim gets how long it is held, a
 * settled event is never claimed again, a replay gives a parked event a fresh attempt budget. The clock is
 * injected where PostgreSQL reads `now()`. `jobs` lists what was enqueued, oldest first.
 */
export class MemoryEventStore implements EventStore {
  private readonly rows = new Map<string, Row>();
  readonly jobs: EnqueuedJob[] = [];

  constructor(private readonly clock: Clock) {}

  async append(events: IncomingEvent[]): Promise<AppendResult> {
    const now = this.clock();
    const stored: string[] = [];
    const parked: string[] = [];
    const seen = new Set<string>();
    const batch: IntakeBatchJob = { connectionIds: [], eventKeys: [], objectIds: [] };
    for (const e of events) {
      const k = key(e.connectionId, e.eventKey);
      if (seen.has(k) || this.rows.has(k)) continue;
      seen.add(k);
      const { quarantine, ...event } = e;
      const payload = JSON.parse(JSON.stringify(event)) as LeadEvent;
      if (quarantine) {
        this.rows.set(k, {
          ...this.fresh(payload, now),
          status: "parked",
          parkedAt: now,
          raw: quarantine.raw,
          lastError: {
            code: "unusable_event",
            message: quarantine.reason,
            hint: "The CRM sent a value Handoff cannot store as it is. The raw event is kept; replaying runs the cleaned copy.",
            retryable: false,
          },
        });
        parked.push(e.eventKey);
        continue;
      }
      this.rows.set(k, this.fresh(payload, now));
      stored.push(e.eventKey);
      batch.connectionIds.push(e.connectionId);
      batch.eventKeys.push(e.eventKey);
      batch.objectIds.push(e.objectId);
    }
    if (stored.length > 0) this.jobs.push({ queue: "intake-batch", data: batch });
    return { stored, parked, duplicates: events.length - stored.length - parked.length };
  }

  async fanOut(batches: IntakeBatchJob[]): Promise<{ settled: number; queued: number }> {
    let settled = 0;
    let queued = 0;
    for (const b of batches) {
      b.eventKeys.forEach((eventKey, i) => {
        const row = this.rows.get(key(b.connectionIds[i]!, eventKey));
        if (!row || row.status !== "pending") return;
        // Events stored before intake spoke Handoff's words are triaged in those words, as PostgreSQL does.
        const event = inProductWords({ ...row.payload, raw: {} });
        if (settlesWithoutWork(event)) {
          row.status = "ignored";
          row.attempts += 1;
          settled += 1;
        } else {
          this.enqueue(row.payload, eventPriority(event));
          queued += 1;
        }
      });
    }
    return { settled, queued };
  }

  async get(connectionId: string, eventKey: string): Promise<StoredEvent | null> {
    const row = this.rows.get(key(connectionId, eventKey));
    return row ? toStored(row) : null;
  }

  async claim(
    connectionId: string,
    eventKey: string,
    leaseSeconds: number,
  ): Promise<StoredEvent | { heldForMs: number } | null> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (!row) return null;
    const now = this.clock().getTime();
    const free =
      row.status === "pending" ||
      (row.status === "processing" && (row.leaseUntil === null || row.leaseUntil.getTime() < now));
    if (free) {
      row.status = "processing";
      row.leaseUntil = new Date(now + leaseSeconds * 1000);
      return toStored(row);
    }
    if (row.status === "processing") return { heldForMs: Math.max(0, row.leaseUntil!.getTime() - now) };
    return null;
  }

  async extendLease(connectionId: string, eventKey: string, leaseSeconds: number): Promise<void> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (row?.status === "processing") row.leaseUntil = new Date(this.clock().getTime() + leaseSeconds * 1000);
  }

  async markProcessed(
    connectionId: string,
    eventKey: string,
    status: "processed" | "ignored" = "processed",
    reason?: AppError,
  ): Promise<void> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (!row) return;
    Object.assign(row, {
      status,
      lastError: reason ? errorJson(reason) : null,
      attempts: row.attempts + 1,
      leaseUntil: null,
      failingSince: null,
    });
  }

  async recordFailure(
    connectionId: string,
    eventKey: string,
    error: AppError,
  ): Promise<{ attempts: number; failingForMs: number }> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (!row) return { attempts: 0, failingForMs: 0 };
    const now = this.clock();
    Object.assign(row, {
      attempts: row.attempts + 1,
      lastError: errorJson(error),
      status: "pending",
      leaseUntil: null,
      failingSince: row.failingSince ?? now,
    });
    return { attempts: row.attempts, failingForMs: now.getTime() - row.failingSince!.getTime() };
  }

  /** Gives the event back without counting an attempt (its connection's CRM is paused). */
  async release(connectionId: string, eventKey: string): Promise<void> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (row?.status === "processing") Object.assign(row, { status: "pending", leaseUntil: null });
  }

  async park(connectionId: string, eventKey: string, error: AppError): Promise<void> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (!row) return;
    Object.assign(row, {
      status: "parked",
      parkedAt: this.clock(),
      lastError: errorJson(error),
      leaseUntil: null,
    });
  }

  async replayRetryable(connectionId: string, limit = 10_000): Promise<number> {
    const keys = [...this.rows.values()]
      .filter(
        (r) =>
          r.payload.connectionId === connectionId && r.status === "parked" && r.lastError?.retryable === true,
      )
      .sort((a, b) => a.parkedAt!.getTime() - b.parkedAt!.getTime())
      .slice(0, limit)
      .map((r) => r.payload.eventKey);
    let replayed = 0;
    for (const eventKey of keys) if (await this.replay(connectionId, eventKey)) replayed += 1;
    return replayed;
  }

  async backlog(): Promise<{ connectionId: string; waiting: number; parked: number }[]> {
    const by = new Map<string, { connectionId: string; waiting: number; parked: number }>();
    for (const r of this.rows.values()) {
      const waiting = r.status === "pending" || r.status === "processing";
      if (!waiting && r.status !== "parked") continue;
      const entry = by.get(r.payload.connectionId) ?? {
        connectionId: r.payload.connectionId,
        waiting: 0,
        parked: 0,
      };
      if (waiting) entry.waiting += 1;
      else entry.parked += 1;
      by.set(r.payload.connectionId, entry);
    }
    return [...by.values()];
  }

  async listParked(connectionId: string | undefined, limit = 100): Promise<StoredEvent[]> {
    return [...this.rows.values()]
      .filter(
        (r) =>
          r.status === "parked" && (connectionId === undefined || r.payload.connectionId === connectionId),
      )
      .sort((a, b) => b.parkedAt!.getTime() - a.parkedAt!.getTime())
      .slice(0, limit)
      .map(toStored);
  }

  async replay(connectionId: string, eventKey: string): Promise<boolean> {
    const row = this.rows.get(key(connectionId, eventKey));
    if (row?.status !== "parked") return false;
    Object.assign(row, { status: "pending", attempts: 0, parkedAt: null, failingSince: null });
    this.enqueue(row.payload, "normal");
    return true;
  }

  async counts(connectionId?: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const r of this.rows.values()) {
      if (connectionId !== undefined && r.payload.connectionId !== connectionId) continue;
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    }
    return counts;
  }

  private fresh(payload: LeadEvent, now: Date): Row {
    return {
      payload,
      status: "pending",
      attempts: 0,
      lastError: null,
      receivedAt: now,
      parkedAt: null,
      leaseUntil: null,
      failingSince: null,
      raw: null,
    };
  }

  private enqueue(event: LeadEvent, priority: WorkPriority): void {
    this.jobs.push({
      queue: "lead-event",
      data: { connectionId: event.connectionId, eventKey: event.eventKey, priority },
      group: `${event.connectionId}:${event.objectId}`,
    });
  }
}

function toStored(r: Row): StoredEvent {
  return {
    ...inProductWords(JSON.parse(JSON.stringify(r.payload)) as LeadEvent),
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError ? { ...r.lastError } : null,
    receivedAt: r.receivedAt.toISOString(),
    parkedAt: r.parkedAt ? r.parkedAt.toISOString() : null,
  } as StoredEvent;
}
