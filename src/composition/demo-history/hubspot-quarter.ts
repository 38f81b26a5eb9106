import { normaliseHubSpotEvent, parseHubSpotDelivery } from "../../adapters/hubspot/hubspot-delivery";
import type { RepAvailabilityStore } from "../../ports/rep-availability";
import { recordFeedback } from "../../app/record-feedback";
import { eventPriority, settlesWithoutWork } from "../../domain/event-triage";
import { asAppError } from "../../jobs/retry-policy";
import { withWorkPriority } from "../../ports/work-priority";
import type { EventStore } from "../../ports/events";
import type { HandoffRecord } from "../../ports/leads";
import type { Logger } from "../../ports/logger";
import { isoNow, type HubSpotSandboxState } from "../../sandbox/hubspot/state";
import { HubSpotTrafficGenerator } from "../../sandbox/hubspot/traffic";
import type { HandoffProduct } from "../compose";
import type { Agenda } from "./agenda";
import type { TravelClock } from "./travel-clock";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Where leads come from, how many of them look like the ideal customer, and how many ask to be called: channels
 * end up with different qualified rates because their people do, not because a rate is written down.
 */
const CHANNELS = [
  { source: "PAID_SEARCH", share: 0.3, icp: 0.7, intent: 0.75 },
  { source: "ORGANIC_SEARCH", share: 0.3, icp: 0.55, intent: 0.55 },
  { source: "EMAIL_MARKETING", share: 0.15, icp: 0.5, intent: 0.4 },
  { source: "PAID_SOCIAL", share: 0.15, icp: 0.15, intent: 0.2 },
  { source: "REFERRALS", share: 0.1, icp: 0.85, intent: 0.85 },
] as const;
/** Companies of the ideal customer profile (size, industry, country the SLA's fit rules reward). */
const ICP_COMPANIES = [
  // Bauwerk is an account with an owner in the demo portal: its people go to that owner.
  {
    company: "Bauwerk GmbH",
    domain: "bauwerk.de",
    country: "DE",
    industry: "software",
    employees: 850,
    zip: "80331",
  },
  {
    company: "Nordlicht Software GmbH",
    domain: "nordlicht-software.de",
    country: "DE",
    industry: "software",
    employees: 310,
    zip: "20095",
  },
  {
    company: "Donau Data GmbH",
    domain: "donau-data.at",
    country: "AT",
    industry: "software",
    employees: 180,
    zip: "1030",
  },
  {
    company: "Brisa Fintech S.L.",
    domain: "brisa-fintech.es",
    country: "ES",
    industry: "fintech",
    employees: 420,
    zip: "28013",
  },
  {
    company: "Tramuntana Cloud S.L.",
    domain: "tramuntana-cloud.es",
    country: "ES",
    industry: "software",
    employees: 150,
    zip: "08002",
  },
] as const;
const ICP_TITLES = ["VP Sales", "Director Revenue Operations", "CEO", "Head of Marketing"];
const OTHER_TITLES = ["Student", "Sales Manager", "Intern"];
/** Why sales turned leads down, and how often (the SLA's reasons). */
const REJECT_REASONS = [
  { reason: "not_icp", weight: 30, status: "UNQUALIFIED" },
  { reason: "bad_timing", weight: 20, status: "BAD_TIMING" },
  { reason: "no_budget", weight: 20 },
  { reason: "wrong_contact", weight: 14 },
  { reason: "student_or_job_seeker", weight: 10 },
  { reason: "duplicate", weight: 6 },
] as const;

export interface QuarterCounts {
  leads: number;
  events: number;
  parked: number;
}

export interface HubSpotQuarterDeps {
  state: HubSpotSandboxState;
  connectionId: string;
  clock: TravelClock;
  agenda: Agenda;
  /** The pipeline on the travelling clock. */
  history: HandoffProduct;
  events: EventStore;
  availability: RepAvailabilityStore;
  random: () => number;
  logger: Logger;
}

