import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Pool } from "pg";
import { inTransaction } from "./transaction";
import type { Logger } from "../../ports/logger";

const MIGRATIONS_DIR = path.join(__dirname, "migrations");
// Any constant works; it only has to be the same for every Handoff process.
const MIGRATION_LOCK = 7_346_001;

/**
 * Applies the SQL files in `migrations/` in name order, each once, inside one advisory lock so that
 * several processes starting together do not race. Safe to run at every start.
 * @returns the names applied by this call
 */
export async function migrate(pool: Pool, logger?: Logger): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS handoff_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set(
      (await client.query<{ name: string }>("SELECT name FROM handoff_migrations")).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), "utf8");
      // Each migration commits on its own, on the client that holds the migration lock.
      await inTransaction(client, async (tx) => {
        await tx.query(sql);
        await tx.query("INSERT INTO handoff_migrations (name) VALUES ($1)", [file]);
      }).catch((err: unknown) => {
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      });
      applied.push(file);
      logger?.info("migration applied", { migration: file });
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
