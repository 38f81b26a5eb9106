import { addDuration, parseDuration } from "../../../src/domain/duration";

describe("parseDuration", () => {
  it.each([
    ["30m", 30],
    ["4h", 240],
    ["1d", 1440],
    ["2w", 20160],
    ["14 days", 20160],
    ["90 minutes", 90],
    ["1.5h", 90],
    ["1 month", 43200],
    ["2 months", 86400],
    ["3mo", 129600],
  ])("%s = %i minutes", (text, minutes) => {
    expect(parseDuration(text)).toEqual({ text, minutes });
  });

  it.each(["", "30", "30x", "soon", "-1d"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("adds wall-clock minutes to an instant", () => {
    expect(addDuration("2026-11-10T00:00:00Z", { text: "30d", minutes: 43200 })).toBe(
      "2026-12-10T00:00:00.000Z",
    );
  });
});
