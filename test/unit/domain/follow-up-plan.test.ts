import { followUpDeadline } from "../../../src/domain/follow-up";
import { cadenceCompliance, nextOpenMinute, planFollowUp } from "../../../src/domain/follow-up-plan";
import type { FollowUp } from "../../../src/domain/sla";
import { anSla } from "../sla/builders";

const berlin = { hours: "Mon-Fri 09:00-18:00", timeZone: "Europe/Berlin", holidays: [] as string[] };

function aFollowUp(overrides: Partial<FollowUp> = {}): FollowUp {
  return { ...anSla().followUp, ...overrides };
}

const days = (n: number) => ({ text: `${n}d`, minutes: n * 1440 });

describe("planFollowUp", () => {
  it("when the clock crosses a weekend and a holiday, then the deadline and the 50 % reminder land on Monday's business minutes in Berlin", () => {
    // Thursday 24 Dec 2026 17:50 Berlin (16:50Z); 25 Dec is a holiday, 26–27 the weekend.
    const calendar = { ...berlin, holidays: ["2026-12-25", "2026-12-26"] };
    const followUp = aFollowUp({ max: days(7) });
    const startedAt = "2026-12-24T16:50:00.000Z";
    const dueAt = followUpDeadline(startedAt, { minutes: 30, maxMinutes: followUp.max.minutes, calendar });
    expect(dueAt).toBe("2026-12-28T08:20:00.000Z"); // Monday 09:20 Berlin

    const plan = planFollowUp({ startedAt, dueAt, calendar, followUp });

    expect(plan.map((s) => [s.key, s.at])).toEqual([
      // the first cadence check, a quarter into the 14-day window
      ["cadence-1", "2026-12-28T04:50:00.000Z"],
      // 10 minutes on Thursday, 5 on Monday: 09:05 Berlin
      ["reminder-1", "2026-12-28T08:05:00.000Z"],
      ["reminder-2", "2026-12-28T08:20:00.000Z"],
      ["escalation", "2026-12-28T08:20:00.000Z"],
      // one day after the deadline: Tuesday 09:20 Berlin, a working minute
      ["reassignment", "2026-12-29T08:20:00.000Z"],
      ["cadence-2", "2026-12-31T16:50:00.000Z"],
      ["cadence-3", "2027-01-04T04:50:00.000Z"],
      ["cadence-4", "2027-01-07T16:50:00.000Z"],
    ]);
  });

  it("when reminder, escalation and reassignment fall due, then they come in that order even at the same instant", () => {
    const followUp = aFollowUp({ remindAt: [1, 0.5], reassignAfter: { text: "0m", minutes: 0 } });
    const plan = planFollowUp({
      startedAt: "2026-11-18T09:00:00.000Z",
      dueAt: "2026-11-18T09:30:00.000Z",
      calendar: berlin,
      followUp,
    });
    expect(plan.map((s) => s.kind)).toEqual([
      "reminder",
      "reminder",
      "escalation",
      "reassignment",
      "cadence",
      "cadence",
      "cadence",
      "cadence",
    ]);
    expect(plan.map((s) => s.at).slice(0, 4)).toEqual([
      "2026-11-18T09:15:00.000Z",
      "2026-11-18T09:30:00.000Z",
      "2026-11-18T09:30:00.000Z",
      "2026-11-18T09:30:00.000Z",
    ]);
  });

  it("when the reassignment would fall in the evening, then it waits for the rep's next working minute", () => {
    // Monday 08:15Z + 12 h = 20:15Z (21:15 Berlin, closed) → Tuesday 09:00 Berlin
    const plan = planFollowUp({
      startedAt: "2026-11-20T16:45:00.000Z",
      dueAt: "2026-11-23T08:15:00.000Z",
      calendar: berlin,
      followUp: aFollowUp({ max: days(7), reassignAfter: { text: "12h", minutes: 720 } }),
    });
    expect(plan.find((s) => s.kind === "reassignment")?.at).toBe("2026-11-24T08:00:00.000Z");
  });

  it("when the maximum cut the clock short, then reminders are shares of the business minutes that ran", () => {
    // Friday 17:45 Berlin, max 1 day → due Saturday 17:45; only 15 business minutes ran (Friday).
    const plan = planFollowUp({
      startedAt: "2026-11-20T16:45:00.000Z",
      dueAt: "2026-11-21T16:45:00.000Z",
      calendar: berlin,
      followUp: aFollowUp(),
    });
    expect(plan[0]).toMatchObject({ key: "reminder-1", at: "2026-11-20T16:53:00.000Z", fraction: 0.5 });
  });

  it("when the SLA does not use business hours, then the calendar is ignored", () => {
    const plan = planFollowUp({
      startedAt: "2026-11-21T10:00:00.000Z",
      dueAt: "2026-11-21T10:30:00.000Z",
      calendar: berlin,
      followUp: aFollowUp({ businessHours: false }),
    });
    expect(plan.slice(0, 4).map((s) => s.at)).toEqual([
      "2026-11-21T10:15:00.000Z",
      "2026-11-21T10:30:00.000Z",
      "2026-11-21T10:30:00.000Z",
      "2026-11-22T10:30:00.000Z",
    ]);
  });
});

describe("nextOpenMinute", () => {
  it("when asked on a holiday, then it answers the next working morning in the rep's zone", () => {
    expect(nextOpenMinute("2026-12-25T10:00:00.000Z", { ...berlin, holidays: ["2026-12-25"] })).toBe(
      "2026-12-28T08:00:00.000Z",
    );
  });
});

describe("cadenceCompliance", () => {
  const cadence = { calls: 3, emails: 3, within: days(14) };
  const start = "2026-11-02T09:00:00.000Z";
  const at = (day: number) => new Date(Date.parse(start) + day * 86_400_000).toISOString();

  it("when both minimums are met inside the window, then it is complete", () => {
    const touches = [0, 1, 2].flatMap((d) => [
      { kind: "call" as const, occurredAt: at(d) },
      { kind: "email" as const, occurredAt: at(d) },
    ]);
    expect(cadenceCompliance(touches, cadence, start, new Date(at(3)))).toEqual({
      calls: { done: 3, required: 3 },
      emails: { done: 3, required: 3 },
      windowEnd: "2026-11-16T09:00:00.000Z",
      status: "complete",
    });
  });

  it("when half the window is gone with one call and no e-mail, then it is behind", () => {
    const r = cadenceCompliance([{ kind: "call", occurredAt: at(1) }], cadence, start, new Date(at(7)));
    expect(r).toMatchObject({ calls: { done: 1 }, emails: { done: 0 }, status: "behind" });
  });

  it("when touches keep pace, then it is on track; touches after the window do not count", () => {
    const touches = [
      { kind: "meeting" as const, occurredAt: at(1) },
      { kind: "email" as const, occurredAt: at(2) },
      { kind: "email" as const, occurredAt: at(20) },
    ];
    expect(cadenceCompliance(touches, cadence, start, new Date(at(5))).status).toBe("on_track");
    expect(cadenceCompliance(touches, cadence, start, new Date(at(15)))).toMatchObject({
      emails: { done: 1 },
      status: "behind",
    });
  });
});
