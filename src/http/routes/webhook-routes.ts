import { type Request, type RequestHandler, type Response, Router } from "express";
import getRawBody from "raw-body";
import type { ConnectionStore } from "../../ports/connections";
import type { AppendResult, EventStore } from "../../ports/events";
import { AppError, InvalidPayloadError, UnknownConnectionError } from "../../domain/errors";
import { httpStatus } from "../error-handler";
import type { IncomingEvent } from "../../domain/screen-event";
import type { Logger } from "../../ports/logger";
import {
  normaliseHubSpotEvent,
  parseHubSpotDelivery,
  unreadableHubSpotEvent,
  verifyHubSpotSignature,
} from "../../adapters/hubspot/hubspot-delivery";
import type { Metrics } from "../metrics";
import {
  normaliseOutboundNotification,
  parseOutboundMessage,
  SOAP_ACK,
  soapFault,
} from "../../adapters/salesforce/salesforce-outbound-message";
import type { Clock } from "../../ports/clock";
import { sameSecret } from "../../adapters/crypto/constant-time";

export interface WebhookRoutesDeps {
  publicUrl: string;
  hubspotSecrets: string[];
  connections: ConnectionStore;
  events: EventStore;
  logger: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  /** The clock for signature windows and receipt times. */
  now: Clock;
}

function unsupportedMediaType(expected: string): AppError {
  return new AppError("unsupported_media_type", `expected Content-Type ${expected}`, {
    hint: `Send the body as ${expected}.`,
  });
}

/**
 * The CRMs' doors. Each handler verifies on the raw bytes, validates, normalises to LeadEvents, stores them
 * durably (deduplicated) and only then answers. Nothing here calls a CRM.
 */
export function createWebhookRouter(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const raw = readRawBody(deps.maxBodyBytes);

  router.post("/webhooks/hubspot", raw, async (req: Request, res: Response, next) => {
    const started = process.hrtime.bigint();
    try {
      if (!req.is("application/json")) throw unsupportedMediaType("application/json");
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verifyHubSpotSignature(
        {
          method: req.method,
          url: deps.publicUrl + req.originalUrl,
          rawBody,
          signature: req.get("x-hubspot-signature-v3"),
          timestamp: req.get("x-hubspot-request-timestamp"),
        },
        deps.hubspotSecrets,
        deps.now().getTime(),
      );
      const delivery = parseHubSpotDelivery(rawBody);
      const body = rawBody.toString("utf8");
      const portalIds = [
        ...new Set([
          ...delivery.events.map((e) => String(e.portalId)),
          ...delivery.invalid.flatMap((i) => (i.portalId === null ? [] : [i.portalId])),
        ]),
      ];
      const connectionByPortal = new Map<string, string>();
      for (const portalId of portalIds) {
        const c = await deps.connections.findByExternalId("hubspot", portalId);
        if (c && c.status === "active") connectionByPortal.set(portalId, c.id);
      }
      const events: IncomingEvent[] = [];
      let ignored = 0;
      const at = deps.now().getTime();
      for (const e of delivery.events) {
        const connectionId = connectionByPortal.get(String(e.portalId));
        const normalised = connectionId ? normaliseHubSpotEvent(e, connectionId, at, body) : null;
        if (normalised) events.push(normalised);
        else ignored += 1;
      }
      for (const invalid of delivery.invalid) {
        const connectionId = invalid.portalId === null ? undefined : connectionByPortal.get(invalid.portalId);
        if (connectionId) events.push(unreadableHubSpotEvent(invalid, connectionId, at, body));
        else ignored += 1;
      }
      const result = await deps.events.append(events);
      recordIntake(deps, "hubspot", result, started);
      deps.metrics.webhookEvents.inc({ crm: "hubspot", outcome: "ignored" }, ignored);
      if (ignored > 0) deps.logger.debug("hubspot events ignored", { ignored, portals: portalIds.length });
      res.status(200).json({
        received: delivery.events.length + delivery.invalid.length,
        stored: result.stored.length,
        parked: result.parked.length,
        duplicates: result.duplicates,
        ignored,
      });
    } catch (err) {
      if (err instanceof AppError) deps.metrics.webhookRejected.inc({ crm: "hubspot", code: err.code });
      next(err);
    }
  });

  router.post("/webhooks/salesforce/:connectionId/:token", raw, async (req: Request, res: Response) => {
    const fault = (err: AppError) => {
      deps.metrics.webhookRejected.inc({ crm: "salesforce", code: err.code });
      res
        .status(httpStatus(err))
        .type("text/xml; charset=utf-8")
        .send(soapFault(httpStatus(err) >= 500 ? "soapenv:Server" : "soapenv:Client", err.message));
    };
    const started = process.hrtime.bigint();
    try {
      const connectionId = String(req.params.connectionId);
      const connection = await deps.connections.get(connectionId);
      if (!connection || connection.crm !== "salesforce" || connection.status !== "active") {
        return fault(new UnknownConnectionError(connectionId, { crm: "salesforce" }));
      }
      if (!req.is("text/xml") && !req.is("application/soap+xml"))
        return fault(unsupportedMediaType("text/xml"));
      if (!tokensMatch(String(req.params.token), connection.webhookToken)) {
        return fault(
          new AppError("invalid_token", "endpoint token does not match this connection", {
            hint: "Copy the outbound message endpoint URL from Handoff's install page again.",
          }),
        );
      }
      const rawBody = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
      const message = parseOutboundMessage(rawBody);
      if (!sameOrg(message.organizationId, connection.externalId)) {
        return fault(
          new AppError(
            "organization_mismatch",
            `OrganizationId ${message.organizationId} is not connected to this endpoint`,
          ),
        );
      }
      const receivedAt = deps.now().toISOString();
      const events = message.notifications.map((n) =>
        normaliseOutboundNotification(n, connection.id, receivedAt, deps.now().getTime()),
      );
      const result = await deps.events.append(events);
      recordIntake(deps, "salesforce", result, started);
      res.status(200).type("text/xml; charset=utf-8").send(SOAP_ACK);
    } catch (err) {
      if (err instanceof InvalidPayloadError) return fault(err);
      deps.logger.error("salesforce outbound message not stored", {
        error: err instanceof Error ? err.message : String(err),
      });
      return fault(new AppError("internal", "message not stored; Salesforce will retry"));
    }
  });

  return router;
}

