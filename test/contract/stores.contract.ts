import { AppError, CrmUnavailableError } from "../../src/domain/errors";
import type { HandoffCardInput } from "../../src/domain/handoff-card";
import type { IncomingEvent } from "../../src/domain/screen-event";
import type { AssignmentStore } from "../../src/ports/assignments";
import type { ConnectionStore } from "../../src/ports/connections";
import type { EventStore } from "../../src/ports/events";
import type { FollowUpStore } from "../../src/ports/follow-ups";
import type { LeadStore, NewHandoff } from "../../src/ports/leads";
import { aLead, DEMO_OWNERS, demoRules, MONDAY_MORNING_EU } from "../helpers/routing-builders";

/** The stores of one adapter family, sharing one database as they do in production. */
export interface StoreSubject {
  connections: ConnectionStore;
  events: EventStore;
  leads: LeadStore;
  assignments: AssignmentStore;
  followUps: FollowUpStore;
  teardown(): Promise<void>;
}

/** Two installed portals: what one writes, the other never reads. */
const A = "hubspot-111";
const B = "hubspot-222";
const AT = new Date(MONDAY_MORNING_EU);
const later = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);

let seq = 0;
function anEvent(
  connectionId: string,
  objectId: string,
  overrides: Partial<IncomingEvent> = {},
): IncomingEvent {
  seq += 1;
  return {
    connectionId,
    crm: "hubspot",
    eventKey: `contract-${seq}`,
    kind: "property_changed",
    objectType: "contact",
    objectId,
    occurredAt: AT.toISOString(),
    propertyName: "lifecyclestage",
    propertyValue: "marketingqualifiedlead",
    raw: { subscriptionType: "contact.propertyChange" },
    ...overrides,
  };
}

function aHandoff(connectionId: string, leadId: string, id: string, eventKey: string): NewHandoff {
  return {
    id,
    connectionId,
    leadId,
    eventKey,
    ownerId: "80001",
    repKey: "anna",
    method: "round_robin",
    startedAt: AT.toISOString(),
    dueAt: later(30).toISOString(),
    slaHash: "sha256:contract",
    score: { fit: 40, engagement: 30, total: 70, reasons: [] },
    source: { channel: "form" },
    cardInput: { connectionId, crm: "hubspot", lead: aLead({ id: leadId }) } as HandoffCardInput,
  };
}

/** Routes a German lead into the demo "dach" pool, as the pipeline does for `eventKey`. */
function route(s: StoreSubject, leadId: string, eventKey: string, rules = demoRules()) {
  return s.assignments.assign({
    connectionId: A,
    lead: aLead({ id: leadId }),
    rules,
    owners: DEMO_OWNERS,
    now: AT,
    eventKey,
    slaHash: "sha256:contract",
    record: { outcome: { stage: "mql" } },
  });
}

