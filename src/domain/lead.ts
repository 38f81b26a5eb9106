/**
 * The lead as Handoff sees it, whatever CRM it came from. CRM field names stop at the mappers:
 * nothing in here is called `hs_*`, `NumberOfEmployees` or `__c`.
 */
export type Crm = "hubspot" | "salesforce";

/** Lifecycle stages Handoff reasons about. `opportunity` and `customer` belong to the CRM. */
export type Stage = "subscriber" | "lead" | "nurture" | "mql" | "sql" | "opportunity" | "customer" | "other";

export interface Lead {
  /** The CRM record id (HubSpot contact id, Salesforce Lead id). */
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  jobTitle?: string;
  seniority?: string;
  industry?: string;
  employees?: number;
  annualRevenue?: number;
  country?: string;
  state?: string;
  postalCode?: string;
  city?: string;
  businessModel?: string;
  leadSource?: string;
  stage?: Stage;
  /** The raw CRM stage value, kept for records and custom stages. */
  crmStage?: string;
  leadStatus?: string;
  ownerId?: string;
  createdAt?: string;
  updatedAt?: string;
  /** UTM and source of the first/last visit, for marketing's per-channel reports. */
  utm?: { source?: string; medium?: string; campaign?: string };
  /** Set once sales converted the lead (Salesforce lead conversion): it is sales' from then on. */
  conversion?: LeadConversion;
  /**
   * Where a CRM keeps people in two kinds of record (Salesforce Leads and Contacts): a `contact` is a person sales
   * already works with. @default "lead"
   */
  recordKind?: "lead" | "contact";
  /** Every other CRM property, typed as the CRM gave it, for `property:` rules. */
  properties: Record<string, string | number | boolean | null>;
}

/** What a converted lead became (Salesforce `ConvertedDate`, `ConvertedContactId`, …). */
export interface LeadConversion {
  /** The conversion date (`YYYY-MM-DD`, Salesforce keeps a date only). */
  convertedOn: string;
  contactId?: string;
  accountId?: string;
  opportunityId?: string;
}

export type ActivityKind =
  | "page_view"
  | "form_submission"
  | "content_download"
  | "webinar_attended"
  | "email_open"
  | "email_click"
  | "contact_me"
  | "demo_request"
  | "chat";

/**
 * Where an activity was read: the CRM's event feed (exact, e.g. HubSpot web analytics on Enterprise), a
 * property's history (coarser: HubSpot's "Last Page Seen" below Enterprise), or Handoff's own records.
 */
export type ActivitySource = "crm_events" | "property_history" | "handoff";

export interface Activity {
  kind: ActivityKind;
  /** Where it was read. @default unknown (older records) */
  source?: ActivitySource;
  /** ISO-8601 instant. */
  occurredAt: string;
  /** Page URL (page views, submissions) — path or full URL. */
  url?: string;
  title?: string;
  /** Form id/name for submissions; asset name for downloads; webinar name; e-mail campaign. */
  name?: string;
  /** Stable id from the CRM where there is one (conversion id, event id). */
  id?: string;
}

/**
 * A lead field a CRM change can touch, in Handoff's words: the lifecycle `stage`, sales' lead `status`, the `owner`,
 * or the stage of the CRM's Lead record that tracks a handoff (`record_stage`: HubSpot's Leads object).
 */
export type LeadField = "stage" | "status" | "owner" | "record_stage";

/**
 * Who made a CRM change: a `person` in the CRM (its UI or app), an `integration` (an API client, a workflow, an
 * import), or `handoff` itself (its own write, echoed back by the CRM).
 */
export type ChangedBy = "person" | "integration" | "handoff";

/**
 * What a CRM record is, in Handoff's words: a `person` Handoff may hand over (a HubSpot contact, a Salesforce
 * lead); a `sales_contact`, a person sales already keeps as a contact (a Salesforce contact: a lead conversion
 * makes one, so it may be a person Handoff handed over before); or the CRM's `lead_record` that tracks a handoff
 * (HubSpot's Leads object), whose stage is sales' word on it.
 */
export type RecordKind = "person" | "sales_contact" | "lead_record";

/** What the CRM told us: one normalised webhook event. */
export type LeadEventKind =
  | "created"
  | "property_changed"
  | "form_submitted"
  | "deleted"
  | "privacy_deleted"
  | "merged"
  | "association_changed"
  | "restored";

export interface LeadEvent {
  connectionId: string;
  crm: Crm;
  /** Dedupe key from the CRM's event identity (HubSpot's eventId is not unique alone). */
  eventKey: string;
  kind: LeadEventKind;
  objectType: "contact" | "lead" | "company" | "other";
  /**
   * What the record is, in Handoff's words (absent for companies and other objects). Set at intake by the CRM's
   * folder; events stored before it was are read with it by the event store.
   */
  record?: RecordKind;
  objectId: string;
  /** ISO-8601 instant the change happened in the CRM. */
  occurredAt: string;
  /**
   * The lead's fields the change touched, in Handoff's words; empty when none Handoff acts on by name (or the CRM
   * does not say which). Set at intake by the CRM's folder; absent only on events stored before it was.
   */
  changed?: LeadField[];
  /** Who made the change; absent when the CRM does not say. */
  changedBy?: ChangedBy;
  /** The CRM user who made the change, when the CRM says. */
  actorId?: string;
  /** A bulk change (an import, a batch update, a migration): nobody is waiting for it. */
  bulk?: boolean;
  /** The new value of the changed field, as the CRM sent it (a status, a stage). */
  propertyValue?: string;
  /** The CRM's own name for the changed field, kept for the lead's history; use cases read `changed`. */
  propertyName?: string;
  /** The CRM's own word for where the change came from, kept for the record; use cases read `changedBy`. */
  changeSource?: string;
  /** Merge: ids that were merged into `objectId`. */
  mergedObjectIds?: string[];
  /** The CRM's raw event (ids and property names only; see intake for what is kept). */
  raw: Record<string, unknown>;
}
