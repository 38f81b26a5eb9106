import { normaliseHubSpotEvent, parseHubSpotDelivery } from "../../adapters/hubspot/hubspot-delivery";
import type { IncomingEvent } from "../../domain/screen-event";
import { isoNow, type HubSpotSandboxState } from "../../sandbox/hubspot/state";
import { HubSpotTrafficGenerator } from "../../sandbox/hubspot/traffic";
import type { Channel, QuarterPlayer } from "./quarter-plan";
import type { TravelClock } from "./travel-clock";

/** HubSpot's original sources (`hs_analytics_source`): five channels, each with its own people. */
const CHANNELS: readonly Channel[] = [
  { source: "PAID_SEARCH", share: 0.3, icp: 0.7, intent: 0.75 },
  { source: "ORGANIC_SEARCH", share: 0.3, icp: 0.55, intent: 0.55 },
  { source: "EMAIL_MARKETING", share: 0.15, icp: 0.5, intent: 0.4 },
  { source: "PAID_SOCIAL", share: 0.15, icp: 0.15, intent: 0.2 },
  { source: "REFERRALS", share: 0.1, icp: 0.85, intent: 0.85 },
];
/** Reasons a HubSpot lead status says by itself (the portal's default statuses). */
const STATUS_OF_REASON: Record<string, string> = { not_icp: "UNQUALIFIED", bad_timing: "BAD_TIMING" };

/**
 * The demo HubSpot portal's side of a replayed quarter: visitors become contacts, view pages and submit forms in
 * the sandbox, reps set the lead status; HubSpot's webhooks for each moment are read back as HubSpot sent them
 * (parsed, normalised) and handed to `intake`.
 */
export function hubSpotQuarterPlayer(deps: {
  state: HubSpotSandboxState;
  connectionId: string;
  clock: TravelClock;
  random: () => number;
  intake: (events: IncomingEvent[]) => Promise<void>;
}): QuarterPlayer {
  const { state, connectionId, clock, random } = deps;
  const traffic = new HubSpotTrafficGenerator({
    state,
    targetUrl: "http://demo-history.invalid/webhooks/hubspot",
    random,
    maxRetries: 0,
    fetch: async (_url, init) => {
      try {
        const body = Buffer.from(String(init?.body ?? ""));
        const delivery = parseHubSpotDelivery(body);
        await deps.intake(
          delivery.events.flatMap((e) => {
            const event = normaliseHubSpotEvent(e, connectionId, clock.ms(), body.toString("utf8"));
            return event ? [event] : [];
          }),
        );
      } catch (err) {
        failure ??= err;
      }
      return new Response(null, { status: 204 });
    },
  });
  // The generator retries what fails, as HubSpot does; the history is not the place to hide a failure.
  let failure: unknown;
  async function deliver(): Promise<void> {
    await traffic.flush();
    if (failure !== undefined) throw failure;
  }
  const contact = (id: string) => state.objects.get("contacts")?.get(id);

  /** A rep sets the lead status in HubSpot; HubSpot sends the change with the rep's user id. */
  async function setLeadStatus(leadId: string, status: string, userId: string): Promise<void> {
    const record = contact(leadId);
    if (!record) return;
    record.properties.hs_lead_status = status;
    record.properties.lastmodifieddate = isoNow(state);
    record.updatedAt = isoNow(state);
    traffic.queue("contact.propertyChange", leadId, {
      propertyName: "hs_lead_status",
      propertyValue: status,
      changeSource: "CRM_UI",
      sourceId: `userId:${userId}`,
    });
    await deliver();
  }

  return {
    channels: CHANNELS,
    async arrive({ channel, firm, title, asks }) {
      const id = traffic.createContact({
        hs_analytics_source: channel.source,
        jobtitle: title,
        ...(firm
          ? {
              company: firm.company,
              country: firm.country,
              industry: firm.industry,
              numemployees: String(firm.employees),
              zip: firm.zip,
            }
          : {}),
      });
      const record = contact(id);
      if (firm && record)
        record.properties.email = String(record.properties.email).replace(/@.*$/, `@${firm.domain}`);
      // HubSpot's analytics set the original source as the contact is created: the channel reports read it.
      traffic.queue("contact.propertyChange", id, {
        propertyName: "hs_analytics_source",
        propertyValue: channel.source,
        changeSource: "ANALYTICS",
      });
      traffic.viewPage(id, "https://www.handoff-demo.example/pricing");
      const forms = asks ? (["contactMe", "demoRequest"] as const) : (["ebook", "webinar"] as const);
      traffic.submitForm(id, forms[Math.floor(random() * forms.length)]!);
      await deliver();
      return id;
    },
    async askAgain(leadId) {
      if (!contact(leadId)) return false;
      traffic.viewPage(leadId, "https://www.handoff-demo.example/demo");
      traffic.submitForm(leadId, "demoRequest");
      await deliver();
      return true;
    },
    userOf(ownerId) {
      const userId = state.owners.find((o) => o.id === ownerId)?.userId;
      return userId === null || userId === undefined ? null : String(userId);
    },
    touch: (leadId, userId) => setLeadStatus(leadId, "IN_PROGRESS", userId),
    async acceptInCrm(leadId, userId) {
      await setLeadStatus(leadId, "OPEN_DEAL", userId);
      return true;
    },
    async rejectInCrm(leadId, userId, reason) {
      const status = STATUS_OF_REASON[reason];
      if (status === undefined) return false;
      await setLeadStatus(leadId, status, userId);
      return true;
    },
  };
}
