import { randomBytes } from "node:crypto";
import { readClaims, signClaims } from "../../adapters/crypto/claims-token";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import { escapeHtml } from "../../adapters/notify/escape-html";
import { parsePayload } from "../../adapters/parse-payload";
import { readCanvasRequest, SALESFORCE_FRAME_ANCESTORS } from "../../adapters/salesforce/salesforce-canvas";
import { readHubSpotCardRequest, type SignedCardRequest } from "../../adapters/hubspot/hubspot-card";
import { AppError, InvalidPayloadError, NotFoundError, UnauthorizedError } from "../../domain/errors";
import { httpStatus } from "../error-handler";
import type { Decision, HandoffCard } from "../../domain/handoff-card";
import type { Logger } from "../../ports/logger";
import { adminTokenMatches, presentedAdminToken } from "../admin-auth";
import { renderCardPage } from "../card-page";
import type { Clock } from "../../ports/clock";

/** Where a decision came from; `actorId` is the CRM user id when the CRM vouched for it. */
export type CardSurface = "hubspot" | "salesforce" | "preview";

export interface CardFeedback {
  connectionId: string;
  leadId: string;
  decision: Decision;
  /** One of the SLA's `feedback.reject_reasons`; required for a rejection. */
  reason?: string;
  note?: string;
  source: CardSurface;
  actorId?: string;
  /** An admin (admin token, or the embedded demo's local user) opened the page. */
  admin?: boolean;
}

/** Who opened a preview page: an admin, or the person a signed link was sent to (their CRM owner id). */
export type PreviewViewer = { admin: true } | { actorId: string } | undefined;

export interface CardRoutesDeps {
  /** The card from Handoff's own store (no CRM call), or null when the lead has no handoff. */
  getCard(connectionId: string, leadId: string): Promise<HandoffCard | null>;
  /** Stores the rep's decision; may return the updated card. */
  recordFeedback(feedback: CardFeedback): Promise<HandoffCard | null | void>;
  /** Throws MissingHeaderError / InvalidSignatureError unless `req` carries HubSpot's v3 signature over `rawBody`. */
  verifyHubSpot(rawBody: Buffer, req: SignedCardRequest): void | Promise<void>;
  resolveHubSpotConnection(portalId: string): Promise<string | null>;
  resolveSalesforceConnection(organizationId: string): Promise<string | null>;
  /** The person (contact id) whose handoff opened this Lead record (HubSpot's Leads object), if one did. */
  leadOfRecord?(connectionId: string, recordId: string): Promise<string | null>;
  /** The Canvas app's consumer secret(s): current first, previous while rotating. */
  canvasConsumerSecrets: string[];
  /** Key for the short-lived tokens that let a served page (preview, Canvas) post its Accept / Reject. */
  feedbackSecret: string;
  /** Guards the preview page (it shows personal data): throw an AppError to refuse. */
  authorizePreview(req: Request): PreviewViewer | void | Promise<PreviewViewer | void>;
  logger: Logger;
  /** The clock for signature windows and feedback-token expiry. */
  now: Clock;
  /** Budget for building a card; HubSpot's card waits at most 15 s, we answer well under 3 s. @default 2500 */
  cardTimeoutMs?: number;
  /** How long a served page may post feedback. @default 43200000 (12 h) */
  feedbackTokenTtlMs?: number;
  /** @default 65536 */
  maxBodyBytes?: number;
}

/** Paths served here; the app-manifest test checks that the HubSpot card calls one of them. */
export const CARD_ROUTES = {
  hubspot: "/cards/hubspot/handoff",
  canvas: "/cards/salesforce/canvas",
  preview: "/cards/preview/:connectionId/:leadId",
  feedback: "/cards/feedback",
} as const;

interface FeedbackTokenClaims {
  connectionId: string;
  leadId: string;
  source: CardSurface;
  actorId?: string;
  admin?: true;
  /** Epoch ms. */
  exp: number;
}

/** `<base64url claims>.<base64url HMAC>`: binds a served page to one lead, one surface and an expiry. */
export function signFeedbackToken(secret: string, claims: FeedbackTokenClaims): string {
  return signClaims(secret, claims);
}

