import { computePace, quarterBounds, zonedMidnight } from "../../../src/domain/pace";

const BERLIN = "Europe/Berlin";
const times = (n: number, at: string): string[] => Array.from({ length: n }, () => at);

describe("weekly pace against the quarterly commitment", () => {
  // Hand-computed: Q4 2026 in Berlin has 92 days (13.14 weeks). At Berlin midnight starting 20 November,
  // 50 days (7.14 weeks) have passed and 42 days (6 weeks) remain. 50 MQLs delivered → 7 per week;
  // projection 50 + 7 × 6 = 92; shortfall 130 − 92 = 38; needed (130 − 50) / 6 = 13.33 per week.
  const now = new Date("2026-11-19T23:00:00Z");
  const mqlAt = [
    "2026-09-30T21:30:00Z", // 23:30 on 30 September in Berlin: Q3, not counted
    "2026-09-30T22:30:00Z", // 00:30 on 1 October in Berlin: the first MQL of Q4
    ...times(40, "2026-10-05T10:00:00Z"),
    ...times(9, "2026-11-16T10:00:00Z"),
    "2026-11-20T08:00:00Z", // after now: not delivered yet
  ];
  const pace = computePace({ mqlAt, commitment: 130, timezone: BERLIN, now });

  it("when 50 MQLs arrived in 50 of 92 days, then the projection and shortfall match the hand computation", () => {
    expect(pace).toMatchObject({
      quarter: "2026-Q4",
      quarterStart: "2026-10-01",
      quarterEnd: "2026-12-31",
      commitment: 130,
      delivered: 50,
      weeksTotal: 13.1,
      weeksElapsed: 7.1,
      weeksRemaining: 6,
      currentPerWeek: 7,
      projected: 92,
      shortfall: 38,
      neededPerWeek: 13.3,
      onTrack: false,
    });
  });

  it("then weeks are ISO weeks in the SLA's zone, partial at both ends, with a straight-line target", () => {
    expect(pace.weeks).toHaveLength(14);
    expect(pace.weeks[0]).toEqual({
      week: "2026-W40",
      weekStart: "2026-09-28",
      delivered: 1,
      cumulative: 1,
      target: 5.7, // 130 × 4 / 92 days
      future: false,
    });
    expect(pace.weeks[1]).toMatchObject({ week: "2026-W41", delivered: 40, cumulative: 41, target: 15.5 });
    expect(pace.weeks[7]).toMatchObject({ week: "2026-W47", delivered: 9, cumulative: 50, future: true });
    expect(pace.weeks[6]).toMatchObject({ week: "2026-W46", future: false });
    expect(pace.weeks[13]).toMatchObject({ week: "2026-W53", weekStart: "2026-12-28", target: 130 });
  });

  it("when the commitment is already met, then no pace is needed and there is no shortfall", () => {
    const met = computePace({
      mqlAt: times(10, "2026-10-05T10:00:00Z"),
      commitment: 5,
      timezone: BERLIN,
      now,
    });
    expect(met).toMatchObject({ neededPerWeek: 0, shortfall: 0, onTrack: true });
  });

  it("when the quarter has just begun, then nothing is projected rather than dividing by zero", () => {
    const start = computePace({
      mqlAt: [],
      commitment: 100,
      timezone: BERLIN,
      now: zonedMidnight("2026-10-01", BERLIN),
    });
    expect(start).toMatchObject({ delivered: 0, currentPerWeek: 0, projected: 0, shortfall: 100 });
    expect(start.neededPerWeek).toBeCloseTo(100 / (92 / 7), 1);
  });

  it("quarter bounds are local midnights in the zone", () => {
    expect(quarterBounds(now, BERLIN)).toEqual({
      quarter: "2026-Q4",
      start: "2026-10-01",
      end: "2027-01-01",
      startAt: "2026-09-30T22:00:00.000Z",
      endAt: "2026-12-31T23:00:00.000Z",
      days: 92,
    });
  });
});