/**
 * Reads the body as bytes up to `limit`. Past the limit (declared or streamed) it stops at once and the
 * socket is closed after the 413, instead of reading a 50 MB or endless body to its end as body-parser does.
 */
function readRawBody(limit: number): RequestHandler {
  return (req, res, next) => {
    const length = req.get("content-length");
    getRawBody(req, { limit, ...(length === undefined ? {} : { length }) }).then(
      (body) => {
        req.body = body;
        next();
      },
      (err: { type?: string }) => {
        if (err.type === "entity.too.large") res.set("connection", "close");
        next(err);
      },
    );
  };
}

/** Counts what a delivery became and logs every event parked at intake (keys and reasons, no values). */
function recordIntake(
  deps: WebhookRoutesDeps,
  crm: "hubspot" | "salesforce",
  result: AppendResult,
  started: bigint,
): void {
  deps.metrics.webhookEvents.inc({ crm, outcome: "stored" }, result.stored.length);
  deps.metrics.webhookEvents.inc({ crm, outcome: "parked" }, result.parked.length);
  deps.metrics.webhookEvents.inc({ crm, outcome: "duplicate" }, result.duplicates);
  deps.metrics.ackSeconds.observe({ crm }, Number(process.hrtime.bigint() - started) / 1e9);
  if (result.parked.length > 0) {
    deps.logger.warn("events parked at intake: kept with their raw form, see /admin/api/parked", {
      crm,
      eventKeys: result.parked.slice(0, 20),
      parked: result.parked.length,
    });
  }
}

function tokensMatch(given: string, expected: string | null): boolean {
  return expected ? sameSecret(given, expected) : false;
}

/** Salesforce sends the 18-character org id; a connection may have stored the 15-character form. */
function sameOrg(sent: string, stored: string): boolean {
  return sent === stored || sent.slice(0, 15) === stored.slice(0, 15);
}
