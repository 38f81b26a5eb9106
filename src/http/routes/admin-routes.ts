import express, { Router } from "express";
import type { ConnectionStore } from "../../ports/connections";
import type { EventStore } from "../../ports/events";
import { AppError, UnknownConnectionError } from "../../domain/errors";
import type { Logger } from "../../ports/logger";
import type { AuditLog } from "../../ports/audit-log";
import { replayAllParked, replayParkedEvent } from "../../app/replay-parked";

export interface AdminRoutesDeps {
  events: EventStore;
  connections: ConnectionStore;
  audit: AuditLog;
  logger: Logger;
  breakers: () => Promise<{ connectionId: string; state: "closed" | "open" | "half_open" }[]>;
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
    await replayParkedEvent(deps, { connectionId, eventKey, actor: "admin" });
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
    const replayed = await replayAllParked(deps, { connectionId, actor: "admin" });
    res.status(202).json({ replayed });
  });

  // Uninstall: the tokens are deleted at once; history stays for reports until the connection is removed.
  router.post("/connections/:connectionId/disconnect", async (req, res) => {
    const { connectionId } = req.params;
    const connection = await deps.connections.get(connectionId);
    if (!connection) throw new UnknownConnectionError(connectionId);
    await deps.connections.disconnect(connectionId);
    await deps.audit.record({ connectionId, actor: "admin", action: "disconnect", subject: connectionId });
    deps.logger.info("connection disconnected", { connectionId });
    res.json({ disconnected: connectionId });
  });

  // Per connection: events waiting, parked, and whether its CRM calls are paused after repeated outages.
  router.get("/health", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : undefined;
    const breakers = new Map((await deps.breakers()).map((b) => [b.connectionId, b.state]));
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
