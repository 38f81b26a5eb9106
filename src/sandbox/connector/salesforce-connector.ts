import type { HubSpotTrafficGenerator } from "../hubspot/traffic";
import { isoNow, setWithHistory, type HubSpotRecord, type HubSpotSandboxState } from "../hubspot/state";
import {
  objectOrThrow,
  SandboxApiError,
  prepareCreate,
  prepareUpdate,
  recordsOf,
} from "../salesforce/records";
import { salesforceId } from "../salesforce/ids";
import type { SalesforceTrafficGenerator } from "../salesforce/traffic";
import type { SalesforceSandboxState, SObjectRecord } from "../salesforce/state";

/**
 * HubSpot's Salesforce connector, between one sandbox portal and one sandbox org, as strict as the real one:
 *
 * - A contact syncs when a sync is triggered: a form submission "as quickly as possible, typically in less than a
 *   minute", any other change at the connector's 15-minute check
 *   (https://knowledge.hubspot.com/salesforce/salesforce-integration-sync-triggers).
 * - Only contacts in the inclusion list sync (every contact when there is none); a contact without an e-mail
 *   address never syncs: the connector matches records by e-mail. On its first sync the connector looks for a
 *   Salesforce lead or contact with the same e-mail and syncs to the most recently updated one; only when there is
 *   none does it create a lead
 *   (https://knowledge.hubspot.com/articles/kcs_article/salesforce/does-a-hubspot-field-need-separate-mappings-for-leads-and-contacts).
 * - Salesforce's own rules apply to what it creates: a lead without Last Name or Company is refused
 *   (REQUIRED_FIELD_MISSING) and the contact shows the sync error until it is fixed and synced again.
 * - The new lead's owner is the contact's HubSpot owner when that owner matches an active Salesforce user by name
 *   and e-mail; otherwise Salesforce's lead assignment rule decides. After that the owner mapping is two-way, the
 *   most recent value wins, and only owners that match a user on the other side sync
 *   (https://knowledge.hubspot.com/salesforce/assignment-of-salesforce-owners-to-hubspot-contacts-companies-or-deals,
 *   https://knowledge.hubspot.com/salesforce/map-hubspot-properties-to-salesforce-fields).
 * - The contact then carries `salesforceleadid` (or `salesforcecontactid`); every write in Salesforce is made as
 *   the connector's integration user, every write in HubSpot has the source SALESFORCE.
 */
export interface SalesforceConnectorOptions {
  hubspot: HubSpotSandboxState;
  salesforce: SalesforceSandboxState;
  /** Queues the HubSpot webhooks of the connector's writes to contacts (owner changes). */
  hubspotTraffic?: HubSpotTrafficGenerator;
  /** The org's Flow: notifies the app of the leads the connector creates or updates. */
  salesforceTraffic?: SalesforceTrafficGenerator;
  /** From a form submission to the Salesforce write. @default 30000 (HubSpot: typically under a minute) */
  formSyncDelayMs?: number;
  /** The connector's periodic check: other changes and owner changes sync then. @default 900000 (15 minutes) */
  checkIntervalMs?: number;
  /** HubSpot's inclusion list: only contacts it admits sync. @default every contact */
  inclusion?: (contact: HubSpotRecord) => boolean;
  /** The Salesforce user the connector logs in as. @default a "HubSpot Integration" user it adds to the org */
  integrationUserId?: string;
}

/** HubSpot contact property → Salesforce Lead field: the connector's default contact mappings that leads have. */
const FIELD_MAPPINGS: [hubspot: string, salesforce: string, kind: "text" | "number"][] = [
  ["firstname", "FirstName", "text"],
  ["lastname", "LastName", "text"],
  ["email", "Email", "text"],
  ["company", "Company", "text"],
  ["jobtitle", "Title", "text"],
  ["industry", "Industry", "text"],
  ["numemployees", "NumberOfEmployees", "number"],
  ["country", "Country", "text"],
  ["zip", "PostalCode", "text"],
  ["city", "City", "text"],
];

/** The contact properties the connector adds to the portal when it is installed. */
const SYNC_PROPERTIES: [name: string, label: string][] = [
  ["salesforceleadid", "Salesforce Lead ID"],
  ["salesforcecontactid", "Salesforce Contact ID"],
  ["salesforcelastsynctime", "Last Salesforce Sync Time"],
];

export const CONNECTOR_INTEGRATION_USER_ID = salesforceId("005", 80090);

interface SyncedPerson {
  contactId: string;
  recordType: "Lead" | "Contact";
  recordId: string;
  /** Owner values as last synced, on each side, with when each side last changed. */
  hubspotOwner: string | null;
  salesforceOwner: string | null;
}

