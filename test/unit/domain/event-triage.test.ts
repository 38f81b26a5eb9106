import { eventPriority, settlesWithoutWork } from "../../../src/domain/event-triage";

describe("event triage", () => {
  it("when an event is about a company or echoes Handoff's own write, then it settles without work", () => {
    expect(settlesWithoutWork({ kind: "property_changed", objectType: "company" })).toBe(true);
    expect(
      settlesWithoutWork({
        kind: "property_changed",
        objectType: "contact",
        changedBy: "handoff",
      }),
    ).toBe(true);
    expect(settlesWithoutWork({ kind: "property_changed", objectType: "contact", changedBy: "person" })).toBe(
      false,
    );
  });

  it("when a company is deleted or records are merged, then the event still needs work", () => {
    expect(settlesWithoutWork({ kind: "deleted", objectType: "company" })).toBe(false);
    expect(settlesWithoutWork({ kind: "privacy_deleted", objectType: "other" })).toBe(false);
    expect(settlesWithoutWork({ kind: "merged", objectType: "contact", mergedObjectIds: ["1"] })).toBe(false);
  });

  it("when a form is submitted, then it is live, unless the conversion came in through an import", () => {
    expect(eventPriority({ kind: "form_submitted" })).toBe("live");
    expect(eventPriority({ kind: "form_submitted", bulk: true })).toBe("bulk");
    expect(eventPriority({ kind: "created", bulk: true })).toBe("bulk");
    expect(eventPriority({ kind: "property_changed" })).toBe("normal");
  });
});
