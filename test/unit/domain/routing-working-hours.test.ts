import { counterPeriods } from "../../../src/domain/availability";
import { isOpen, isoWeek, localTime, parseWorkingHours } from "../../../src/domain/working-hours";

describe("working hours", () => {
  it("reads day ranges, several segments and split days", () => {
    const week = parseWorkingHours("Mon-Thu 09:00-18:00; Fri 09:00-14:00; Sat,Sun 10:00-12:00 13:00-15:00");
    if ("error" in week) throw new Error(week.error);
    expect(week.Mon).toEqual([[540, 1080]]);
    expect(week.Fri).toEqual([[540, 840]]);
    expect(week.Sun).toEqual([
      [600, 720],
      [780, 900],
    ]);
  });

  it("says what cannot be read", () => {
    expect(parseWorkingHours("Mon-Fry 09:00-18:00")).toEqual({
      error: 'cannot read the days "Mon-Fry" in "Mon-Fry 09:00-18:00"; write e.g. "Mon-Fri"',
    });
    expect(parseWorkingHours("Mon-Fri 09:00-09:00")).toMatchObject({
      error: expect.stringContaining('cannot read the hours "09:00-09:00"'),
    });
  });

  it("when a shift runs overnight, then it continues into the next morning from the days it starts on", () => {
    const week = parseWorkingHours("Mon-Fri 22:00-06:00");
    if ("error" in week) throw new Error(week.error);
    expect(week.Mon).toEqual([[1320, 1440]]);
    expect(week.Tue).toEqual([
      [0, 360],
      [1320, 1440],
    ]);
    expect(week.Sat).toEqual([[0, 360]]);
    expect(week.Sun).toEqual([]);
    // Tuesday 03:00 in Berlin is inside Monday night's shift.
    expect(isOpen(week, localTime(new Date("2026-11-24T02:00:00Z"), "Europe/Berlin"))).toBe(true);
    expect(isOpen(week, localTime(new Date("2026-11-24T12:00:00Z"), "Europe/Berlin"))).toBe(false);
  });

  it("reads the local time across daylight saving", () => {
    expect(localTime(new Date("2026-07-01T07:30:00Z"), "Europe/Berlin").clock).toBe("09:30");
    expect(localTime(new Date("2026-12-01T07:30:00Z"), "Europe/Berlin").clock).toBe("08:30");
    const week = parseWorkingHours("Mon-Fri 09:00-18:00");
    if ("error" in week) throw new Error(week.error);
    expect(isOpen(week, localTime(new Date("2026-12-01T07:30:00Z"), "Europe/Berlin"))).toBe(false);
    expect(isOpen(week, localTime(new Date("2026-12-01T08:00:00Z"), "Europe/Berlin"))).toBe(true);
  });

  it("counts days and ISO weeks in the rep's zone", () => {
    expect(isoWeek("2027-01-01")).toBe("2026-W53");
    expect(isoWeek("2021-01-04")).toBe("2021-W01");
    // Sunday 23:30 in New York is already Monday in Berlin.
    expect(counterPeriods("America/New_York", new Date("2026-11-23T04:30:00Z"))).toEqual({
      day: "d:2026-11-22",
      week: "w:2026-W47",
      month: "m:2026-11",
    });
    expect(counterPeriods("Europe/Berlin", new Date("2026-11-23T04:30:00Z"))).toEqual({
      day: "d:2026-11-23",
      week: "w:2026-W48",
      month: "m:2026-11",
    });
  });
});
