import type { LeadField } from "../../domain/conditions";
import type { Sla } from "../../domain/sla";
import { fieldsUsedBySla } from "../../domain/sla-fields";

/**
 * Lead fields → the standard HubSpot contact property they are read from (see hubspot/hubspot-mapper.ts). A field
 * with no standard property (business model) is absent: a rule on it never fires in HubSpot.
 */
const HUBSPOT_PROPERTY: Partial<Record<LeadField, string>> = {
  email: "email",
  emailDomain: "email",
  firstName: "firstname",
  lastName: "lastname",
  company: "company",
  jobTitle: "jobtitle",
  seniority: "hs_seniority",
  industry: "industry",
  employees: "numemployees",
  annualRevenue: "annualrevenue",
  country: "country",
  state: "state",
  postalCode: "zip",
  city: "city",
  leadSource: "hs_analytics_source",
  stage: "lifecyclestage",
  crmStage: "lifecyclestage",
  leadStatus: "hs_lead_status",
  ownerId: "hubspot_owner_id",
};

/**
 * Changes Handoff must always hear about, whatever the SLA says: a conversion (HubSpot has no
 * form-submission webhook; `recent_conversion_date` moves instead), and stage, status and owner set by people.
 */
const ALWAYS = ["recent_conversion_date", "lifecyclestage", "hs_lead_status", "hubspot_owner_id"];

/**
 * HubSpot contact properties whose changes can change a lead's score, stage or routing under this SLA. Every one
 * must be subscribed in webhooks/hubspot-webhooks-hsmeta.json (test/unit/app-manifest.test.ts checks it against
 * the SLA files in config/), or a change in HubSpot would go unnoticed.
 */
export function hubSpotPropertiesScoredBy(sla: Sla): string[] {
  const { leadFields, properties } = fieldsUsedBySla(sla);
  const names = new Set<string>(ALWAYS);
  for (const field of leadFields) {
    const property = HUBSPOT_PROPERTY[field];
    if (property) names.add(property);
  }
  for (const property of properties) names.add(property);
  return [...names].sort();
}