export interface SyncOutcome {
  contactId: string;
  result: "created" | "matched" | "updated" | "skipped" | "error";
  recordId?: string;
  error?: string;
}

export class SalesforceConnector {
  /** Contact id → due time (sandbox clock) of its next sync. */
  private readonly due = new Map<string, number>();
  private readonly synced = new Map<string, SyncedPerson>();
  /** The contact's last conversion seen, to notice form submissions. */
  private readonly seenConversion = new Map<string, string>();
  /** The Salesforce Sync card's error per contact. */
  readonly syncErrors = new Map<string, string>();
  readonly integrationUserId: string;
  private timer: NodeJS.Timeout | undefined;
  private lastCheck: number;

  constructor(private readonly options: SalesforceConnectorOptions) {
    this.integrationUserId = options.integrationUserId ?? CONNECTOR_INTEGRATION_USER_ID;
    this.lastCheck = options.hubspot.now();
    this.install();
  }

  private get formDelay(): number {
    return this.options.formSyncDelayMs ?? 30_000;
  }

  private get checkInterval(): number {
    return this.options.checkIntervalMs ?? 900_000;
  }

  /** The connector's properties in HubSpot and its integration user in Salesforce. */
  private install(): void {
    const { hubspot, salesforce } = this.options;
    const contactProperties = hubspot.properties.get("contacts");
    const at = isoNow(hubspot);
    for (const [name, label] of SYNC_PROPERTIES) {
      if (contactProperties && !contactProperties.has(name)) {
        contactProperties.set(name, {
          name,
          label,
          type: "string",
          fieldType: "text",
          groupName: "salesforceinformation",
          description: "Set by the Salesforce integration.",
          options: [],
          hidden: false,
          hubspotDefined: true,
          createdAt: at,
          updatedAt: at,
        });
      }
    }
    const users = recordsOf(salesforce, objectOrThrow(salesforce, "User"));
    if (!users.has(this.integrationUserId)) {
      users.set(this.integrationUserId, {
        Id: this.integrationUserId,
        Username: "hubspot.integration@handoff-demo.example",
        FirstName: "HubSpot",
        LastName: "Integration",
        Name: "HubSpot Integration",
        Email: "hubspot.integration@handoff-demo.example",
        IsActive: true,
        UserType: "Standard",
        ManagerId: null,
        Department: "Integrations",
        Title: "Integration user",
        TimeZoneSidKey: "Europe/Berlin",
      });
    }
  }

  private get ctx() {
    return { autoAssignOff: true, userId: this.integrationUserId };
  }

  /** A sync trigger for one contact: a form submission syncs after `formSyncDelayMs`, anything else at the check. */
  trigger(contactId: string, kind: "form" | "change"): void {
    const now = this.options.hubspot.now();
    const at = kind === "form" ? now + this.formDelay : this.lastCheck + this.checkInterval;
    const current = this.due.get(contactId);
    if (current === undefined || at < current) this.due.set(contactId, at);
  }

  /** Notices form submissions and changes in the portal since the last look (what HubSpot's triggers do). */
  watch(): void {
    for (const contact of this.options.hubspot.objects.get("contacts")?.values() ?? []) {
      const conversion = contact.properties.recent_conversion_date ?? "";
      if (conversion !== "" && this.seenConversion.get(contact.id) !== conversion) {
        this.seenConversion.set(contact.id, conversion);
        this.trigger(contact.id, "form");
      } else if (
        !this.synced.has(contact.id) &&
        !this.due.has(contact.id) &&
        !this.syncErrors.has(contact.id)
      ) {
        this.trigger(contact.id, "change");
      }
    }
  }

  /** Runs every sync that is due by the sandbox clock, then the periodic check when its time has come. */
  runDue(): SyncOutcome[] {
    this.watch();
    const now = this.options.hubspot.now();
    const outcomes: SyncOutcome[] = [];
    for (const [contactId, at] of [...this.due]) {
      if (at > now) continue;
      this.due.delete(contactId);
      outcomes.push(this.syncContact(contactId));
    }
    if (now - this.lastCheck >= this.checkInterval) {
      this.lastCheck = now;
      this.syncOwners();
    }
    return outcomes;
  }

