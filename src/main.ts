import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./adapters/postgres/embedded";
import { readConfig, ConfigError, type Config } from "./config/read-config";
import { loadOrCreateEmbeddedSecrets } from "./composition/embedded-secrets";
import { createLogger } from "./logging/logger";
import type { Logger } from "./ports/logger";
import { composeHandoff } from "./composition/compose";
import { startRuntime, type Runtime } from "./composition/runtime";
import { startSandbox, type SandboxServer } from "./sandbox/server";
import { DEMO, seedDemoConnections } from "./composition/seed-demo";
import { DEMO_PAIR, seedDemoPair } from "./composition/seed-demo-pair";
import { startPairDemo, type PairDemo } from "./sandbox/connector/pair-demo";
import { systemClock } from "./composition/system-clock";
import { HubSpotTrafficGenerator } from "./sandbox/hubspot/traffic";
import { createSalesforceTrafficGenerator } from "./sandbox/salesforce/traffic";

export interface StartOptions {
  /** Serve HTTP. @default true */
  http?: boolean;
  /** Run workers in this process. @default true */
  worker?: boolean;
}

export interface Started {
  config: Config;
  logger: Logger;
  runtime: Runtime;
  stop(): Promise<void>;
}

/**
 * Starts Handoff: the embedded default (no DATABASE_URL: embedded PostgreSQL, demo connections, CRM
 * sandbox) or production against DATABASE_URL. Stops cleanly on SIGINT/SIGTERM.
 */
export async function start(
  options: StartOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const config = readConfig(env);
  const logger = createLogger(config.log);
  let pg: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  let encryptionKey = config.encryptionKeys?.current;
  let adminToken = config.adminToken;
  let secretsCreated = false;
  if (config.embedded) {
    const secrets = loadOrCreateEmbeddedSecrets(config.dataDir);
    encryptionKey ??= secrets.encryptionKey;
    adminToken ??= secrets.adminToken;
    secretsCreated = secrets.created;
    const started = Date.now();
    pg = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, "pg"),
      port: config.embeddedPgPort,
      logger,
    });
    databaseUrl = pg.url("handoff");
    logger.info("embedded PostgreSQL ready", { ms: Date.now() - started });
  }
  let sandbox: SandboxServer | undefined;
  if (config.sandbox.enabled && options.http !== false) {
    const started = await startSandbox({
      port: config.sandbox.port,
      // The demo portal has HubSpot's Leads object (on Professional and Enterprise), so handoffs open Lead records too.
      hubspot: { tier: config.sandbox.hubspotTier, leadsObject: true },
      salesforce: { edition: config.sandbox.salesforceEdition },
    });
    logger.info("CRM sandbox listening", {
      url: started.url,
      hubspotTier: config.sandbox.hubspotTier,
      salesforceEdition: config.sandbox.salesforceEdition,
    });
    sandbox = started;
  }
  const runtime = await startRuntime({
    databaseUrl: databaseUrl!,
    logger,
    publicUrl: config.publicUrl,
    hubspotSecrets: config.hubspot.clientSecrets,
    adminToken: adminToken!,
    encryptionKey: encryptionKey!,
    previousEncryptionKeys: config.encryptionKeys?.previous ?? [],
    webhookMaxBodyBytes: config.webhookMaxBodyBytes,
    ...(options.http === false ? {} : { port: config.port, host: config.host }),
    worker: options.worker ?? true,
    workerConcurrency: config.workerConcurrency,
    retention: config.retention,
    liveness: () => (pg?.status() === "restarting" ? "embedded PostgreSQL is restarting" : undefined),
    extend: (core) =>
      composeHandoff(core, {
        publicUrl: config.publicUrl,
        adminToken: adminToken!,
        encryptionKey: encryptionKey!,
        embedded: config.embedded,
        host: config.host,
        hubspot: {
          clientId: config.hubspot.clientId,
          clientSecrets: config.hubspot.clientSecrets,
          apiBase: config.hubspot.apiBase,
        },
        salesforce: config.salesforce,
        notifyWorker: options.worker ?? true,
      }),
  });
  let traffic: { stop(): Promise<void> } | undefined;
  let pair: PairDemo | undefined;
  if (config.embedded) {
    await seedDemoConnections(runtime.connections, {
      sandboxUrl: `http://127.0.0.1:${config.sandbox.port}`,
      now: systemClock,
    });
    if (sandbox && config.sandbox.traffic && options.http !== false) {
      traffic = startDemoTraffic(sandbox, config.port, config.publicUrl, config.hubspot.clientSecrets[0]!);
      logger.info("demo traffic: marketers submit forms in the sandbox; watch the handoffs arrive", {
        cards: `http://localhost:${config.port}/admin`,
      });
      // The third demo: HubSpot for marketing, Salesforce for sales, joined by the connector (own sandbox port).
      pair = await startPairDemo({
        port: config.sandbox.port === 0 ? 0 : config.sandbox.port + 1,
        appUrl: `http://127.0.0.1:${config.port}`,
        publicUrl: config.publicUrl,
        hubspotSecret: config.hubspot.clientSecrets[0]!,
        salesforceWebhookPath: `/webhooks/salesforce/${DEMO_PAIR.sales.connectionId}/${DEMO_PAIR.sales.webhookToken}`,
      });
      await seedDemoPair(runtime.connections, runtime.pool, {
        sandboxUrl: pair.sandbox.url,
        now: systemClock,
      });
      logger.info("demo pair: HubSpot marketing synced to Salesforce sales by the connector", {
        marketing: DEMO_PAIR.marketing.connectionId,
        sales: DEMO_PAIR.sales.connectionId,
      });
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info("shutting down: draining in-flight work");
      await traffic?.stop();
      await pair?.stop();
      await runtime.stop();
      await sandbox?.close();
      await pg?.stop();
      logger.info("stopped");
    })());
  if (options.http !== false) {
    logger.info("Handoff is running", {
      url: `http://localhost:${config.port}`,
      admin: `http://localhost:${config.port}/admin`,
      mode: config.embedded ? "embedded default" : "production",
    });
    if (config.embedded && !config.adminToken) {
      // Printed once, on the start that created it (terminal scrollback and CI logs keep what is printed);
      // afterwards only where it lives.
      const file = path.join(config.dataDir, "secrets.json");
      process.stdout.write(
        secretsCreated
          ? `\n  Admin token (also in ${file}): ${adminToken}\n\n`
          : `\n  Admin token: in ${file} (printed on the first start only)\n\n`,
      );
    }
  }
  return { config, logger, runtime, stop };
}

