import {
  normaliseOutboundNotification,
  parseOutboundMessage,
  SOAP_ACK,
} from "../../adapters/salesforce/salesforce-outbound-message";
import type { IncomingEvent } from "../../domain/screen-event";
import { objectOrThrow, prepareCreate } from "../../sandbox/salesforce/records";
import type { SalesforceSandboxState } from "../../sandbox/salesforce/state";
import { createSalesforceTrafficGenerator } from "../../sandbox/salesforce/traffic";
import type { Channel, QuarterPlayer } from "./quarter-plan";
import type { TravelClock } from "./travel-clock";

/**
 * Salesforce's lead sources: the website's web-to-lead form ("Web", the SLA's "contact me") and channels whose
 * people sales hears of without a form. Only a form hands a lead over at once; the others wait for enough fit and
 * engagement, which a Lead alone rarely shows, so the channels' qualified rates differ.
 */
const CHANNELS: readonly Channel[] = [
  { source: "Web", share: 0.55, icp: 0.65, intent: 1 },
  { source: "Partner Referral", share: 0.15, icp: 0.85, intent: 1 },
  { source: "Webinar", share: 0.15, icp: 0.5, intent: 1 },
  { source: "Purchased List", share: 0.15, icp: 0.2, intent: 1 },
];
/** Companies outside the ideal customer profile (too small). */
const SMALL_FIRMS = [
  { Company: "Seine Data", domain: "seinedata.fr", Country: "France", CountryCode: "FR", Employees: 90 },
  {
    Company: "Kiosk Müller",
    domain: "kiosk-mueller.de",
    Country: "Germany",
    CountryCode: "DE",
    Employees: 6,
  },
  { Company: "Café Sol", domain: "cafesol.es", Country: "Spain", CountryCode: "ES", Employees: 12 },
] as const;

/**
 * The demo Salesforce org's side of a replayed quarter: web-to-lead and other sources create Leads, reps log
 * their calls as Tasks (Handoff's follow-up clock reads them) and convert the Leads they accept; the demo Flow's
 * outbound messages for each moment are read back as Salesforce sent them (parsed, normalised) and handed to
 * `intake`. Salesforce's outbound message carries the record, not which field changed, so reps reject on the card.
 */
export function salesforceQuarterPlayer(deps: {
  state: SalesforceSandboxState;
  connectionId: string;
  instanceUrl: string;
  clock: TravelClock;
  random: () => number;
  intake: (events: IncomingEvent[]) => Promise<void>;
}): QuarterPlayer {
  const { state, connectionId, clock, random } = deps;
  let failure: unknown;
  const traffic = createSalesforceTrafficGenerator(state, {
    webhookUrl: "http://demo-history.invalid/webhooks/salesforce",
    instanceUrl: deps.instanceUrl,
    random,
    delivery: {
      maxAttempts: 1,
      fetch: async (_url, init) => {
        try {
          const message = parseOutboundMessage(String(init?.body ?? ""));
          const receivedAt = clock().toISOString();
          await deps.intake(
            message.notifications.map((n) =>
              normaliseOutboundNotification(n, connectionId, receivedAt, clock.ms()),
            ),
          );
        } catch (err) {
          failure ??= err;
        }
        return new Response(SOAP_ACK, { status: 200, headers: { "content-type": "text/xml" } });
      },
    },
  });
  async function deliver(): Promise<void> {
    await traffic.flush();
    if (failure !== undefined) throw failure;
  }
  const leads = () => state.records.get("Lead");

  return {
    channels: CHANNELS,
    async arrive({ channel, firm, title }) {
      const small = SMALL_FIRMS[Math.floor(random() * SMALL_FIRMS.length)]!;
      const id = traffic.createLead({
        LeadSource: channel.source,
        Title: title,
        ...(firm
          ? {
              Company: firm.company,
              Country: firm.countryName,
              CountryCode: firm.country,
              PostalCode: firm.zip,
              Industry: firm.industry === "fintech" ? "Finance" : "Software",
              NumberOfEmployees: firm.employees,
            }
          : {
              Company: small.Company,
              Country: small.Country,
              CountryCode: small.CountryCode,
              NumberOfEmployees: small.Employees,
            }),
      });
      const record = leads()?.get(id);
      if (record)
        record.Email = String(record.Email).replace(/@.*$/, `@${firm ? firm.domain : small.domain}`);
      await deliver();
      return id;
    },
    // A Lead carries no page views or forms after it is created: nobody comes back in the demo org.
    askAgain: () => Promise.resolve(false),
    userOf: (ownerId) => (ownerId?.startsWith("005") ? ownerId : null),
    touch(leadId, userId) {
      // The rep logs the call; Handoff's follow-up clock finds it at its next timer.
      prepareCreate(
        state,
        objectOrThrow(state, "Task"),
        {
          WhoId: leadId,
          OwnerId: userId,
          Subject: "Call",
          Type: "Call",
          TaskSubtype: "Call",
          Status: "Completed",
        },
        { autoAssignOff: true, userId },
      ).commit();
      return Promise.resolve();
    },
    async acceptInCrm(leadId, userId) {
      // Sales takes the lead by converting it: the Flow tells Handoff, which closes the handoff as accepted.
      traffic.convertLead({ leadId, by: userId, doNotCreateOpportunity: random() < 0.3 });
      await deliver();
      return true;
    },
    rejectInCrm: () => Promise.resolve(false),
  };
}
