import { inspect } from "node:util";
import type { Pool } from "pg";
import type { PgBoss as PgBossType } from "pg-boss";
import type { Logger } from "../ports/logger";
import { QUEUES } from "../adapters/postgres/queues";

export type Boss = PgBossType;

export interface StartBossOptions {
  connectionString: string;
  logger: Logger;
  /** Run maintenance/scheduling in this process. @default true */
  supervise?: boolean;
}

/**
 * Starts pg-boss on Handoff's database (schema `pgboss`) and makes sure Handoff's queues exist.
 * Jobs whose worker died are retried by pg-boss (`retryLimit`); failures the handler sees are retried by
 * Handoff's own retry policy (jobs/retry-policy.ts), which parks them after the last attempt.
 */
export async function startBoss(options: StartBossOptions): Promise<Boss> {
  const { PgBoss } = await import("pg-boss");
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: "pgboss",
    max: 10,
    supervise: options.supervise ?? true,
    schedule: options.supervise ?? true,
    // Wake workers the moment a job is created instead of waiting out the polling interval:
    // speed-to-lead is measured in hundreds of milliseconds. Polling stays on as the floor.
    useListenNotify: true,
  });
  boss.on("error", (err: unknown) => options.logger.warn("job queue error", { error: describeError(err) }));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (await boss.getQueue(name)) {
      await boss.updateQueue(name, { notify: true });
    } else {
      await boss.createQueue(name, {
        // Only crashes reach pg-boss's own retry: the handler never throws (see lead-event worker).
        retryLimit: 5,
        retryDelay: 2,
        retryBackoff: true,
        expireInSeconds: 120,
        heartbeatSeconds: 10,
        notify: true,
      });
    }
  }
  return boss;
}

export type { Pool };

/**
 * pg-boss emits Errors and plain objects (`{ message, code, … }`); either becomes one readable line, never
 * `[object Object]`.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.message}${typeof code === "string" ? ` (${code})` : ""}`.slice(0, 500);
  }
  if (typeof err === "object" && err !== null) {
    const { message, code } = err as { message?: unknown; code?: unknown };
    if (typeof message === "string")
      return `${message}${typeof code === "string" ? ` (${code})` : ""}`.slice(0, 500);
    return inspect(err, { depth: 2, breakLength: Infinity }).slice(0, 500);
  }
  return String(err);
}
