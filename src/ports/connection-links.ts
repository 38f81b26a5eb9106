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
