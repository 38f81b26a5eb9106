import { AppError } from "../domain/errors";
import { isOwnWrite } from "../domain/event-triage";
import type { LeadEvent, LeadField } from "../domain/lead";
import type { Clock } from "../ports/clock";
import type { ConnectionLink, ConnectionLinkStore, SyncConnector } from "../ports/connection-links";
import type { CrmPort } from "../ports/crm";
import type { EventStore, StoredEvent } from "../ports/events";
import type { LeadStore } from "../ports/leads";
import type { Logger } from "../ports/logger";

/**
 * HubSpot for marketing, Salesforce for sales, joined by HubSpot's Salesforce connector.
 *
 * What the connector does (HubSpot knowledge base, "Salesforce integration"):
 * - It syncs a HubSpot contact to a Salesforce lead (or to the existing lead/contact with the same e-mail) when a
 *   sync is triggered: a form submission syncs "as quickly as possible, typically in less than a minute", other
 *   changes at its 15-minute check
 *   (https://knowledge.hubspot.com/salesforce/salesforce-integration-sync-triggers). The contact then carries
 *   the record's id (its "Salesforce Lead ID", or "Salesforce Contact ID" for a Salesforce contact).
 * - The owner mapping is always two-way: "the Owner mapping can only be mapped two-way between HubSpot and
 *   Salesforce", the most recent value wins, and an owner only syncs where the HubSpot owner and an active
 *   Salesforce user share name and e-mail
 *   (https://knowledge.hubspot.com/salesforce/map-hubspot-properties-to-salesforce-fields,
 *   https://knowledge.hubspot.com/salesforce/assignment-of-salesforce-owners-to-hubspot-contacts-companies-or-deals).
 *   So Handoff writes the owner on the Salesforce lead only: writing it on both sides too would make the two
 *   values race each other through the sync. The connector writes to Salesforce as its integration user, so an
 *   owner that user wrote is a sync, never a person's reassignment.
 */

/** Lead fields that are sales' in a synced pair (owner, status, stage live in Salesforce): no news from HubSpot. */
const SALES_OWNED_FIELDS = new Set<LeadField>(["owner", "status", "stage"]);

/** Kinds of marketing events that carry engagement or fit for the synced lead. */
const PASSED_KINDS = new Set<LeadEvent["kind"]>(["created", "form_submitted", "property_changed"]);

export interface SyncedPairDeps {
  links: ConnectionLinkStore;
  /** What HubSpot's Salesforce connector leaves on the records, read in the CRMs' words by their folder. */
  connector: SyncConnector;
  /** The CRM of a connection as installed (the HubSpot adapter for the marketing side). */
  crmFor(connectionId: string): Promise<CrmPort>;
  events: Pick<EventStore, "append">;
  leads: Pick<LeadStore, "latestHandoff">;
  now: Clock;
  /**
   * How long after the change in HubSpot an event of a contact the connector has not synced keeps waiting before
   * it is parked (four of the connector's 15-minute checks). @default 3600000 (1 hour)
   */
  syncWaitMs?: number;
}

/**
 * An event of a connection in a synced pair: a marketing event is passed on to the synced Salesforce lead (as an
 * event of the sales connection); an owner the connector carried onto a handed-over Salesforce lead is not a
 * reassignment. Either way the pair has handled it (`processed`/`ignored`); `pipeline` means the lead-event
 * pipeline handles it as any other event of the sales connection.
 */
export async function takeForSyncedPair(
  deps: SyncedPairDeps,
  link: ConnectionLink,
  event: StoredEvent,
  log: Logger,
): Promise<"processed" | "ignored" | "pipeline"> {
  if (event.connectionId === link.marketingConnectionId) return passToSales(deps, link, event, log);
  if (await isConnectorOwnerEcho(deps, link, event, log)) return "ignored";
  return "pipeline";
}

/**
 * A marketing event (HubSpot contact) becomes an event of its synced Salesforce lead, stored durably on the sales
 * connection (deduplicated by the HubSpot event's key), where the one SLA scores it with the contact's
 * engagement and the handoff happens. A contact the connector has not synced yet waits (retried) and is parked
 * with the reason when it stays unsynced.
 */
