import { XMLParser, XMLValidator } from "fast-xml-parser";
import { InvalidPayloadError } from "../../domain/errors";
import { checkOccurredAt, cleanForJsonb, type IncomingEvent } from "../../domain/screen-event";
import { salesforceChange, salesforceRecord } from "./salesforce-change";

/** Salesforce puts at most 100 notifications in one outbound message. */
export const MAX_NOTIFICATIONS = 100;

export interface OutboundNotification {
  id: string;
  sObjectType: string;
  fields: Record<string, string>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  sessionId: string | null;
  enterpriseUrl?: string;
  partnerUrl?: string;
  notifications: OutboundNotification[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  // Only the five predefined XML entities; DOCTYPE is refused before parsing.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === "Notification",
});

function invalid(message: string, path = ""): InvalidPayloadError {
  return new InvalidPayloadError(
    message,
    [{ path, message }],
    "Expected a SOAP 1.1 outbound message from a Salesforce Flow.",
  );
}

/**
 * Parses a Salesforce outbound message (SOAP 1.1, reference/salesforce.md §3a). Refuses DOCTYPE/entity
 * declarations outright (no entity expansion attacks) and anything that is not well-formed.
 * @throws InvalidPayloadError
 */
export function parseOutboundMessage(xml: string): OutboundMessage {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw invalid("DOCTYPE and entity declarations are not allowed");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw invalid(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    // The parser's own limits (nesting depth, entity expansion) are the sender's problem, not a crash.
    throw invalid(`XML refused by the parser: ${(err as Error).message.slice(0, 200)}`);
  }
  const envelope = doc.Envelope as Record<string, unknown> | undefined;
  const body = envelope?.Body as Record<string, unknown> | undefined;
  const n = body?.notifications as Record<string, unknown> | undefined;
  if (!n) throw invalid("no soapenv:Body/notifications element", "Envelope.Body.notifications");
  const organizationId = text(n.OrganizationId);
  if (!organizationId || !/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(organizationId)) {
    throw invalid("OrganizationId is missing or not an org id (00D…)", "notifications.OrganizationId");
  }
  const list = (n.Notification as unknown[] | undefined) ?? [];
  if (list.length === 0 || list.length > MAX_NOTIFICATIONS) {
    throw invalid(
      `expected 1–${MAX_NOTIFICATIONS} Notification elements, got ${list.length}`,
      "notifications.Notification",
    );
  }
  const notifications = list.map((raw, i): OutboundNotification => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const id = text(item.Id);
    const sObject = item.sObject as Record<string, unknown> | undefined;
    if (!id || !sObject)
      throw invalid("Notification needs Id and sObject", `notifications.Notification[${i}]`);
    const type = String(sObject["@type"] ?? "").replace(/^.*:/, "");
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(sObject)) {
      if (key.startsWith("@")) continue;
      const v = text(value);
      if (v !== null) fields[key] = v;
    }
    if (!fields.Id) throw invalid("sObject has no Id", `notifications.Notification[${i}].sObject.Id`);
    return { id, sObjectType: type || "Lead", fields };
  });
  const message: OutboundMessage = {
    organizationId,
    actionId: text(n.ActionId) ?? "",
    sessionId: text(n.SessionId),
    notifications,
  };
  const enterpriseUrl = text(n.EnterpriseUrl);
  const partnerUrl = text(n.PartnerUrl);
  if (enterpriseUrl) message.enterpriseUrl = enterpriseUrl;
  if (partnerUrl) message.partnerUrl = partnerUrl;
  return message;
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o["@nil"] === "true") return null;
    if (typeof o["#text"] === "string") return o["#text"];
    return null;
  }
  return null;
}

/**
 * Outbound messages are sent again (with the record's latest values) until acked: dedupe on notification Id.
 * Text is cleaned of what jsonb refuses and the modification time range-checked; a notification that
 * needed either is quarantined (kept parked with its fields as sent) instead of faulting the whole message.
 */
export function normaliseOutboundNotification(
  sent: OutboundNotification,
  connectionId: string,
  receivedAt: string,
  nowMs: number,
): IncomingEvent {
  const { value: n, problems } = cleanForJsonb(sent);
  const stamp = n.fields.LastModifiedDate ?? n.fields.SystemModstamp;
  const when = stamp === undefined ? { iso: receivedAt } : checkOccurredAt(stamp, nowMs);
  if ("problem" in when) problems.push(`LastModifiedDate: ${when.problem}`);
  const objectType = n.sObjectType === "Lead" ? "lead" : n.sObjectType === "Contact" ? "contact" : "other";
  const record = salesforceRecord(objectType);
  const event: IncomingEvent = {
    connectionId,
    crm: "salesforce",
    eventKey: `sf:${n.id}`,
    kind: n.fields.IsDeleted === "true" ? "deleted" : "property_changed",
    objectType,
    ...(record ? { record } : {}),
    objectId: n.fields.Id!,
    occurredAt: "iso" in when ? when.iso : receivedAt,
    // What the use cases read: the acting user (a message carries the record, not which field changed).
    ...salesforceChange({ fields: n.fields }),
    raw: { notificationId: n.id, sObjectType: n.sObjectType, fields: n.fields },
  };
  if (problems.length > 0) event.quarantine = { reason: problems.join("; "), raw: JSON.stringify(sent) };
  return event;
}

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n <soapenv:Body>\n';
const ENVELOPE_CLOSE = " </soapenv:Body>\n</soapenv:Envelope>\n";

/** The Ack that tells Salesforce every notification in the message is stored. */
export const SOAP_ACK =
  ENVELOPE_OPEN +
  '  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">\n   <Ack>true</Ack>\n  </notificationsResponse>\n' +
  ENVELOPE_CLOSE;

export function soapFault(faultcode: "soapenv:Client" | "soapenv:Server", faultstring: string): string {
  const escaped = faultstring.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n <soapenv:Body>\n' +
    `  <soapenv:Fault>\n   <faultcode>${faultcode}</faultcode>\n   <faultstring>${escaped}</faultstring>\n  </soapenv:Fault>\n` +
    ENVELOPE_CLOSE
  );
}
