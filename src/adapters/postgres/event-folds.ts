import type { Crm, Lead } from "../../domain/lead";
import { toLead as hubSpotToLead, type HubSpotProperties } from "../hubspot/hubspot-mapper";
import { toContactLead, toLead as salesforceToLead } from "../salesforce/salesforce-mapper";

/** The columns of `events` a lead is rebuilt from (select them with these names). */
export const FOLD_COLUMNS =
  "object_id, object_type, payload->>'crm' AS crm, payload->>'propertyName' AS property_name, " +
  "payload->>'propertyValue' AS property_value, payload->'raw'->'fields' AS fields";

export interface FoldRow {
  object_id: string;
  object_type: string;
  crm: string;
  property_name: string | null;
  property_value: string | null;
  fields: Record<string, unknown> | null;
}

/** The property values a lead's stored events carried, folded in time order (later values win). */
export interface EventFold {
  crm: Crm;
  objectType: string;
  properties: HubSpotProperties;
  fields: Record<string, unknown>;
}

/** Folds one event row (read in time order) into its lead's fold. */
export function foldEvent(folds: Map<string, EventFold>, row: FoldRow): void {
  let fold = folds.get(row.object_id);
  if (!fold) {
    fold = {
      crm: row.crm === "salesforce" ? "salesforce" : "hubspot",
      objectType: row.object_type,
      properties: {},
      fields: {},
    };
    folds.set(row.object_id, fold);
  }
  if (row.property_name) fold.properties[row.property_name] = row.property_value;
  if (row.fields) Object.assign(fold.fields, row.fields);
}

/** A lead never handed over, rebuilt from its events through its CRM's mapper (the mappers own field names). */
export function leadFromFold(id: string, fold: EventFold | undefined): Lead {
  if (!fold) return { id, properties: {} };
  if (fold.crm === "salesforce") {
    const record = { ...fold.fields, Id: id };
    return fold.objectType === "contact" ? toContactLead(record) : salesforceToLead(record);
  }
  return hubSpotToLead({ id, properties: fold.properties });
}
