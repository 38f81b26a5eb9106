import type { EventStore, StoredEvent } from "../ports/events";
import { leadEventJob } from "../adapters/postgres/event-store";
import type { Logger } from "../ports/logger";
import { WORK_PRIORITY_RANK, withWorkPriority } from "../ports/work-priority";
import type { Boss } from "./boss";
import { QUEUES, type IntakeBatchJob, type LeadEventJob } from "./queues";
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
  /** Form submissions run at once in a lane of their own, so they never wait for bulk work. @default 5 */
  liveConcurrency?: number;
  retry?: RetryPolicyOptions;
  /** Seconds between polls when idle (NOTIFY wakes workers sooner). @default 0.5 */
  pollingIntervalSeconds?: number;
}

/** Deliveries fanned out per transaction. */
const FAN_OUT_BATCH = 50;

/**
 * Runs stored lead events through the handler. Jobs are fetched in batches, highest priority first
 * (live form submissions, then normal changes, then imports), and live ones also have a lane of their own.
 * Every CRM call a job makes queues in the rate budget at the job's priority (ports/work-priority).
 * The handler's failures never reach pg-boss: they are retried by `retryPolicy` (a new delayed job), and
 * after the last attempt the event is parked with its reason for an admin to replay. pg-boss's own retry
 * only covers a worker that died mid-job.
 */
export async function startLeadEventWorker(
  options: LeadEventWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const { boss, events, handle, logger } = options;
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
      localConcurrency: 1,
      batchSize: options.liveConcurrency ?? 5,
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
    const event = await events.get(connectionId, eventKey);
    if (!event) {
      log.warn("job for an unknown event skipped");
      return;
    }
    if (event.status === "processed" || event.status === "ignored" || event.status === "parked") {
      log.debug("event already settled; job skipped", { status: event.status });
      return;
    }
    const started = performance.now();
    try {
      const outcome = await withWorkPriority(priority, () => handle(event, log));
      await events.markProcessed(connectionId, eventKey, outcome);
      log.info("event handled", { outcome, priority, ms: Math.round(performance.now() - started) });
    } catch (err) {
      const error = asAppError(err);
      const attempts = await events.recordFailure(connectionId, eventKey, error);
      const decision = retryPolicy(attempts, error, options.retry);
      if ("retryInMs" in decision) {
        log.warn("event failed; will retry", { code: error.code, attempts, retryInMs: decision.retryInMs });
        const job = leadEventJob(connectionId, eventKey, event.objectId, priority);
        await boss.send(QUEUES.leadEvent, job.data, {
          group: job.group,
          priority: job.priority,
          startAfter: Math.max(1, Math.ceil(decision.retryInMs / 1000)),
        });
      } else {
        await events.park(connectionId, eventKey, error);
        log.error("event parked", { code: error.code, attempts, reason: decision.reason });
      }
    }
  }

  return {
    stop: async () => {
      await boss.offWork(QUEUES.intakeBatch, { id: fanOutId, wait: true });
      await boss.offWork(QUEUES.leadEvent, { id: liveId, wait: true });
      await boss.offWork(QUEUES.leadEvent, { id: workerId, wait: true });
    },
  };
}
