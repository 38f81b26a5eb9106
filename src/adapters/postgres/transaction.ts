import type { Pool, PoolClient } from "pg";

export interface TransactionOptions {
  /**
   * `BEGIN READ ONLY`: for long reads (a cursor over a window of events) that must see one snapshot and can
   * never write by mistake. @default false
   */
  readOnly?: boolean;
}

/**
 * Runs `work` on one client of the pool inside a transaction: COMMIT when it resolves, ROLLBACK when it throws
 * (the error is rethrown as it was), and the client goes back to the pool either way.
 * @example await inTransaction(pool, (client) => client.query("UPDATE …"));
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(options.readOnly ? "BEGIN READ ONLY" : "BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
