import {
  buildTaskSnapshot,
  SALESFORCE_TASK_DESCRIPTION_MAX,
  SALESFORCE_TASK_SUBJECT_MAX,
  truncate,
} from "../../../src/domain/task-snapshot";
import { aHandoffCard } from "../../fixtures/handoff-card";

describe("buildTaskSnapshot", () => {
  it("when a lead is handed over, then the task body carries who, why now, the breakdown, conversion and five views", () => {
    const { subject, description } = buildTaskSnapshot(aHandoffCard(), {
      cardUrl: "https://h.example/cards/x",
    });

    expect(subject).toBe("Follow up: Zoë Müller (Acme GmbH), score 137");
    expect(description).toContain("Zoë Müller, VP Sales at Acme GmbH");
    expect(description).toContain(
      "Why now: Submitted form “contact-me” on /contact (2026-11-23T09:55:00.000Z)",
    );
    expect(description).toContain("Score 137: fit 75 (MQL ≥ 50), engagement 62 (MQL ≥ 40)");
    expect(description).toContain("Follow up by: 2026-11-23T10:25:00.000Z (business hours)");
    expect(description).toContain("- +20 job title matches 'VP*' [fit[2]]");
    expect(description).toContain("Last conversion\n- contact-me – /contact (2026-11-23T09:55:00.000Z)");
    expect(description).toContain("- Message: We need this before Q1.");
    expect(description).toContain("Why Anna Schmidt got this lead\n- territory DACH (country DE)");
    expect(description.endsWith("Live card: https://h.example/cards/x")).toBe(true);
    const views = description.split("Last five content views\n")[1]!.split("\n\n")[0]!.split("\n");
    expect(views).toHaveLength(5);
    expect(views[0]).toBe("- Contact us – /contact (2026-11-23T09:52:00.000Z)");
  });

  it("when the card is huge, then the body stays within Salesforce's 32,000 characters and keeps the header", () => {
    const reasons = Array.from({ length: 2000 }, (_, i) => ({
      rule: `fit[${i}]`,
      points: 1,
      evidence: `matched a very long rule description number ${i} `.repeat(4),
      axis: "fit" as const,
    }));
    const card = aHandoffCard({ score: { fit: 90, engagement: 50, total: 140, reasons } });
    const { subject, description } = buildTaskSnapshot(card, { cardUrl: "https://h.example/c" });

    expect(description.length).toBeLessThanOrEqual(SALESFORCE_TASK_DESCRIPTION_MAX);
    expect(subject.length).toBeLessThanOrEqual(SALESFORCE_TASK_SUBJECT_MAX);
    expect(description).toContain("Why now: Submitted form");
    expect(description).toMatch(/- … and \d+ more/);
    expect(description).toContain("Last five content views");
    expect(description.endsWith("Live card: https://h.example/c")).toBe(true);
  });

  it("honours a smaller limit such as a custom field's", () => {
    const { description } = buildTaskSnapshot(aHandoffCard(), { maxLength: 400 });
    expect(description.length).toBeLessThanOrEqual(400);
    expect(description.startsWith("Zoë Müller, VP Sales at Acme GmbH")).toBe(true);
  });

  it("truncates without splitting a surrogate pair", () => {
    expect(truncate("ab😀cd", 4)).toBe("ab…");
    expect(truncate("short", 10)).toBe("short");
  });
});
