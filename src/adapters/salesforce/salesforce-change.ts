import type { LeadEvent, LeadField } from "../../domain/lead";

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
