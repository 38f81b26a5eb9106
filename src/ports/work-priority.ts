import { AsyncLocalStorage } from "node:async_hooks";

/**
 * How urgent a piece of work is, carried from the job that started it down to every CRM call it makes:
 * - `live`: a person is waiting (a form submission, a "contact me"): goes first in the job queue and in
 *   the CRM rate budget, and may use the share of the budget kept free for it;
 * - `normal`: a change made by a person in the CRM;
 * - `bulk`: work nobody is waiting for (imports, batch updates, backfills, replays of parked events).
 */
export type WorkPriority = "live" | "normal" | "bulk";

/** Highest first; also the pg-boss job priority (pg-boss fetches higher numbers first). */
export const WORK_PRIORITY_RANK: Record<WorkPriority, number> = { live: 20, normal: 10, bulk: 0 };

const current = new AsyncLocalStorage<WorkPriority>();

/** Runs `work` so that every CRM call it makes (however deep) is queued at `priority`. */
export function withWorkPriority<T>(priority: WorkPriority, work: () => T): T {
  return current.run(priority, work);
}

/** The priority of the work this call belongs to; `normal` outside any job. */
export function currentWorkPriority(): WorkPriority {
  return current.getStore() ?? "normal";
}

/** The more urgent of two priorities (a batch call serving a live and a bulk lead is live). */
export function higherPriority(a: WorkPriority, b: WorkPriority): WorkPriority {
  return WORK_PRIORITY_RANK[a] >= WORK_PRIORITY_RANK[b] ? a : b;
}