/** Two jobs started at once under `lock`: either may go first, neither starts before the other is done. */
async function expectTurns(lock: (name: string, work: () => Promise<void>) => Promise<void>): Promise<void> {
  const order: string[] = [];
  const job = (name: string) =>
    lock(name, async () => {
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${name} out`);
    });
  await Promise.all([job("a"), job("b")]);
  const first = order[0]!.split(" ")[0];
  const second = first === "a" ? "b" : "a";
  expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
}

/**
 * The one contract every store adapter family passes (in memory and PostgreSQL): the same assertions prove both
 * keep the same promises: idempotency keys, atomic claims and slots, open counts, portals kept apart.
 *
 * @example storesContract("PostgreSQL", async () => ({ ...stores, teardown }));
 */
export function storesContract(name: string, makeSubject: () => Promise<StoreSubject>): void {
  describe(`store contract: ${name}`, () => {
    let s: StoreSubject;
    beforeEach(async () => {
      s = await makeSubject();
      for (const id of [A, B]) {
        await s.connections.upsert({ id, crm: "hubspot", externalId: id.slice(8), name: `Portal ${id}` });
      }
    });
    afterEach(async () => {
      await s?.teardown();
    });

    describe("ConnectionStore", () => {
      it("when a connection is installed again, then it keeps its webhook token and merges its settings", async () => {
        const install = (name: string, settings: Record<string, unknown>) =>
          s.connections.upsert({ id: "hubspot-333", crm: "hubspot", externalId: "333", name, settings });
        const first = await install("Acme", { a: 1 });
        const again = await install("Acme GmbH", { b: 2 });
        expect(first.webhookToken).toEqual(expect.any(String));
        expect(again).toMatchObject({
          webhookToken: first.webhookToken,
          name: "Acme GmbH",
          status: "active",
        });
        expect(again.settings).toEqual({ a: 1, b: 2 });
        expect(await s.connections.findByExternalId("hubspot", "333")).toMatchObject({ id: "hubspot-333" });
        expect(await s.connections.findByExternalId("salesforce", "333")).toBeNull();
      });

      it("when tokens are saved without a refresh token, then the earlier one is kept; a disconnect removes both", async () => {
        const expiresAt = later(60);
        await s.connections.saveTokens(A, { accessToken: "at-1", refreshToken: "rt-1", expiresAt });
        await s.connections.saveTokens(A, { accessToken: "at-2", expiresAt });
        expect(await s.connections.getTokens(A)).toEqual({
          accessToken: "at-2",
          refreshToken: "rt-1",
          expiresAt,
        });
        expect((await s.connections.get(A))?.tokenExpiresAt).toEqual(expiresAt);
        await s.connections.disconnect(A);
        expect(await s.connections.getTokens(A)).toBeNull();
        expect(await s.connections.get(A)).toMatchObject({ status: "disconnected", tokenExpiresAt: null });
        expect(await s.connections.getTokens(B)).toBeNull();
      });
    });

    describe("EventStore", () => {
      it("when a delivery is redelivered, then each event is stored once and the rest count as duplicates", async () => {
        const e1 = anEvent(A, "c-1");
        const e2 = anEvent(A, "c-2");
        expect(await s.events.append([e1, e2, e1])).toEqual({
          stored: [e1.eventKey, e2.eventKey],
          parked: [],
          duplicates: 1,
        });
        expect(await s.events.append([e2, e1])).toEqual({ stored: [], parked: [], duplicates: 2 });
        // The same key in another portal is another event.
        expect((await s.events.append([{ ...e1, connectionId: B }])).stored).toEqual([e1.eventKey]);
        expect(await s.events.counts(A)).toEqual({ pending: 2 });
        expect(await s.events.get(A, e1.eventKey)).toMatchObject({
          objectId: "c-1",
          propertyName: "lifecyclestage",
          status: "pending",
          attempts: 0,
          lastError: null,
          parkedAt: null,
        });
      });

      it("when an event is quarantined at intake, then it is stored parked with its reason next to its good neighbours", async () => {
        const good = anEvent(A, "c-1");
        const bad = {
          ...anEvent(A, "c-2"),
          quarantine: { reason: "occurredAt out of range", raw: '{"x":1}' },
        };
        expect(await s.events.append([good, bad])).toEqual({
          stored: [good.eventKey],
          parked: [bad.eventKey],
          duplicates: 0,
        });
        const parked = await s.events.listParked(A);
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({
          eventKey: bad.eventKey,
          status: "parked",
          lastError: { code: "unusable_event", message: "occurredAt out of range" },
        });
        expect(parked[0]).not.toHaveProperty("quarantine");
        expect(await s.events.listParked(B)).toEqual([]);
        expect(await s.events.backlog()).toEqual([{ connectionId: A, waiting: 1, parked: 1 }]);
      });

      it("when an event is claimed, then a second claim is told how long it is held and a settled event is never claimed", async () => {
        const e = anEvent(A, "c-1");
        await s.events.append([e]);
        expect(await s.events.claim(A, e.eventKey, 60)).toMatchObject({
          eventKey: e.eventKey,
          status: "processing",
        });
        const held = await s.events.claim(A, e.eventKey, 60);
        expect(held).toEqual({ heldForMs: expect.any(Number) });
        const heldForMs = (held as { heldForMs: number }).heldForMs;
        expect(heldForMs).toBeGreaterThan(50_000);
        expect(heldForMs).toBeLessThanOrEqual(60_000);
        expect(await s.events.claim(B, e.eventKey, 60)).toBeNull();
        await s.events.markProcessed(A, e.eventKey);
        expect(await s.events.claim(A, e.eventKey, 60)).toBeNull();
        expect(await s.events.get(A, e.eventKey)).toMatchObject({ status: "processed", attempts: 1 });
      });

      it("when a lease has run out, then another run claims the event", async () => {
        const e = anEvent(A, "c-1");
        await s.events.append([e]);
        await s.events.claim(A, e.eventKey, -1);
        expect(await s.events.claim(A, e.eventKey, 60)).toMatchObject({ status: "processing" });
      });

      it("when an event fails, then attempts count up, it is parked, and a replay gives it a fresh budget once", async () => {
        const e = anEvent(A, "c-1");
        await s.events.append([e]);
        await s.events.claim(A, e.eventKey, 60);
        const failed = await s.events.recordFailure(A, e.eventKey, new CrmUnavailableError("hubspot: 503"));
        expect(failed.attempts).toBe(1);
        expect(failed.failingForMs).toBeGreaterThanOrEqual(0);
        expect(await s.events.get(A, e.eventKey)).toMatchObject({
          status: "pending",
          lastError: { code: "crm_unavailable", message: "hubspot: 503" },
        });
        await s.events.claim(A, e.eventKey, 60);
        expect((await s.events.recordFailure(A, e.eventKey, new CrmUnavailableError("again"))).attempts).toBe(
          2,
        );
        await s.events.park(A, e.eventKey, new CrmUnavailableError("gave up"));
        expect(await s.events.counts(A)).toEqual({ parked: 1 });
        expect(await s.events.replay(B, e.eventKey)).toBe(false);
        expect(await s.events.replay(A, e.eventKey)).toBe(true);
        expect(await s.events.replay(A, e.eventKey)).toBe(false);
        expect(await s.events.get(A, e.eventKey)).toMatchObject({
          status: "pending",
          attempts: 0,
          parkedAt: null,
        });
      });

      it("when the CRM answers again, then only events parked on a retryable failure are replayed", async () => {
        const outage = anEvent(A, "c-1");
        const content = anEvent(A, "c-2");
        await s.events.append([outage, content]);
        await s.events.park(A, outage.eventKey, new CrmUnavailableError("hubspot: 503"));
        await s.events.park(A, content.eventKey, new AppError("invalid_payload", "no such property"));
        expect(await s.events.replayRetryable(B)).toBe(0);
        expect(await s.events.replayRetryable(A)).toBe(1);
        expect(await s.events.counts(A)).toEqual({ pending: 1, parked: 1 });
        expect((await s.events.listParked(undefined)).map((e) => e.eventKey)).toEqual([content.eventKey]);
      });

      it("when stored deliveries fan out, then events needing no work settle as ignored and the rest are queued once", async () => {
        const contact = anEvent(A, "c-1");
        const company = anEvent(A, "co-1", { objectType: "company", propertyName: "name" });
        const echo = anEvent(A, "c-2", { propertyName: "handoff_score" });
        await s.events.append([contact, company, echo]);
        const batch = {
          connectionIds: [A, A, A],
          eventKeys: [contact.eventKey, company.eventKey, echo.eventKey],
          objectIds: ["c-1", "co-1", "c-2"],
        };
        expect(await s.events.fanOut([batch])).toEqual({ settled: 2, queued: 1 });
        expect(await s.events.counts(A)).toEqual({ pending: 1, ignored: 2 });
        expect(await s.events.fanOut([batch])).toEqual({ settled: 0, queued: 1 });
      });
    });

    describe("LeadStore", () => {
      it("when an older event is saved after a newer one, then the lead's last event time does not move back", async () => {
        const base = { stage: "mql" as const, fit: 40, engagement: 30, total: 70, heldReason: null };
        await s.leads.saveState(A, "l-1", { ...base, eventAt: later(10).toISOString() });
        await s.leads.saveState(A, "l-1", { ...base, stage: "sql", eventAt: later(5).toISOString() });
        expect(await s.leads.getState(A, "l-1")).toEqual({
          stage: "sql",
          lastEventAt: later(10).toISOString(),
          mergedInto: null,
        });
        expect(await s.leads.getState(B, "l-1")).toBeNull();
        await s.leads.markMerged(A, ["l-1"], "l-9");
        expect(await s.leads.getState(A, "l-1")).toMatchObject({ mergedInto: "l-9" });
      });

      it("when a lifecycle change is redelivered, then the history holds it once, in time order", async () => {
        const promoted = {
          type: "stage_set" as const,
          stage: "mql" as const,
          at: later(1).toISOString(),
          by: "handoff" as const,
        };
        await s.leads.addLifecycle(A, "l-1", promoted, "e-2");
        await s.leads.addLifecycle(A, "l-1", promoted, "e-2");
        await s.leads.addLifecycle(
          A,
          "l-1",
          { type: "stage_set", stage: "lead", at: AT.toISOString(), by: "person", actor: "9001" },
          "e-1",
        );
        await s.leads.addLifecycle(
          A,
          "l-1",
          { type: "rejected", at: later(2).toISOString(), reason: "bad_fit" },
          "e-3",
        );
        expect(await s.leads.history(A, "l-1")).toEqual([
          { type: "stage_set", stage: "lead", at: AT.toISOString(), by: "person", actor: "9001" },
          promoted,
          { type: "rejected", at: later(2).toISOString(), reason: "bad_fit" },
        ]);
        expect(await s.leads.history(B, "l-1")).toEqual([]);
      });

      it("when a handoff is created again for the same event, then the first comes back; another event joins the open one", async () => {
        const first = await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        expect(first).toMatchObject({ id: "h-1", status: "open", taskId: null, feedbackAt: null });
        expect(await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"))).toEqual(first);
        expect((await s.leads.createHandoff(aHandoff(A, "l-1", "h-2", "e-2"))).id).toBe("h-1");
        expect(await s.leads.handoffByEvent(A, "e-2", "l-1")).toBeNull();
        expect(await s.leads.getHandoff(B, "h-1")).toBeNull();
        // Feedback once, while open; then the lead may be handed over again.
        expect(
          await s.leads.setFeedback(A, "h-1", {
            status: "rejected",
            reason: "bad_fit",
            at: later(5).toISOString(),
            note: "wrong size",
          }),
        ).toBe(true);
        expect(
          await s.leads.setFeedback(A, "h-1", {
            status: "accepted",
            reason: null,
            at: later(6).toISOString(),
          }),
        ).toBe(false);
        expect(await s.leads.getHandoff(A, "h-1")).toMatchObject({
          status: "rejected",
          rejectReason: "bad_fit",
          feedbackNote: "wrong size",
          feedbackAt: later(5).toISOString(),
        });
        const second = await s.leads.createHandoff(aHandoff(A, "l-1", "h-3", "e-3"));
        expect(second).toMatchObject({ id: "h-3", status: "open" });
        expect((await s.leads.latestHandoff(A, "l-1"))?.id).toBe("h-3");
      });

      it("when a handoff's task, first touch and card are written, then they read back and the first touch stays first", async () => {
        await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        await s.leads.setTask(A, "h-1", "task-9");
        await s.leads.setTask(B, "h-1", "task-other-portal");
        await s.leads.markFirstTouch(A, "h-1", later(3).toISOString());
        await s.leads.markFirstTouch(A, "h-1", later(4).toISOString());
        const card = {
          connectionId: A,
          crm: "hubspot",
          lead: aLead({ id: "l-1", firstName: "Jo" }),
        } as HandoffCardInput;
        await s.leads.updateCardInput(A, "h-1", card);
        expect(await s.leads.getHandoff(A, "h-1")).toMatchObject({
          taskId: "task-9",
          firstTouchAt: later(3).toISOString(),
          cardInput: card,
        });
      });

      it("when a channel's message is claimed twice, then only the first claim may send it", async () => {
        await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        expect(await s.leads.claimNotification(A, "h-1", "slack")).toBe(true);
        expect(await s.leads.claimNotification(A, "h-1", "slack")).toBe(false);
        expect(await s.leads.claimNotification(A, "h-1", "email")).toBe(true);
        await s.leads.markNotification(A, "h-1", "slack", { status: "failed", error: "slack_unavailable" });
        await s.leads.markNotification(A, "h-1", "slack", { status: "sent", receiptId: "ts-1" });
        expect(await s.leads.notificationStatus(A, "h-1", "slack")).toEqual({
          status: "sent",
          attempts: 2,
          receipt_id: "ts-1",
        });
        expect(await s.leads.notificationStatus(B, "h-1", "slack")).toBeNull();
      });

      it("when two records of one person are handed over at once, then they take turns, whatever the e-mail's case", async () => {
        await expectTurns((name, work) =>
          s.leads.withPersonLock(A, name === "a" ? "Jo@Example.com" : " jo@example.com", work),
        );
      });

      it("when a conversion, activities and duplicate links arrive twice, then each is kept once", async () => {
        await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        const conversion = {
          connectionId: A,
          leadId: "l-1",
          handoffId: "h-1",
          convertedOn: "2026-11-24",
          contactId: "003-1",
          accountId: "001-1",
          opportunityId: null,
          handoffOwnerId: "80001",
          convertedOwnerId: "80002",
          ownerChanged: true,
        };
        const recorded = await s.leads.recordConversion(conversion, later(10).toISOString());
        expect(
          await s.leads.recordConversion({ ...conversion, ownerChanged: false }, later(20).toISOString()),
        ).toEqual(recorded);
        expect(recorded.recordedAt).toBe(later(10).toISOString());
        expect(await s.leads.conversionByContact(A, ["003-1", "003-2"])).toEqual(recorded);
        expect(await s.leads.conversionByContact(B, ["003-1"])).toBeNull();

        const view = {
          kind: "page_view" as const,
          occurredAt: later(1).toISOString(),
          url: "/pricing",
          id: "pv-1",
        };
        const download = {
          kind: "content_download" as const,
          occurredAt: later(2).toISOString(),
          name: "Guide",
        };
        await s.leads.addActivities(A, "l-1", [view, download]);
        await s.leads.addActivities(A, "l-1", [view]);
        expect(await s.leads.activities(A, "l-1")).toEqual([
          { ...download, id: `content_download:${download.occurredAt}` },
          view,
        ]);
        expect(await s.leads.activities(A, "l-1", 1)).toHaveLength(1);

        await s.leads.linkToHandoff(A, "h-1", "l-2", later(3).toISOString());
        await s.leads.linkToHandoff(A, "h-1", "l-2", later(4).toISOString());
        expect(await s.leads.linkedLeads(A, "h-1")).toEqual(["l-2"]);
        expect(await s.leads.linkedLeads(B, "h-1")).toEqual([]);
      });

      it("when a lead is erased, then its state, history, handoffs and routing decisions are gone and its neighbours stay", async () => {
        await s.leads.saveState(A, "l-1", {
          stage: "mql",
          fit: 1,
          engagement: 1,
          total: 2,
          heldReason: null,
          eventAt: AT.toISOString(),
        });
        await s.leads.saveState(A, "l-2", {
          stage: "mql",
          fit: 1,
          engagement: 1,
          total: 2,
          heldReason: null,
          eventAt: AT.toISOString(),
        });
        await s.leads.addLifecycle(A, "l-1", { type: "accepted", at: AT.toISOString() }, "e-1");
        const { decisionId } = await route(s, "l-1", "e-1");
        await s.leads.createHandoff(aHandoff(A, "l-1", decisionId, "e-1"));
        await s.leads.erase(A, "l-1");
        expect(await s.leads.getState(A, "l-1")).toBeNull();
        expect(await s.leads.history(A, "l-1")).toEqual([]);
        expect(await s.leads.latestHandoff(A, "l-1")).toBeNull();
        await expect(s.assignments.getDecision(A, decisionId)).rejects.toMatchObject({ code: "not_found" });
        expect(await s.assignments.openAssignments(A)).toEqual([]);
        expect(await s.leads.getState(A, "l-2")).not.toBeNull();
      });
    });

    describe("AssignmentStore", () => {
      const assign = (leadId: string, eventKey: string, rules = demoRules()) =>
        route(s, leadId, eventKey, rules);

      it("when an event is routed again, then it gets its first decision back and takes no second slot", async () => {
        const first = await assign("l-1", "e-1");
        expect(first).toMatchObject({ replayed: false, decision: { method: "round_robin", pool: "dach" } });
        const again = await assign("l-1", "e-1");
        expect(again).toEqual({ ...first, replayed: true });
        expect((await s.assignments.openCounts(A)).reduce((n, c) => n + c.handedOver, 0)).toBe(1);
        const stored = await s.assignments.getDecision(A, first.decisionId);
        expect(stored).toMatchObject({
          id: first.decisionId,
          connectionId: A,
          leadId: "l-1",
          eventKey: "e-1",
          slaHash: "sha256:contract",
          createdAt: AT,
          outcome: { stage: "mql", routing: { method: "round_robin", repKey: first.decision.repKey } },
        });
        expect(stored.inputs).toHaveProperty("routing.lead.id", "l-1");
        await expect(s.assignments.getDecision(B, first.decisionId)).rejects.toMatchObject({
          code: "not_found",
        });
        expect((await s.assignments.getDecision(undefined, first.decisionId)).id).toBe(first.decisionId);
      });

      it("when leads are routed at once into a pool with one open slot per rep, then no rep goes over the cap", async () => {
        const rules = demoRules();
        rules.pools.dach = { ...rules.pools.dach!, capOpen: 1 };
        const results = await Promise.allSettled(
          ["l-1", "l-2", "l-3", "l-4"].map((id, i) => assign(id, `e-${i}`, rules)),
        );
        const decided = results.map((r) => (r.status === "fulfilled" ? r.value.decision : undefined));
        const toReps = decided
          .filter((d) => d?.repKey === "anna" || d?.repKey === "ben")
          .map((d) => d!.repKey);
        expect(toReps.sort()).toEqual(["anna", "ben"]);
        const counts = await s.assignments.openCounts(A);
        expect(
          counts
            .filter((c) => c.repKey === "anna" || c.repKey === "ben")
            .map((c) => [c.repKey, c.open, c.handedOver]),
        ).toEqual([
          ["anna", 1, 1],
          ["ben", 1, 1],
        ]);
      });

      it("when a lead is released, then its rep's slot is free again, once", async () => {
        const { decision } = await assign("l-1", "e-1");
        const rep = decision.repKey!;
        expect(await s.assignments.openAssignments(A)).toEqual([
          { leadId: "l-1", repKey: rep, ownerId: decision.ownerId, assignedAt: AT },
        ]);
        expect(await s.assignments.release(B, "l-1", "converted", later(5))).toBe(false);
        expect(await s.assignments.release(A, "l-1", "converted", later(5))).toBe(true);
        expect(await s.assignments.release(A, "l-1", "converted", later(6))).toBe(false);
        expect(await s.assignments.openAssignments(A)).toEqual([]);
        expect((await s.assignments.openCounts(A)).find((c) => c.repKey === rep)).toMatchObject({
          open: 0,
          handedOver: 0,
        });
      });

      it("when the CRM's open counts are reconciled, then each rep's open count is Handoff's leads plus the CRM's others", async () => {
        const { decision } = await assign("l-1", "e-1");
        const rep = decision.repKey!;
        const other = rep === "anna" ? "ben" : "anna";
        const counts = await s.assignments.reconcileOpenCounts(A, { [rep]: 5, [other]: 0 }, later(1));
        expect(counts).toEqual(
          [
            { repKey: rep, open: 5, handedOver: 1, otherInCrm: 4, crmOpen: 5, reconciledAt: later(1) },
            { repKey: other, open: 0, handedOver: 0, otherInCrm: 0, crmOpen: 0, reconciledAt: later(1) },
          ].sort((a, b) => (a.repKey < b.repKey ? -1 : 1)),
        );
        // A CRM count below Handoff's own never makes the open count smaller than Handoff's.
        const again = await s.assignments.reconcileOpenCounts(A, { [rep]: 0 }, later(2));
        expect(again.find((c) => c.repKey === rep)).toMatchObject({ open: 1, otherInCrm: 0, crmOpen: 0 });
        expect(await s.assignments.openCounts(B)).toEqual([]);
      });
    });

    describe("FollowUpStore", () => {
      const plan = [
        { key: "reminder-1", kind: "reminder" as const, at: later(15).toISOString(), fraction: 0.5 },
        { key: "escalation", kind: "escalation" as const, at: later(30).toISOString() },
        { key: "cadence-1", kind: "cadence" as const, at: later(60).toISOString() },
      ];

      it("when a plan is saved twice, then what already ran is kept, a step closes once and a stop leaves the cadence check", async () => {
        await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        await s.followUps.saveSteps(A, "h-1", plan);
        expect(
          await s.followUps.closeStep(A, "h-1", {
            step: "reminder-1",
            status: "done",
            outcome: "reminded",
            at: later(15),
          }),
        ).toBe(true);
        expect(
          await s.followUps.closeStep(A, "h-1", {
            step: "reminder-1",
            status: "done",
            outcome: "again",
            at: later(16),
          }),
        ).toBe(false);
        await s.followUps.saveSteps(A, "h-1", plan);
        expect(await s.followUps.stopClock(A, "h-1", "first touch", later(20))).toBe(1);
        const steps = await s.followUps.steps(A, "h-1");
        expect(steps[0]).toEqual({
          handoffId: "h-1",
          step: "reminder-1",
          seq: 0,
          kind: "reminder",
          dueAt: plan[0]!.at,
          status: "done",
          outcome: "reminded",
          firedAt: later(15).toISOString(),
        });
        expect(steps.map((x) => [x.step, x.seq, x.kind, x.dueAt, x.status, x.outcome, x.firedAt])).toEqual([
          ["reminder-1", 0, "reminder", plan[0]!.at, "done", "reminded", later(15).toISOString()],
          ["escalation", 1, "escalation", plan[1]!.at, "skipped", "first touch", later(20).toISOString()],
          ["cadence-1", 2, "cadence", plan[2]!.at, "scheduled", null, null],
        ]);
        expect(await s.followUps.steps(B, "h-1")).toEqual([]);
      });

      it("when two jobs of one handoff run at once, then they take turns", async () => {
        await expectTurns((_name, work) => s.followUps.withHandoffLock(A, "h-1", work));
      });

      it("when a handoff is reassigned, then it is marked once, and the chain knows every earlier owner", async () => {
        await s.leads.createHandoff(aHandoff(A, "l-1", "h-1", "e-1"));
        expect(await s.followUps.markReassigned(A, "h-1", later(30).toISOString())).toBe(true);
        expect(await s.followUps.markReassigned(A, "h-1", later(31).toISOString())).toBe(false);
        expect(await s.leads.getHandoff(A, "h-1")).toMatchObject({ status: "reassigned" });
        await s.leads.createHandoff({ ...aHandoff(A, "l-1", "h-2", "e-2"), ownerId: "80002", repKey: "ben" });
        const reassignment = {
          fromHandoffId: "h-1",
          toHandoffId: "h-2",
          leadId: "l-1",
          fromOwnerId: "80001",
          toOwnerId: "80002",
          reason: "no first touch",
          at: later(30).toISOString(),
        };
        await s.followUps.recordReassignment(A, reassignment);
        await s.followUps.recordReassignment(A, { ...reassignment, reason: "again" });
        expect(await s.followUps.reassignmentFrom(A, "h-1")).toEqual(reassignment);
        expect(await s.followUps.reassignmentFrom(B, "h-1")).toBeNull();
        expect(await s.followUps.previousOwners(A, "h-2")).toEqual(["80001", "80002"]);
        expect(await s.followUps.previousOwners(A, "h-1")).toEqual(["80001"]);
      });

      it("when a lead holds a slot, then its decision is the one behind it; a cadence poll reads back", async () => {
        const { decisionId } = await route(s, "l-1", "e-1");
        expect(await s.followUps.openAssignmentDecision(A, "l-1")).toBe(decisionId);
        expect(await s.followUps.openAssignmentDecision(B, "l-1")).toBeNull();
        await s.leads.createHandoff(aHandoff(A, "l-1", decisionId, "e-1"));
        const cadence = {
          calls: { done: 1, required: 3 },
          emails: { done: 2, required: 2 },
          windowEnd: later(7 * 24 * 60).toISOString(),
          status: "on_track" as const,
        };
        await s.followUps.saveCadence(A, decisionId, cadence, later(60));
        await s.followUps.saveCadence(
          A,
          decisionId,
          { ...cadence, calls: { done: 2, required: 3 } },
          later(120),
        );
        expect(await s.followUps.cadence(A, decisionId)).toEqual({
          ...cadence,
          calls: { done: 2, required: 3 },
        });
        expect(await s.followUps.cadence(B, decisionId)).toBeNull();
      });
    });
  });
}
