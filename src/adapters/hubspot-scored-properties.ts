/**
 * HubSpot contact properties whose changes can change a lead's score, stage or routing. Every one must be
 * subscribed in webhooks/hubspot-webhooks-hsmeta.json (test/unit/app-manifest.test.ts checks it), or a change in
 * HubSpot would go unnoticed until the next sweep.
 *
 * The list follows the default SLA (config/sla.default.yaml): fit rules on company size, industry, job title and
 * location, the conversion that triggers engagement, and the required fields. It is meant to be derived from the
 * SLA's conditions through the HubSpot mapper.
 */
export const scoredProperties: readonly string[] = [
  // Fit: `employees`, `industry`, `jobtitle`, `country`, `state`, `postal_code`.
  "numemployees",
  "industry",
  "jobtitle",
  "country",
  "state",
  "zip",
  // Required fields before a handoff.
  "email",
  "firstname",
  "lastname",
  "company",
  // Engagement: HubSpot has no form-submission webhook; a conversion moves recent_conversion_date.
  "recent_conversion_date",
  // Stage and ownership changed in HubSpot by people.
  "lifecyclestage",
  "hs_lead_status",
  "hubspot_owner_id",
];
