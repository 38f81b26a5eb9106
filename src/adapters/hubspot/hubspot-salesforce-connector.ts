import type { SyncConnector } from "../../ports/connection-links";
import type { CrmPort } from "../../ports/crm";
import { leadWrittenBy, ownerWrittenBy, sameSalesforceId } from "../salesforce/salesforce-change";

/**
 * The HubSpot contact properties the connector fills with the synced Salesforce record's id
 * (https://knowledge.hubspot.com/salesforce/salesforce-integration-sync-triggers: "Salesforce Lead ID",
 * "Salesforce Contact ID").
 */
const SYNCED_ID_PROPERTIES = ["salesforceleadid", "salesforcecontactid"] as const;

function idProperty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * HubSpot's Salesforce connector as the synced pair reads it: the contact says which Salesforce record it was
 * synced to, and the connector writes to Salesforce as its integration user (`LastModifiedById`).
 */
export const hubSpotSalesforceConnector: SyncConnector = {
  async syncedRecordOf(marketing: CrmPort, contactId: string) {
    const [contact] = await marketing.getLeads([contactId], [...SYNCED_ID_PROPERTIES]);
    if (!contact) return null;
    const leadId = idProperty(contact.properties.salesforceleadid);
    const syncedContactId = idProperty(contact.properties.salesforcecontactid);
    return {
      ...(leadId ? { leadId } : {}),
      ...(syncedContactId ? { contactId: syncedContactId } : {}),
    };
  },
  ownerWrittenBy,
  leadWrittenBy,
  sameId: sameSalesforceId,
};
