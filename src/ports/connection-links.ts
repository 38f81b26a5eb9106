import type { LeadEvent } from "../domain/lead";
import type { CrmPort } from "./crm";

/**
 * A synced pair: a HubSpot connection that runs marketing linked to the Salesforce connection where sales works,
 * joined by HubSpot's Salesforce connector. Engagement comes from the marketing side; the handoff, its owner, task,
 * status and feedback live on the sales side.
 */
export interface ConnectionLink {
  /** The HubSpot connection (marketing). */
  marketingConnectionId: string;
  /** The Salesforce connection (sales). */
  salesConnectionId: string;
  /** The Salesforce user the HubSpot connector writes as: its owner changes are syncs, not reassignments. */
  integrationUserId: string;
  linkedBy: string;
  linkedAt: string;
}

export type NewConnectionLink = Omit<ConnectionLink, "linkedAt">;

/** Which HubSpot contact a synced Salesforce lead is. */
export interface SyncedRecord {
  marketingConnectionId: string;
  contactId: string;
  salesConnectionId: string;
  salesLeadId: string;
}

export interface ConnectionLinkStore {
  /** Creates or replaces the pair of `marketingConnectionId`. */
  link(link: NewConnectionLink, at: Date): Promise<ConnectionLink>;
  /** @returns false when the connection was in no pair */
  unlink(marketingConnectionId: string): Promise<boolean>;
  list(): Promise<ConnectionLink[]>;
  /** The pair a connection is in, on either side. */
  ofConnection(connectionId: string): Promise<ConnectionLink | null>;
  /** Records (or moves) which contact a synced lead is. */
  rememberSynced(record: SyncedRecord, at: Date): Promise<void>;
  /** The HubSpot contact of a synced Salesforce lead. */
  contactOf(salesConnectionId: string, salesLeadId: string): Promise<SyncedRecord | null>;
  /** The synced Salesforce lead of a HubSpot contact. */
  salesLeadOf(marketingConnectionId: string, contactId: string): Promise<SyncedRecord | null>;
  /** Forgets a contact (privacy deletion in HubSpot). */
  forgetContact(marketingConnectionId: string, contactId: string): Promise<void>;
}

/**
 * What HubSpot's Salesforce connector leaves on the records it syncs, read in each CRM's own words by its folder
 * (`adapters/hubspot/hubspot-salesforce-connector.ts`), so the synced pair's use case names no CRM field.
 */
export interface SyncConnector {
  /**
   * The Salesforce record the connector synced a HubSpot contact to: a lead (`leadId`), a contact (`contactId`),
   * or neither yet (`{}`); null when the marketing CRM no longer has the contact.
   */
  syncedRecordOf(
    marketing: CrmPort,
    contactId: string,
  ): Promise<{ leadId?: string; contactId?: string } | null>;
  /** The owner a sales-side event's lead now has, when `userId` (the connector's integration user) wrote it last. */
  ownerWrittenBy(event: Pick<LeadEvent, "raw">, userId: string): string | null;
  /** Whether a lead read from the sales CRM was last written by `userId`. */
  leadWrittenBy(lead: { properties: Record<string, unknown> }, userId: string): boolean;
  /** Whether two sales-side ids name the same record or user (Salesforce's 15- and 18-character forms). */
  sameId(a: string | null | undefined, b: string | null | undefined): boolean;
}
