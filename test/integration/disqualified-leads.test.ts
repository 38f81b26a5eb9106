import type { Sla } from "../../src/domain/sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, formSla, MemoryCrm, movableClock } from "../helpers/pipeline-harness";
import { insertConnection } from "./routing/routing-fixtures";

const START = "2026-11-02T09:00:00.000Z";
const DAY = 86_400_000;

function sla(): Sla {
  const s = formSla();
  s.feedback = {
    rejectReasons: ["not_icp", "no_budget", "wrong_contact"],
    crmRejections: { UNQUALIFIED: "not_icp", "Closed - Not Converted": "no_budget", BAD_TIMING: "no_budget" },
  };
  return s;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (const id of ["c-hs", "c-sf", "c-open"]) await insertConnection(db.pool, id);
});
afterAll(async () => db.close());

describe("disqualified leads stay out of the handoff", () => {
  it("when a HubSpot contact marked UNQUALIFIED meets the thresholds, then it is not handed over until new activity after the cooldown", async () => {
    const clock = movableClock(START);
    const p = createPipeline(db, sla(), clock);
    p.crm.leads.set("u-1", {
      id: "u-1",
      country: "DE",
      stage: "lead",
      leadStatus: "UNQUALIFIED",
      properties: {},
    });
    p.crm.activities.set("u-1", [{ kind: "form_submission", occurredAt: START, name: "Contact me" }]);
    await p.handle(anEvent("c-hs", "u-1", START));
    expect(await p.leads.latestHandoff("c-hs", "u-1")).toBeNull();
    expect(await p.leads.history("c-hs", "u-1")).toEqual([
      expect.objectContaining({ type: "rejected", reason: "not_icp" }),
    ]);

    // Ten days later another form: still inside the 30-day cooldown.
    clock.advance(10 * DAY);
    p.crm.activities.get("u-1")!.push({ kind: "form_submission", occurredAt: clock().toISOString() });
    await p.handle(anEvent("c-hs", "u-1", clock().toISOString()));
    expect(await p.leads.latestHandoff("c-hs", "u-1")).toBeNull();

    // After the cooldown, new activity lets it back (the SLA's requalify_on: new_evidence).
    clock.advance(25 * DAY);
    p.crm.activities.get("u-1")!.push({ kind: "form_submission", occurredAt: clock().toISOString() });
    await p.handle(anEvent("c-hs", "u-1", clock().toISOString()));
    expect(await p.leads.latestHandoff("c-hs", "u-1")).toMatchObject({ status: "open" });
    // And the old status does not disqualify it a second time on the next event.
    await p.handle(anEvent("c-hs", "u-1", clock().toISOString()));
    expect(await p.leads.latestHandoff("c-hs", "u-1")).toMatchObject({ status: "open" });
  });

  it("when a Salesforce lead arrives already Closed - Not Converted, then it is not promoted and its rejection carries the SLA's reason", async () => {
    const clock = movableClock(START);
    const p = createPipeline(db, sla(), clock, new MemoryCrm("salesforce"));
    p.crm.leads.set("00Q000000000001AAA", {
      id: "00Q000000000001AAA",
      country: "DE",
      stage: "nurture",
      leadStatus: "Closed - Not Converted",
      properties: {},
    });
    p.crm.activities.set("00Q000000000001AAA", [{ kind: "form_submission", occurredAt: START }]);
    await p.handle(
      anEvent("c-sf", "00Q000000000001AAA", START, {
        crm: "salesforce",
        objectType: "lead",
        kind: "created",
      }),
    );
    expect(await p.leads.latestHandoff("c-sf", "00Q000000000001AAA")).toBeNull();
    expect(await p.leads.history("c-sf", "00Q000000000001AAA")).toEqual([
      expect.objectContaining({ type: "rejected", reason: "no_budget" }),
    ]);
  });

  it("when a person sets a handed-over lead to a status the SLA maps to a reason of another name, then sales' rejection is recorded with that reason and the slot is freed", async () => {
    const clock = movableClock(START);
    const p = createPipeline(db, sla(), clock);
    p.crm.leads.set("h-1", { id: "h-1", country: "DE", stage: "lead", properties: {} });
    p.crm.activities.set("h-1", [{ kind: "form_submission", occurredAt: START }]);
    await p.handle(anEvent("c-open", "h-1", START));
    const handoff = await p.leads.latestHandoff("c-open", "h-1");
    expect(handoff).toMatchObject({ status: "open" });
    clock.advance(3_600_000);
    p.crm.leads.get("h-1")!.leadStatus = "BAD_TIMING";
    await p.handle(
      anEvent("c-open", "h-1", clock().toISOString(), {
        propertyName: "hs_lead_status",
        propertyValue: "BAD_TIMING",
        changeSource: "CRM_UI",
        raw: { sourceId: `userId:${handoff!.ownerId}` },
      }),
    );
    expect(await p.leads.latestHandoff("c-open", "h-1")).toMatchObject({
      status: "rejected",
      rejectReason: "no_budget",
    });
    expect((await p.assignments.openAssignments("c-open")).map((a) => a.leadId)).not.toContain("h-1");
  });
});
