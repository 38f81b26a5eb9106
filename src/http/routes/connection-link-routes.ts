import express, { Router } from "express";
import { z } from "zod";
import { linkConnections, type LinkConnectionsDeps } from "../../app/link-connections";
import { NotFoundError } from "../../domain/errors";
import { parsePayload } from "../../adapters/parse-payload";
import type { Logger } from "../../ports/logger";

const connectionId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, "a connection id from GET /admin/api/connection-links or the dashboard");

const linkBody = z.object({
  marketingConnectionId: connectionId,
  salesConnectionId: connectionId,
  integrationUserId: z.string().min(1).max(40),
});

export interface ConnectionLinkRoutesDeps extends LinkConnectionsDeps {
  logger: Logger;
  /** Writes the admin's action to the audit log. */
  audit(
    connectionId: string,
    action: string,
    subject: string,
    details: Record<string, unknown>,
  ): Promise<void>;
}

/**
 * Synced pairs, under `/admin/api` behind the admin token:
 * - `GET /connection-links` — every pair, with both connections' names and CRMs
 * - `POST /connection-links` `{ marketingConnectionId, salesConnectionId, integrationUserId }` — link (validated)
 * - `DELETE /connection-links/:marketingConnectionId` — unlink (each side then works alone again)
 */
export function createConnectionLinkRouter(deps: ConnectionLinkRoutesDeps): Router {
  const router = Router();
  router.use("/connection-links", express.json({ limit: "16kb" }));

  router.get("/connection-links", async (_req, res) => {
    const links = await deps.links.list();
    const named = await Promise.all(
      links.map(async (link) => {
        const [marketing, sales] = await Promise.all([
          deps.connections.get(link.marketingConnectionId),
          deps.connections.get(link.salesConnectionId),
        ]);
        return {
          ...link,
          marketing: { id: link.marketingConnectionId, crm: marketing?.crm, name: marketing?.name },
          sales: { id: link.salesConnectionId, crm: sales?.crm, name: sales?.name },
        };
      }),
    );
    res.json({ links: named });
  });

  router.post("/connection-links", async (req, res) => {
    const fields = parsePayload(
      linkBody,
      req.body ?? {},
      "the request body is not a connection link",
      'Send {"marketingConnectionId": "hubspot-…", "salesConnectionId": "salesforce-…", "integrationUserId": "005…"}.',
    );
    const link = await linkConnections(deps, { ...fields, linkedBy: "admin" });
    await deps.audit(link.marketingConnectionId, "link_connections", link.salesConnectionId, {
      integrationUserId: link.integrationUserId,
    });
    deps.logger.info("connections linked as a synced pair", {
      marketingConnectionId: link.marketingConnectionId,
      salesConnectionId: link.salesConnectionId,
    });
    res.status(201).json({ link });
  });

  router.delete("/connection-links/:marketingConnectionId", async (req, res) => {
    const id = String(req.params.marketingConnectionId);
    if (!(await deps.links.unlink(id))) {
      throw new NotFoundError(
        `connection ${id} is not the marketing side of a synced pair`,
        "List pairs with GET /admin/api/connection-links.",
      );
    }
    await deps.audit(id, "unlink_connections", id, {});
    deps.logger.info("synced pair unlinked", { marketingConnectionId: id });
    res.json({ unlinked: id });
  });
  return router;
}
