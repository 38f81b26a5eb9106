/**
 * Which lead fields and CRM properties an SLA reads: what the CRM batch read must fetch, what the webhook
 * subscriptions must cover, and what a test keeps honest against webhooks/ and app.json.
 */
import { resolveField, type LeadField } from "./conditions";
import type { When } from "./routing-rules";
import type { Sla } from "./sla";

export interface SlaFields {
  /** Lead fields (camelCase, as in `Lead`) named by required fields, fit rules and territories. */
  leadFields: LeadField[];
  /** CRM property names used through `property:<name>`. */
  properties: string[];
}

/** Every field the SLA scores on, requires or routes by, sorted and without duplicates. */
export function fieldsUsedBySla(sla: Sla): SlaFields {
  const leadFields = new Set<LeadField>();
  const properties = new Set<string>();
  const add = (name: string): void => {
    const field = resolveField(name);
    if (field === undefined) return;
    if (typeof field === "object") properties.add(field.property);
    else leadFields.add(field);
  };
  const addWhen = (when: When): void => {
    for (const name of Object.keys(when)) add(name);
  };
  sla.requiredFields.forEach(add);
  for (const rule of sla.fit) addWhen(rule.when);
  for (const territory of sla.routing.territories) addWhen(territory.when);
  return { leadFields: [...leadFields].sort(), properties: [...properties].sort() };
}
