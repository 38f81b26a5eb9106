import type { Pool, PoolClient } from "pg";
import type { AppError } from "../../domain/errors";
import { eventPriority, settlesWithoutWork } from "../../domain/event-triage";
import type { LeadEvent } from "../../domain/lead";
import { cleanForJsonb, type IncomingEvent } from "../../domain/screen-event";
import { hubSpotChange, hubSpotRecord } from "../hubspot/hubspot-delivery";
import { salesforceChange, salesforceRecord } from "../salesforce/salesforce-change";
import type { PgBoss } from "pg-boss";
import { inTransaction } from "./transaction";
import { bossOnClient, QUEUES, type LeadEventJob } from "./queues";
import { WORK_PRIORITY_RANK, type WorkPriority } from "../../ports/work-priority";
import type { AppendResult, EventStore, IntakeBatchJob, StoredEvent } from "../../ports/events";

/** PostgreSQL refused a value (class 22: data exception; 54001: nesting too deep for jsonb). */
function isDataRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code === "54001");
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

/**
 * An event in Handoff's words whatever its age: events stored before intake said what the record is (`record`
 * absent), which field changed, who changed it and the acting user (`changed` absent) are read in those words
 * from the CRM's own, as intake reads them today, so a parked event from before replays the same way.
 */
export function inProductWords<E extends LeadEvent>(event: E): E {
  const hubspot = event.crm === "hubspot";
  const record = event.record ?? (hubspot ? hubSpotRecord : salesforceRecord)(event.objectType);
  const withRecord = record && !event.record ? { ...event, record } : event;
  if (event.changed !== undefined) return withRecord;
  const change = hubspot
    ? hubSpotChange({
        propertyName: event.propertyName,
        changeSource: event.changeSource,
        sourceId: event.raw?.sourceId,
      })
    : salesforceChange({ propertyName: event.propertyName, fields: event.raw?.fields });
  return { ...withRecord, ...change };
}

