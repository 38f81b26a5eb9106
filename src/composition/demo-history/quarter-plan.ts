import { recordFeedback } from "../../app/record-feedback";
import type { HandoffRecord } from "../../ports/leads";
import type { RepAvailabilityStore } from "../../ports/rep-availability";
import type { HandoffProduct } from "../compose";
import type { Agenda } from "./agenda";
import type { QuarterCounts } from "./replay-intake";
import type { TravelClock } from "./travel-clock";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Where leads come from, how many of them look like the ideal customer, and how many ask to be called: channels
 * end up with different qualified rates because their people do, not because a rate is written down.
 */
export interface Channel {
  /** The CRM's value for where the lead came from (HubSpot's original source, Salesforce's LeadSource). */
  source: string;
  share: number;
  /** Share of people from the ideal customer profile. */
  icp: number;
  /** Share who ask to be called (a "contact me" or demo request) rather than only read. */
  intent: number;
}

/** Companies of the ideal customer profile (size, industry, country the SLA's fit rules reward). */
export const ICP_COMPANIES = [
  // Bauwerk is an account with an owner in both demo CRMs: its people go to that owner.
  {
    company: "Bauwerk GmbH",
    domain: "bauwerk.de",
    country: "DE",
    countryName: "Germany",
    industry: "software",
    employees: 850,
    zip: "80331",
  },
  {
    company: "Nordlicht Software GmbH",
    domain: "nordlicht-software.de",
    country: "DE",
    countryName: "Germany",
    industry: "software",
    employees: 310,
    zip: "20095",
  },
  {
    company: "Donau Data GmbH",
    domain: "donau-data.at",
    country: "AT",
    countryName: "Austria",
    industry: "software",
    employees: 180,
    zip: "1030",
  },
  {
    company: "Brisa Fintech S.L.",
    domain: "brisa-fintech.es",
    country: "ES",
    countryName: "Spain",
    industry: "fintech",
    employees: 420,
    zip: "28013",
  },
  {
    company: "Tramuntana Cloud S.L.",
    domain: "tramuntana-cloud.es",
    country: "ES",
    countryName: "Spain",
    industry: "software",
    employees: 150,
    zip: "08002",
  },
] as const;
export type IcpCompany = (typeof ICP_COMPANIES)[number];
export const ICP_TITLES = ["VP Sales", "Director Revenue Operations", "CEO", "Head of Marketing"];
export const OTHER_TITLES = ["Student", "Sales Manager", "Intern"];
/** Why sales turned leads down, and how often (the SLA's reasons). */
export const REJECT_REASONS = [
  { reason: "not_icp", weight: 30 },
  { reason: "bad_timing", weight: 20 },
  { reason: "no_budget", weight: 20 },
  { reason: "wrong_contact", weight: 14 },
  { reason: "student_or_job_seeker", weight: 10 },
  { reason: "duplicate", weight: 6 },
] as const;

/** A person who arrives from a channel: who they are and whether they ask to be called. */
export interface Arrival {
  channel: Channel;
  /** Set for people from the ideal customer profile. */
  firm: IcpCompany | undefined;
  title: string;
  asks: boolean;
}

/** How one CRM plays the people and the reps of a replayed quarter (its records, its notifications). */
export interface QuarterPlayer {
  channels: readonly Channel[];
  /** The person becomes a lead in the CRM and the CRM tells Handoff; returns the lead's id. */
  arrive(arrival: Arrival): Promise<string>;
  /** A person who only read comes back and asks for a demo (false where the CRM has no such signal). */
  askAgain(leadId: string): Promise<boolean>;
  /** The CRM user behind an owner id (null: a queue, whose triage team works outside the demo). */
  userOf(ownerId: string | null): string | null;
  /** The rep's first touch, the way reps log it in this CRM. */
  touch(leadId: string, userId: string): Promise<void>;
  /** The rep's "yes" in the CRM itself (false: this CRM's reps say it on the card). */
  acceptInCrm(leadId: string, userId: string): Promise<boolean>;
  /** The rep's "no" in the CRM itself, where a status says the reason (false: on the card). */
  rejectInCrm(leadId: string, userId: string, reason: string): Promise<boolean>;
}

