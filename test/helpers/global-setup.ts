import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/adapters/postgres/embedded";

declare global {
  var __HANDOFF_PG__: EmbeddedPostgresHandle | undefined;
  var __HANDOFF_PG_DIR__: string | undefined;
}

/**
 * One PostgreSQL per test run: the URL in TEST_DATABASE_URL (CI's Debian PostgreSQL 15 pass), otherwise an
 * embedded cluster in a temp directory. Each test file then makes its own database (test/helpers/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.HANDOFF_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-test-pg-"));
  // As root the server runs as the `postgres` user, which must be able to enter the directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port, database: "handoff_test" });
  globalThis.__HANDOFF_PG__ = pg;
  globalThis.__HANDOFF_PG_DIR__ = dir;
  process.env.HANDOFF_TEST_ADMIN_URL = pg.adminUrl;
}