function toStored(r: EventRow): StoredEvent {
  return {
    ...inProductWords(r.payload),
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
export class PostgresEventStore implements EventStore {
  constructor(
    private readonly pool: Pool,
    private readonly boss: PgBoss,
  ) {}

  /**
   * Stores a delivery and enqueues its new events; resolves once they are committed. Deliveries that
   * arrive while a commit is in flight are stored together in the next transaction (group commit: one
   * INSERT, one job row, one fsync for all of them), and each is answered only after that COMMIT, so
   * nothing acknowledged is lost. A refused value is still isolated per event (see storeTogether).
   */
  append(events: IncomingEvent[]): Promise<AppendResult> {
    if (events.length === 0) return Promise.resolve({ stored: [], parked: [], duplicates: 0 });
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.commitNext();
    });
  }

  private readonly waiting: PendingDelivery[] = [];
  private committing = 0;

  private commitNext(): void {
    while (this.committing < GROUP_COMMITS_IN_FLIGHT && this.waiting.length > 0) {
      const group: PendingDelivery[] = [];
      let size = 0;
      while (
        this.waiting.length > 0 &&
        (group.length === 0 || size + this.waiting[0]!.events.length <= GROUP_MAX_EVENTS)
      ) {
        const next = this.waiting.shift()!;
        size += next.events.length;
        group.push(next);
      }
      this.committing += 1;
      void this.commitGroup(group).finally(() => {
        this.committing -= 1;
        this.commitNext();
      });
    }
  }

  private async commitGroup(group: PendingDelivery[]): Promise<void> {
    let result: { storedIds: string[]; parkedIds: string[] };
    try {
      result = await this.storeTogether(group.flatMap((d) => d.events));
    } catch (err) {
      for (const d of group) d.reject(err);
      return;
    }
    // Each event key belongs to the first delivery that carried it; a later one counts it as a duplicate.
    const owner = new Map<string, PendingDelivery>();
    for (const d of group) for (const e of d.events) if (!owner.has(eventId(e))) owner.set(eventId(e), d);
    const stored = new Map<PendingDelivery, string[]>(group.map((d) => [d, []]));
    const parked = new Map<PendingDelivery, string[]>(group.map((d) => [d, []]));
    for (const [list, into] of [
      [result.storedIds, stored],
      [result.parkedIds, parked],
    ] as const) {
      for (const id of list) {
        const d = owner.get(id);
        if (d) into.get(d)!.push(id.slice(id.indexOf("\u0000") + 1));
      }
    }
    for (const d of group) {
      const s = stored.get(d)!;
      const p = parked.get(d)!;
      d.resolve({ stored: s, parked: p, duplicates: d.events.length - s.length - p.length });
    }
  }

  /**
   * Stores deliveries' events in one transaction and enqueues the new ones. One bad event never fails its
   * neighbours: quarantined events are stored parked, and if PostgreSQL still refuses a value the events
   * are stored one by one and the refused one is parked with the database's reason.
   */
  private async storeTogether(
    events: IncomingEvent[],
  ): Promise<{ storedIds: string[]; parkedIds: string[] }> {
    // A delivery may carry the same event twice; keep the first.
    const unique = [...new Map(events.map((e) => [eventId(e), e])).values()];
    return inTransaction(this.pool, async (client) => {
      const clean = unique.filter((e) => !e.quarantine);
      const quarantined = unique.filter((e) => e.quarantine);
      let inserted: InsertedRow[];
      try {
        await client.query("SAVEPOINT delivery");
        inserted = await insertEvents(client, clean);
      } catch (err) {
        if (!isDataRefusal(err)) throw err;
        await client.query("ROLLBACK TO SAVEPOINT delivery");
        inserted = [];
        for (const e of clean) {
          try {
            await client.query("SAVEPOINT one_event");
            inserted.push(...(await insertEvents(client, [e])));
          } catch (one) {
            if (!isDataRefusal(one)) throw one;
            await client.query("ROLLBACK TO SAVEPOINT one_event");
            quarantined.push(refusedByDatabase(e, one as Error));
          }
        }
      }
      const parked = await insertParked(client, quarantined);
      if (inserted.length > 0) {
        // One job for the whole delivery keeps the acknowledgement fast; the fan-out worker turns it into
        // one lead-event job per event. Same transaction: if the events are stored, so is the job.
        const batch: IntakeBatchJob = {
          connectionIds: inserted.map((r) => r.connection_id),
          eventKeys: inserted.map((r) => r.event_key),
          objectIds: inserted.map((r) => r.object_id),
        };
        await this.boss.insert(QUEUES.intakeBatch, [{ data: batch }], { db: bossOnClient(client) });
      }
      return {
        storedIds: inserted.map((r) => eventId({ connectionId: r.connection_id, eventKey: r.event_key })),
        parkedIds: parked.map((r) => eventId({ connectionId: r.connection_id, eventKey: r.event_key })),
      };
    });
  }

  /**
   * Fans stored deliveries out, in one transaction: events that need no work (companies, Handoff's own
   * echoes: see settlesWithoutWork) are settled as "ignored" in one statement, the others become one
   * lead-event job each, grouped per lead and carrying the event's priority (form submissions first,
   * imports last). Events already settled (a re-run of the same fan-out) are left alone.
   * @returns how many events were settled here and how many jobs were created.
   */
  async fanOut(batches: IntakeBatchJob[]): Promise<{ settled: number; queued: number }> {
    const connectionIds = batches.flatMap((b) => b.connectionIds);
    const eventKeys = batches.flatMap((b) => b.eventKeys);
    if (eventKeys.length === 0) return { settled: 0, queued: 0 };
    return inTransaction(this.pool, async (client) => {
      const rows = await client.query<TriageRow>(
        `SELECT e.connection_id, e.event_key, e.object_id, e.payload - 'raw' AS payload
           FROM unnest($1::text[], $2::text[]) AS k(connection_id, event_key)
           JOIN events e USING (connection_id, event_key)
          WHERE e.status = 'pending'`,
        [connectionIds, eventKeys],
      );
      const settle: TriageRow[] = [];
      const jobs: ReturnType<typeof leadEventJob>[] = [];
      for (const r of rows.rows) {
        // Triage needs no raw event; an event stored before intake spoke Handoff's words is read in them.
        const event = inProductWords({ ...r.payload, raw: {} });
        if (settlesWithoutWork(event)) settle.push(r);
        else jobs.push(leadEventJob(r.connection_id, r.event_key, r.object_id, eventPriority(event)));
      }
      if (settle.length > 0) {
        await client.query(
          `UPDATE events e SET status = 'ignored', processed_at = now(), attempts = e.attempts + 1
             FROM unnest($1::text[], $2::text[]) AS k(connection_id, event_key)
            WHERE e.connection_id = k.connection_id AND e.event_key = k.event_key AND e.status = 'pending'`,
          [settle.map((r) => r.connection_id), settle.map((r) => r.event_key)],
        );
      }
      if (jobs.length > 0) await this.boss.insert(QUEUES.leadEvent, jobs, { db: bossOnClient(client) });
      return { settled: settle.length, queued: jobs.length };
    });
  }

  async get(connectionId: string, eventKey: string): Promise<StoredEvent | null> {
    const r = await this.pool.query<EventRow>(
      "SELECT * FROM events WHERE connection_id = $1 AND event_key = $2",
      [connectionId, eventKey],
    );
    return r.rows[0] ? toStored(r.rows[0]) : null;
  }

  /**
   * Takes the event for one run, for `leaseSeconds`. Another run of the same event (pg-boss re-running a job
   * it thinks expired) gets how long the holder keeps it instead, so an event never runs twice at once.
   * @returns the event; `{ heldForMs }` when another run holds it; null when it is settled or unknown.
   */
  async claim(
    connectionId: string,
    eventKey: string,
    leaseSeconds: number,
  ): Promise<StoredEvent | { heldForMs: number } | null> {
    const r = await this.pool.query<EventRow>(
      `UPDATE events SET status = 'processing', lease_until = now() + make_interval(secs => $3)
       WHERE connection_id = $1 AND event_key = $2
         AND (status = 'pending' OR (status = 'processing' AND (lease_until IS NULL OR lease_until < now())))
       RETURNING *`,
      [connectionId, eventKey, leaseSeconds],
    );
    if (r.rows[0]) return toStored(r.rows[0]);
    const held = await this.pool.query<{ held_ms: number }>(
      `SELECT greatest(0, extract(epoch FROM lease_until - now()) * 1000)::float8 AS held_ms FROM events
       WHERE connection_id = $1 AND event_key = $2 AND status = 'processing'`,
      [connectionId, eventKey],
    );
    return held.rows[0] ? { heldForMs: held.rows[0].held_ms } : null;
  }

  /** Keeps holding an event whose run is still busy (called every third of the lease). */
  async extendLease(connectionId: string, eventKey: string, leaseSeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE events SET lease_until = now() + make_interval(secs => $3)
       WHERE connection_id = $1 AND event_key = $2 AND status = 'processing'`,
      [connectionId, eventKey, leaseSeconds],
    );
  }

  /** Settles the event; `reason` says why it was ignored (kept in last_error for the admin). */
  async markProcessed(
    connectionId: string,
    eventKey: string,
    status: "processed" | "ignored" = "processed",
    reason?: AppError,
  ) {
    await this.pool.query(
      `UPDATE events SET status = $3, processed_at = now(), last_error = $4, attempts = attempts + 1,
              lease_until = NULL, failing_since = NULL
       WHERE connection_id = $1 AND event_key = $2`,
      [connectionId, eventKey, status, reason ? errorJson(reason) : null],
    );
  }

  /**
   * Records a failed attempt that will be retried and releases the event.
   * @returns the attempt count so far and how long the event has been failing
   */
  async recordFailure(
    connectionId: string,
    eventKey: string,
    error: AppError,
  ): Promise<{ attempts: number; failingForMs: number }> {
    const r = await this.pool.query<{ attempts: number; failing_ms: number }>(
      `UPDATE events SET attempts = attempts + 1, last_error = $3, status = 'pending', lease_until = NULL,
              failing_since = coalesce(failing_since, now())
       WHERE connection_id = $1 AND event_key = $2
       RETURNING attempts, (extract(epoch FROM now() - failing_since) * 1000)::float8 AS failing_ms`,
      [connectionId, eventKey, errorJson(error)],
    );
    return { attempts: r.rows[0]?.attempts ?? 0, failingForMs: r.rows[0]?.failing_ms ?? 0 };
  }

  /** Gives the event back without counting an attempt (its connection's CRM is paused). */
  async release(connectionId: string, eventKey: string): Promise<void> {
    await this.pool.query(
      `UPDATE events SET status = 'pending', lease_until = NULL
       WHERE connection_id = $1 AND event_key = $2 AND status = 'processing'`,
      [connectionId, eventKey],
    );
  }

  async park(connectionId: string, eventKey: string, error: AppError): Promise<void> {
    await this.pool.query(
      `UPDATE events SET status = 'parked', parked_at = now(), last_error = $3, lease_until = NULL
       WHERE connection_id = $1 AND event_key = $2`,
      [connectionId, eventKey, errorJson(error)],
    );
  }

  /**
   * The connection's CRM answers again: put back every event parked on a retryable failure (an outage
   * longer than the retry horizon), with a fresh attempt budget. Events parked for their content stay.
   * @returns how many were replayed
   */
  async replayRetryable(connectionId: string, limit = 10_000): Promise<number> {
    const r = await this.pool.query<{ event_key: string }>(
      `SELECT event_key FROM events
       WHERE connection_id = $1 AND status = 'parked' AND (last_error->>'retryable')::boolean IS TRUE
       ORDER BY parked_at LIMIT $2`,
      [connectionId, limit],
    );
    let replayed = 0;
    for (const row of r.rows) if (await this.replay(connectionId, row.event_key)) replayed += 1;
    return replayed;
  }

  /** Waiting (pending or running) and parked events per connection, for /metrics and the dashboard. */
  async backlog(): Promise<{ connectionId: string; waiting: number; parked: number }[]> {
    const r = await this.pool.query<{ connection_id: string; waiting: string; parked: string }>(
      `SELECT connection_id,
              count(*) FILTER (WHERE status IN ('pending', 'processing')) AS waiting,
              count(*) FILTER (WHERE status = 'parked') AS parked
       FROM events WHERE status IN ('pending', 'processing', 'parked') GROUP BY connection_id`,
    );
    return r.rows.map((row) => ({
      connectionId: row.connection_id,
      waiting: Number(row.waiting),
      parked: Number(row.parked),
    }));
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
    return inTransaction(this.pool, async (client) => {
      const r = await client.query<{ object_id: string }>(
        `UPDATE events SET status = 'pending', attempts = 0, parked_at = NULL, failing_since = NULL
         WHERE connection_id = $1 AND event_key = $2 AND status = 'parked' RETURNING object_id`,
        [connectionId, eventKey],
      );
      if (r.rows[0]) {
        await this.boss.insert(
          QUEUES.leadEvent,
          [leadEventJob(connectionId, eventKey, r.rows[0].object_id)],
          {
            db: bossOnClient(client),
          },
        );
      }
      return r.rowCount === 1;
    });
  }

  async counts(connectionId?: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM events WHERE ($1::text IS NULL OR connection_id = $1) GROUP BY status`,
      [connectionId ?? null],
    );
    return Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)]));
  }
}

