import type { EventStore, IntakeBatchJob, StoredEvent } from "../ports/events";
import { leadEventJob } from "../adapters/postgres/event-store";
import type { Logger } from "../ports/logger";
import { WORK_PRIORITY_RANK, withWorkPriority } from "../ports/work-priority";
import type { Boss } from "./boss";
import { QUEUES, type LeadEventJob } from "../adapters/postgres/queues";
import { CrmNotFoundError } from "../domain/errors";
import type { WorkPriority } from "../ports/work-priority";
import { CircuitBreakers } from "./circuit-breaker";
import { asAppError, retryPolicy, type RetryPolicyOptions } from "./retry-policy";

/** What the pipeline does with one stored event. */
export type LeadEventHandler = (event: StoredEvent, log: Logger) => Promise<"processed" | "ignored">;

export interface LeadEventWorkerOptions {
  boss: Boss;
  events: EventStore;
  handle: LeadEventHandler;
  logger: Logger;
  /** Lead-event jobs run at once in this process (besides the live lane below). @default 10 */
  concurrency?: number;
  /**
   * Jobs fetched in one query. A full batch fetches again at once; a short one waits for NOTIFY or the
   * polling interval. @default 10
   */
  batchSize?: number;
  /**
   * Form submissions run at once in a lane of their own, so they never wait for bulk work. Each slot fetches
   * its next live job as soon as its own is done (no slot waits for a slower neighbour), and the leads in
   * flight together share their CRM batch calls. @default 20
   */
  liveConcurrency?: number;
  retry?: RetryPolicyOptions;
  /** Seconds between polls when idle (NOTIFY wakes workers sooner). @default 0.5 */
  pollingIntervalSeconds?: number;
  /** Per-connection pause when a CRM keeps failing. @default a new CircuitBreakers() */
  breakers?: CircuitBreakers;
  /**
   * How long one run holds its event; renewed every third of it while the run is busy, so a run that died
   * (kill -9) frees its event within this time. @default 30
   */
  leaseSeconds?: number;
}

/** Deliveries fanned out per transaction. */
const FAN_OUT_BATCH = 50;

/**
 * Runs stored lead events through the handler. Jobs are fetched in batches, highest priority first
 * (live form submissions, then normal changes, then imports), and live ones also have a lane of their own.
 * Every CRM call a job makes queues in the rate budget at the job's priority (ports/work-priority).
 * The handler's failures never reach pg-boss: they are retried by `retryPolicy` (a new delayed job) over a
 * horizon of hours, and then parked with their reason for an admin to replay. pg-boss's own retry only
 * covers a worker that died mid-job. Each run holds its event for a lease, so it never runs twice at once;
 * a connection whose CRM keeps failing is paused as a whole (CircuitBreakers) and resumes by itself,
 * replaying what its outage parked.
 */
