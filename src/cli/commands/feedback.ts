import type { Command } from "commander";
import { recordFeedback, type FeedbackDeps } from "../../app/record-feedback";
import type { CliServices } from "../cli-services";
import { AppError } from "../../domain/errors";
import type { HandoffCard } from "../../domain/handoff-card";

const out = (line = ""): void => void process.stdout.write(`${line}\n`);

export interface FeedbackCommand {
  decision: "accept" | "reject";
  leadId: string;
  connection: string | undefined;
  reason: string | undefined;
}

/** Records sales' decision from the terminal and returns what to print. */
export async function runFeedbackCommand(deps: FeedbackDeps, command: FeedbackCommand): Promise<string[]> {
  if (!command.connection) {
    throw new AppError("connection_required", "which connection? pass --connection <id>", {
      hint: "The connection id is shown by `handoff sla publish` and on the admin page (e.g. hubspot-9876543).",
    });
  }
  const card: HandoffCard | null = await recordFeedback(deps, {
    connectionId: command.connection,
    leadId: command.leadId,
    decision: command.decision,
    reason: command.reason,
    source: "cli",
    // Whoever runs the CLI holds the database: an admin (the audit log says it came from the CLI).
    actor: { kind: "admin", id: "cli" },
  });
  const what =
    command.decision === "accept" ? "accepted: the lead is now an SQL" : `rejected (${command.reason})`;
  return [`lead ${command.leadId} ${what}`, ...(card ? [`  stage: ${card.stage.label}`] : [])];
}

/** `handoff accept <leadId> --connection <id>` and `handoff reject <leadId> --connection <id> --reason <r>`. */
export function register(program: Command, services: CliServices): void {
  const run = async (command: FeedbackCommand) => {
    try {
      for (const line of await runFeedbackCommand(services.feedback(), command)) out(line);
    } catch (err) {
      if (err instanceof AppError && err.hint) throw new Error(`${err.message}\n  hint: ${err.hint}`);
      throw err;
    }
  };
  program
    .command("accept")
    .description("Sales accepts a handed-over lead (it moves to SQL)")
    .argument("<leadId>", "the lead/contact id in the CRM")
    .option("--connection <id>", "the connection (portal or org) the lead belongs to")
    .action((leadId: string, opts: { connection?: string }) =>
      run({ decision: "accept", leadId, connection: opts.connection, reason: undefined }),
    );
  program
    .command("reject")
    .description("Sales rejects a handed-over lead with a reason from the SLA (it is recycled to nurture)")
    .argument("<leadId>", "the lead/contact id in the CRM")
    .option("--connection <id>", "the connection (portal or org) the lead belongs to")
    .option("--reason <reason>", "one of the SLA's feedback.reject_reasons")
    .action((leadId: string, opts: { connection?: string; reason?: string }) =>
      run({ decision: "reject", leadId, connection: opts.connection, reason: opts.reason }),
    );
}
