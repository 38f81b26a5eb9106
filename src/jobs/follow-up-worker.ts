import { createHash } from "node:crypto";
import type { FollowUpJob } from "../app/follow-up";
import type { Logger } from "../ports/logger";
import type { Boss } from "./boss";
import { QUEUES } from "../adapters/postgres/queues";
import type { Clock } from "../ports/clock";

export interface FollowUpSchedulerOptions {
  boss: Boss;
  /** The clock the plan was computed on; the job's delay is `at − now()`. */
  now: Clock;
  /** Clock seconds per real second: tests run a business day in seconds on an injected clock. @default 1 */
  clockRate?: number;
}

/** A stable job id per handoff and step: pg-boss inserts with ON CONFLICT DO NOTHING, so it is sent once. */
export function followUpJobId(job: FollowUpJob): string {
  const h = createHash("sha256").update(`${job.connectionId}\n${job.handoffId}\n${job.step}`).digest("hex");
  // Shaped as a v4-style UUID (pg-boss job ids are uuid).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Enqueues the delayed job of one follow-up step. The timer lives in PostgreSQL (pg-boss `startAfter`), so
 * it survives restarts of every process; the job id and singletonKey per handoff+step make a second send a
 * no-op. Earlier steps get a higher priority, so steps due together are fetched in plan order.
 * @example const enqueue = createFollowUpScheduler({ boss }); await enqueue(job, step.at, 0);
 */
export function createFollowUpScheduler(options: FollowUpSchedulerOptions) {
  const now = options.now;
  const rate = options.clockRate ?? 1;
  if (!(rate > 0)) throw new Error(`Expected \`clockRate\` to be > 0, got \`${rate}\``);
  return async (job: FollowUpJob, at: string, order: number): Promise<void> => {
    const delaySeconds = Math.max(0, Math.ceil((Date.parse(at) - now().getTime()) / 1000 / rate));
    await options.boss.send(QUEUES.followUp, job, {
      id: followUpJobId(job),
      singletonKey: `${job.handoffId}:${job.step}`,
      startAfter: delaySeconds,
      priority: Math.max(0, 100 - order),
      retryLimit: 8,
      retryDelay: 30,
      retryBackoff: true,
    });
  };
}

export interface FollowUpWorkerOptions {
  boss: Boss;
  run(job: FollowUpJob): Promise<void>;
  logger: Logger;
  /** How often due timers are looked for: the clock's resolution. @default 5 */
  pollingIntervalSeconds?: number;
  /** @default 2 */
  localConcurrency?: number;
}

/**
 * Works the follow-up queue: each job wakes one handoff's clock (app/follow-up `runFollowUpStep`). A failure
 * (CRM down, rate limit) is retried by pg-boss with backoff; the step ledger makes the retry safe.
 * @example const worker = await startFollowUpWorker({ boss, run: (job) => runFollowUpStep(deps, job), logger });
 */
export async function startFollowUpWorker(
  options: FollowUpWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 5;
  if (!(pollingIntervalSeconds >= 0.5)) {
    throw new Error(`Expected \`pollingIntervalSeconds\` to be ≥ 0.5, got \`${pollingIntervalSeconds}\``);
  }
  const id = await options.boss.work<FollowUpJob>(
    QUEUES.followUp,
    {
      localConcurrency: options.localConcurrency ?? 2,
      batchSize: 1,
      pollingIntervalSeconds,
      // A delayed job sends no NOTIFY when it comes due, so the poll is the timer's resolution: keep it
      // short even while LISTEN/NOTIFY is active (pg-boss would otherwise relax it to 30 s).
      notifyPollingIntervalSeconds: pollingIntervalSeconds,
    },
    async ([job]) => {
      if (!job) return;
      try {
        await options.run(job.data);
      } catch (err) {
        options.logger.warn("follow-up step failed; retried by the queue", {
          connectionId: job.data.connectionId,
          handoffId: job.data.handoffId,
          step: job.data.step,
          code: (err as { code?: string }).code ?? "error",
        });
        throw err;
      }
    },
  );
  return { stop: () => options.boss.offWork(QUEUES.followUp, { id, wait: true }) };
}
