import { z } from "zod";
import { InvalidPayloadError, type PayloadIssue } from "../../domain/errors";
import type { LeadEvent, LeadEventKind } from "../../domain/lead";

/** HubSpot batches at most 100 events in one delivery. */
export const MAX_EVENTS_PER_DELIVERY = 100;

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);

const hubSpotEventSchema = z
  .object({
    eventId: id,
    subscriptionId: id,
    portalId: id,
    appId: id.optional(),
    occurredAt: z.number().int().positive(),
    subscriptionType: z.string().min(3).optional(),
    eventType: z.string().min(3).optional(),
    attemptNumber: z.number().int().nonnegative().optional(),
    objectId: id.optional(),
    objectTypeId: z.string().optional(),
    propertyName: z.string().max(200).optional(),
    propertyValue: z.string().max(65_536).optional(),
    changeSource: z.string().max(100).optional(),
    sourceId: z.string().max(200).optional(),
    changeFlag: z.string().max(50).optional(),
    primaryObjectId: id.optional(),
    mergedObjectIds: z.array(id).max(1000).optional(),
    newObjectId: id.optional(),
    numberOfPropertiesMoved: z.number().int().optional(),
    associationType: z.string().max(100).optional(),
    fromObjectId: id.optional(),
    toObjectId: id.optional(),
    associationRemoved: z.boolean().optional(),
    isPrimaryAssociation: z.boolean().optional(),
    messageId: z.string().optional(),
    messageType: z.string().optional(),
  })
  .loose()
  .refine((e) => e.subscriptionType !== undefined || e.eventType !== undefined, {
    message: "needs subscriptionType (or the documented alias eventType)",
    path: ["subscriptionType"],
  })
  .refine((e) => e.objectId !== undefined || e.fromObjectId !== undefined, {
    message: "needs objectId (or fromObjectId for association changes)",
    path: ["objectId"],
  });

export type HubSpotEvent = z.infer<typeof hubSpotEventSchema>;

const deliverySchema = z.array(hubSpotEventSchema).min(1).max(MAX_EVENTS_PER_DELIVERY);

/**
 * Parses a verified delivery body. Every schema problem is listed with its path (`[3].occurredAt`).
 * @throws InvalidPayloadError
 */
export function parseHubSpotDelivery(rawBody: Buffer): HubSpotEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString("utf8"));
  } catch (err) {
    throw new InvalidPayloadError(
      "body is not valid JSON",
      [{ path: "", message: (err as Error).message }],
      "HubSpot sends a JSON array of events.",
    );
  }
  const parsed = deliverySchema.safeParse(json);
  if (!parsed.success) {
    const issues: PayloadIssue[] = parsed.error.issues.slice(0, 50).map((issue) => ({
      path: issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("")
        .replace(/^\./, ""),
      message: issue.message,
    }));
    throw new InvalidPayloadError(
      `delivery does not match HubSpot's webhook schema (${parsed.error.issues.length} issue(s))`,
      issues,
      "Expected an array of 1–100 events with eventId, subscriptionId, portalId, occurredAt (ms) and subscriptionType.",
    );
  }
  return parsed.data;
}

const KIND_BY_ACTION: Record<string, LeadEventKind> = {
  creation: "created",
  propertyChange: "property_changed",
  deletion: "deleted",
  privacyDeletion: "privacy_deleted",
  merge: "merged",
  restore: "restored",
  associationChange: "association_changed",
};

/** Properties whose change means "a form was just submitted" (HubSpot has no form-submission webhook). */
const CONVERSION_PROPERTIES = new Set(["recent_conversion_date", "num_conversion_events"]);

/**
 * HubSpot's eventId is not unique on its own; the documented identity is this tuple (reference §1.4).
 */
export function hubSpotEventKey(e: HubSpotEvent): string {
  const objectId = e.objectId ?? e.fromObjectId;
  return ["hs", e.portalId, e.subscriptionId, e.eventId, objectId, e.propertyName ?? "", e.occurredAt].join(
    ":",
  );
}

/** Normalises one verified HubSpot event; `null` for event kinds Handoff does not act on. */
export function normaliseHubSpotEvent(e: HubSpotEvent, connectionId: string): LeadEvent | null {
  const type = (e.subscriptionType ?? e.eventType)!;
  const [object, action] = type.split(".") as [string, string | undefined];
  const objectType =
    object === "contact" || (object === "object" && e.objectTypeId === "0-1")
      ? "contact"
      : object === "company" || (object === "object" && e.objectTypeId === "0-2")
        ? "company"
        : object === "object" && e.objectTypeId === "0-136"
          ? "lead"
          : "other";
  let kind = action ? KIND_BY_ACTION[action] : undefined;
  if (!kind) return null;
  if (kind === "property_changed" && e.propertyName && CONVERSION_PROPERTIES.has(e.propertyName)) {
    kind = "form_submitted";
  }
  const objectId = String(e.objectId ?? e.fromObjectId);
  const event: LeadEvent = {
    connectionId,
    crm: "hubspot",
    eventKey: hubSpotEventKey(e),
    kind,
    objectType,
    objectId: kind === "merged" && e.primaryObjectId !== undefined ? String(e.primaryObjectId) : objectId,
    occurredAt: new Date(e.occurredAt).toISOString(),
    raw: { ...e },
  };
  if (e.propertyName !== undefined) event.propertyName = e.propertyName;
  if (e.propertyValue !== undefined) event.propertyValue = e.propertyValue;
  if (e.changeSource !== undefined) event.changeSource = e.changeSource;
  if (e.mergedObjectIds) event.mergedObjectIds = e.mergedObjectIds.map(String);
  return event;
}