async function passToSales(
  deps: SyncedPairDeps,
  link: ConnectionLink,
  event: StoredEvent,
  log: Logger,
): Promise<"processed" | "ignored"> {
  if (event.kind === "privacy_deleted" || event.kind === "deleted") {
    await deps.links.forgetContact(link.marketingConnectionId, event.objectId);
    return "processed";
  }
  if (event.objectType !== "contact" || !PASSED_KINDS.has(event.kind) || isOwnWrite(event)) return "ignored";
  if (event.changed?.some((field) => SALES_OWNED_FIELDS.has(field))) {
    // The connector echoes the Salesforce owner and status back into HubSpot: sales' own news, already had.
    return "ignored";
  }
  const marketing = await deps.crmFor(link.marketingConnectionId);
  const synced = await deps.connector.syncedRecordOf(marketing, event.objectId);
  if (!synced) return "ignored";
  const leadId = synced.leadId;
  if (!leadId) {
    if (synced.contactId) {
      log.info("contact synced to a Salesforce contact: already sales'", { contactId: event.objectId });
      return "ignored";
    }
    throw notSyncedError(deps, event);
  }
  await deps.links.rememberSynced(
    {
      marketingConnectionId: link.marketingConnectionId,
      contactId: event.objectId,
      salesConnectionId: link.salesConnectionId,
      salesLeadId: leadId,
    },
    deps.now(),
  );
  const passed = await deps.events.append([
    {
      connectionId: link.salesConnectionId,
      crm: "salesforce",
      eventKey: `pair:${event.eventKey}`,
      kind: event.kind === "form_submitted" ? "form_submitted" : "property_changed",
      objectType: "lead",
      record: "person",
      objectId: leadId,
      occurredAt: event.occurredAt,
      // Who made the marketing change; no field of the sales lead changed by it.
      changed: [],
      ...(event.changedBy ? { changedBy: event.changedBy } : {}),
      raw: {
        marketingConnectionId: link.marketingConnectionId,
        marketingEventKey: event.eventKey,
        contactId: event.objectId,
        ...(event.propertyName ? { marketingProperty: event.propertyName } : {}),
      },
    },
  ]);
  log.info("marketing event passed to the synced Salesforce lead", {
    contactId: event.objectId,
    salesConnectionId: link.salesConnectionId,
    leadId,
    stored: passed.stored.length,
  });
  return "processed";
}

function notSyncedError(deps: SyncedPairDeps, event: StoredEvent): AppError {
  const waitMs = deps.syncWaitMs ?? 3_600_000;
  // Measured from the change in HubSpot (the form submission): the connector's delays run from there.
  const waited = deps.now().getTime() - Date.parse(event.occurredAt);
  const keepWaiting = !(waited >= waitMs);
  const minutes = Math.max(0, Math.round(waited / 60_000));
  return new AppError(
    "contact_not_synced",
    `HubSpot contact ${event.objectId} has no Salesforce lead yet (its Salesforce Lead ID is empty after ${minutes} min): ` +
      (keepWaiting
        ? "waiting for HubSpot's Salesforce connector to sync it"
        : "HubSpot's Salesforce connector did not sync it"),
    {
      retryable: keepWaiting,
      hint:
        "The connector syncs a form submission within about a minute and other changes within 15 minutes. Open the " +
        "contact's Salesforce Sync card in HubSpot: a sync error (a required Salesforce field such as Company or " +
        "Last Name is empty, the contact is outside the inclusion list) is fixed there; then replay this event.",
    },
  );
}

/**
 * The connector carried an owner onto a handed-over Salesforce lead (written by its integration user): the most
 * recent HubSpot value of the two-way owner mapping, e.g. the contact's old owner. Not a person's reassignment:
 * the handoff, its owner's slot and its clock stay, and Handoff writes nothing back (that would start the
 * flip-flop the one-sided owner avoids). Logged, so an admin can find the HubSpot workflow or import behind it.
 */
async function isConnectorOwnerEcho(
  deps: SyncedPairDeps,
  link: ConnectionLink,
  event: StoredEvent,
  log: Logger,
): Promise<boolean> {
  if (event.objectType !== "lead") return false;
  const ownerId = deps.connector.ownerWrittenBy(event, link.integrationUserId);
  if (ownerId === null) return false;
  const handoff = await deps.leads.latestHandoff(event.connectionId, event.objectId);
  if (handoff?.status !== "open" || !handoff.ownerId || deps.connector.sameId(ownerId, handoff.ownerId))
    return false;
  log.warn("owner carried back by HubSpot's Salesforce connector: not a reassignment", {
    leadId: event.objectId,
    handoffId: handoff.id,
    handoffOwnerId: handoff.ownerId,
    carriedOwnerId: ownerId,
  });
  return true;
}
