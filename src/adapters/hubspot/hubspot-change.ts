import type { ChangedBy, LeadEvent, LeadField } from "../../domain/lead";

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