interface InsertedRow {
  connection_id: string;
  event_key: string;
  object_id: string;
}

async function insertEvents(client: PoolClient, events: IncomingEvent[]): Promise<InsertedRow[]> {
  if (events.length === 0) return [];
  const r = await client.query<InsertedRow>(
    `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
     ON CONFLICT (connection_id, event_key) DO NOTHING
     RETURNING connection_id, event_key, object_id`,
    [
      events.map((e) => e.connectionId),
      events.map((e) => e.eventKey),
      events.map((e) => e.kind),
      events.map((e) => e.objectType),
      events.map((e) => e.objectId),
      events.map((e) => e.occurredAt),
      events.map((e) => JSON.stringify(e)),
    ],
  );
  return r.rows;
}

/** Stores quarantined events parked, with the raw text the CRM sent and the reason; none is enqueued. */
async function insertParked(client: PoolClient, events: IncomingEvent[]): Promise<InsertedRow[]> {
  if (events.length === 0) return [];
  const r = await client.query<InsertedRow>(
    `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, payload,
                         status, parked_at, last_error, raw)
     SELECT c, k, kd, ot, oi, CASE WHEN oa = '' THEN now() ELSE oa::timestamptz END, p, 'parked', now(), le, rw
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                 $8::jsonb[], $9::bytea[]) AS t(c, k, kd, ot, oi, oa, p, le, rw)
     ON CONFLICT (connection_id, event_key) DO NOTHING
     RETURNING connection_id, event_key, object_id`,
    [
      events.map((e) => e.connectionId),
      events.map((e) => e.eventKey),
      events.map((e) => e.kind),
      events.map((e) => e.objectType),
      events.map((e) => e.objectId),
      events.map((e) => e.occurredAt),
      events.map(({ quarantine: _q, ...e }) => JSON.stringify(e)),
      events.map((e) =>
        JSON.stringify({
          code: "unusable_event",
          message: e.quarantine!.reason,
          hint: "The CRM sent a value Handoff cannot store as it is. The raw event is kept; replaying runs the cleaned copy.",
          retryable: false,
        }),
      ),
      events.map((e) => Buffer.from(e.quarantine!.raw, "utf8")),
    ],
  );
  return r.rows;
}

