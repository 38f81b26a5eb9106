import { createHash, createHmac } from "node:crypto";
import { z } from "zod";
import { sameBytes } from "../crypto/constant-time";
import {
  InvalidPayloadError,
  InvalidSignatureError,
  MissingHeaderError,
  type PayloadIssue,
} from "../../domain/errors";
import type { ChangedBy, LeadEvent, LeadEventKind, LeadField, RecordKind } from "../../domain/lead";
import { checkOccurredAt, cleanForJsonb, type IncomingEvent } from "../../domain/screen-event";

/*
 * A HubSpot webhook delivery, read in three steps on the raw bytes HubSpot sent: its v3 signature is checked,
 * the body is parsed with zod event by event, and each event is said in Handoff's words (which lead field
 * changed, who changed it, the acting user) as a `LeadEvent`.
 */

// ── 1. The v3 signature ──────────────────────────────────────────────────────────────────────────────────

/** HubSpot rejects nothing older than 5 minutes; we also refuse timestamps more than 5 minutes ahead. */
export const MAX_SIGNATURE_AGE_MS = 300_000;

// The only sequences HubSpot decodes before signing v3 (reference/hubspot.md §2.1 rule 2).
const DECODED: Record<string, string> = {
  "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
  "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}; // prettier-ignore

/** Decodes the 12 sequences HubSpot decodes in the signed URI, and nothing else (`%20` stays). */
export function decodeHubSpotUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export interface HubSpotSignedRequest {
  method: string;
  /** The full URL HubSpot called: the configured PUBLIC_URL + path + query, never rebuilt from proxy headers. */
  url: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** v3: base64 HMAC-SHA256 over METHOD + decodedURI + rawBody + timestamp, keyed with the app secret. */
export function signHubSpotV3(
  secret: string,
  method: string,
  url: string,
  rawBody: Buffer | string,
  timestamp: string,
) {
  return createHmac("sha256", secret)
    .update(method.toUpperCase())
    .update(decodeHubSpotUri(url))
    .update(rawBody)
    .update(timestamp)
    .digest("base64");
}

/**
 * Verifies HubSpot's v3 signature on the raw bytes, before anything is parsed. Accepts the current and the
 * previous client secret so that secrets can be rotated.
 * @throws MissingHeaderError (400) when a header is absent; InvalidSignatureError (401) when stale or wrong.
 */
export function verifyHubSpotSignature(req: HubSpotSignedRequest, secrets: string[], now: number): void {
  if (!req.signature) {
    throw new MissingHeaderError(
      "X-HubSpot-Signature-v3",
      "HubSpot sends it on every request of an OAuth app; check that the request comes from HubSpot.",
    );
  }
  if (!req.timestamp) {
    throw new MissingHeaderError("X-HubSpot-Request-Timestamp", "HubSpot sends it with every v3 signature.");
  }
  const ts = Number(req.timestamp);
  if (!/^\d{10,16}$/.test(req.timestamp) || !Number.isFinite(ts)) {
    throw new InvalidSignatureError(
      "X-HubSpot-Request-Timestamp is not epoch milliseconds",
      "The timestamp must be a decimal number of milliseconds.",
      "invalid_timestamp",
    );
  }
  if (Math.abs(now - ts) > MAX_SIGNATURE_AGE_MS) {
    throw new InvalidSignatureError(
      `request timestamp is ${Math.round((now - ts) / 1000)} s away from now (limit 300 s)`,
      "A replayed or delayed request; if all requests fail, check this server's clock (NTP).",
      "stale_signature",
    );
  }
  const given = Buffer.from(req.signature, "utf8");
  for (const secret of secrets) {
    const expected = Buffer.from(
      signHubSpotV3(secret, req.method, req.url, req.rawBody, req.timestamp),
      "utf8",
    );
    if (sameBytes(expected, given)) return;
  }
  throw new InvalidSignatureError(
    "signature mismatch",
    "Was the body re-encoded by a proxy, or does PUBLIC_URL differ from the URL HubSpot calls? Check HUBSPOT_CLIENT_SECRET for a trailing newline.",
  );
}

// ── 2. The delivery, parsed with zod ───────────────────────────────────────────────────────────────────────

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

const deliverySchema = z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_DELIVERY);

export interface HubSpotDelivery {
  /** Events that match HubSpot's schema, in delivery order. */
  events: HubSpotEvent[];
  /** Events that do not: parked under their portal when it is known, so one never fails its neighbours. */
  invalid: { raw: unknown; portalId: string | null; issues: PayloadIssue[] }[];
}

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return (prefix + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")).replace(
    /^\./,
    "",
  );
}

