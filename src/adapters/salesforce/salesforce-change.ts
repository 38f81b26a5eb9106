import type { LeadEvent, LeadField, RecordKind } from "../../domain/lead";

/** What a Salesforce change means in Handoff's words: fields touched, who made it, the acting user. */
export type LeadChange = Pick<LeadEvent, "changed" | "changedBy" | "actorId">;

/**
 * Salesforce fields Handoff acts on by name. A Lead's `Status` is both its lifecycle stage and sales' status
 * (Salesforce has no separate lifecycle field on Leads).
 */
const FIELDS: Record<string, LeadField[]> = {
  Status: ["stage", "status"],
  OwnerId: ["owner"],
};

/**
 * What a Salesforce record is in Handoff's words: a Lead is the person; a Contact is a person sales keeps (a lead
 * conversion makes one).
 */
export function salesforceRecord(objectType: LeadEvent["objectType"]): RecordKind | undefined {
  return objectType === "lead" ? "person" : objectType === "contact" ? "sales_contact" : undefined;
}

/**
 * Reads a Salesforce change in Handoff's words. An outbound message carries the record as it is now, not which
 * field changed, so `changed` is empty unless the field is named; the acting user is the record's
 * `LastModifiedById`.
 */
export function salesforceChange(e: { propertyName?: string | undefined; fields?: unknown }): LeadChange {
  const change: LeadChange = { changed: (e.propertyName && FIELDS[e.propertyName]) || [] };
  // Handoff's own fields (`Handoff_Fit_Score__c`, …): their changes are Handoff's writes coming back.
  if (e.propertyName?.startsWith("Handoff_") || e.propertyName?.startsWith("handoff_"))
    change.changedBy = "handoff";
  const modifiedBy = (e.fields as Record<string, unknown> | undefined)?.LastModifiedById;
  if (typeof modifiedBy === "string") change.actorId = modifiedBy;
  return change;
}

/** Salesforce ids compare on their first 15 characters (the 18-character form adds a case checksum). */
export function sameSalesforceId(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.slice(0, 15) === b.slice(0, 15);
}

/** The owner an outbound message's record carries, when `userId` modified the record last (`LastModifiedById`). */
export function ownerWrittenBy(event: { raw: Record<string, unknown> }, userId: string): string | null {
  const fields = event.raw.fields as Record<string, unknown> | undefined;
  const by = fields?.LastModifiedById;
  const ownerId = fields?.OwnerId;
  if (typeof by !== "string" || typeof ownerId !== "string") return null;
  return sameSalesforceId(by, userId) ? ownerId : null;
}

/** Whether a Salesforce record read through the API was last modified by `userId` (read only when it is text). */
export function leadWrittenBy(lead: { properties: Record<string, unknown> }, userId: string): boolean {
  const by = lead.properties.LastModifiedById;
  return typeof by === "string" && sameSalesforceId(by, userId);
}
