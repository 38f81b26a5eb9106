import type { LeadEvent } from "../domain/lead";
import { hubSpotChange } from "./hubspot/hubspot-change";
import { salesforceChange } from "./salesforce/salesforce-change";

/**
 * An event in Handoff's words whatever its age: events stored before intake said which field changed, who changed
 * it and the acting user (`changed` absent) are read in those words from the CRM's own, as intake reads them
 * today, so a parked event from before replays the same way.
 */
export function inProductWords<E extends LeadEvent>(event: E): E {
  if (event.changed !== undefined) return event;
  const change =
    event.crm === "hubspot"
      ? hubSpotChange({
          propertyName: event.propertyName,
          changeSource: event.changeSource,
          sourceId: event.raw?.sourceId,
        })
      : salesforceChange({ propertyName: event.propertyName, fields: event.raw?.fields });
  return { ...event, ...change };
}