export interface QuarterPlanDeps {
  connectionId: string;
  clock: TravelClock;
  agenda: Agenda;
  /** The pipeline on the travelling clock. */
  history: HandoffProduct;
  availability: RepAvailabilityStore;
  random: () => number;
  counts: QuarterCounts;
}

/**
 * Plans a connection's past (`window`) on the agenda: people arrive from the player's channels, more each week,
 * and reps answer the handoffs the way reps do: most call in time, some late, a few never (the follow-up clock
 * reminds, escalates and reassigns), then accept or reject with a reason, in the CRM or on the card. Ben is on
 * holiday for a week in the middle. The same `random` gives the same quarter.
 * @returns `followHandoff`: a follow-up timer may have handed the lead to another rep, who answers it too.
 */
export function planQuarter(
  deps: QuarterPlanDeps,
  player: QuarterPlayer,
  window: { from: number; until: number },
): { followHandoff(leadId: string): Promise<void> } {
  const { connectionId, clock, agenda, history, random, counts } = deps;
  const planned = new Set<string>();
  const icpLeads = new Set<string>();
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

  /** Plans how the owner of a new open handoff answers it: when they call (if ever), then their verdict. */
  async function followHandoff(leadId: string): Promise<void> {
    const handoff = await history.deps.leads.latestHandoff(connectionId, leadId);
    if (!handoff || handoff.status !== "open" || planned.has(handoff.id)) return;
    planned.add(handoff.id);
    const userId = player.userOf(handoff.ownerId);
    if (userId === null) return;
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
      if (await stillOpen(handoff)) await player.touch(leadId, userId);
    });
    agenda.at(touchAt + HOUR + random() * 3 * DAY, () => verdict(leadId, handoff, userId));
  }

  async function stillOpen(handoff: HandoffRecord): Promise<boolean> {
    const now = await history.deps.leads.getHandoff(connectionId, handoff.id);
    return now?.status === "open";
  }

  async function verdict(leadId: string, handoff: HandoffRecord, userId: string): Promise<void> {
    if (!(await stillOpen(handoff))) return;
    const rejects = random() < (icpLeads.has(leadId) ? 0.22 : 0.6);
    const inCrm = random() < 0.5;
    const actor = { kind: "crm_user" as const, id: userId };
    if (!rejects) {
      if (inCrm && (await player.acceptInCrm(leadId, userId))) return;
      await recordFeedback(history.feedbackDeps, {
        connectionId,
        leadId,
        decision: "accept",
        source: "card",
        actor,
      });
      return;
    }
    const why = weighted(REJECT_REASONS);
    if (inCrm && (await player.rejectInCrm(leadId, userId, why.reason))) return;
    await recordFeedback(history.feedbackDeps, {
      connectionId,
      leadId,
      decision: "reject",
      reason: why.reason,
      source: "card",
      actor,
    });
  }

  /** A person arrives from a channel; some who only read come back within three weeks and ask for a demo. */
  async function arrive(): Promise<void> {
    const channel = weighted(player.channels);
    const icp = random() < channel.icp;
    const firm = icp ? pick(ICP_COMPANIES) : undefined;
    const title = pick(icp ? ICP_TITLES : OTHER_TITLES);
    const asks = random() < channel.intent;
    const id = await player.arrive({ channel, firm, title, asks });
    if (icp) icpLeads.add(id);
    counts.leads += 1;
    await followHandoff(id);
    if (!asks && random() < 0.2) {
      agenda.at(clock.ms() + (3 + random() * 18) * DAY, async () => {
        if (await player.askAgain(id)) await followHandoff(id);
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
  return { followHandoff };
}
