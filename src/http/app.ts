import express, { type Express, type Router } from "express";
import type { ConnectionStore } from "../ports/connections";
import type { AuditLog } from "../ports/audit-log";
import type { EventStore } from "../ports/events";
import { AppError } from "../domain/errors";
import type { Logger } from "../ports/logger";
import { requireAdmin } from "./admin-auth";
import { GuessLimiter } from "./guess-limiter";
import { createErrorHandler } from "./error-handler";
import { assignRequestId } from "./request-id";
import type { Metrics } from "./metrics";
import { createAdminApiRouter } from "./routes/admin-routes";
import { createWebhookRouter } from "./routes/webhook-routes";
import type { Clock } from "../ports/clock";

export interface AppDeps {
  config: {
    publicUrl: string;
    hubspotSecrets: string[];
    adminToken: string;
    webhookMaxBodyBytes: number;
  };
  /** Resolves when the database answers (readiness). */
  databaseReady: () => Promise<void>;
  connections: ConnectionStore;
  audit: AuditLog;
  events: EventStore;
  logger: Logger;
  metrics: Metrics;
  /** CRM breakers that are not closed, shared by every process. */
  breakers?: () => Promise<{ connectionId: string; state: "closed" | "open" | "half_open" }[]>;
  /** What is down in this process, if anything (undefined = healthy). */
  liveness?: () => string | undefined;
  /** Readiness beyond the database (e.g. job queue started). */
  isReady?: () => boolean;
  /** Extra routers mounted at the root (cards, install, …) and under /admin/api (reps, reports, …). */
  routers?: Router[];
  adminRouters?: Router[];
  /** The clock every route reads. */
  now: Clock;
}

/**
 * The express app, with every collaborator passed in (tests build it with fakes or a test database).
 * @example const app = createApp({ config, databaseReady, connections, audit, events, logger, metrics, now });
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(assignRequestId());

  // A NUL reaches no route usefully and PostgreSQL refuses it in text: say so before anything reads it.
  app.use((req, _res, next) => {
    if (!/%00/i.test(req.originalUrl)) return next();
    next(
      new AppError("invalid_request", "the path or query contains a NUL character (%00)", {
        hint: "Remove %00 from the URL.",
      }),
    );
  });

  // Liveness: 503 while something this process supervises is down (the embedded PostgreSQL restarting),
  // so a probe can tell, and recycle the app if it never comes back.
  app.get("/healthz", (_req, res) => {
    const problem = deps.liveness?.();
    if (problem) {
      res
        .status(503)
        .json({ error: "unhealthy", message: problem, hint: "See the logs; it restarts by itself." });
      return;
    }
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.databaseReady();
      if (deps.isReady && !deps.isReady()) throw new Error("jobs not started");
      res.json({ status: "ready" });
    } catch {
      res
        .status(503)
        .json({ error: "not_ready", message: "database or job queue not ready", hint: "Retry shortly." });
    }
  });
  app.get("/metrics", async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(
    createWebhookRouter({
      publicUrl: deps.config.publicUrl,
      hubspotSecrets: deps.config.hubspotSecrets,
      connections: deps.connections,
      events: deps.events,
      logger: deps.logger,
      metrics: deps.metrics,
      maxBodyBytes: deps.config.webhookMaxBodyBytes,
      now: deps.now,
    }),
  );

  const adminApi = express.Router();
  // 20 wrong bearer tokens per address per minute, then 429 until the minute is over.
  adminApi.use(
    requireAdmin(deps.config.adminToken, new GuessLimiter({ now: deps.now, maxWrong: 20, windowMs: 60_000 })),
  );
  for (const r of deps.adminRouters ?? []) adminApi.use(r);
  adminApi.use(
    createAdminApiRouter({
      events: deps.events,
      connections: deps.connections,
      audit: deps.audit,
      logger: deps.logger,
      breakers: deps.breakers ?? (() => Promise.resolve([])),
    }),
  );
  app.use("/admin/api", adminApi);

  for (const r of deps.routers ?? []) app.use(r);

  app.use((req, _res, next) =>
    next(
      new AppError("not_found", `no route for ${req.method} ${req.path}`, {
        hint: "See the README for Handoff's routes.",
      }),
    ),
  );
  app.use(createErrorHandler(deps.logger));
  return app;
}
