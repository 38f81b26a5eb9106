import { followUpDeadline } from "../../../src/domain/follow-up";

const berlin = { hours: "Mon-Fri 09:00-18:00", timeZone: "Europe/Berlin", holidays: [] as string[] };

describe("followUpDeadline", () => {
  it("when no business hours apply, then it is wall-clock minutes", () => {
    expect(followUpDeadline("2026-11-20T10:00:00Z", { minutes: 30 })).toBe("2026-11-20T10:30:00.000Z");
  });

  it("when started inside hours, then the deadline is 30 business minutes later", () => {
    // Wednesday 10:00 Berlin (09:00Z)
    expect(followUpDeadline("2026-11-18T09:00:00Z", { minutes: 30, calendar: berlin })).toBe(
      "2026-11-18T09:30:00.000Z",
    );
  });

  it("when the clock crosses a weekend, then it resumes Monday 09:00 in the rep's zone", () => {
    // Friday 17:45 Berlin = 16:45Z → 15 min Friday, 15 min Monday → Monday 09:15 Berlin = 08:15Z
    expect(followUpDeadline("2026-11-20T16:45:00Z", { minutes: 30, calendar: berlin })).toBe(
      "2026-11-23T08:15:00.000Z",
    );
  });

  it("when the clock crosses a weekend and a holiday, then the holiday does not count", () => {
    // Thursday 24 Dec 17:50 Berlin; 25 and 26 Dec are holidays (26th is Saturday anyway), 28 Dec Monday.
    const calendar = { ...berlin, holidays: ["2026-12-25", "2026-12-26"] };
    expect(followUpDeadline("2026-12-24T16:50:00Z", { minutes: 30, calendar })).toBe(
      "2026-12-28T08:20:00.000Z",
    );
  });

  it("when the maximum is shorter than the business clock, then the maximum wins", () => {
    expect(
      followUpDeadline("2026-11-20T16:45:00Z", { minutes: 30, maxMinutes: 24 * 60, calendar: berlin }),
    ).toBe("2026-11-21T16:45:00.000Z");
  });

  it("when started in New York before opening, then the clock starts at 09:00 local", () => {
    const ny = { hours: "Mon-Fri 09:00-17:00", timeZone: "America/New_York", holidays: [] };
    // Monday 23 Nov 2026 07:00 New York = 12:00Z → due 09:30 local = 14:30Z
    expect(followUpDeadline("2026-11-23T12:00:00Z", { minutes: 30, calendar: ny })).toBe(
      "2026-11-23T14:30:00.000Z",
    );
  });
});
