import type { Command } from "commander";
import { Pool } from "pg";
import { migrate } from "../../adapters/postgres/migrate";
import { readConfig } from "../../config/read-config";
import { createLogger } from "../../logging/logger";
import { PostgresEventStore } from "../../adapters/postgres/event-store";
import { replayDecision } from "../../app/replay-decision";
import { startBoss } from "../../jobs/boss";
import { runUntilSignal } from "../../main";
import { cliDatabaseUrl } from "../database-url";

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

  program
    .command("replay [decisionId]")
    .description(
      "re-run a routing decision (--sla: what a draft would do), or put parked events back (--parked)",
    )
    .option("--parked", "replay every parked event (after fixing what parked them)")
    .option("--connection <id>", "only this connection's parked events")
    .option("--sla <file>", "a draft SLA whose routing rules to try on the decision's inputs")
    .action(
      async (
        decisionId: string | undefined,
        opts: { parked?: boolean; connection?: string; sla?: string },
      ) => {
        const pool = new Pool({ connectionString: cliDatabaseUrl(), max: 3 });
        try {
          if (opts.parked) {
            const logger = createLogger({ level: "warn" });
            const boss = await startBoss({ connectionString: cliDatabaseUrl(), logger, supervise: false });
            const events = new PostgresEventStore(pool, boss);
            const parked = await events.listParked(opts.connection, 10_000);
            let replayed = 0;
            for (const e of parked) if (await events.replay(e.connectionId, e.eventKey)) replayed += 1;
            await pool.query(
              "INSERT INTO audit_log (connection_id, actor, action, details) VALUES ($1, $2, 'replay_all_parked', $3)",
              [opts.connection ?? null, `cli:${process.env.USER ?? "unknown"}`, { replayed }],
            );
            await boss.stop({ graceful: false });
            process.stdout.write(`replayed ${replayed} parked event(s); the workers pick them up now\n`);
            return;
          }
          if (!decisionId) throw new Error("give a decision id, or --parked");
          const result = await replayDecision(pool, decisionId, opts.sla);
          for (const line of result.lines) process.stdout.write(`${line}\n`);
          if (!result.identical && opts.sla === undefined) process.exitCode = 1;
        } finally {
          await pool.end();
        }
      },
    );
}
