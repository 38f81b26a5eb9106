import type { PruneReport } from "../adapters/postgres/retention";
import type { Logger } from "../ports/logger";
import type { Boss } from "./boss";
import { QUEUES } from "../adapters/postgres/queues";

export interface RetentionWorkerOptions {
  boss: Boss;
  /** One pruning run (adapters/postgres/retention `pruneRetention` with the policy and the clock). */
  prune(): Promise<PruneReport>;
  logger: Logger;
  /** When to run (cron, UTC). @default "17 3 * * *" (daily, 03:17 UTC) */
  cron?: string;
}

/**
 * Prunes by the retention policy once a day. pg-boss keeps the schedule in PostgreSQL, so N instances prune
 * once; each run logs what it removed, table by table.
 * @example await startRetentionWorker({ boss, prune: () => pruneRetention(pool, policy, clock()), logger });
 */
export async function startRetentionWorker(
  options: RetentionWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  await options.boss.schedule(QUEUES.retention, options.cron ?? "17 3 * * *");
  const id = await options.boss.work(QUEUES.retention, { batchSize: 1 }, async () => {
    const started = performance.now();
    const removed = await options.prune();
    options.logger.info("retention: old rows pruned", {
      ...removed,
      ms: Math.round(performance.now() - started),
    });
  });
  return { stop: () => options.boss.offWork(QUEUES.retention, { id, wait: true }) };
}
