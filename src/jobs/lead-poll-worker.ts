import type { Logger } from "../ports/logger";
import type { Boss } from "./boss";
import { QUEUES } from "../adapters/postgres/queues";

export interface LeadPollWorkerOptions {
  boss: Boss;
  /** The connections that may need polling (each one's CRM decides, by its edition). */
  connectionIds(): Promise<string[]>;
  /** One connection's poll (app/poll-changed-leads); its clock is injected there. */
  run(connectionId: string): Promise<unknown>;
  logger: Logger;
  /** When to poll (cron, UTC; pg-boss schedules by the minute). @default every minute */
  cron?: string;
}

/**
 * Polls changed leads on a schedule. pg-boss keeps the schedule in PostgreSQL and creates one job per tick
 * whichever instance's clock fires, so N instances poll once, not N times. A connection whose CRM fails is
 * logged and polled again at the next tick from its stored watermark; the others still run.
 * @example await startLeadPollWorker({ boss, connectionIds, run: (id) => pollChangedLeads(deps, id), logger });
 */
export async function startLeadPollWorker(
  options: LeadPollWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  await options.boss.schedule(QUEUES.pollChangedLeads, options.cron ?? "* * * * *");
  const id = await options.boss.work(QUEUES.pollChangedLeads, { batchSize: 1 }, async () => {
    for (const connectionId of await options.connectionIds()) {
      try {
        await options.run(connectionId);
      } catch (err) {
        options.logger.warn("changed lead poll failed; polled again at the next tick", {
          connectionId,
          code: (err as { code?: string }).code ?? "error",
        });
      }
    }
  });
  return { stop: () => options.boss.offWork(QUEUES.pollChangedLeads, { id, wait: true }) };
}
