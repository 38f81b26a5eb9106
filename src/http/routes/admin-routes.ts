import express, { Router } from "express";
import type { ConnectionStore } from "../../ports/connections";
import type { EventStore } from "../../ports/events";
import { AppError, NotFoundError, UnknownConnectionError } from "../../domain/errors";
import type { Logger } from "../../ports/logger";

export interface AdminRoutesDeps {
  events: EventStore;
  connections: ConnectionStore;
  pool: import("pg").Pool;
  logger: Logger;
  breakers: () => { connectionId: string; state: "closed" | "open" | "half_open" }[];
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

  // Body: `{ "connectionId": "…" }` for one connection, `{}` or none for all. Anything else is refused
  // rather than read as "all": a typo must never replay every connection's events.
  router.post("/parked/replay-all", async (req, res) => {
    const hasBody = Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
    const body: unknown = req.body;
    if (
      (hasBody && !req.is("application/json")) ||
      (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) ||
      (body !== undefined && "connectionId" in body && typeof body.connectionId !== "string")
    ) {
      throw new AppError("invalid_body", 'expected a JSON object such as {"connectionId": "hs-123"}', {
        hint: 'Send Content-Type: application/json with {"connectionId": "…"}, or {} to replay every connection.',
      });
    }
    const connectionId = (body as { connectionId?: string } | undefined)?.connectionId;
    if (connectionId !== undefined && !(await deps.connections.get(connectionId))) {
      throw new UnknownConnectionError(connectionId, {
        hint: "List connections with GET /admin/api/connections.",
      });
    }
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
    if (!connection) throw new UnknownConnectionError(connectionId);
    await deps.connections.disconnect(connectionId);
    await audit(deps.pool, connectionId, "admin", "disconnect", connectionId);
    deps.logger.info("connection disconnected", { connectionId });
    res.json({ disconnected: connectionId });
  });

  // Per connection: events waiting, parked, and whether its CRM calls are paused after repeated outages.
  router.get("/health", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : undefined;
    const breakers = new Map(deps.breakers().map((b) => [b.connectionId, b.state]));
    const backlog = new Map((await deps.events.backlog()).map((b) => [b.connectionId, b]));
    const ids = connectionId ? [connectionId] : [...new Set([...backlog.keys(), ...breakers.keys()])];
    res.json({
      connections: ids.map((id) => ({
        connectionId: id,
        waiting: backlog.get(id)?.waiting ?? 0,
        parked: backlog.get(id)?.parked ?? 0,
        crm: breakers.get(id) ?? "closed",
      })),
    });
  });

  router.get("/events/counts", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : undefined;
    res.json(await deps.events.counts(connectionId));
  });

  router.use((_req, _res, next) =>
    next(new AppError("not_found", "no such admin API route", { hint: "See README: Admin API." })),
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