/** @throws UnauthorizedError when the token is forged, expired or for another lead. */
export function verifyFeedbackToken(
  secret: string,
  token: string,
  expected: { connectionId: string; leadId: string },
  now: number,
  label = "feedback token",
): FeedbackTokenClaims {
  const refuse = (why: string) =>
    new UnauthorizedError(
      `${label} ${why}`,
      "Reload the card and click again; the page or link may be too old.",
    );
  const read = readClaims<FeedbackTokenClaims>(secret, token);
  if (read.refused) throw refuse(read.refused);
  const { claims } = read;
  if (claims.connectionId !== expected.connectionId || claims.leadId !== expected.leadId) {
    throw refuse("is for another lead");
  }
  if (!(claims.exp > now)) throw refuse("has expired");
  return claims;
}

// Preview links use a key of their own, so a link cannot stand in for a page's feedback token or the reverse.
const previewKey = (secret: string) => `${secret}\u0000preview-link`;

/**
 * A preview link a rep can open from Slack or e-mail without an admin token: bound to one lead, until `expiresAt`.
 * @example signedPreviewUrl(config.publicUrl, feedbackSecret, "conn-1", "501", clock().getTime() + 7 * 86_400_000)
 */
export function signedPreviewUrl(
  publicUrl: string,
  secret: string,
  connectionId: string,
  leadId: string,
  expiresAt: number,
  /** The CRM owner id of the person the link is sent to: what they may decide on the card. */
  actorId?: string,
): string {
  const token = signFeedbackToken(previewKey(secret), {
    connectionId,
    leadId,
    source: "preview",
    ...(actorId ? { actorId } : {}),
    exp: expiresAt,
  });
  const path = `/cards/preview/${encodeURIComponent(connectionId)}/${encodeURIComponent(leadId)}`;
  return `${publicUrl.replace(/\/+$/, "")}${path}?t=${token}`;
}

/**
 * `authorizePreview` for production: an admin (`Authorization: Bearer` or the dashboard cookie) or a link made by
 * `signedPreviewUrl` for this very lead. The embedded demo may pass `() => undefined` instead.
 */
export function previewAuthorizer(options: { adminToken: string; secret: string; now: Clock }) {
  const now = () => options.now().getTime();
  return (req: Request): PreviewViewer => {
    const admin = presentedAdminToken(req);
    if (admin !== undefined && adminTokenMatches(admin, options.adminToken)) return { admin: true };
    const token = typeof req.query.t === "string" ? req.query.t : undefined;
    if (!token) {
      throw new UnauthorizedError(
        "this card link needs a token",
        "Open the card from the link in the Slack message or e-mail, or sign in to the admin page.",
      );
    }
    const claims = verifyFeedbackToken(
      previewKey(options.secret),
      token,
      { connectionId: String(req.params.connectionId), leadId: String(req.params.leadId) },
      now(),
      "card link",
    );
    return claims.actorId ? { actorId: claims.actorId } : undefined;
  };
}

const feedbackRequestSchema = z.object({
  connectionId: z.string().min(1).max(64),
  leadId: z.string().min(1).max(64),
  decision: z.enum(["accept", "reject"]),
  reason: z.string().max(64).optional(),
  note: z.string().max(1000).optional(),
  token: z.string().min(1).max(2048),
});

function unsupportedMediaType(expected: string): AppError {
  return new AppError("unsupported_media_type", `expected Content-Type ${expected}`, {
    hint: `Send the body as ${expected}.`,
  });
}

/** Checked before any body parser runs, so a wrong Content-Type is a 415, never a parse error. */
function requireType(type: string, ...alternatives: string[]) {
  return (req: Request, _res: Response, next: NextFunction) =>
    next(req.is([type, ...alternatives]) ? undefined : unsupportedMediaType(type));
}

function contentSecurityPolicy(nonce: string, frameAncestors: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    // Score bars set their widths with style attributes; every value in them is a number we computed.
    "style-src-attr 'unsafe-inline'",
    `script-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

function errorPage(err: AppError): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Handoff</title></head>
<body style="font:15px system-ui,sans-serif;margin:40px;color:#1f2933"><h1 style="font-size:20px">${escapeHtml(err.message)}</h1>
<p>${escapeHtml(err.hint ?? "")}</p><p style="color:#8a96a3">${escapeHtml(err.code)}</p></body></html>`;
}

