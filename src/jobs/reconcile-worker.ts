import type { Logger } from "../ports/logger";
import type { Boss } from "./boss";
import { QUEUES } from "../adapters/postgres/queues";

export interface ReconcileWorkerOptions {
  boss: Boss;
  /** The connections to reconcile at each run. */
  connectionIds(): Promise<string[]>;
  /** One connection's reconcile (app/reconcile-open-leads); its clock is injected there. */
  run(connectionId: string): Promise<unknown>;
  logger: Logger;
  /** When to run (cron, UTC). @default every 15 minutes */
  cron?: string;
}

/**
 * Runs the open-lead reconcile on a schedule. pg-boss keeps the schedule in PostgreSQL and creates one job per
 * tick whichever instance's clock fires, so N app instances reconcile once, not N times. A connection whose CRM
 * fails is logged and tried again at the next tick; the others still run.
 * @example await startReconcileWorker({ boss, connectionIds, run: (id) => reconcileOpenLeads(deps, id), logger });
 */
export async function startReconcileWorker(
  options: ReconcileWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const cron = options.cron ?? "*/15 * * * *";
  await options.boss.schedule(QUEUES.reconcileOpenLeads, cron);
  const id = await options.boss.work(QUEUES.reconcileOpenLeads, { batchSize: 1 }, async () => {
    for (const connectionId of await options.connectionIds()) {
      try {
        await options.run(connectionId);
      } catch (err) {
        options.logger.warn("open lead reconcile failed; tried again at the next run", {
          connectionId,
          code: (err as { code?: string }).code ?? "error",
        });
      }
    }
  });
  return { stop: () => options.boss.offWork(QUEUES.reconcileOpenLeads, { id, wait: true }) };
}
