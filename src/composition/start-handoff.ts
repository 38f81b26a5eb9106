import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../adapters/postgres/embedded";
import type { Config } from "../config/read-config";
import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import { loadSandboxSnapshot, saveSandboxSnapshot } from "../sandbox/sandbox-snapshot";
import { startSandbox, type SandboxServer } from "../sandbox/server";
import { HubSpotTrafficGenerator } from "../sandbox/hubspot/traffic";
import { createSalesforceTrafficGenerator } from "../sandbox/salesforce/traffic";
import type { HandoffSettings } from "./compose";
import { adminTokenNotice, loadOrCreateEmbeddedSecrets } from "./embedded-secrets";
import { startHandoffRuntime, type HandoffRuntime } from "./handoff-runtime";
import { DEMO, seedDemoConnections } from "./seed-demo";
import { seedDemoQuarter } from "./demo-history/seed-demo-quarter";
import { DEMO_PAIR, seedDemoPair } from "./seed-demo-pair";
import { startPairDemo, type PairDemo } from "../sandbox/connector/pair-demo";

export interface StartOptions {
  /** Serve HTTP. @default true */
  http?: boolean;
  /** Run workers in this process. @default true */
  worker?: boolean;
}

export interface Started {
  config: Config;
  logger: Logger;
  runtime: HandoffRuntime;
  stop(): Promise<void>;
}

/** The product's settings from the validated config (secrets resolved: the embedded default's or the environment's). */
export function handoffSettings(
  config: Config,
  secrets: { adminToken: string; encryptionKey: string },
  notifyWorker: boolean,
): HandoffSettings {
  return {
    publicUrl: config.publicUrl,
    adminToken: secrets.adminToken,
    encryptionKey: secrets.encryptionKey,
    embedded: config.embedded,
    host: config.host,
    hubspot: {
      clientId: config.hubspot.clientId,
      clientSecrets: config.hubspot.clientSecrets,
      apiBase: config.hubspot.apiBase,
    },
    salesforce: config.salesforce,
    notifyWorker,
  };
}

/**
 * Builds Handoff from the validated config and the clock, and starts it: the embedded default (no DATABASE_URL:
 * embedded PostgreSQL, demo connections, CRM sandbox and its traffic) or production against DATABASE_URL.
 * @example const started = await startHandoff(readConfig(), { clock: systemClock, logger });
 */
export async function startHandoff(
  config: Config,
  { clock, logger, http = true, worker = true }: StartOptions & { clock: Clock; logger: Logger },
): Promise<Started> {
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
    const started = performance.now();
    pg = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, "pg"),
      port: config.embeddedPgPort,
      logger,
    });
    databaseUrl = pg.url("handoff");
    logger.info("embedded PostgreSQL ready", { ms: Math.round(performance.now() - started) });
  }
  let sandbox: SandboxServer | undefined;
  if (config.sandbox.enabled && http) {
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
  // The demo CRMs keep their records across restarts (the history's contacts and Leads, the live demo's too).
  const snapshot = config.embedded && sandbox ? path.join(config.dataDir, "sandbox.json") : undefined;
  const saveSnapshot = () => {
    if (snapshot && sandbox) saveSandboxSnapshot(snapshot, sandbox.hubspot, sandbox.salesforce);
  };
  if (snapshot && sandbox && loadSandboxSnapshot(snapshot, sandbox.hubspot, sandbox.salesforce)) {
    logger.info("CRM sandbox: records of the last session restored", { file: snapshot });
  }
  const runtime = await startHandoffRuntime({
    databaseUrl: databaseUrl!,
    logger,
    publicUrl: config.publicUrl,
    hubspotSecrets: config.hubspot.clientSecrets,
    adminToken: adminToken!,
    encryptionKey: encryptionKey!,
    previousEncryptionKeys: config.encryptionKeys?.previous ?? [],
    webhookMaxBodyBytes: config.webhookMaxBodyBytes,
    ...(http ? { port: config.port, host: config.host } : {}),
    worker,
    workerConcurrency: config.workerConcurrency,
    retention: config.retention,
    liveness: () => (pg?.status() === "restarting" ? "embedded PostgreSQL is restarting" : undefined),
    product: handoffSettings(config, { adminToken: adminToken!, encryptionKey: encryptionKey! }, worker),
    now: clock,
    // Before the workers start: the demo's first start plays a quarter of history (once).
    beforeStart: async (infra) => {
      if (!config.embedded || !sandbox) return;
      await seedDemoConnections(infra.connections, {
        sandboxUrl: `http://127.0.0.1:${config.sandbox.port}`,
        now: clock,
      });
      const settings = handoffSettings(
        config,
        { adminToken: adminToken!, encryptionKey: encryptionKey! },
        worker,
      );
      if (config.sandbox.historyWeeks === 0) return;
      const history = await seedDemoQuarter({
        core: infra,
        settings,
        sandbox,
        now: clock,
        weeks: config.sandbox.historyWeeks,
      });
      if (!history.seeded) return;
      saveSnapshot();
      logger.info("demo quarter seeded", { ...history });
    },
  });
  let traffic: { stop(): Promise<void> } | undefined;
  let pair: PairDemo | undefined;
  if (config.embedded) {
    await seedDemoConnections(runtime.connections, {
      sandboxUrl: `http://127.0.0.1:${config.sandbox.port}`,
      now: clock,
    });
    if (sandbox && config.sandbox.traffic && http) {
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
        now: clock,
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
      saveSnapshot();
      await sandbox?.close();
      await pg?.stop();
      logger.info("stopped");
    })());
  if (http) {
    logger.info("Handoff is running", {
      url: `http://localhost:${config.port}`,
      admin: `http://localhost:${config.port}/admin`,
      mode: config.embedded ? "embedded default" : "production",
    });
    if (config.embedded && !config.adminToken) {
      process.stdout.write(
        adminTokenNotice({ created: secretsCreated, token: adminToken!, dataDir: config.dataDir }),
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
