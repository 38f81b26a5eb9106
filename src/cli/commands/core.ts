import type { Command } from "commander";
import { Pool } from "pg";
import { migrate } from "../../adapters/postgres/migrate";
import { readConfig } from "../../config/read-config";
import { createLogger } from "../../logging/logger";
import { runUntilSignal } from "../../main";

/** `handoff serve|worker|migrate|replay --parked` */
export function register(program: Command): void {
  program
    .command("serve")
    .description("run the app (HTTP + workers); without DATABASE_URL, the embedded default")
    .option("--no-worker", "serve HTTP only; run workers with `handoff worker`")
    .action(async (opts: { worker: boolean }) => runUntilSignal({ http: true, worker: opts.worker }));

  program
    .command("worker")
    .description("run the job workers only (scale out: N of these against one DATABASE_URL)")
    .action(async () => runUntilSignal({ http: false, worker: true }));

  program
    .command("migrate")
    .description("apply database migrations (also done at every start)")
    .action(async () => {
      const config = readConfig();
      if (!config.databaseUrl)
        throw new Error("DATABASE_URL is not set; the embedded default migrates at `npm start`.");
      const pool = new Pool({ connectionString: config.databaseUrl });
      const applied = await migrate(pool, createLogger(config.log));
      await pool.end();
      process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n");
    });
}
