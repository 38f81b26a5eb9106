import { Pool } from "pg";
import { resolveConnection } from "../cli/resolve-connection";
import { createTokenCipher, type TokenCipher } from "../adapters/crypto/token-cipher";
import { PostgresAssignmentStore } from "../adapters/postgres/assignment-store";
import { PostgresAuditLog } from "../adapters/postgres/audit-log";
import { createHolidayCalendar } from "../adapters/holidays";
import { PostgresConnectionDirectoryStore } from "../adapters/postgres/connection-directory-store";
import { PostgresConnectionStore } from "../adapters/postgres/connection-store";
import { embeddedDatabaseUrl } from "../adapters/postgres/embedded";
import { PostgresEventStore } from "../adapters/postgres/event-store";
import { PostgresLeadStore } from "../adapters/postgres/lead-store";
import { migrate } from "../adapters/postgres/migrate";
import { PostgresRepAvailabilityStore } from "../adapters/postgres/rep-availability-store";
import { PostgresReportStore } from "../adapters/postgres/report-store";
import { PostgresSlaStore } from "../adapters/postgres/sla-store";
import { replayAllParked } from "../app/replay-parked";
import { replayDecision } from "../app/replay-decision";
import { createSlaRegistry } from "../app/sla-registry";
import type { Config } from "../config/read-config";
import { AppError } from "../domain/errors";
import { startBoss } from "../jobs/boss";
import { createLogger } from "../logging/logger";
import type { CliServices } from "../cli/cli-services";
import type { Clock } from "../ports/clock";
import type { ActiveSla } from "../ports/sla-versions";
import { createCrmRegistry } from "./crm-registry";
import { loadOrCreateEmbeddedSecrets } from "./embedded-secrets";

/**
 * The database a `handoff` command works on: DATABASE_URL, or the embedded default's database while
 * `npm start` runs (same port and credentials as the embedded PostgreSQL).
 */
export function databaseUrlOf(config: Pick<Config, "databaseUrl" | "embeddedPgPort">): string {
  return config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPgPort);
}

/**
 * The CLI's services from the validated config (read without requiring the server's secrets: a command that
 * needs one says so when it runs). Nothing is opened until a command uses it.
 * @example const services = composeCliServices(readConfig(process.env, { requireSecrets: false }), systemClock);
 */
export function composeCliServices(config: Config, clock: Clock): CliServices {
  const databaseUrl = databaseUrlOf(config);
  const logger = createLogger({ ...config.log, level: "warn" });
  const closers: (() => Promise<void>)[] = [];
  let pool: Pool | undefined;
  const db = (): Pool => {
    if (!pool) {
      const opened = new Pool({ connectionString: databaseUrl, max: 3 });
      closers.push(() => opened.end());
      pool = opened;
    }
    return pool;
  };
  let connections: PostgresConnectionStore | undefined;
  const connectionStore = () => (connections ??= new PostgresConnectionStore(db(), tokenCipher(config)));
  // Which connections exist and what each runs on is read without the token columns: no key needed.
  const directory = () => new PostgresConnectionDirectoryStore(db());
  let slaFor: ((connectionId: string) => Promise<ActiveSla>) | undefined;
  const slaRegistry = () =>
    (slaFor ??= createSlaRegistry({
      versions: new PostgresSlaStore(db()),
      connections: directory(),
      logger,
      now: clock,
    }));

  return {
    config,
    clock,
    databaseUrl,
    connectionIds: () => directory().ids(),
    connection: async (given) => resolveConnection(await directory().ids(), given),
    reps: () => new PostgresRepAvailabilityStore(db(), clock),
    slaFor: (connectionId) => slaRegistry()(connectionId),
    slaVersions: () => new PostgresSlaStore(db()),
    reports: () => new PostgresReportStore(db()),
    holidays: createHolidayCalendar,
    replayDecision: (decisionId, draftFile) =>
      replayDecision(new PostgresAssignmentStore({ pool: db(), logger }), decisionId, draftFile),
    replayAllParked: async (connectionId, actor) => {
      const boss = await startBoss({ connectionString: databaseUrl, logger, supervise: false });
      try {
        const events = new PostgresEventStore(db(), boss);
        const deps = { events, connections: connectionStore(), audit: new PostgresAuditLog(db()) };
        return await replayAllParked(deps, { connectionId, actor });
      } finally {
        await boss.stop({ graceful: false });
      }
    },
    migrate: () => migrate(db(), createLogger(config.log)),
    feedback: () => {
      const registry = createCrmRegistry({
        connections: connectionStore(),
        logger,
        now: clock,
        publicUrl: config.publicUrl,
        hubspot: {
          clientId: config.hubspot.clientId,
          clientSecret: config.hubspot.clientSecrets[0],
          apiBase: config.hubspot.apiBase,
        },
        salesforce: config.salesforce,
      });
      closers.push(async () => registry.close());
      return {
        leads: new PostgresLeadStore(db()),
        assignments: new PostgresAssignmentStore({ pool: db(), logger }),
        crmFor: registry.crmFor,
        slaFor: slaRegistry(),
        logger,
        now: clock,
      };
    },
    close: async () => {
      // CRM clients first, the pool they may still use last.
      for (const close of closers.splice(0).reverse()) await close();
      pool = undefined;
      connections = undefined;
      slaFor = undefined;
    },
  };
}

/**
 * The stored CRM tokens' cipher: the configured key, or the embedded default's. A production environment without
 * HANDOFF_ENCRYPTION_KEY gets a cipher that refuses at first use, so commands that never read a token still run.
 */
function tokenCipher(config: Config): TokenCipher {
  if (config.encryptionKeys)
    return createTokenCipher(config.encryptionKeys.current, config.encryptionKeys.previous);
  if (config.embedded) return createTokenCipher(loadOrCreateEmbeddedSecrets(config.dataDir).encryptionKey);
  const refuse = (): never => {
    throw new AppError(
      "config_invalid",
      "HANDOFF_ENCRYPTION_KEY is not set: this command reads a stored CRM token",
      {
        hint: "Run the command with the app's environment (the same HANDOFF_ENCRYPTION_KEY as the server).",
      },
    );
  };
  return { currentKeyId: "none", encrypt: refuse, decrypt: refuse };
}