/**
 * The handoff card's doors: the HubSpot app card (JSON, v3-signed `hubspot.fetch`), the Salesforce Canvas page
 * (verified `signed_request`, framed only by Salesforce), the preview page, and the Accept / Reject endpoint.
 * Nothing here calls a CRM: cards come from Handoff's store.
 * @example app.use(createCardRouter({ getCard, recordFeedback, verifyHubSpot: hubSpotCardVerifier(url, secrets), … }));
 */
export function createCardRouter(deps: CardRoutesDeps): Router {
  const now = () => deps.now().getTime();
  const cardTimeoutMs = deps.cardTimeoutMs ?? 2500;
  const ttl = deps.feedbackTokenTtlMs ?? 12 * 3600_000;
  const limit = deps.maxBodyBytes ?? 65_536;
  if (!Number.isInteger(cardTimeoutMs) || cardTimeoutMs < 1) {
    throw new TypeError(`Expected \`cardTimeoutMs\` to be an integer ≥ 1, got \`${cardTimeoutMs}\``);
  }
  if (deps.feedbackSecret.length < 16) {
    throw new TypeError("Expected `feedbackSecret` to have at least 16 characters");
  }
  const router = Router();

  /** A Lead record's card shows the handoff of the person the record was opened for. */
  async function leadOfRecord(connectionId: string, recordId: string): Promise<string> {
    const leadId = await deps.leadOfRecord?.(connectionId, recordId);
    if (!leadId) {
      throw new NotFoundError(
        `Lead record ${recordId} was not opened by a handoff`,
        "Handoff shows its card on the Lead records it opens; open the contact's card instead.",
      );
    }
    return leadId;
  }

  async function loadCard(connectionId: string, leadId: string): Promise<HandoffCard> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              "card_timeout",
              `building the card for lead ${leadId} took longer than ${cardTimeoutMs} ms`,
              {
                retryable: true,
                hint: "Reload the card; if it keeps happening, check the database's load.",
              },
            ),
          ),
        cardTimeoutMs,
      );
    });
    try {
      const card = await Promise.race([deps.getCard(connectionId, leadId), timeout]);
      if (!card) {
        throw new AppError("no_handoff", `lead ${leadId} has not been handed off yet`, {
          hint: "The card appears once the lead qualifies and is routed.",
        });
      }
      return card;
    } finally {
      clearTimeout(timer);
    }
  }

  async function applyFeedback(feedback: CardFeedback): Promise<HandoffCard> {
    const card = await loadCard(feedback.connectionId, feedback.leadId);
    const allowed = card.feedback.rejectReasons.map((r) => r.value);
    if (feedback.decision === "reject" && (!feedback.reason || !allowed.includes(feedback.reason))) {
      throw new InvalidPayloadError(
        feedback.reason
          ? `"${feedback.reason}" is not a reject reason of this SLA`
          : "a rejection needs a reason",
        [{ path: "reason", message: `expected one of ${allowed.join(", ")}` }],
        "Pick one of the reasons the SLA lists under feedback.reject_reasons.",
      );
    }
    const wanted = feedback.decision === "accept" ? "accepted" : "rejected";
    if (card.feedback.status !== "pending") {
      // A repeated click is fine; changing a recorded decision goes through the admin page.
      if (
        card.feedback.status === wanted &&
        (wanted === "accepted" || card.feedback.reason === feedback.reason)
      ) {
        return card;
      }
      throw new AppError("already_decided", `lead ${feedback.leadId} was already ${card.feedback.status}`, {
        hint: "Ask a RevOps admin to change a recorded decision.",
      });
    }
    const { reason, ...rest } = feedback;
    const stored = await deps.recordFeedback(
      feedback.decision === "reject" && reason ? { ...rest, reason } : rest,
    );
    deps.logger.info("card feedback recorded", {
      connectionId: feedback.connectionId,
      leadId: feedback.leadId,
      decision: feedback.decision,
      source: feedback.source,
    });
    return stored ?? (await loadCard(feedback.connectionId, feedback.leadId));
  }

  function sendPage(
    res: Response,
    card: HandoffCard,
    surface: CardSurface,
    frameAncestors: string,
    viewer: PreviewViewer,
  ): void {
    const nonce = randomBytes(16).toString("base64");
    const feedbackToken = signFeedbackToken(deps.feedbackSecret, {
      connectionId: card.connectionId,
      leadId: card.leadId,
      source: surface,
      ...(viewer && "actorId" in viewer ? { actorId: viewer.actorId } : {}),
      ...(viewer && "admin" in viewer ? { admin: true as const } : {}),
      exp: now() + ttl,
    });
    res
      .status(200)
      .set({
        "Content-Security-Policy": contentSecurityPolicy(nonce, frameAncestors),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        ...(frameAncestors === "'none'" ? { "X-Frame-Options": "DENY" } : {}),
      })
      .type("html")
      .send(
        renderCardPage(card, {
          nonce,
          feedbackToken,
          feedbackUrl: CARD_ROUTES.feedback,
          surface: surface === "preview" ? "Preview" : "Salesforce",
        }),
      );
  }

  /** HTML surfaces answer errors as a page, not JSON, since a person is looking at them. */
  function htmlError(res: Response, next: NextFunction, err: unknown): void {
    if (!(err instanceof AppError)) return next(err);
    res
      .status(httpStatus(err))
      .set({
        "Content-Security-Policy": "default-src 'none'; style-src-attr 'unsafe-inline'",
        "Cache-Control": "no-store",
      })
      .type("html")
      .send(errorPage(err));
  }

  router.post(
    CARD_ROUTES.hubspot,
    requireType("application/json"),
    express.raw({ type: () => true, limit }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        await deps.verifyHubSpot(rawBody, req);
        const { portalId, recordId, onLeadRecord, actorId, decision, reason, note } = readHubSpotCardRequest(
          rawBody,
          req.query,
        );
        const connectionId = await deps.resolveHubSpotConnection(portalId);
        if (!connectionId) {
          throw new NotFoundError(
            `portal ${portalId} is not connected to Handoff`,
            "Install the app: GET /install/hubspot.",
          );
        }
        const leadId = onLeadRecord ? await leadOfRecord(connectionId, recordId) : recordId;
        const card = decision
          ? await applyFeedback({
              connectionId,
              leadId,
              decision,
              source: "hubspot",
              ...(reason ? { reason } : {}),
              ...(note ? { note } : {}),
              ...(actorId ? { actorId } : {}),
            })
          : await loadCard(connectionId, leadId);
        res.set("Cache-Control", "no-store").json(card);
      } catch (err) {
        next(err);
      }
    },
  );

  router.post(
    CARD_ROUTES.canvas,
    requireType("application/x-www-form-urlencoded"),
    express.urlencoded({ extended: false, limit, type: () => true }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const canvas = readCanvasRequest(req.body, deps.canvasConsumerSecrets);
        const connectionId = await deps.resolveSalesforceConnection(canvas.organizationId);
        if (!connectionId) {
          throw new NotFoundError(
            `org ${canvas.organizationId} is not connected to Handoff`,
            "Connect this org first: GET /install/salesforce.",
          );
        }
        const card = await loadCard(connectionId, canvas.recordId);
        sendPage(
          res,
          card,
          "salesforce",
          SALESFORCE_FRAME_ANCESTORS.join(" "),
          canvas.userId ? { actorId: canvas.userId } : undefined,
        );
      } catch (err) {
        htmlError(res, next, err);
      }
    },
  );

  router.get(CARD_ROUTES.preview, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const viewer = (await deps.authorizePreview(req)) ?? undefined;
      const card = await loadCard(String(req.params.connectionId), String(req.params.leadId));
      sendPage(res, card, "preview", "'none'", viewer);
    } catch (err) {
      htmlError(res, next, err);
    }
  });

  router.post(
    CARD_ROUTES.feedback,
    requireType("application/json"),
    express.json({ limit, type: () => true }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const body = parsePayload(
          feedbackRequestSchema,
          req.body,
          "feedback does not match the schema",
          "See the README's card section for the request shape.",
        );
        const claims = verifyFeedbackToken(deps.feedbackSecret, body.token, body, now());
        const card = await applyFeedback({
          connectionId: body.connectionId,
          leadId: body.leadId,
          decision: body.decision,
          source: claims.source,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.note ? { note: body.note } : {}),
          ...(claims.actorId ? { actorId: claims.actorId } : {}),
          ...(claims.admin ? { admin: true } : {}),
        });
        res.set("Cache-Control", "no-store").json({ status: card.feedback.status, card });
      } catch (err) {
        next(err);
      }
    },
  );

  return router;
}
