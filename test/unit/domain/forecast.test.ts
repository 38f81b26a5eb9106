import {
  forecastSla,
  minutesUntilOpen,
  type ReplayHistory,
  type ReplayLead,
} from "../../../src/domain/forecast";
import type { Sla } from "../../../src/domain/sla";
import { localTime, parseWorkingHours, type WorkingWeek } from "../../../src/domain/working-hours";
import { aLead, demoRules } from "../../helpers/routing-builders";
import { anSla, engagementRule, fitRule } from "../sla/builders";

const BERLIN = "Europe/Berlin";

function liveSla(overrides: { mqlFit?: number } = {}): Sla {
  const base = anSla({
    mqlFit: overrides.mqlFit ?? 50,
    mqlEngagement: 40,
    fit: [
      fitRule({ id: "vp-title", when: { jobTitle: "VP*" }, points: 60 }),
      fitRule({ id: "director-title", when: { jobTitle: "Director*" }, points: 52 }),
    ],
    engagement: [engagementRule({ id: "pricing-page", on: "page_view", url: "/pricing*", points: 40 })],
    routing: demoRules(),
    commitment: { mqlPerQuarter: 30 },
  });
  return { ...base, sla: { ...base.sla, timezone: BERLIN } };
}

const pricingView = (at: string) => ({ kind: "page_view" as const, occurredAt: at, url: "/pricing" });

/** A VP (already an MQL in the CRM from the live run), a director, a VP with no activity, a Saturday VP. */
const leads: ReplayLead[] = [
  {
    lead: aLead({ id: "1", jobTitle: "VP Sales", stage: "mql" }),
    activities: [pricingView("2026-11-16T10:00:00Z")],
  },
  { lead: aLead({ id: "2", jobTitle: "Director of IT" }), activities: [pricingView("2026-11-17T10:00:00Z")] },
  { lead: aLead({ id: "3", jobTitle: "VP Marketing" }), activities: [] },
  { lead: aLead({ id: "4", jobTitle: "VP Growth" }), activities: [pricingView("2026-11-21T10:00:00Z")] },
];

function historyOf(events: [number, string][]): ReplayHistory {
  return {
    leads,
    eventLead: Int32Array.from(events.map(([lead]) => lead)),
    eventAt: Float64Array.from(events.map(([, at]) => Date.parse(at))),
  };
}

const history = historyOf([
  [0, "2026-08-01T10:00:00Z"], // before the window: ignored
  [0, "2026-11-16T10:05:00Z"],
  [0, "2026-11-16T11:00:00Z"], // already handed over: skipped
  [1, "2026-11-17T10:05:00Z"],
  [2, "2026-11-18T10:05:00Z"],
  [3, "2026-11-21T10:05:00Z"],
]);
const window = { since: new Date("2026-08-25T12:00:00Z"), until: new Date("2026-11-23T12:00:00Z") };

describe("forecast of an SLA over stored history", () => {
  const live = forecastSla(history, { sla: liveSla(), ...window });

  it("when the history is replayed under the live SLA, then each qualifying lead is an MQL once, in its week", () => {
    expect(live.mqls).toBe(3);
    expect(live.events).toBe(4);
    expect(live.weeks.at(-2)).toEqual({ week: "2026-W47", weekStart: "2026-11-16", mqls: 3 });
    expect(live.weeks.at(-1)).toEqual({ week: "2026-W48", weekStart: "2026-11-23", mqls: 0 });
    expect(live.weeks[0]).toMatchObject({ week: "2026-W35", mqls: 0 });
    expect(live.pace).toMatchObject({ quarter: "2026-Q4", delivered: 3, commitment: 30 });
  });

  it("when a draft SLA raises the MQL threshold, then the same history forecasts fewer MQLs", () => {
    const draft = forecastSla(history, { sla: liveSla({ mqlFit: 55 }), ...window });
    expect(draft.mqls).toBe(2);
    expect(draft.mqls).toBeLessThan(live.mqls);
    expect(draft.mqlThreshold).toEqual({ fit: 55, engagement: 40 });
  });

  it("then weekday leads go to the DACH pool and the Saturday lead waits in the fallback queue, at risk of a breach", () => {
    expect(live.load.reduce((s, r) => s + r.assigned, 0)).toBe(2);
    expect(live.load.every((r) => r.pool === "dach" && r.capOpen === 25)).toBe(true);
    expect(live.unrouted).toBe(1);
    // Saturday 11:05 in Berlin → Monday 09:00: 2,755 minutes, beyond the 1-day maximum.
    expect(live.breachRisk).toEqual({ handoffs: 3, atRisk: 1, rate: 0.333, medianWaitMinutes: 0 });
  });

  it("when more leads qualify than the open-lead cap, then they are still routed (closing is unknown) and the cap is shown", () => {
    const many: ReplayLead[] = Array.from({ length: 30 }, (_, i) => ({
      lead: aLead({ id: `m${i}`, jobTitle: "VP Sales" }),
      activities: [pricingView("2026-11-16T09:00:00Z")],
    }));
    const result = forecastSla(
      {
        leads: many,
        eventLead: Int32Array.from(many.map((_, i) => i)),
        eventAt: Float64Array.from(many.map((_, i) => Date.parse("2026-11-16T10:00:00Z") + i * 60_000)),
      },
      { sla: liveSla(), ...window },
    );
    expect(result.unrouted).toBe(0);
    expect(result.load.map((l) => [l.repKey, l.assigned, l.peakPerDay, l.capOpen])).toEqual([
      ["anna", 20, 20, 25],
      ["ben", 10, 10, 25],
    ]);
  });

  it("reports progress as it goes and at the end", () => {
    const seen: number[] = [];
    forecastSla(history, { sla: liveSla(), ...window, progressEvery: 2, onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([2, 4, 6]);
  });
});

describe("the wait until a rep's next working minute", () => {
  const week = parseWorkingHours("Mon-Fri 09:00-18:00") as WorkingWeek;
  const at = (iso: string) => localTime(new Date(iso), BERLIN);

  it("is zero inside working hours, the rest of the night after hours, and skips weekends and holidays", () => {
    expect(minutesUntilOpen(week, at("2026-11-16T10:05:00Z"), new Set())).toBe(0);
    expect(minutesUntilOpen(week, at("2026-11-16T06:00:00Z"), new Set())).toBe(120);
    expect(minutesUntilOpen(week, at("2026-11-21T10:05:00Z"), new Set())).toBe(2755);
    expect(minutesUntilOpen(week, at("2026-11-21T10:05:00Z"), new Set(["2026-11-23"]))).toBe(2755 + 1440);
  });
});
