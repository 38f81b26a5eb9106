import { readFileSync } from "node:fs";
import path from "node:path";
import { ownerCalendar } from "../../../src/app/follow-up";
import type { HolidayCalendar } from "../../../src/ports/holidays";
import { followUpDeadline } from "../../../src/domain/follow-up";
import { routeLead } from "../../../src/domain/routing";
import { aLead, anInput, demoRules } from "../../helpers/routing-builders";
import { checkSlaText } from "../../../src/sla/load-sla";
import { formatProblem } from "../../../src/sla/sla-problem";

const base = readFileSync(path.join(__dirname, "../../fixtures/sla/valid-minimal.yaml"), "utf8");
const withCarla = (fields: string) =>
  base.replace(
    '  carla: { crm_id: "80003", timezone: Europe/Madrid, holidays: ES }',
    `  carla: { crm_id: "80003", holidays: ES, ${fields} }`,
  );
const errors = (text: string) =>
  checkSlaText(text, "sla.yaml")
    .problems.filter((p) => p.severity === "error")
    .map(formatProblem);

describe("reps' working hours and time zones in the SLA", () => {
  it.each([
    "Mon-Thu 09:00-18:00; Fri 09:00-14:00",
    "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
    "Mon-Fri 09:00-13:00 14:00-18:00",
    "Mon-Fri 22:00-06:00",
    "24/7",
  ])("when hours are %j, then the file is accepted", (hours) => {
    expect(errors(withCarla(`timezone: Europe/Madrid, hours: "${hours}"`))).toEqual([]);
  });

  it("when hours cannot be read or a time zone is misspelt, then lint says where, what and how to fix it", () => {
    const bad = errors(withCarla(`timezone: Europe/Berln, hours: "Mon-Fry 09:00-18:00"`));
    expect(bad).toContainEqual(
      expect.stringMatching(
        /^sla\.yaml:39:\d+ reps\.carla\.timezone: "Europe\/Berln" is not an IANA time zone — did you mean Europe\/Berlin\?/,
      ),
    );
    expect(bad).toContainEqual(
      expect.stringMatching(/^sla\.yaml:39:\d+ reps\.carla\.hours: cannot read the days "Mon-Fry"/),
    );
  });
});

describe("the SLA's own calendar", () => {
  const holidays: HolidayCalendar = {
    between: (codes: string[]) => Object.fromEntries(codes.map((c) => [c, c === "ES" ? ["2026-12-08"] : []])),
  } as unknown as HolidayCalendar;
  const sla = () => {
    const text = base.replace(
      "routing:\n",
      'calendar: { hours: "Mon-Fri 08:00-20:00", holidays: ES, days_off: [2026-12-07] }\nrouting:\n',
    );
    const report = checkSlaText(text, "sla.yaml");
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    return report.sla!;
  };

  it("when a lead falls back to the queue, then its clock runs on the SLA's hours, public holidays and days off", () => {
    const now = new Date("2026-12-04T18:00:00Z"); // Friday 19:00 in Madrid
    const calendar = ownerCalendar(sla(), undefined, holidays, now);
    expect(calendar).toEqual({
      hours: "Mon-Fri 08:00-20:00",
      timeZone: "Europe/Madrid",
      holidays: ["2026-12-07", "2026-12-08"],
    });
    // 120 business minutes: 60 before Friday's 20:00 close, then Monday (day off) and Tuesday (holiday) are
    // skipped, and the other 60 run from Wednesday 08:00 in Madrid.
    expect(followUpDeadline(now.toISOString(), { minutes: 120, calendar })).toBe("2026-12-09T08:00:00.000Z");
  });

  it("when the company has a day off, then reps are unavailable on it and their clocks pause", () => {
    const s = sla();
    expect(s.routing.daysOff).toEqual(["2026-12-07"]);
    const calendar = ownerCalendar(s, "carla", holidays, new Date("2026-12-04T10:00:00Z"));
    expect(calendar.holidays).toEqual(["2026-12-07", "2026-12-08"]);
    const decision = routeLead(
      anInput({
        lead: aLead({ country: "DE" }),
        rules: { ...demoRules(), daysOff: ["2026-12-07"] },
        now: "2026-12-07T10:00:00.000Z",
      }),
    );
    expect(decision.method).toBe("fallback");
    expect(decision.candidates.map((c) => c.skipped)).toEqual([
      "company day off (2026-12-07)",
      "company day off (2026-12-07)",
    ]);
  });
});
