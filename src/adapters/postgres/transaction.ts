import type { Pool, PoolClient } from "pg";

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction may simply be run again. */
export const CONFLICT_CODES: ReadonlySet<string> = new Set(["40P01", "40001"]);

export interface TransactionOptions {
  /**
   * `BEGIN READ ONLY`: for long reads (a cursor over a window of events) that must see one snapshot and can
   * never write by mistake. @default false
   */
  readOnly?: boolean;
  /**
   * Runs `work` again (on a fresh transaction) when PostgreSQL aborts it for a conflict (`CONFLICT_CODES`), up
   * to this many runs in all; `work` must then be safe to repeat. @default 1 (never again)
   */
  attempts?: number;
  /** Told about each conflict that is retried. */
  onRetry?: (code: string, attempt: number) => void;
}

/**
 * Runs `work` inside one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is rethrown as
 * it was). Given a pool, it takes a client and gives it back (destroyed if even the ROLLBACK failed: its
 * connection broke); given a client (one holding a session lock), it runs on it and leaves it open.
 * @example await inTransaction(pool, (client) => client.query("UPDATE …"));
 */
export async function inTransaction<T>(
  db: Pool | PoolClient,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new Error(`Expected \`attempts\` to be an integer ≥ 1, got \`${attempts}\``);
  }
  for (let attempt = 1; ; attempt++) {
    const given = "release" in db;
    const client = given ? db : await db.connect();
    let broken: Error | undefined;
    try {
      await client.query(options.readOnly ? "BEGIN READ ONLY" : "BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      const code = (err as { code?: string }).code;
      if (broken === undefined && attempt < attempts && code !== undefined && CONFLICT_CODES.has(code)) {
        options.onRetry?.(code, attempt);
        continue;
      }
      throw err;
    } finally {
      if (!given) client.release(broken);
    }
  }
}