export async function startLeadEventWorker(
  options: LeadEventWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const { boss, events, handle, logger } = options;
  const breakers = options.breakers ?? new CircuitBreakers();
  const leaseSeconds = options.leaseSeconds ?? 30;
  const polling = {
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
    // NOTIFY wakes us for new jobs, but a retry coming due (startAfter) sends none: keep polling briskly.
    notifyPollingIntervalSeconds: 1,
    burstWhenBatchFull: true,
  };
  const concurrency = options.concurrency ?? 10;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 10, concurrency));
  const runBatch = async (jobs: { data: LeadEventJob }[]) => {
    await Promise.all(jobs.map((job) => runOne(job.data)));
  };
  const workerId = await boss.work<LeadEventJob>(
    QUEUES.leadEvent,
    {
      ...polling,
      localConcurrency: Math.max(1, Math.round(concurrency / batchSize)),
      batchSize,
      groupConcurrency: 1,
    },
    runBatch,
  );
  const liveId = await boss.work<LeadEventJob>(
    QUEUES.leadEvent,
    {
      ...polling,
      localConcurrency: options.liveConcurrency ?? 20,
      batchSize: 1,
      groupConcurrency: 1,
      minPriority: WORK_PRIORITY_RANK.live,
    },
    runBatch,
  );

  const fanOutId = await boss.work<IntakeBatchJob>(
    QUEUES.intakeBatch,
    { ...polling, localConcurrency: 2, batchSize: FAN_OUT_BATCH },
    async (jobs) => {
      const started = performance.now();
      const { settled, queued } = await events.fanOut(jobs.map((j) => j.data));
      logger.debug("deliveries fanned out", {
        deliveries: jobs.length,
        settled,
        queued,
        ms: Math.round(performance.now() - started),
      });
    },
  );

  async function runOne({ connectionId, eventKey, priority = "normal" }: LeadEventJob): Promise<void> {
    const log = logger.child({ connectionId, eventKey });
    const verdict = await breakers.verdict(connectionId);
    if (!verdict.run) {
      // The connection's CRM is down: no call, no attempt counted; the event waits for the next probe.
      const event = await events.get(connectionId, eventKey);
      if (event?.status === "pending" || event?.status === "processing") {
        await later(connectionId, eventKey, event.objectId, priority, verdict.retryInMs);
      }
      return;
    }
    const claimed = await events.claim(connectionId, eventKey, leaseSeconds);
    if (claimed === null) {
      log.debug("event already settled; job skipped");
      return;
    }
    if ("heldForMs" in claimed) {
      // Another run holds it (pg-boss re-ran a job it thought expired): come back when its lease ends.
      const event = await events.get(connectionId, eventKey);
      if (event) await later(connectionId, eventKey, event.objectId, priority, claimed.heldForMs + 1000);
      log.warn("event is being handled by another run; retried after its lease", {
        heldForMs: claimed.heldForMs,
      });
      return;
    }
    const event = claimed;
    const started = performance.now();
    const renew = setInterval(
      () => {
        events.extendLease(connectionId, eventKey, leaseSeconds).catch(() => undefined);
      },
      (leaseSeconds * 1000) / 3,
    );
    try {
      const outcome = await withWorkPriority(priority, () => handle(event, log));
      await events.markProcessed(connectionId, eventKey, outcome);
      log.info("event handled", { outcome, priority, ms: Math.round(performance.now() - started) });
      if (await breakers.recordSuccess(connectionId)) await resumeConnection(connectionId);
    } catch (err) {
      const error = asAppError(err);
      if (error instanceof CrmNotFoundError) {
        // The record was deleted or merged away in the CRM since the event: nothing left to hand off.
        await events.markProcessed(connectionId, eventKey, "ignored", error);
        if (await breakers.recordSuccess(connectionId)) await resumeConnection(connectionId);
        log.info("event ignored: its record no longer exists in the CRM", { code: error.code });
        return;
      }
      if (await breakers.recordFailure(connectionId, error)) {
        log.warn("CRM keeps failing: connection paused, a probe will test it", { code: error.code });
      }
      const { attempts, failingForMs } = await events.recordFailure(connectionId, eventKey, error);
      const decision = retryPolicy(attempts, error, options.retry, failingForMs);
      if ("retryInMs" in decision) {
        const retryInMs = Math.max(decision.retryInMs, breakers.pausedForMs(connectionId));
        log.warn("event failed; will retry", { code: error.code, attempts, retryInMs });
        await later(connectionId, eventKey, event.objectId, priority, retryInMs);
      } else {
        await events.park(connectionId, eventKey, error);
        log.error("event parked", { code: error.code, attempts, reason: decision.reason });
      }
    } finally {
      clearInterval(renew);
    }
  }

  async function later(
    connectionId: string,
    eventKey: string,
    objectId: string,
    priority: WorkPriority,
    inMs: number,
  ) {
    const job = leadEventJob(connectionId, eventKey, objectId, priority);
    await boss.send(QUEUES.leadEvent, job.data, {
      group: job.group,
      priority: job.priority,
      startAfter: Math.max(1, Math.ceil(inMs / 1000)),
    });
  }

  /** The CRM answers again: events parked during the outage (past the horizon) go back on the queue. */
  async function resumeConnection(connectionId: string) {
    const replayed = await events.replayRetryable(connectionId);
    logger.info("CRM answers again: connection resumed", { connectionId, replayedParked: replayed });
  }

  return {
    stop: async () => {
      await boss.offWork(QUEUES.intakeBatch, { id: fanOutId, wait: true });
      await boss.offWork(QUEUES.leadEvent, { id: liveId, wait: true });
      await boss.offWork(QUEUES.leadEvent, { id: workerId, wait: true });
    },
  };
}