/**
 * Plans a portal's past `weeks` (up to `until`) on the agenda: visitors become contacts and submit forms in the
 * sandbox, HubSpot's webhooks for them go through Handoff's intake and pipeline at the moment they happened,
 * and reps answer the handoffs the way reps do: most call in time, some late, a few never (the follow-up clock
 * reminds, escalates and reassigns), then accept or reject with a reason, in the CRM or on the card. One rep
 * is on holiday for a week in the middle. The same `random` gives the same quarter.
 */
export function planHubSpotQuarter(
  deps: HubSpotQuarterDeps,
  window: { from: number; until: number },
): {
  counts: QuarterCounts;
  /** A follow-up timer may have handed the lead to another rep: that rep answers it too. */
  followHandoff(leadId: string): Promise<void>;
} {
  const { state, connectionId, clock, agenda, history, events, random, logger } = deps;
  const counts: QuarterCounts = { leads: 0, events: 0, parked: 0 };
  const icpLeads = new Set<string>();
  const planned = new Set<string>();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const weighted = <T extends { weight: number } | { share: number }>(items: readonly T[]): T => {
    const w = (i: T) => ("weight" in i ? i.weight : i.share);
    let roll = random() * items.reduce((sum, i) => sum + w(i), 0);
    for (const item of items) {
      roll -= w(item);
      if (roll < 0) return item;
    }
    return items[items.length - 1]!;
  };

  // HubSpot's deliveries are read back as HubSpot sent them (parsed, normalised, stored) and each stored event
  // runs through the pipeline at once, at the moment it happened.
  const traffic = new HubSpotTrafficGenerator({
    state,
    targetUrl: "http://demo-history.invalid/webhooks/hubspot",
    random,
    maxRetries: 0,
    fetch: async (_url, init) => {
      try {
        await intake(Buffer.from(String(init?.body ?? "")));
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

  async function intake(body: Buffer): Promise<void> {
    const delivery = parseHubSpotDelivery(body);
    const incoming = delivery.events.flatMap((e) => {
      const event = normaliseHubSpotEvent(e, connectionId, clock.ms(), body.toString("utf8"));
      return event ? [event] : [];
    });
    const result = await events.append(incoming);
    for (const key of result.stored) {
      const claimed = await events.claim(connectionId, key, 60);
      if (claimed === null || "heldForMs" in claimed) continue;
      counts.events += 1;
      // As the intake's fan-out and the worker do: events that need no work are settled at once, the others run
      // at their priority (a form submission is live).
      if (settlesWithoutWork(claimed)) {
        await events.markProcessed(connectionId, key, "ignored");
        continue;
      }
      const log = logger.child({ connectionId, eventKey: key });
      try {
        const outcome = await withWorkPriority(eventPriority(claimed), () =>
          history.handleLeadEvent(claimed, log),
        );
        await events.markProcessed(connectionId, key, outcome);
      } catch (err) {
        // Kept where an admin sees it, as the worker would after its retries.
        const error = asAppError(err);
        await events.park(connectionId, key, error);
        counts.parked += 1;
        log.warn("demo history: event parked", { code: error.code });
      }
    }
  }

  function contact(id: string) {
    return state.objects.get("contacts")?.get(id);
  }

  /** A rep sets the lead status in HubSpot; HubSpot sends the change with the rep's user id. */
  async function setLeadStatus(leadId: string, status: string, userId: number): Promise<void> {
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

  function userIdOf(ownerId: string | null): number | null {
    return state.owners.find((o) => o.id === ownerId)?.userId ?? null;
  }

  /** Plans how the owner of a new open handoff answers it: when they call (if ever), then their verdict. */
  async function followHandoff(leadId: string): Promise<void> {
    const handoff = await history.deps.leads.latestHandoff(connectionId, leadId);
    if (!handoff || handoff.status !== "open" || planned.has(handoff.id)) return;
    planned.add(handoff.id);
    const userId = userIdOf(handoff.ownerId);
    if (userId === null) return; // a queue: the triage team works it outside the demo
    const started = Date.parse(handoff.startedAt);
    const due = Date.parse(handoff.dueAt);
    const roll = random();
    // 5 % never called (the clock escalates and reassigns), 12 % called late, the rest in time.
    if (roll < 0.05) return;
    const touchAt =
      roll < 0.17
        ? due + (20 + random() * 300) * MINUTE
        : Math.max(started + 3 * MINUTE, due - (2 + random() * 25) * MINUTE);
    agenda.at(touchAt, async () => {
      if (await stillOpen(handoff)) await setLeadStatus(leadId, "IN_PROGRESS", userId);
    });
    agenda.at(touchAt + HOUR + random() * 3 * DAY, () => verdict(leadId, handoff, userId));
  }

  async function stillOpen(handoff: HandoffRecord): Promise<boolean> {
    const now = await history.deps.leads.getHandoff(connectionId, handoff.id);
    return now?.status === "open";
  }

  async function verdict(leadId: string, handoff: HandoffRecord, userId: number): Promise<void> {
    if (!(await stillOpen(handoff))) return;
    const rejects = random() < (icpLeads.has(leadId) ? 0.22 : 0.6);
    const inCrm = random() < 0.5;
    if (!rejects) {
      if (inCrm) return setLeadStatus(leadId, "OPEN_DEAL", userId);
      await recordFeedback(history.feedbackDeps, {
        connectionId,
        leadId,
        decision: "accept",
        source: "card",
        actor: { kind: "crm_user", id: String(userId) },
      });
      return;
    }
    const why = weighted(REJECT_REASONS);
    if (inCrm && "status" in why) return setLeadStatus(leadId, why.status, userId);
    await recordFeedback(history.feedbackDeps, {
      connectionId,
      leadId,
      decision: "reject",
      reason: why.reason,
      source: "card",
      actor: { kind: "crm_user", id: String(userId) },
    });
  }

  /** A visitor fills in a form: a new contact, a page view and the submission. */
  async function arrive(): Promise<void> {
    const channel = weighted(CHANNELS);
    const icp = random() < channel.icp;
    const firm = icp ? pick(ICP_COMPANIES) : undefined;
    const id = traffic.createContact({
      hs_analytics_source: channel.source,
      jobtitle: pick(icp ? ICP_TITLES : OTHER_TITLES),
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
    if (icp) icpLeads.add(id);
    counts.leads += 1;
    traffic.viewPage(id, "https://www.handoff-demo.example/pricing");
    const asks = random() < channel.intent;
    traffic.submitForm(
      id,
      asks ? pick(["contactMe", "demoRequest"] as const) : pick(["ebook", "webinar"] as const),
    );
    await deliver();
    await followHandoff(id);
    // Some who only read come back within three weeks and ask for a demo.
    if (!asks && random() < 0.2) {
      agenda.at(clock.ms() + (3 + random() * 18) * DAY, async () => {
        if (!contact(id)) return;
        traffic.viewPage(id, "https://www.handoff-demo.example/demo");
        traffic.submitForm(id, "demoRequest");
        await deliver();
        await followHandoff(id);
      });
    }
  }

  const days = Math.floor((window.until - window.from) / DAY);
  const weeks = Math.ceil(days / 7);
  for (let day = 0; day < days; day++) {
    const weekday = new Date(window.from + day * DAY).getUTCDay();
    const week = Math.floor(day / 7);
    // A quarter that grows: about 16 leads a week at the start, about 26 at the end, few at weekends. (Every
    // lead runs through the real pipeline against the sandbox: the volume is what a first start can afford.)
    const perDay = weekday === 0 || weekday === 6 ? 0.3 : (16 + (10 * week) / Math.max(1, weeks - 1)) / 5;
    const count = Math.round(perDay * (0.7 + 0.6 * random()));
    for (let i = 0; i < count; i++) {
      const at = window.from + day * DAY + (7 + random() * 11) * HOUR;
      if (at < window.until) agenda.at(at, arrive);
    }
  }

  // Ben is on holiday for the middle week: routing passes him by, and the reports show his absence.
  const holiday = window.from + Math.floor(weeks / 2) * 7 * DAY;
  agenda.at(holiday - HOUR, async () => {
    await deps.availability.addOutOfOffice(
      connectionId,
      "ben",
      { from: new Date(holiday), to: new Date(holiday + 7 * DAY), reason: "holiday", source: "manual" },
      "team_lead:maria",
    );
  });
  return { counts, followHandoff };
}