/**
 * Parses a verified delivery body event by event. Only a body that is not a JSON array of 1–100 events, or
 * whose every event breaks the schema, is refused; every schema problem is listed with its path
 * (`[3].occurredAt`).
 * @throws InvalidPayloadError
 */
export function parseHubSpotDelivery(rawBody: Buffer): HubSpotDelivery {
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
  const hint =
    "Expected an array of 1–100 events with eventId, subscriptionId, portalId, occurredAt (ms) and subscriptionType.";
  const outer = deliverySchema.safeParse(json);
  if (!outer.success) {
    const issues = outer.error.issues.map((i) => ({ path: issuePath("", i.path), message: i.message }));
    throw new InvalidPayloadError("delivery is not an array of 1–100 events", issues, hint);
  }
  const delivery: HubSpotDelivery = { events: [], invalid: [] };
  for (const [index, raw] of outer.data.entries()) {
    const parsed = hubSpotEventSchema.safeParse(raw);
    if (parsed.success) {
      delivery.events.push(parsed.data);
      continue;
    }
    const portalId = (raw as { portalId?: unknown } | null)?.portalId;
    delivery.invalid.push({
      raw,
      portalId: typeof portalId === "number" || typeof portalId === "string" ? String(portalId) : null,
      issues: parsed.error.issues.map((i) => ({ path: issuePath(`[${index}]`, i.path), message: i.message })),
    });
  }
  if (delivery.events.length === 0) {
    const issues = delivery.invalid.flatMap((i) => i.issues);
    throw new InvalidPayloadError(
      `delivery does not match HubSpot's webhook schema (${issues.length} issue(s))`,
      issues.slice(0, 50),
      hint,
    );
  }
  return delivery;
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

/**
 * Normalises one verified HubSpot event; `null` for event kinds Handoff does not act on. Text is cleaned of
 * what jsonb refuses and the event time is range-checked; an event that needed either is quarantined.
 */
export function normaliseHubSpotEvent(
  sent: HubSpotEvent,
  connectionId: string,
  nowMs: number,
  deliveryBody = "",
): IncomingEvent | null {
  const { value: e, problems } = cleanForJsonb(sent);
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
  const when = checkOccurredAt(e.occurredAt, nowMs);
  const record = hubSpotRecord(objectType);
  const event: IncomingEvent = {
    connectionId,
    crm: "hubspot",
    eventKey: hubSpotEventKey(e),
    kind,
    objectType,
    ...(record ? { record } : {}),
    objectId: kind === "merged" && e.primaryObjectId !== undefined ? String(e.primaryObjectId) : objectId,
    occurredAt: "iso" in when ? when.iso : new Date(nowMs).toISOString(),
    // What the use cases read: which field changed in Handoff's words, who changed it, the acting user.
    ...hubSpotChange(e),
    raw: { ...e },
  };
  if ("problem" in when) problems.push(`occurredAt: ${when.problem}`);
  if (problems.length > 0) event.quarantine = rawForQuarantine(sent, problems.join("; "), deliveryBody);
  if (e.propertyName !== undefined) event.propertyName = e.propertyName;
  if (e.propertyValue !== undefined) event.propertyValue = e.propertyValue;
  if (e.changeSource !== undefined) event.changeSource = e.changeSource;
  if (e.mergedObjectIds) event.mergedObjectIds = e.mergedObjectIds.map(String);
  return event;
}

/**
 * An event that breaks HubSpot's schema, kept parked under its portal's connection with the issues as the
 * reason. Its key is the hash of what was sent, so a redelivery is recognised as a duplicate.
 */
export function unreadableHubSpotEvent(
  invalid: HubSpotDelivery["invalid"][number],
  connectionId: string,
  nowMs: number,
  deliveryBody = "",
): IncomingEvent {
  const issues = invalid.issues.map((i) => `${i.path} ${i.message}`).join("; ");
  const quarantine = rawForQuarantine(
    invalid.raw,
    `does not match HubSpot's webhook schema: ${issues}`.slice(0, 1000),
    deliveryBody,
  );
  const digest = createHash("sha256").update(quarantine.raw).digest("hex").slice(0, 32);
  const { value: cleaned } = cleanForJsonb({ raw: invalid.raw as Record<string, unknown> });
  const objectId = (invalid.raw as { objectId?: unknown }).objectId;
  return {
    connectionId,
    crm: "hubspot",
    eventKey: `hs:${invalid.portalId}:unreadable:${digest}`,
    kind: "property_changed",
    objectType: "other",
    objectId: cleanForJsonb(
      typeof objectId === "number" || typeof objectId === "string" ? String(objectId) : "unknown",
    ).value,
    occurredAt: new Date(nowMs).toISOString(),
    changed: [],
    raw: typeof cleaned.raw === "object" && cleaned.raw !== null ? cleaned.raw : { value: cleaned.raw },
    quarantine,
  };
}

/**
 * The event as sent, re-serialised losslessly (NULs and lone surrogates come back as `\u` escapes). A value
 * too deep to serialise keeps the whole delivery's bytes instead, and the reason says so.
 */
function rawForQuarantine(sent: unknown, reason: string, deliveryBody: string) {
  try {
    return { reason, raw: JSON.stringify(sent) };
  } catch {
    return { reason: `${reason} (raw form is the whole delivery)`, raw: deliveryBody };
  }
}

// ── 3. What a change means, in Handoff's words ─────────────────────────────────────────────────────────────

/** What a HubSpot property change means in Handoff's words: fields touched, who made it, the acting user. */
export type LeadChange = Pick<LeadEvent, "changed" | "changedBy" | "actorId" | "bulk">;

/** HubSpot properties Handoff acts on by name (contacts; `hs_pipeline_stage` and the reason on Lead records). */
const FIELDS: Record<string, LeadField> = {
  lifecyclestage: "stage",
  hs_lead_status: "status",
  hubspot_owner_id: "owner",
  hs_pipeline_stage: "record_stage",
  hs_lead_disqualification_reason: "record_stage",
};

/**
 * `changeSource` values of a person at work: the CRM's UI, its mobile apps, and a person's edit synced from
 * Salesforce. Other sources (API, INTEGRATION, FORM, WORKFLOWS, IMPORT…) are integrations. The full list is not
 * documented (https://developers.hubspot.com/docs/api-reference/webhooks-webhooks-v3/guide: "changeSource").
 */
const BY_PERSON = new Set(["CRM_UI", "CRM", "MOBILE_IOS", "MOBILE_ANDROID", "SALESFORCE"]);

/** Property-history sources of work that nobody is waiting for. */
const BULK_SOURCES = new Set(["IMPORT", "BATCH_UPDATE", "MIGRATION"]);

/** Handoff's own properties (`handoff_fit_score`, …): their changes are Handoff's writes coming back. */
const isHandoffProperty = (name: string | undefined) =>
  name?.startsWith("handoff_") === true || name?.startsWith("Handoff_") === true;

/** What a HubSpot object is in Handoff's words: a contact is the person, a Lead (0-136) the record tracking a handoff. */
export function hubSpotRecord(objectType: LeadEvent["objectType"]): RecordKind | undefined {
  return objectType === "contact" ? "person" : objectType === "lead" ? "lead_record" : undefined;
}

/**
 * Reads a HubSpot change in Handoff's words.
 * @example hubSpotChange({ propertyName: "hs_lead_status", changeSource: "CRM_UI", sourceId: "userId:123" })
 *   // → { changed: ["status"], changedBy: "person", actorId: "123" }
 */
export function hubSpotChange(e: {
  propertyName?: string | undefined;
  changeSource?: string | undefined;
  sourceId?: unknown;
}): LeadChange {
  const field = e.propertyName === undefined ? undefined : FIELDS[e.propertyName];
  const change: LeadChange = { changed: field ? [field] : [] };
  const changedBy: ChangedBy | undefined = isHandoffProperty(e.propertyName)
    ? "handoff"
    : e.changeSource === undefined
      ? undefined
      : BY_PERSON.has(e.changeSource)
        ? "person"
        : "integration";
  if (changedBy) change.changedBy = changedBy;
  // `sourceId` names the acting user as `userId:123` when a person made the change.
  if (typeof e.sourceId === "string") change.actorId = e.sourceId.replace(/^userId:/, "");
  if (e.changeSource !== undefined && BULK_SOURCES.has(e.changeSource)) change.bulk = true;
  return change;
}
