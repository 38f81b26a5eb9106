import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Router } from "express";
import { Pool } from "pg";
import { createTokenCipher } from "../adapters/crypto/token-cipher";
import { PostgresConnectionStore } from "../adapters/postgres/connection-store";
import { CachedConnectionStore } from "../adapters/cached-connection-store";
import type { ConnectionStore } from "../ports/connections";
import { PostgresEventStore } from "../adapters/postgres/event-store";
import type { EventStore } from "../ports/events";
import { migrate } from "../adapters/postgres/migrate";
import { PostgresAuditLog } from "../adapters/postgres/audit-log";
import { databaseReady } from "../adapters/postgres/database-ready";
import { createApp } from "../http/app";
import { createMetrics, registerQueueHealth, type Metrics } from "../http/metrics";
import { CircuitBreakers, type CircuitBreakerOptions } from "../jobs/circuit-breaker";
import { DEFAULT_RETENTION, pruneRetention, type RetentionPolicy } from "../adapters/postgres/retention";
import { startRetentionWorker } from "../jobs/retention-worker";
import { startBoss, type Boss } from "../jobs/boss";
import { startLeadEventWorker, type LeadEventHandler } from "../jobs/lead-event-worker";
import type { RetryPolicyOptions } from "../jobs/retry-policy";
import type { Logger } from "../ports/logger";
import type { Clock } from "../ports/clock";
import { systemClock } from "./system-clock";

export interface RuntimeOptions {
  databaseUrl: string;
  logger: Logger;
  publicUrl: string;
  hubspotSecrets: string[];
  adminToken: string;
  encryptionKey: string;
  previousEncryptionKeys?: string[];
  webhookMaxBodyBytes?: number;
  /** Serve HTTP on this port (0 = any). Undefined = no HTTP (a worker-only process). */
  port?: number;
  /** Interface to listen on (production passes HOST, "0.0.0.0" by default). @default "127.0.0.1" */
  host?: string;
  /** What is down in this process, if anything (the embedded PostgreSQL restarting): /healthz answers 503. */
  liveness?: () => string | undefined;
  /** A request's headers must arrive within this. @default 10000 */
  headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this, or 408. @default 30000 */
  requestTimeoutMs?: number;
  /** Run the lead-event worker in this process. */
  worker?: boolean;
  workerConcurrency?: number;
  retry?: RetryPolicyOptions;
  /** Days each table keeps its rows; pruned daily by the retention job. @default DEFAULT_RETENTION */
  retention?: RetentionPolicy;
  /** Per-connection pause when a CRM keeps failing. @default CircuitBreakers' defaults (5 failures, 30 s…15 min) */
  breaker?: CircuitBreakerOptions;
  /** The pipeline the worker runs (or the one `extend` returns); a worker without one is refused. */
  handleLeadEvent?: LeadEventHandler;
  /** Builds the product on the core (pipeline, card routes, notifications): see compose.ts. */
  extend?: (core: RuntimeCore) => Promise<RuntimeExtension>;
  routers?: (rt: RuntimeCore) => Router[];
  adminRouters?: (rt: RuntimeCore) => Router[];
  /** @default the machine's clock */
  now?: Clock;
}

export interface RuntimeCore {
  pool: Pool;
  boss: Boss;
  connections: ConnectionStore;
  events: EventStore;
  metrics: Metrics;
  logger: Logger;
}

export interface RuntimeExtension {
  handleLeadEvent?: LeadEventHandler;
  routers?: Router[];
  adminRouters?: Router[];
  stop?(): Promise<void>;
}

export interface Runtime extends RuntimeCore {
  server: Server | undefined;
  /** Base URL of the HTTP server when one runs (http://127.0.0.1:PORT). */
  url: string | undefined;
  /** Graceful: stop taking requests, drain in-flight jobs, close the pool. */
  stop(): Promise<void>;
}

/** A worker without a pipeline would mark every event processed and do nothing: refused at start-up. */
function leadEventHandler(handler: LeadEventHandler | undefined): LeadEventHandler {
  if (handler) return handler;
  throw new Error(
    "startRuntime: `worker: true` needs a pipeline: pass `handleLeadEvent` or an `extend` that returns one",
  );
}

