import { z } from "zod";
import { AppError, InvalidPayloadError } from "../../domain/errors";
import { parsePayload } from "../parse-payload";
import type { Clock } from "../../ports/clock";
import { verifyHubSpotSignature } from "./hubspot-delivery";

/** The request HubSpot's app card makes (`hubspot.fetch`), in Handoff's words. */
export interface HubSpotCardRequest {
  /** The portal the card is open in. */
  portalId: string;
  /** The record the card is open on. */
  recordId: string;
  /** The record is a Lead record of HubSpot's Leads object (0-136), not a contact: its person's card is shown. */
  onLeadRecord: boolean;
  /** The HubSpot user who opened the card, vouched for by the signature. */
  actorId?: string;
  decision?: "accept" | "reject";
  reason?: string;
  note?: string;
}

/** The headers and URL a signed card request arrives with. */
export interface SignedCardRequest {
  method: string;
  /** The path and query HubSpot called (`req.originalUrl`). */
  originalUrl: string;
  header(name: string): string | undefined;
}

/**
 * Checks HubSpot's v3 signature on a card request: HubSpot signs the URL it called, so the path is appended to
 * the configured PUBLIC_URL (never rebuilt from proxy headers).
 * @example verifyHubSpot: hubSpotCardVerifier(config.publicUrl, config.hubspotSecrets, clock)
 * @throws MissingHeaderError / InvalidSignatureError
 */
export function hubSpotCardVerifier(publicUrl: string, secrets: string[], now: Clock) {
  return (rawBody: Buffer, req: SignedCardRequest): void =>
    verifyHubSpotSignature(
      {
        method: req.method,
        url: publicUrl.replace(/\/+$/, "") + req.originalUrl,
        rawBody,
        signature: req.header("x-hubspot-signature-v3"),
        timestamp: req.header("x-hubspot-request-timestamp"),
      },
      secrets,
      now().getTime(),
    );
}

const idSchema = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).transform(String);

// `contactId` is accepted as another name for the record id, so that every problem is reported in one go.
const cardBodySchema = z.preprocess(
  (b) =>
    b && typeof b === "object" && !Array.isArray(b) && !("objectId" in b) && "contactId" in b
      ? { ...b, objectId: (b as { contactId: unknown }).contactId }
      : b,
  z.object({
    objectId: idSchema,
    /** The record the card is open on: a contact (0-1), or a Lead record (0-136) of HubSpot's Leads object. */
    objectTypeId: z.enum(["0-1", "0-136"]).optional(),
    portalId: idSchema.optional(),
    userId: idSchema.optional(),
    decision: z.enum(["accept", "reject"]).optional(),
    reason: z.string().max(64).optional(),
    note: z.string().max(1000).optional(),
  }),
);

const cardQuerySchema = z.object({ portalId: idSchema.optional(), userId: idSchema.optional() });

const CARD_REQUEST_HINT = "See the README's card section for the request shape.";

/**
 * Reads a verified card request: the JSON body HubSpot's card sends and the portal and user HubSpot's proxy adds
 * to the query (both covered by the signature).
 * @throws AppError `invalid_body` when the body is not JSON; InvalidPayloadError listing every schema problem
 */
export function readHubSpotCardRequest(
  rawBody: Buffer,
  query: { portalId?: unknown; userId?: unknown },
): HubSpotCardRequest {
  let json: unknown;
  try {
    json = rawBody.length ? JSON.parse(rawBody.toString("utf8")) : {};
  } catch {
    throw new AppError("invalid_body", "request body is not JSON", { hint: "Send UTF-8 JSON." });
  }
  const body = parsePayload(
    cardBodySchema,
    json,
    "card request does not match the schema",
    CARD_REQUEST_HINT,
  );
  const q = parsePayload(
    cardQuerySchema,
    { portalId: query.portalId, userId: query.userId },
    "card query does not match the schema",
    CARD_REQUEST_HINT,
  );
  const portalId = q.portalId ?? body.portalId;
  if (!portalId) {
    throw new InvalidPayloadError(
      "card request names no portal",
      [{ path: "portalId", message: "required in the query or the body" }],
      "The HubSpot card sends context.portal.id as portalId.",
    );
  }
  const actorId = q.userId ?? body.userId;
  return {
    portalId,
    recordId: body.objectId,
    onLeadRecord: body.objectTypeId === "0-136",
    ...(actorId ? { actorId } : {}),
    ...(body.decision ? { decision: body.decision } : {}),
    ...(body.reason ? { reason: body.reason } : {}),
    ...(body.note ? { note: body.note } : {}),
  };
}
