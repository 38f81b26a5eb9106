import { HUBSPOT_DEMO_FORMS, recordFormSubmission } from "../../src/sandbox/hubspot/seed";
import { recordPageView } from "../../src/sandbox/hubspot/state";
import type { SandboxServer } from "../../src/sandbox/server";

/**
 * Adds to the HubSpot sandbox a contact that the default SLA qualifies: a VP at a German software company
 * with pricing-page views and a "Contact me" submission just before `at`.
 */
export function addQualifyingContact(sandbox: SandboxServer, id: string, at: number, n = 0): void {
  const hs = sandbox.hubspot;
  const properties: Record<string, string | null> = {
    email: `lead${id}@kraus-software${n}.example`,
    firstname: "Lena",
    lastname: `Kraus ${id}`,
    company: `Kraus Software ${n} GmbH`,
    jobtitle: "VP Sales",
    numemployees: "450",
    industry: "software",
    country: "DE",
    city: "Berlin",
    zip: "10115",
    lifecyclestage: "lead",
    hs_lead_status: "NEW",
  };
  recordFormSubmission(
    hs,
    id,
    properties,
    HUBSPOT_DEMO_FORMS.contactMe.id,
    at - 60_000,
    "https://www.handoff-demo.example/contact",
  );
  const contact = {
    id,
    properties,
    createdAt: new Date(at - 86_400_000).toISOString(),
    updatedAt: new Date(at).toISOString(),
    archived: false,
  };
  hs.objects.get("contacts")!.set(id, contact);
  for (let i = 0; i < 3; i += 1) {
    recordPageView(hs, contact, {
      id: `pv-${id}-${i}`,
      url: "https://www.handoff-demo.example/pricing",
      title: "Pricing",
      at: new Date(at - (i + 2) * 60_000).toISOString(),
    });
  }
}

/** A contact.propertyChange delivery as HubSpot sends it (webhooks v3 payload, one event). */
function contactPropertyChange(
  portalId: number,
  contactId: string,
  eventId: number,
  at: number,
  change: {
    subscriptionId: number;
    propertyName: string;
    propertyValue: string;
    changeSource: string;
    sourceId: string;
  },
) {
  const { subscriptionId, ...property } = change;
  return {
    eventId,
    subscriptionId,
    portalId,
    appId: 424242,
    occurredAt: at,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: Number(contactId),
    ...property,
  };
}

/** The contact.propertyChange delivery HubSpot sends for a form submission. */
export function formSubmittedEvent(portalId: number, contactId: string, eventId: number, at: number) {
  return contactPropertyChange(portalId, contactId, eventId, at, {
    subscriptionId: 25,
    propertyName: "recent_conversion_date",
    propertyValue: String(at),
    changeSource: "FORM",
    sourceId: "form",
  });
}

/** The contact.propertyChange delivery HubSpot sends when a person edits a contact's job title in the CRM. */
export function jobTitleChangedEvent(portalId: number, contactId: string, eventId: number, at: number) {
  return contactPropertyChange(portalId, contactId, eventId, at, {
    subscriptionId: 2001,
    propertyName: "jobtitle",
    propertyValue: "VP Sales",
    changeSource: "CRM_UI",
    sourceId: "userId:1",
  });
}

/**
 * A web-to-lead submission the default SLA qualifies: a VP Sales at a 240-person software company in Cologne.
 * Pass what differs (name, e-mail, company, country) as overrides.
 */
export function dachWebLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    FirstName: "Jonas",
    LastName: "Lang",
    Company: "Rhein Cloud AG",
    Email: "jonas.lang@rhein-cloud.de",
    Title: "VP Sales",
    NumberOfEmployees: 240,
    Industry: "Software",
    Country: "Germany",
    CountryCode: "DE",
    PostalCode: "50667",
    LeadSource: "Web",
    ...overrides,
  };
}