/**
 * The composition root shared by `npm start`, `handoff serve|worker` and the integration tests: one pool,
 * migrations, pg-boss, repositories, the HTTP app and the worker.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  // Checked before anything starts, so a wiring mistake leaves no pool or job queue behind.
  if (options.worker && !options.handleLeadEvent && !options.extend) leadEventHandler(undefined);
  const pool = new Pool({ connectionString: options.databaseUrl, max: 20 });
  pool.on("error", (err) => logger.warn("database connection error", { error: err.message }));
  // A checked-out client whose server goes away (restart, failover) emits "error"; without a listener that
  // would crash the process. The query in flight still fails and its job is retried.
  pool.on("connect", (client) => {
    client.on("error", (err) => logger.warn("database connection lost", { error: err.message }));
  });
  await migrate(pool, logger);
  const boss = await startBoss({ connectionString: options.databaseUrl, logger });
  const cipher = createTokenCipher(options.encryptionKey, options.previousEncryptionKeys ?? []);
  const stored = new PostgresConnectionStore(pool, cipher);
  const sealed = await stored.sealWebhookTokens();
  if (sealed > 0) logger.info("Salesforce webhook tokens encrypted at rest", { connections: sealed });
  // Every webhook delivery looks its connection up: served from a bounded LRU, dropped on every change made
  // here and at most 5 s stale for a change made by another instance (an uninstall stops deliveries that fast).
  const connections = new CachedConnectionStore(stored);
  const events = new PostgresEventStore(pool, boss);
  const metrics = createMetrics();
  const breakers = new CircuitBreakers(options.breaker);
  registerQueueHealth(metrics, { backlog: () => events.backlog(), breakers: () => breakers.notClosed() });
  const core: RuntimeCore = { pool, boss, connections, events, metrics, logger };
  const extension = options.extend ? await options.extend(core) : undefined;

  const worker = options.worker
    ? await startLeadEventWorker({
        boss,
        events,
        logger,
        handle: leadEventHandler(options.handleLeadEvent ?? extension?.handleLeadEvent),
        breakers,
        ...(options.workerConcurrency ? { concurrency: options.workerConcurrency } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      })
    : undefined;

  const clock = options.now ?? systemClock;
  const retention = options.worker
    ? await startRetentionWorker({
        boss,
        logger,
        prune: () => pruneRetention(pool, options.retention ?? DEFAULT_RETENTION, clock()),
      })
    : undefined;

  let server: Server | undefined;
  let url: string | undefined;
  const port = options.port;
  if (port !== undefined) {
    const app = createApp({
      config: {
        publicUrl: options.publicUrl,
        hubspotSecrets: options.hubspotSecrets,
        adminToken: options.adminToken,
        webhookMaxBodyBytes: options.webhookMaxBodyBytes ?? 1_048_576,
      },
      databaseReady: databaseReady(pool),
      connections,
      audit: new PostgresAuditLog(pool),
      events,
      logger,
      metrics,
      breakers: () => breakers.notClosed(),
      ...(options.liveness ? { liveness: options.liveness } : {}),
      isReady: () => true,
      routers: [...(options.routers?.(core) ?? []), ...(extension?.routers ?? [])],
      adminRouters: [...(options.adminRouters?.(core) ?? []), ...(extension?.adminRouters ?? [])],
      now: options.now ?? systemClock,
    });
    // Headers must arrive within 10 s and the whole request within 30 s (a slow-drip body is cut off with
    // 408); checked every second rather than Node's default 30 s.
    const s = createServer(
      {
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        connectionsCheckingInterval: 1_000,
      },
      app,
    );
    server = await new Promise<Server>((resolve) => {
      s.listen(port, options.host ?? "127.0.0.1", () => resolve(s));
    });
    server.keepAliveTimeout = 65_000;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  let stopping: Promise<void> | undefined;
  return {
    ...core,
    server,
    url,
    stop: () =>
      (stopping ??= (async () => {
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeIdleConnections();
          });
        }
        await worker?.stop();
        await retention?.stop();
        await extension?.stop?.();
        await boss.stop({ graceful: true, timeout: 15_000 });
        await pool.end();
      })()),
  };
}
