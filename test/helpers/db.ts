import { randomBytes } from "node:crypto";
import { Client, Pool } from "pg";
import { migrate } from "../../src/adapters/postgres/migrate";

export interface TestDatabase {
  url: string;
  pool: Pool;
  /** Drops the pool (the database is left for post-mortem; the cluster is temporary). */
  close(): Promise<void>;
}

/** A fresh database for one test file, migrated unless `migrated: false` asks for an empty one. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.HANDOFF_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error("HANDOFF_TEST_ADMIN_URL is not set: run tests through jest (globalSetup).");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  if (options.migrated !== false) await migrate(pool);
  return { url: url.toString(), pool, close: () => pool.end() };
}
