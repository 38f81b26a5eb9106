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
import { PostgresBreakerStore } from "../adapters/postgres/breaker-store";
import { DEFAULT_RETENTION, pruneRetention, type RetentionPolicy } from "../adapters/postgres/retention";
import { startRetentionWorker } from "../jobs/retention-worker";
import { startBoss, type Boss } from "../jobs/boss";
import { startLeadEventWorker, type LeadEventHandler } from "../jobs/lead-event-worker";
import type { RetryPolicyOptions } from "../jobs/retry-policy";
import type { Logger } from "../ports/logger";
import type { Clock } from "../ports/clock";

export interface InfrastructureOptions {
  databaseUrl: string;
  logger: Logger;
  encryptionKey: string;
  previousEncryptionKeys?: string[];
  /** Per-connection pause when a CRM keeps failing. @default CircuitBreakers' defaults (5 failures, 30 s…15 min) */
  breaker?: CircuitBreakerOptions;
}

/** What every process shares: one pool (migrated), pg-boss, the connection and event stores, metrics, breakers. */
export interface Infrastructure {
  pool: Pool;
  boss: Boss;
  connections: ConnectionStore;
  events: EventStore;
  metrics: Metrics;
  breakers: CircuitBreakers;
  logger: Logger;
}

/**
 * Opens the database (migrated), pg-boss and the stores every part of Handoff needs.
 * @example const infra = await openInfrastructure({ databaseUrl, logger, encryptionKey });
 */
export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const { logger } = options;
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
  // One breaker per connection for every process on this database, kept across restarts.
  const breakers = new CircuitBreakers({ ...options.breaker, store: new PostgresBreakerStore(pool) });
  registerQueueHealth(metrics, { backlog: () => events.backlog(), breakers: () => breakers.notClosed() });
  return { pool, boss, connections, events, metrics, breakers, logger };
}

/** The product built on the infrastructure (see compose.ts): what the runtime serves and runs. */
export interface RuntimeParts {
  /** The pipeline the lead-event worker runs; a worker without one is refused. */
  handleLeadEvent?: LeadEventHandler;
  /** Routers mounted at the root (cards, install, dashboard) and under /admin/api. */
  routers?: Router[];
  adminRouters?: Router[];
  /** Stops what the parts started (their workers), before pg-boss and the pool close. */
  stop?(): Promise<void>;
}

export interface RuntimeOptions extends RuntimeParts {
  publicUrl: string;
  hubspotSecrets: string[];
  adminToken: string;
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
  /** Run the lead-event and retention workers in this process. */
  worker?: boolean;
  workerConcurrency?: number;
  retry?: RetryPolicyOptions;
  /** Days each table keeps its rows; pruned daily by the retention job. @default DEFAULT_RETENTION */
  retention?: RetentionPolicy;
  now: Clock;
}

export interface Runtime extends Infrastructure {
  server: Server | undefined;
  /** Base URL of the HTTP server when one runs (http://127.0.0.1:PORT). */
  url: string | undefined;
  /** Graceful: stop taking requests, drain in-flight jobs, close the pool. */
  stop(): Promise<void>;
}

/** A worker without a pipeline would mark every event processed and do nothing: refused at start-up. */
export function requirePipeline(handler: LeadEventHandler | undefined): LeadEventHandler {
  if (handler) return handler;
  throw new Error(
    "startRuntime: `worker: true` needs a pipeline: pass `handleLeadEvent` (see composeHandoff)",
  );
}

/**
 * Starts what a process runs on the infrastructure: the HTTP server (when `port` is given), the lead-event
 * worker with the pipeline it is handed, and the retention job. Everything arrives built; nothing is patched in.
 */
export async function startRuntime(infra: Infrastructure, options: RuntimeOptions): Promise<Runtime> {
  const { boss, events, logger, pool, breakers } = infra;
  const worker = options.worker
    ? await startLeadEventWorker({
        boss,
        events,
        logger,
        handle: requirePipeline(options.handleLeadEvent),
        breakers,
        ...(options.workerConcurrency ? { concurrency: options.workerConcurrency } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      })
    : undefined;

  const clock = options.now;
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
      connections: infra.connections,
      audit: new PostgresAuditLog(pool),
      events,
      logger,
      metrics: infra.metrics,
      breakers: () => breakers.notClosed(),
      ...(options.liveness ? { liveness: options.liveness } : {}),
      isReady: () => true,
      routers: options.routers ?? [],
      adminRouters: options.adminRouters ?? [],
      now: clock,
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
    ...infra,
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
        await options.stop?.();
        await boss.stop({ graceful: true, timeout: 15_000 });
        await pool.end();
      })()),
  };
}