  /** Syncs one contact now (a due sync, or "Resync with Salesforce" on its record). */
  syncContact(contactId: string): SyncOutcome {
    const contact = this.options.hubspot.objects.get("contacts")?.get(contactId);
    if (!contact || contact.archived) return { contactId, result: "skipped" };
    if (this.options.inclusion && !this.options.inclusion(contact)) return { contactId, result: "skipped" };
    const email = contact.properties.email?.trim().toLowerCase();
    if (!email) return { contactId, result: "skipped", error: "no e-mail address" };
    const known = this.synced.get(contactId);
    try {
      if (known) {
        this.updateRecord(known, contact);
        return { contactId, result: "updated", recordId: known.recordId };
      }
      const match = this.findByEmail(email);
      const person: SyncedPerson = match
        ? {
            contactId,
            recordType: match.type,
            recordId: match.record.Id,
            hubspotOwner: contact.properties.hubspot_owner_id ?? null,
            salesforceOwner: String(match.record.OwnerId ?? "") || null,
          }
        : this.createLead(contact);
      this.synced.set(contactId, person);
      this.syncErrors.delete(contactId);
      this.stamp(contact, person);
      // An existing record's owner is honoured on the first sync.
      if (match) this.ownerToHubSpot(person, contact);
      return { contactId, result: match ? "matched" : "created", recordId: person.recordId };
    } catch (e) {
      // As the contact's Salesforce Sync card shows it: Salesforce's error code and message.
      const message =
        e instanceof SandboxApiError
          ? e.errors.map((x) => `${x.errorCode}: ${x.message}`).join("; ")
          : e instanceof Error
            ? e.message
            : String(e);
      this.syncErrors.set(contactId, message);
      return { contactId, result: "error", error: message };
    }
  }

  private findByEmail(email: string): { type: "Lead" | "Contact"; record: SObjectRecord } | undefined {
    const { salesforce } = this.options;
    const candidates: { type: "Lead" | "Contact"; record: SObjectRecord }[] = [];
    for (const type of ["Lead", "Contact"] as const) {
      for (const record of salesforce.records.get(type)?.values() ?? []) {
        if (type === "Lead" && record.IsConverted === true) continue;
        if (String(record.Email ?? "").toLowerCase() === email) candidates.push({ type, record });
      }
    }
    return candidates.sort((a, b) =>
      String(b.record.LastModifiedDate ?? "").localeCompare(String(a.record.LastModifiedDate ?? "")),
    )[0];
  }

