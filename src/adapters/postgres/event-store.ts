import type { Pool } from "pg";
import type { AppError } from "../../domain/errors";
import type { LeadEvent } from "../../domain/lead";
import { inTransaction, type Boss } from "../../jobs/boss";
import { QUEUES, type IntakeBatchJob, type LeadEventJob } from "../../jobs/queues";

export interface AppendResult {
  /** Event keys stored (and enqueued) by this call. */
  stored: string[];
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

interface EventRow {
  connection_id: string;
  event_key: string;
  kind: LeadEvent["kind"];
  object_type: LeadEvent["objectType"];
  object_id: string;
  occurred_at: Date;
  received_at: Date;
  payload: LeadEvent;
  status: StoredEvent["status"];
  attempts: number;
  last_error: StoredEvent["lastError"];
  parked_at: Date | null;
}

function toStored(r: EventRow): StoredEvent {
  return {
    ...r.payload,
    connectionId: r.connection_id,
    eventKey: r.event_key,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    receivedAt: r.received_at.toISOString(),
    parkedAt: r.parked_at ? r.parked_at.toISOString() : null,
  };
}

/**
 * The durable, deduplicated log of every accepted CRM event. Appending stores the events and enqueues one
 * job per new event in the same transaction, so an acknowledged event is never lost and a redelivered one
 * is never processed twice. Every read takes the connection id first: one portal never sees another's rows.
 */
export class EventStore {
  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
  ) {}

  async append(events: LeadEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { stored: [], duplicates: 0 };
    // A delivery may carry the same event twice; keep the first.
    const unique = [...new Map(events.map((e) => [`${e.connectionId}\u0000${e.eventKey}`, e])).values()];
    const client = await this.pool.connect();
    let failed: unknown;
    try {
      await client.query("BEGIN");
      const inserted = await client.query<{ connection_id: string; event_key: string; object_id: string }>(
        `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
         ON CONFLICT (connection_id, event_key) DO NOTHING
         RETURNING connection_id, event_key, object_id`,
        [
          unique.map((e) => e.connectionId),
          unique.map((e) => e.eventKey),
          unique.map((e) => e.kind),
          unique.map((e) => e.objectType),
          unique.map((e) => e.objectId),
          unique.map((e) => e.occurredAt),
          unique.map((e) => JSON.stringify(e)),
        ],
      );
      if (inserted.rows.length > 0) {
        // One job for the whole delivery keeps the acknowledgement fast; the fan-out worker turns it into
        // one lead-event job per event. Same transaction: if the events are stored, so is the job.
        const batch: IntakeBatchJob = {
          connectionIds: inserted.rows.map((r) => r.connection_id),
          eventKeys: inserted.rows.map((r) => r.event_key),
          objectIds: inserted.rows.map((r) => r.object_id),
        };
        await this.boss.insert(QUEUES.intakeBatch, [{ data: batch }], { db: inTransaction(client) });
      }
      await client.query("COMMIT");
      return {
        stored: inserted.rows.map((r) => r.event_key),
        duplicates: events.length - inserted.rows.length,
      };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      failed = err;
      throw err;
    } finally {
      // A client whose connection broke is destroyed, not returned to the pool.
      client.release(failed instanceof Error ? failed : undefined);
    }
  }

  /** Fans a stored delivery out into one lead-event job per event (grouped per lead). */
  async fanOut(batch: IntakeBatchJob): Promise<void> {
    const jobs = batch.eventKeys.map((key, i) =>
      leadEventJob(batch.connectionIds[i]!, key, batch.objectIds[i]!),
    );
    await this.boss.insert(QUEUES.leadEvent, jobs);
  }

  async get(connectionId: string, eventKey: string): Promise<StoredEvent | null> {
    const r = await this.pool.query<EventRow>(
      "SELECT * FROM events WHERE connection_id = $1 AND event_key = $2",
      [connectionId, eventKey],
    );
    return r.rows[0] ? toStored(r.rows[0]) : null;
  }

  async markProcessed(connectionId: string, eventKey: string, status: "processed" | "ignored" = "processed") {
    await this.pool.query(
      `UPDATE events SET status = $3, processed_at = now(), last_error = NULL, attempts = attempts + 1
       WHERE connection_id = $1 AND event_key = $2`,
      [connectionId, eventKey, status],
    );
  }

  /** Records a failed attempt that will be retried; returns the attempt count so far. */
  async recordFailure(connectionId: string, eventKey: string, error: AppError): Promise<number> {
    const r = await this.pool.query<{ attempts: number }>(
      `UPDATE events SET attempts = attempts + 1, last_error = $3 WHERE connection_id = $1 AND event_key = $2
       RETURNING attempts`,
      [connectionId, eventKey, errorJson(error)],
    );
    return r.rows[0]?.attempts ?? 0;
  }

  async park(connectionId: string, eventKey: string, error: AppError): Promise<void> {
    await this.pool.query(
      `UPDATE events SET status = 'parked', parked_at = now(), last_error = $3
       WHERE connection_id = $1 AND event_key = $2`,
      [connectionId, eventKey, errorJson(error)],
    );
  }

  async listParked(connectionId: string | undefined, limit = 100): Promise<StoredEvent[]> {
    const r = await this.pool.query<EventRow>(
      `SELECT * FROM events WHERE status = 'parked' AND ($1::text IS NULL OR connection_id = $1)
       ORDER BY parked_at DESC LIMIT $2`,
      [connectionId ?? null, limit],
    );
    return r.rows.map(toStored);
  }

  /**
   * Puts a parked event back on the queue with a fresh attempt budget.
   * @returns false when the event is not parked (already replayed, or another connection's).
   */
  async replay(connectionId: string, eventKey: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const r = await client.query<{ object_id: string }>(
        `UPDATE events SET status = 'pending', attempts = 0, parked_at = NULL
         WHERE connection_id = $1 AND event_key = $2 AND status = 'parked' RETURNING object_id`,
        [connectionId, eventKey],
      );
      if (r.rows[0]) {
        await this.boss.insert(
          QUEUES.leadEvent,
          [leadEventJob(connectionId, eventKey, r.rows[0].object_id)],
          {
            db: inTransaction(client),
          },
        );
      }
      await client.query("COMMIT");
      return r.rowCount === 1;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async counts(connectionId?: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM events WHERE ($1::text IS NULL OR connection_id = $1) GROUP BY status`,
      [connectionId ?? null],
    );
    return Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)]));
  }
}

/**
 * One job per event. The group (connection + CRM record) lets the worker run one event per lead at a time,
 * across all processes, so two events of the same lead never race.
 */
export function leadEventJob(connectionId: string, eventKey: string, objectId: string) {
  const data: LeadEventJob = { connectionId, eventKey };
  return { data, group: { id: `${connectionId}:${objectId}` } };
}

function errorJson(error: AppError) {
  return { code: error.code, message: error.message, hint: error.hint ?? null, retryable: error.retryable };
}
