import express, { Router } from "express";
import type { ConnectionStore } from "../../ports/connections";
import type { EventStore } from "../../ports/events";
import { AppError, NotFoundError } from "../../domain/errors";
import type { Logger } from "../../ports/logger";

export interface AdminRoutesDeps {
  events: EventStore;
  connections: ConnectionStore;
  pool: import("pg").Pool;
  logger: Logger;
}

/** `/admin/api/*` (mounted behind requireAdmin): parked events and their replay. */
export function createAdminApiRouter(deps: AdminRoutesDeps): Router {
  const router = Router();
  router.use(express.json({ limit: "256kb" }));

  router.get("/parked", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : undefined;
    const parked = await deps.events.listParked(connectionId);
    res.json({
      parked: parked.map((e) => ({
        connectionId: e.connectionId,
        eventKey: e.eventKey,
        kind: e.kind,
        objectId: e.objectId,
        occurredAt: e.occurredAt,
        parkedAt: e.parkedAt,
        attempts: e.attempts,
        error: e.lastError,
      })),
    });
  });

  router.post("/parked/:connectionId/:eventKey/replay", async (req, res) => {
    const { connectionId, eventKey } = req.params;
    const ok = await deps.events.replay(connectionId, eventKey);
    if (!ok) throw new NotFoundError(`no parked event ${eventKey} for connection ${connectionId}`);
    await audit(deps.pool, connectionId, "admin", "replay_parked", eventKey);
    deps.logger.info("parked event replayed", { connectionId, eventKey });
    res.status(202).json({ replayed: eventKey });
  });

  router.post("/parked/replay-all", async (req, res) => {
    const connectionId =
      typeof req.body?.connectionId === "string" ? (req.body.connectionId as string) : undefined;
    const parked = await deps.events.listParked(connectionId, 1000);
    let replayed = 0;
    for (const e of parked) if (await deps.events.replay(e.connectionId, e.eventKey)) replayed += 1;
    await audit(deps.pool, connectionId ?? null, "admin", "replay_all_parked", null, { replayed });
    res.status(202).json({ replayed });
  });

  // Uninstall: the tokens are deleted at once; history stays for reports until the connection is removed.
  router.post("/connections/:connectionId/disconnect", async (req, res) => {
    const { connectionId } = req.params;
    const connection = await deps.connections.get(connectionId);
    if (!connection) throw new NotFoundError(`no connection ${connectionId}`);
    await deps.connections.disconnect(connectionId);
    await audit(deps.pool, connectionId, "admin", "disconnect", connectionId);
    deps.logger.info("connection disconnected", { connectionId });
    res.json({ disconnected: connectionId });
  });

  router.get("/events/counts", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : undefined;
    res.json(await deps.events.counts(connectionId));
  });

  router.use((_req, _res, next) =>
    next(
      new AppError("not_found", "no such admin API route", { status: 404, hint: "See README: Admin API." }),
    ),
  );
  return router;
}

export async function audit(
  pool: import("pg").Pool,
  connectionId: string | null,
  actor: string,
  action: string,
  subject: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await pool.query(
    "INSERT INTO audit_log (connection_id, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
    [connectionId, actor, action, subject, details],
  );
}