  private mappedFields(contact: HubSpotRecord): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const [from, to, kind] of FIELD_MAPPINGS) {
      const value = contact.properties[from];
      if (value === null || value === undefined || value === "") continue;
      fields[to] = kind === "number" ? Number(value) : value;
    }
    return fields;
  }

  /** The HubSpot owner's Salesforce user: same name and e-mail, active. */
  private userForOwner(ownerId: string | null | undefined): string | undefined {
    const owner = this.options.hubspot.owners.find((o) => o.id === ownerId && !o.archived);
    if (!owner) return undefined;
    for (const user of this.options.salesforce.records.get("User")?.values() ?? []) {
      if (
        user.IsActive === true &&
        String(user.Email ?? "").toLowerCase() === owner.email.toLowerCase() &&
        user.FirstName === owner.firstName &&
        user.LastName === owner.lastName
      ) {
        return user.Id;
      }
    }
    return undefined;
  }

  /** The HubSpot owner of a Salesforce user: same name and e-mail. */
  private ownerForUser(userId: string | null | undefined): string | undefined {
    const user = userId ? this.options.salesforce.records.get("User")?.get(userId) : undefined;
    if (!user) return undefined;
    return this.options.hubspot.owners.find(
      (o) =>
        !o.archived &&
        o.email.toLowerCase() === String(user.Email ?? "").toLowerCase() &&
        o.firstName === user.FirstName &&
        o.lastName === user.LastName,
    )?.id;
  }

  private createLead(contact: HubSpotRecord): SyncedPerson {
    const { salesforce } = this.options;
    const fields = this.mappedFields(contact);
    const owner = this.userForOwner(contact.properties.hubspot_owner_id);
    if (owner) fields.OwnerId = owner;
    // Without a matching owner, Salesforce's lead assignment rule decides (the connector does not turn it off).
    const id = prepareCreate(salesforce, objectOrThrow(salesforce, "Lead"), fields, {
      autoAssignOff: owner !== undefined,
      userId: this.integrationUserId,
    }).commit();
    this.options.salesforceTraffic?.notify(id);
    const lead = salesforce.records.get("Lead")!.get(id)!;
    return {
      contactId: contact.id,
      recordType: "Lead",
      recordId: id,
      hubspotOwner: contact.properties.hubspot_owner_id ?? null,
      salesforceOwner: String(lead.OwnerId ?? "") || null,
    };
  }

  private updateRecord(person: SyncedPerson, contact: HubSpotRecord): void {
    const { salesforce } = this.options;
    const record = salesforce.records.get(person.recordType)?.get(person.recordId);
    if (!record || (person.recordType === "Lead" && record.IsConverted === true)) return;
    const fields = this.mappedFields(contact);
    const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => record[k] !== v));
    if (Object.keys(changed).length === 0) return;
    prepareUpdate(
      salesforce,
      objectOrThrow(salesforce, person.recordType),
      person.recordId,
      changed,
      this.ctx,
    ).commit();
    if (person.recordType === "Lead") this.options.salesforceTraffic?.notify(person.recordId);
  }

  private stamp(contact: HubSpotRecord, person: SyncedPerson): void {
    const at = isoNow(this.options.hubspot);
    const property = person.recordType === "Lead" ? "salesforceleadid" : "salesforcecontactid";
    setWithHistory(contact, property, person.recordId, at, "SALESFORCE");
    setWithHistory(contact, "salesforcelastsynctime", String(Date.parse(at)), at, "SALESFORCE");
    contact.updatedAt = at;
  }

  /**
   * The owner mapping, both ways, for every synced person: a side that changed since the last sync wins; when
   * both changed, the more recent change wins (Salesforce's `LastModifiedDate` against the HubSpot owner's
   * history). Run at the periodic check.
   */
  syncOwners(): void {
    for (const person of this.synced.values()) {
      const contact = this.options.hubspot.objects.get("contacts")?.get(person.contactId);
      const record = this.options.salesforce.records.get(person.recordType)?.get(person.recordId);
      if (!contact || !record) continue;
      const hubspotOwner = contact.properties.hubspot_owner_id ?? null;
      const salesforceOwner = String(record.OwnerId ?? "") || null;
      const hubspotChanged = hubspotOwner !== person.hubspotOwner;
      const salesforceChanged = salesforceOwner !== person.salesforceOwner;
      if (!hubspotChanged && !salesforceChanged) continue;
      const hubspotAt = Date.parse(contact.history?.hubspot_owner_id?.[0]?.timestamp ?? "") || 0;
      const salesforceAt = Date.parse(String(record.LastModifiedDate ?? "").replace(/\+0000$/, "Z")) || 0;
      if (hubspotChanged && (!salesforceChanged || hubspotAt > salesforceAt))
        this.ownerToSalesforce(person, contact);
      else this.ownerToHubSpot(person, contact);
    }
  }

  /** Carries the contact's HubSpot owner onto the Salesforce record, as the integration user. */
  ownerToSalesforce(person: SyncedPerson, contact: HubSpotRecord): void {
    const { salesforce } = this.options;
    const user = this.userForOwner(contact.properties.hubspot_owner_id);
    const record = salesforce.records.get(person.recordType)?.get(person.recordId);
    person.hubspotOwner = contact.properties.hubspot_owner_id ?? null;
    if (!user || !record || (person.recordType === "Lead" && record.IsConverted === true)) return;
    if (record.OwnerId !== user) {
      prepareUpdate(
        salesforce,
        objectOrThrow(salesforce, person.recordType),
        person.recordId,
        { OwnerId: user },
        this.ctx,
      ).commit();
      if (person.recordType === "Lead") this.options.salesforceTraffic?.notify(person.recordId);
    }
    person.salesforceOwner = user;
  }

  /** Carries the Salesforce owner onto the HubSpot contact (source SALESFORCE), where a matching owner exists. */
  ownerToHubSpot(person: SyncedPerson, contact: HubSpotRecord): void {
    const record = this.options.salesforce.records.get(person.recordType)?.get(person.recordId);
    const salesforceOwner = String(record?.OwnerId ?? "") || null;
    person.salesforceOwner = salesforceOwner;
    const owner = this.ownerForUser(salesforceOwner);
    if (!owner || contact.properties.hubspot_owner_id === owner) {
      person.hubspotOwner = contact.properties.hubspot_owner_id ?? null;
      return;
    }
    const at = isoNow(this.options.hubspot);
    setWithHistory(contact, "hubspot_owner_id", owner, at, "SALESFORCE");
    contact.updatedAt = at;
    person.hubspotOwner = owner;
    this.options.hubspotTraffic?.queue("contact.propertyChange", contact.id, {
      propertyName: "hubspot_owner_id",
      propertyValue: owner,
      changeSource: "SALESFORCE",
    });
  }

  /** The synced Salesforce record of a contact, if it has synced. */
  recordOf(contactId: string): { type: "Lead" | "Contact"; id: string } | undefined {
    const person = this.synced.get(contactId);
    return person ? { type: person.recordType, id: person.recordId } : undefined;
  }

  /** Checks for due syncs every `everyMs` of wall time (the demo), flushing the Flow's notifications. */
  start(everyMs = 1_000): void {
    this.timer ??= setInterval(() => {
      this.runDue();
      void this.options.salesforceTraffic?.flush().catch(() => []);
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
