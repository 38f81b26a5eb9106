import type { Pool } from "pg";

/** Readiness of the database behind `pool`: resolves when it answers a query, rejects when it does not. */
export function databaseReady(pool: Pool): () => Promise<void> {
  return async () => void (await pool.query("SELECT 1"));
}
