import type { Activity, Lead } from "../../../src/domain/lead";
import { createMemoryStores } from "../../helpers/memory";
import { MemoryCrm } from "../../helpers/memory/memory-crm";
import { anEvent, createPipelineOn, formSla, movableClock } from "../../helpers/pipeline-harness";

const C = "hubspot-111";
/** Monday 10:00 in Berlin: the DACH reps are at work. */
const START = "2026-11-02T09:00:00.000Z";

/** The pipeline on the in-memory stores and the in-memory CRM: no database, no sandbox, no network. */
function pipeline() {
  const clock = movableClock(START);
  const stores = createMemoryStores({ clock });
  const notified: { connectionId: string; handoffId: string }[] = [];
  const p = createPipelineOn(stores, formSla(), clock, new MemoryCrm(), {
    recordUrl: (_c, leadId) => `https://app.hubspot.com/contacts/111/record/0-1/${leadId}`,
    notify: (connectionId, handoffId) => {
      notified.push({ connectionId, handoffId });
      return Promise.resolve();
    },
  });
  return { ...p, clock, stores, notified };
}

/** A German lead in the CRM, with one activity (the "Contact me" form) at the start. */
function seed(
  p: ReturnType<typeof pipeline>,
  id: string,
  lead: Partial<Lead> = {},
  activity: Activity = { kind: "form_submission", occurredAt: START, name: "Contact me" },
): void {
  p.crm.leads.set(id, { id, country: "DE", stage: "lead", properties: {}, ...lead });
  p.crm.activities.set(id, [activity]);
}

describe("handle-lead-event on the in-memory stores and CRM", () => {
  it("when a German lead submits a form that meets the MQL thresholds, then it is routed to a DACH rep, written back, tasked and notified once", async () => {
    const p = pipeline();
    seed(p, "l-1", { email: "jo@bauwerk.de" });

    expect(await p.handle(anEvent(C, "l-1", START))).toBe("processed");

    const handoff = await p.stores.leads.latestHandoff(C, "l-1");
    expect(handoff).toMatchObject({
      status: "open",
      method: "round_robin",
      taskId: "task-1",
      slaHash: "sha256:test",
    });
    expect(["anna", "ben"]).toContain(handoff!.repKey);
    const owner = handoff!.repKey === "anna" ? "80001" : "80002";
    expect(handoff!.ownerId).toBe(owner);
    expect(handoff!.cardInput).toMatchObject({ connectionId: C, lead: { id: "l-1", country: "DE" } });
    expect(p.crm.updates).toContainEqual(
      expect.objectContaining({ leadId: "l-1", stage: "mql", ownerId: owner, decisionId: handoff!.id }),
    );
    expect(p.crm.tasks).toEqual([
      expect.objectContaining({ leadId: "l-1", ownerId: owner, decisionId: handoff!.id }),
    ]);
    expect(p.notified).toEqual([{ connectionId: C, handoffId: handoff!.id }]);
    expect(await p.stores.leads.getState(C, "l-1")).toMatchObject({ stage: "mql" });
    expect(
      (await p.stores.assignments.openCounts(C)).find((c) => c.repKey === handoff!.repKey),
    ).toMatchObject({
      open: 1,
      handedOver: 1,
    });
    const decision = await p.stores.assignments.getDecision(C, handoff!.id);
    expect(decision.outcome).toMatchObject({ routing: { repKey: handoff!.repKey, pool: "dach" } });
  });

  it("when the same event is handled again, then the first handoff stands: no second slot, task, handoff or message", async () => {
    const p = pipeline();
    seed(p, "l-1");
    const event = anEvent(C, "l-1", START);
    await p.handle(event);
    const first = await p.stores.leads.latestHandoff(C, "l-1");

    p.clock.advance(60_000);
    expect(await p.handle({ ...event, attempts: 2 })).toBe("processed");

    expect(await p.stores.leads.latestHandoff(C, "l-1")).toEqual(first);
    expect(p.crm.tasks).toHaveLength(1);
    // A retry asks again for the same handoff's messages; the notification ledger sends each channel once.
    expect(new Set(p.notified.map((n) => n.handoffId))).toEqual(new Set([first!.id]));
    expect((await p.stores.assignments.openAssignments(C)).map((a) => a.leadId)).toEqual(["l-1"]);
    expect((await p.stores.assignments.openCounts(C)).reduce((n, c) => n + c.open, 0)).toBe(1);
  });

  it("when a later event of a handed-over lead arrives, then it joins the open handoff instead of opening another", async () => {
    const p = pipeline();
    seed(p, "l-1");
    await p.handle(anEvent(C, "l-1", START));
    p.clock.advance(5 * 60_000);
    p.crm.activities.get("l-1")!.push({ kind: "form_submission", occurredAt: p.clock().toISOString() });
    await p.handle(anEvent(C, "l-1", p.clock().toISOString()));
    expect(p.crm.tasks).toHaveLength(1);
    expect(p.notified).toHaveLength(1);
    expect((await p.stores.assignments.openCounts(C)).reduce((n, c) => n + c.open, 0)).toBe(1);
  });

  it("when a lead stays below the MQL thresholds, then it is scored and kept, with no owner, task or message", async () => {
    const p = pipeline();
    seed(p, "l-2", {}, { kind: "page_view", occurredAt: START, url: "/pricing" });
    await p.handle(anEvent(C, "l-2", START));
    expect(await p.stores.leads.latestHandoff(C, "l-2")).toBeNull();
    expect(await p.stores.leads.getState(C, "l-2")).toMatchObject({ stage: "lead" });
    expect(p.crm.tasks).toEqual([]);
    expect(p.crm.updates.filter((u) => u.ownerId !== undefined)).toEqual([]);
    expect(p.notified).toEqual([]);
  });

  it("when a lead the CRM marks UNQUALIFIED meets the thresholds, then it stays out with the SLA's reject reason", async () => {
    const p = pipeline();
    seed(p, "u-1", { leadStatus: "UNQUALIFIED" });
    await p.handle(anEvent(C, "u-1", START));
    expect(await p.stores.leads.latestHandoff(C, "u-1")).toBeNull();
    expect(await p.stores.leads.history(C, "u-1")).toEqual([
      expect.objectContaining({ type: "rejected", reason: "not_icp" }),
    ]);
    expect(p.crm.tasks).toEqual([]);
    expect(p.notified).toEqual([]);
    expect(await p.stores.assignments.openAssignments(C)).toEqual([]);
  });
});
