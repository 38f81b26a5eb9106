import type { EventStore, StoredEvent } from "../adapters/postgres/event-store";
import { leadEventJob } from "../adapters/postgres/event-store";
import type { Logger } from "../ports/logger";
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
  /** Jobs run at once in this process. @default 10 */
  concurrency?: number;
  retry?: RetryPolicyOptions;
  /** Seconds between polls when idle. @default 0.5 */
  pollingIntervalSeconds?: number;
}

/**
 * Runs stored lead events through the handler. The handler's failures never reach pg-boss: they are
 * retried by `retryPolicy` (a new delayed job), and after the last attempt the event is parked with its
 * reason for an admin to replay. pg-boss's own retry only covers a worker that died mid-job.
 */
export async function startLeadEventWorker(
  options: LeadEventWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const { boss, events, handle, logger } = options;
  const workerId = await boss.work<LeadEventJob>(
    QUEUES.leadEvent,
    {
      localConcurrency: options.concurrency ?? 10,
      groupConcurrency: 1,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
      // NOTIFY wakes us for new jobs, but a retry coming due (startAfter) sends none: keep polling briskly.
      notifyPollingIntervalSeconds: 1,
    },
    async ([job]) => {
      if (!job) return;
      await runOne(job.data);
    },
  );

  const fanOutId = await boss.work<IntakeBatchJob>(
    QUEUES.intakeBatch,
    {
      localConcurrency: 2,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
      notifyPollingIntervalSeconds: 1,
    },
    async ([job]) => {
      if (job) await events.fanOut(job.data);
    },
  );

  async function runOne({ connectionId, eventKey }: LeadEventJob): Promise<void> {
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
      const outcome = await handle(event, log);
      await events.markProcessed(connectionId, eventKey, outcome);
      log.info("event handled", { outcome, ms: Math.round(performance.now() - started) });
    } catch (err) {
      const error = asAppError(err);
      const attempts = await events.recordFailure(connectionId, eventKey, error);
      const decision = retryPolicy(attempts, error, options.retry);
      if ("retryInMs" in decision) {
        log.warn("event failed; will retry", { code: error.code, attempts, retryInMs: decision.retryInMs });
        const job = leadEventJob(connectionId, eventKey, event.objectId);
        await boss.send(QUEUES.leadEvent, job.data, {
          group: job.group,
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
      await boss.offWork(QUEUES.leadEvent, { id: workerId, wait: true });
    },
  };
}