/**
 * The embedded default comes alive: the sandbox plays marketers and visitors in both CRMs and delivers
 * signed webhooks and outbound messages to this app, as the real CRMs would.
 */
function startDemoTraffic(sandbox: SandboxServer, port: number, publicUrl: string, hubspotSecret: string) {
  const app = `http://127.0.0.1:${port}`;
  const hubspot = new HubSpotTrafficGenerator({
    state: sandbox.hubspot,
    targetUrl: `${app}/webhooks/hubspot`,
    signedUrl: `${publicUrl}/webhooks/hubspot`,
    clientSecret: hubspotSecret,
    actionsPerMinute: 20,
  });
  const salesforce = createSalesforceTrafficGenerator(sandbox.salesforce, {
    webhookUrl: `${app}/webhooks/salesforce/${DEMO.salesforce.connectionId}/${DEMO.salesforce.webhookToken}`,
    instanceUrl: sandbox.salesforceInstanceUrl,
    redeliverShare: 0.1,
  });
  hubspot.start();
  salesforce.start(15_000, 1);
  return {
    stop: async () => {
      await hubspot.stop();
      await salesforce.stop();
    },
  };
}

/** Runs until SIGINT/SIGTERM. */
export async function runUntilSignal(options: StartOptions = {}): Promise<void> {
  let started: Started;
  try {
    started = await start(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n  hint: ${err.hint ?? ""}\n`);
      process.exit(2);
    }
    throw err;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      started.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) {
  runUntilSignal().catch((err: unknown) => {
    process.stderr.write(`Handoff failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
