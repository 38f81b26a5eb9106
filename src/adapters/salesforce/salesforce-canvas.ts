import { createHmac } from "node:crypto";
import { sameBytes } from "../crypto/constant-time";
import { z } from "zod";
import { InvalidPayloadError, InvalidSignatureError } from "../../domain/errors";

/**
 * The parts of Salesforce's CanvasRequest that Handoff reads (reference/salesforce.md §5). zod strips every
 * other key, so the viewer's OAuth token never travels further than this file.
 */
const canvasRequestSchema = z.object({
  algorithm: z.string().default("HMACSHA256"),
  userId: z.string().optional(),
  client: z
    .object({
      instanceUrl: z.string().optional(),
      targetOrigin: z.string().optional(),
    })
    .optional(),
  context: z.object({
    user: z.object({ userId: z.string().optional(), fullName: z.string().optional() }).partial().optional(),
    organization: z.object({ organizationId: z.string().min(15) }),
    environment: z.object({
      displayLocation: z.string().optional(),
      record: z.object({
        Id: z.string().min(15),
        attributes: z.object({ type: z.string() }).partial().optional(),
      }),
    }),
  }),
});

export type CanvasRequest = z.infer<typeof canvasRequestSchema>;

export interface VerifiedCanvasRequest {
  organizationId: string;
  /** The record on whose page the Canvas app is shown (a Lead id). */
  recordId: string;
  recordType?: string;
  /** The viewing Salesforce user. */
  userId?: string;
  instanceUrl?: string;
  request: CanvasRequest;
}

const HINT =
  "Check that the consumer secret configured in Handoff is the one of the Canvas app (External Client App) in Salesforce.";

/**
 * Verifies Salesforce Canvas's `signed_request` (`<base64 HMAC-SHA256 of the envelope>.<base64 envelope>`) with
 * the consumer secret, constant-time, before anything in the envelope is trusted. Accepts the current and the
 * previous secret so that secrets can be rotated.
 * @throws InvalidSignatureError (401) when it is malformed or signed with another secret;
 *   InvalidPayloadError (400) when a verified envelope lacks the organization or the record.
 * @example const canvas = verifyCanvasSignedRequest(req.body.signed_request, [process.env.SALESFORCE_CANVAS_SECRET]);
 */
export function verifyCanvasSignedRequest(
  signedRequest: string,
  consumerSecrets: string[],
): VerifiedCanvasRequest {
  // Split on the first "."; the signature is standard Base64 and may end in "=" but never contains a dot.
  const dot = signedRequest.indexOf(".");
  if (dot <= 0 || dot === signedRequest.length - 1) {
    throw new InvalidSignatureError(
      "signed_request is not <signature>.<envelope>",
      HINT,
      "invalid_signed_request",
    );
  }
  const signature = Buffer.from(signedRequest.slice(0, dot), "base64");
  const envelope = signedRequest.slice(dot + 1);
  const secrets = consumerSecrets.filter((s) => s.length > 0);
  const matches = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(envelope, "utf8").digest();
    return sameBytes(expected, signature);
  });
  if (!matches) throw new InvalidSignatureError("Canvas signed_request signature mismatch", HINT);

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(envelope, "base64").toString("utf8"));
  } catch {
    throw new InvalidPayloadError(
      "Canvas envelope is not JSON",
      [{ path: "signed_request", message: "envelope is not Base64 JSON" }],
      "Salesforce sends a Base64-encoded CanvasRequest; check that nothing re-encodes the form field.",
    );
  }
  const parsed = canvasRequestSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidPayloadError(
      "Canvas envelope lacks the organization or the record",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      "Add the Canvas app to the Lead page layout so that Salesforce sends the record (environment.record).",
    );
  }
  const request = parsed.data;
  if (request.algorithm.toUpperCase() !== "HMACSHA256") {
    throw new InvalidSignatureError(
      `Canvas envelope names algorithm ${request.algorithm}`,
      "Handoff verifies HMACSHA256 signed requests only.",
      "unsupported_algorithm",
    );
  }
  const record = request.context.environment.record;
  const userId = request.context.user?.userId ?? request.userId;
  return {
    organizationId: request.context.organization.organizationId,
    recordId: record.Id,
    ...(record.attributes?.type ? { recordType: record.attributes.type } : {}),
    ...(userId ? { userId } : {}),
    ...(request.client?.instanceUrl ? { instanceUrl: request.client.instanceUrl } : {}),
    request,
  };
}

/** Hosts allowed to frame the Canvas page (Salesforce, Lightning, Visualforce, Setup domains). */
export const SALESFORCE_FRAME_ANCESTORS = [
  "https://*.salesforce.com",
  "https://*.force.com",
  "https://*.visualforce.com",
  "https://*.salesforce-setup.com",
];

/**
 * Reads the form Salesforce posts to a Canvas app (its `signed_request` field) and verifies it.
 * @throws InvalidPayloadError when the field is missing; see verifyCanvasSignedRequest for the rest
 */
export function readCanvasRequest(form: unknown, consumerSecrets: string[]): VerifiedCanvasRequest {
  const signedRequest = (form as Record<string, unknown> | undefined)?.signed_request;
  if (typeof signedRequest !== "string" || signedRequest.length === 0) {
    throw new InvalidPayloadError(
      "signed_request is missing",
      [{ path: "signed_request", message: "required form field" }],
      "Salesforce posts it to a Canvas app with Signed Request access; check the app's Canvas settings.",
    );
  }
  return verifyCanvasSignedRequest(signedRequest, consumerSecrets);
}
