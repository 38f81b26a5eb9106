import { Pool } from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, MemoryCrm, movableClock } from "../helpers/pipeline-harness";
import { formQualifiesSla } from "../helpers/form-sla";
import { insertConnection } from "./routing/routing-fixtures";

const START = "2026-11-02T09:00:00.000Z";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-dup");
});
afterAll(async () => db.close());

describe("one person, several CRM records", () => {
  it("when a second record of a person already with sales qualifies, then it is linked to the open handoff: one handoff, one task, the same owner", async () => {
    const clock = movableClock(START);
    const p = createPipeline(db, formQualifiesSla({ holidays: false }), clock);
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

  it("when two records of one person arrive at the same instant on two workers, then they hand over once: one handoff, one task, one message, the other record linked", async () => {
    const clock = movableClock("2026-11-03T09:00:00.000Z");
    const at = clock().toISOString();
    // One CRM, two workers, each with its own connection pool (as two processes would have).
    const crm = new MemoryCrm();
    const form = { kind: "form_submission" as const, occurredAt: at, name: "Contact me" };
    for (const id of ["s-1", "s-2"]) {
      crm.leads.set(id, { id, email: "eva@lang.example", country: "DE", properties: {} });
      crm.activities.set(id, [form]);
    }
    const pool2 = new Pool({ connectionString: db.url, max: 10 });
    try {
      const messages: string[] = [];
      const workers = [
        createPipeline(db, formQualifiesSla({ holidays: false }), clock, crm),
        createPipeline({ ...db, pool: pool2 }, formQualifiesSla({ holidays: false }), clock, crm),
      ];
      for (const w of workers) {
        w.deps.notify = (_c, handoffId) => {
          messages.push(handoffId);
          return Promise.resolve();
        };
      }
      await Promise.all([
        workers[0]!.handle(anEvent("c-dup", "s-1", at)),
        workers[1]!.handle(anEvent("c-dup", "s-2", at)),
      ]);

      const handoffs = await Promise.all(
        ["s-1", "s-2"].map((id) => workers[0]!.leads.latestHandoff("c-dup", id)),
      );
      const opened = handoffs.filter((h) => h !== null);
      expect(opened).toHaveLength(1);
      const handoff = opened[0]!;
      const other = handoff.leadId === "s-1" ? "s-2" : "s-1";
      expect(await workers[0]!.leads.linkedLeads("c-dup", handoff.id)).toEqual([other]);
      expect(crm.tasks.map((t) => t.leadId)).toEqual([handoff.leadId]);
      expect(messages).toEqual([handoff.id]);
      expect(crm.leads.get(other)!.ownerId).toBe(handoff.ownerId);
      const slots = await workers[0]!.assignments.openAssignments("c-dup");
      expect(slots.map((a) => a.leadId).filter((id) => id.startsWith("s-"))).toEqual([handoff.leadId]);
    } finally {
      await pool2.end();
    }
  });
});