/**
 * The database refused an event intake had already screened: keep its identity and raw text, and replace
 * everything else with values that cannot be refused.
 */
function refusedByDatabase(e: IncomingEvent, err: Error): IncomingEvent {
  const { value } = cleanForJsonb({
    connectionId: e.connectionId,
    eventKey: e.eventKey,
    objectId: e.objectId,
  });
  return {
    ...value,
    crm: e.crm,
    kind: e.kind,
    objectType: e.objectType,
    // Empty: stored as the time it was received (the refused value may have been this one).
    occurredAt: "",
    raw: {},
    quarantine: {
      reason: `the database refused the event: ${err.message.slice(0, 200)}`,
      raw: safeStringify(e.raw),
    },
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    return `unserialisable: ${(err as Error).message}`;
  }
}

/**
 * One job per event. The group (connection + CRM record) lets the worker run one event per lead at a time,
 * across all processes, so two events of the same lead never race.
 */
export function leadEventJob(
  connectionId: string,
  eventKey: string,
  objectId: string,
  priority: WorkPriority = "normal",
) {
  const data: LeadEventJob = { connectionId, eventKey, priority };
  return { data, group: { id: `${connectionId}:${objectId}` }, priority: WORK_PRIORITY_RANK[priority] };
}

interface TriageRow {
  connection_id: string;
  event_key: string;
  object_id: string;
  /** The stored event without its raw CRM form. */
  payload: Omit<LeadEvent, "raw">;
}

function errorJson(error: AppError) {
  return { code: error.code, message: error.message, hint: error.hint ?? null, retryable: error.retryable };
}

/** One event's identity across connections: connection id and event key. */
function eventId(e: { connectionId: string; eventKey: string }): string {
  return `${e.connectionId}\u0000${e.eventKey}`;
}

/** Deliveries that arrive while this many transactions are committing wait and go together in the next. */
const GROUP_COMMITS_IN_FLIGHT = 2;
/** At most this many events in one group transaction (20 full HubSpot deliveries). */
const GROUP_MAX_EVENTS = 2_000;

interface PendingDelivery {
  events: IncomingEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}
