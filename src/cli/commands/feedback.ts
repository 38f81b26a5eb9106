import type { Command } from "commander";
import { Pool } from "pg";
import { createTokenCipher } from "../../adapters/crypto/token-cipher";
import { createAssignmentStore } from "../../adapters/postgres/assignment-store";
import { PostgresConnectionStore } from "../../adapters/postgres/connection-store";
import { PostgresLeadStore } from "../../adapters/postgres/lead-store";
import { createCrmRegistry } from "../../composition/crm-registry";
import { recordFeedback, type FeedbackDeps } from "../../app/record-feedback";
import { createSlaRegistry } from "../../app/sla-registry";
import { readConfig } from "../../config/read-config";
import { AppError } from "../../domain/errors";
import type { HandoffCard } from "../../domain/handoff-card";
import { loadOrCreateEmbeddedSecrets } from "../../composition/embedded-secrets";
import { createLogger } from "../../logging/logger";
import type { Clock } from "../../ports/clock";
import { cliDatabaseUrl } from "../database-url";

const out = (line = ""): void => void process.stdout.write(`${line}\n`);

/**
 * What `handoff accept|reject` needs: the same stores and CRM adapters as the server, built from the same
 * environment (the CRM gets the new stage, the rep's slot is freed on rejection).
 */
export function openFeedbackDeps(
  now: Clock,
  env: NodeJS.ProcessEnv = process.env,
): {
  deps: FeedbackDeps;
  close(): Promise<void>;
} {
  const config = readConfig(env);
  const key = config.encryptionKeys?.current ?? loadOrCreateEmbeddedSecrets(config.dataDir).encryptionKey;
  const pool = new Pool({ connectionString: cliDatabaseUrl(env), max: 3 });
  const logger = createLogger({ ...config.log, level: "warn" });
  const connections = new PostgresConnectionStore(
    pool,
    createTokenCipher(key, config.encryptionKeys?.previous ?? []),
  );
  const registry = createCrmRegistry({
    connections,
    logger,
    now,
    publicUrl: config.publicUrl,
    hubspot: {
      clientId: config.hubspot.clientId,
      clientSecret: config.hubspot.clientSecrets[0],
      apiBase: config.hubspot.apiBase,
    },
    salesforce: config.salesforce,
  });
  const deps: FeedbackDeps = {
    leads: new PostgresLeadStore(pool),
    assignments: createAssignmentStore({ pool, logger }),
    crmFor: registry.crmFor,
    slaFor: createSlaRegistry({ pool, connections, logger, now }),
    logger,
    now,
  };
  return {
    deps,
    close: async () => {
      registry.close();
      await pool.end();
    },
  };
}

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
export function register(program: Command, clock: Clock): void {
  const run = async (command: FeedbackCommand) => {
    const opened = openFeedbackDeps(clock);
    try {
      for (const line of await runFeedbackCommand(opened.deps, command)) out(line);
    } catch (err) {
      if (err instanceof AppError && err.hint) throw new Error(`${err.message}\n  hint: ${err.hint}`);
      throw err;
    } finally {
      await opened.close();
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
