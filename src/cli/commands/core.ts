import type { Command } from "commander";
import { runUntilSignal } from "../../main";
import type { CliServices } from "../cli-services";

/** `handoff serve|worker|migrate|replay --parked` */
export function register(program: Command, services: CliServices): void {
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
      if (services.config.embedded)
        throw new Error("DATABASE_URL is not set; the embedded default migrates at `npm start`.");
      const applied = await services.migrate();
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
        if (opts.parked) {
          const actor = `cli:${process.env.USER ?? "unknown"}`;
          const replayed = await services.replayAllParked(opts.connection, actor);
          process.stdout.write(`replayed ${replayed} parked event(s); the workers pick them up now\n`);
          return;
        }
        if (!decisionId) throw new Error("give a decision id, or --parked");
        const result = await services.replayDecision(decisionId, opts.sla);
        for (const line of result.lines) process.stdout.write(`${line}\n`);
        if (!result.identical && opts.sla === undefined) process.exitCode = 1;
      },
    );
}
