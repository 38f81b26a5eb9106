import type { Sla } from "../../src/domain/sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, movableClock } from "../helpers/pipeline-harness";
import { demoRules } from "../helpers/routing-builders";
import { anSla, engagementRule } from "../unit/sla/builders";
import { insertConnection } from "./routing/routing-fixtures";

const START = "2026-11-02T09:00:00.000Z";

function sla(): Sla {
  const rules = demoRules();
  for (const rep of Object.values(rules.reps)) delete rep.holidays;
  return anSla({
    routing: rules,
    engagement: [engagementRule({ on: "form_submission", points: 50 })],
    mqlFit: 0,
    mqlEngagement: 40,
  });
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-dup");
});
afterAll(async () => db.close());

describe("one person, several CRM records", () => {
  it("when a second record of a person already with sales qualifies, then it is linked to the open handoff: one handoff, one task, the same owner", async () => {
    const clock = movableClock(START);
    const p = createPipeline(db, sla(), clock);
    const form = { kind: "form_submission" as const, occurredAt: START, name: "Contact me" };
    p.crm.leads.set("d-1", { id: "d-1", email: "jo@kraus.example", country: "DE", properties: {} });
    p.crm.activities.set("d-1", [form]);
    await p.handle(anEvent("c-dup", "d-1", START));
    const first = await p.leads.latestHandoff("c-dup", "d-1");
    expect(first).toMatchObject({ status: "open" });

    // The same person submits another form and lands as a second contact (an import, another form tool).
    clock.advance(600_000);
    p.crm.leads.set("d-2", { id: "d-2", email: "jo@kraus.example", country: "DE", properties: {} });
    p.crm.activities.set("d-2", [{ ...form, occurredAt: clock().toISOString() }]);
    await p.handle(anEvent("c-dup", "d-2", clock().toISOString()));

    expect(await p.leads.latestHandoff("c-dup", "d-2")).toBeNull();
    expect(await p.leads.linkedLeads("c-dup", first!.id)).toEqual(["d-2"]);
    expect(p.crm.tasks.map((t) => t.leadId)).toEqual(["d-1"]);
    expect(p.crm.leads.get("d-2")!.ownerId).toBe(first!.ownerId);
    // Only the first record takes a slot of the owner's open capacity.
    expect((await p.assignments.openAssignments("c-dup")).map((a) => a.leadId)).toEqual(["d-1"]);
  });
});
