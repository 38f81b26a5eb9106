import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import type { AssignmentStore } from "../../src/ports/assignments";
import { PostgresFollowUpStore } from "../../src/adapters/postgres/follow-up-store";
import type { FollowUpStore } from "../../src/ports/follow-ups";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { LeadStore, HandoffRecord } from "../../src/ports/leads";
import { createHolidayCalendar } from "../../src/adapters/holidays";
import { createScheduleFollowUp, runFollowUpStep, type FollowUpDeps } from "../../src/app/follow-up";
import { runFeedbackCommand } from "../../src/cli/commands/feedback";
import { recordConversion } from "../../src/app/record-conversion";
import { recordCrmLeadStatus } from "../../src/app/record-crm-lead-status";
import { HUBSPOT_LEAD_STATUSES } from "../../src/adapters/hubspot/hubspot-mapper";
import { recordFeedback, type FeedbackDeps } from "../../src/app/record-feedback";
import type { StoredEvent } from "../../src/ports/events";
import type { HandoffCardInput } from "../../src/domain/handoff-card";
import type { Sla } from "../../src/domain/sla";
import { startBoss } from "../../src/jobs/boss";
import { createFollowUpScheduler, startFollowUpWorker } from "../../src/jobs/follow-up-worker";
import { createCapturingLogger } from "../../src/logging/logger";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { MemoryCrm } from "../helpers/memory/memory-crm";
import { demoRules } from "../helpers/routing-builders";
import { anSla } from "../unit/sla/builders";

const CONNECTION = "hubspot-follow-up";
// Wednesday 2026-11-18 10:00 in Berlin: Anna and Ben are at work.
const T0 = Date.parse("2026-11-18T09:00:00.000Z");
// The injected clock runs a minute per real second, so a 2-minute SLA plays out in seconds.
const RATE = 60;

function testSla(): Sla {
  const rules = demoRules();
  rules.reps.anna = { ...rules.reps.anna!, managerKey: "mia" };
  rules.reps.ben = { ...rules.reps.ben!, managerKey: "mia" };
  rules.reps.mia = {
    key: "mia",
    crmId: "80009",
    hours: "Mon-Fri 09:00-18:00",
    timezone: "Europe/Berlin",
  };
  const sla = anSla({ routing: rules });
  sla.feedback = { rejectReasons: ["not_icp", "no_budget", "bad_timing"] };
  sla.followUp = {
    ...sla.followUp,
    firstTouch: { text: "2m", minutes: 2 },
    businessHours: false,
    remindAt: [0.5, 1],
    reassignAfter: { text: "1m", minutes: 1 },
  };
  return sla;
}

function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(() => void tick(), 100);
    };
    void tick();
  });
}

describe("the follow-up clock (PostgreSQL + pg-boss, fake CRM, injected clock)", () => {
  let db: TestDatabase;
  const running = new Set<() => Promise<void>>();
  let crm: MemoryCrm;
  let leads: LeadStore;
  let followUps: FollowUpStore;
  let assignments: AssignmentStore;
  let deps: FollowUpDeps;
  const sla = testSla();
  const logger = createCapturingLogger();
  const real0 = Date.now();
  const now = () => new Date(T0 + (Date.now() - real0) * RATE);

  async function handOver(leadId: string): Promise<HandoffRecord> {
    crm.leads.set(leadId, {
      id: leadId,
      email: `${leadId}@kraus-software.example`,
      firstName: "Lena",
      country: "DE",
      properties: {},
    });
    const at = now();
    const { decisionId, decision } = await assignments.assign({
      connectionId: CONNECTION,
      lead: crm.leads.get(leadId)!,
      rules: sla.routing,
      owners: crm.owners.map((o) => ({ id: o.id, active: o.active, kind: o.kind, name: o.firstName! })),
      now: at,
      eventKey: `form:${leadId}`,
    });
    crm.leads.get(leadId)!.ownerId = decision.ownerId!;
    const startedAt = at.toISOString();
    const dueAt = new Date(at.getTime() + 2 * 60_000).toISOString();
    const cardInput = {
      connectionId: CONNECTION,
      crm: "hubspot",
      lead: crm.leads.get(leadId)!,
      trigger: { kind: "threshold", occurredAt: startedAt },
      score: { fit: 70, engagement: 50, total: 120, reasons: [] },
      thresholds: { fit: 50, engagement: 40 },
      caps: sla.caps,
      activities: [],
      owner: { id: decision.ownerId! },
      routingReasons: [decision.reason],
      followUp: { startedAt, dueAt, businessHours: false },
      stage: "mql",
      rejectReasons: sla.feedback.rejectReasons,
      handoffId: decisionId,
    } satisfies HandoffCardInput;
    return leads.createHandoff({
      id: decisionId,
      connectionId: CONNECTION,
      leadId,
      eventKey: `form:${leadId}`,
      ownerId: decision.ownerId!,
      repKey: decision.repKey ?? null,
      method: decision.method,
      startedAt,
      dueAt,
      slaHash: "test",
      score: { fit: 70, engagement: 50, total: 120, reasons: [] },
      source: {},
      cardInput,
    });
  }

  function feedbackDepsOf(): FeedbackDeps {
    return {
      leads,
      assignments,
      crmFor: () => Promise.resolve(crm),
      slaFor: () => Promise.resolve({ sla, hash: "test" }),
      logger,
      now,
    };
  }

  function statusChange(leadId: string, value: string): StoredEvent {
    return {
      connectionId: CONNECTION,
      crm: "hubspot",
      eventKey: `status:${leadId}:${value}`,
      kind: "property_changed",
      objectType: "contact",
      objectId: leadId,
      occurredAt: now().toISOString(),
      // The lead's owner changed the status in the CRM (these owners' ids stand for the user id).
      changed: ["status"],
      changedBy: "person",
      actorId: crm.leads.get(leadId)?.ownerId ?? "555",
      propertyValue: value,
      raw: {},
      status: "processing",
      attempts: 1,
      lastError: null,
      receivedAt: now().toISOString(),
      parkedAt: null,
    };
  }

  async function stepClosed(handoffId: string, step: string) {
    const steps = await followUps.steps(CONNECTION, handoffId);
    return steps.find((s) => s.step === step && s.status !== "scheduled");
  }

  /** One worker process: its own pg-boss and the follow-up worker; `stop` ends both (a restart). */
  async function startWorker(): Promise<{ stop(): Promise<void> }> {
    const boss = await startBoss({ connectionString: db.url, logger });
    deps.enqueue = createFollowUpScheduler({ boss, now, clockRate: RATE });
    const worker = await startFollowUpWorker({
      boss,
      run: (job) => runFollowUpStep(deps, job),
      logger,
      pollingIntervalSeconds: 0.5,
      localConcurrency: 1,
    });
    const stop = async () => {
      await worker.stop();
      await boss.stop({ graceful: true, close: true });
      running.delete(stop);
    };
    running.add(stop);
    return { stop };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ($1, 'hubspot', '1234', 'Follow-up test')",
      [CONNECTION],
    );
    crm = new MemoryCrm();
    leads = new PostgresLeadStore(db.pool);
    followUps = new PostgresFollowUpStore(db.pool);
    const holidays = createHolidayCalendar();
    assignments = new PostgresAssignmentStore({ pool: db.pool, holidays });
    deps = {
      leads,
      followUps,
      assignments,
      holidays,
      crmFor: () => Promise.resolve(crm),
      slaFor: () => Promise.resolve({ sla, hash: "test" }),
      enqueue: () => Promise.reject(new Error("worker not started")),
      cardUrl: (c, l) => `https://handoff.test/cards/preview/${c}/${l}`,
      logger,
      now,
    };
  });

  afterAll(async () => {
    for (const stop of running) await stop();
    await db.close();
  });

  it("when nobody touches the lead, then reminder, escalation and reassignment fire in order, across a worker restart, and never back to a previous assignee", async () => {
    let worker = await startWorker();
    const first = await handOver("lead-1");
    expect(first.ownerId).toBe("80001"); // Anna by weighted round robin
    const plan = await createScheduleFollowUp(deps)(CONNECTION, first);
    expect(plan.map((s) => s.key)).toEqual([
      "reminder-1",
      "reminder-2",
      "escalation",
      "reassignment",
      "cadence-1",
      "cadence-2",
      "cadence-3",
      "cadence-4",
    ]);

    // The first reminder fires, then every process stops; the timers wait in PostgreSQL.
    await waitFor("reminder-1", () => stepClosed(first.id, "reminder-1"));
    await worker.stop();
    const restartedAt = now().getTime();
    worker = await startWorker();

    await waitFor("reassignment of lead-1", () => stepClosed(first.id, "reassignment"));
    const reassigned = (await followUps.reassignmentFrom(CONNECTION, first.id))!;
    const steps = await followUps.steps(CONNECTION, first.id);
    const fired = steps.filter((s) => s.kind !== "cadence");
    expect(fired.map((s) => [s.step, s.status])).toEqual([
      ["reminder-1", "done"],
      ["reminder-2", "done"],
      ["escalation", "done"],
      ["reassignment", "done"],
    ]);
    const firedAt = fired.map((s) => Date.parse(s.firedAt!));
    expect([...firedAt].sort((a, b) => a - b)).toEqual(firedAt);
    // Everything after the first reminder was fired by the restarted worker, from timers kept in PostgreSQL.
    expect(firedAt.slice(1).every((t) => t >= restartedAt)).toBe(true);

    const tasksForLead = crm.tasks.filter((t) => t.leadId === "lead-1");
    expect(tasksForLead.slice(0, 4).map((t) => [t.decisionId, t.ownerId])).toEqual([
      [`${first.id}:reminder-1`, "80001"],
      [`${first.id}:reminder-2`, "80001"],
      [`${first.id}:escalation`, "80009"], // Anna's manager, Mia
      [reassigned.toHandoffId, "80002"], // the new owner's follow-up task
    ]);

    expect((await leads.getHandoff(CONNECTION, first.id))?.status).toBe("reassigned");
    const second = (await leads.latestHandoff(CONNECTION, "lead-1"))!;
    expect(second).toMatchObject({ id: reassigned.toHandoffId, ownerId: "80002", status: "open" });
    expect(second.cardInput.routingReasons[0]).toBe(
      `reassigned from 80001: no first touch by ${first.dueAt}`,
    );
    expect(crm.updates).toContainEqual(
      expect.objectContaining({ leadId: "lead-1", ownerId: "80002", decisionId: second.id }),
    );

    // Ben does not touch it either: the next reassignment skips Anna and Ben and goes to the triage queue.
    await waitFor("second reassignment", () => stepClosed(second.id, "reassignment"));
    const third = (await followUps.reassignmentFrom(CONNECTION, second.id))!;
    expect(third.toOwnerId).toBe("Q1");
    expect(await followUps.previousOwners(CONNECTION, third.toHandoffId)).toEqual(["80001", "80002", "Q1"]);
    const decision = await assignments.getDecision(CONNECTION, third.toHandoffId);
    const routing = decision.outcome.routing as { candidates: { rep: string; skipped?: string }[] };
    expect(routing.candidates).toEqual([
      expect.objectContaining({ rep: "anna", skipped: "previous assignee" }),
      expect.objectContaining({ rep: "ben", skipped: "previous assignee" }),
    ]);
    await worker.stop();
  }, 60_000);

  it("when the rep logs a call before the first reminder, then the first touch is recorded and the clock stops", async () => {
    const worker = await startWorker();
    const handoff = await handOver("lead-2");
    crm.touches.push({
      leadId: "lead-2",
      kind: "call",
      occurredAt: new Date(now().getTime() + 10_000).toISOString(),
    });
    await createScheduleFollowUp(deps)(CONNECTION, handoff);
    await waitFor(
      "first touch",
      async () => (await leads.getHandoff(CONNECTION, handoff.id))?.firstTouchAt ?? undefined,
    );
    const steps = await followUps.steps(CONNECTION, handoff.id);
    expect(steps.filter((s) => s.kind !== "cadence").map((s) => s.status)).toEqual([
      "skipped",
      "skipped",
      "skipped",
      "skipped",
    ]);
    expect(crm.tasks.filter((t) => t.leadId === "lead-2")).toEqual([]);
    expect(await followUps.cadence(CONNECTION, handoff.id)).toMatchObject({
      calls: { done: 1, required: 3 },
      emails: { done: 0, required: 3 },
    });
    expect((await leads.getHandoff(CONNECTION, handoff.id))?.cardInput.cadence).toMatchObject({
      calls: { done: 1, required: 3 },
    });
    await worker.stop();
  }, 30_000);

  it("when the lead was converted and no Flow said so, then the first timer finds it: accepted, slot freed, no reminder", async () => {
    const worker = await startWorker();
    const handoff = await handOver("lead-converted");
    crm.leads.get("lead-converted")!.conversion = {
      convertedOn: "2026-11-18",
      contactId: "003000000000001AAA",
      opportunityId: "006000000000001AAA",
    };
    deps.recordConversion = (c, connectionId, lead, log) =>
      recordConversion(
        {
          leads,
          assignments,
          stopFollowUp: async (id, handoffId, why) =>
            void (await followUps.stopClock(id, handoffId, why, now())),
          now,
        },
        c,
        connectionId,
        lead,
        log,
      );
    try {
      await createScheduleFollowUp(deps)(CONNECTION, handoff);
      await waitFor("conversion", async () => {
        const h = await leads.getHandoff(CONNECTION, handoff.id);
        return h?.status === "accepted" ? h : undefined;
      });
      expect(await leads.conversion(CONNECTION, "lead-converted")).toMatchObject({
        handoffId: handoff.id,
        opportunityId: "006000000000001AAA",
      });
      const steps = await followUps.steps(CONNECTION, handoff.id);
      expect(steps.filter((s) => s.kind !== "cadence").every((s) => s.status === "skipped")).toBe(true);
      expect(crm.tasks.filter((t) => t.leadId === "lead-converted")).toEqual([]);
      const open = await db.pool.query(
        "SELECT release_reason FROM lead_assignments WHERE connection_id = $1 AND lead_id = 'lead-converted'",
        [CONNECTION],
      );
      expect(open.rows[0].release_reason).toBe("converted");
    } finally {
      delete deps.recordConversion;
      await worker.stop();
    }
  }, 30_000);

  it("when sales rejects without a reason, then it is refused with a clear error and the handoff stays open", async () => {
    const handoff = await handOver("lead-3");
    const feedbackDeps = feedbackDepsOf();
    await expect(
      recordFeedback(feedbackDeps, {
        connectionId: CONNECTION,
        leadId: "lead-3",
        decision: "reject",
        source: "cli",
        actor: { kind: "admin", id: "cli" },
      }),
    ).rejects.toMatchObject({
      code: "reason_required",
      message: "a rejection needs a reason",
      hint: "Pick one of the SLA's reject reasons: not_icp, no_budget, bad_timing.",
    });
    expect((await leads.getHandoff(CONNECTION, handoff.id))?.status).toBe("open");

    // The same refusal from the terminal: `handoff reject lead-3 --connection …` without --reason.
    await expect(
      runFeedbackCommand(feedbackDeps, {
        decision: "reject",
        leadId: "lead-3",
        connection: CONNECTION,
        reason: undefined,
      }),
    ).rejects.toMatchObject({ code: "reason_required" });
    await expect(
      runFeedbackCommand(feedbackDeps, {
        decision: "accept",
        leadId: "lead-3",
        connection: undefined,
        reason: undefined,
      }),
    ).rejects.toMatchObject({ code: "connection_required" });
    expect(
      await runFeedbackCommand(feedbackDeps, {
        decision: "reject",
        leadId: "lead-3",
        connection: CONNECTION,
        reason: "no_budget",
      }),
    ).toEqual(["lead lead-3 rejected (no_budget)", "  stage: Nurture"]);
    expect(await leads.getHandoff(CONNECTION, handoff.id)).toMatchObject({
      status: "rejected",
      rejectReason: "no_budget",
    });
  });

  it("when a rep sets the lead status in the CRM, then a touch, a rejection with its reason, or an acceptance is recorded; a rejection status without an SLA reason is not", async () => {
    const log = logger.child({});
    const touched = await handOver("lead-4");
    expect(
      await recordCrmLeadStatus(
        feedbackDepsOf(),
        statusChange("lead-4", "ATTEMPTED_TO_CONTACT"),
        log,
        HUBSPOT_LEAD_STATUSES,
      ),
    ).toBe("touched");
    expect((await leads.getHandoff(CONNECTION, touched.id))?.firstTouchAt).not.toBeNull();

    expect(
      await recordCrmLeadStatus(
        feedbackDepsOf(),
        statusChange("lead-4", "UNQUALIFIED"),
        log,
        HUBSPOT_LEAD_STATUSES,
      ),
    ).toBe("needs_reason");
    expect((await leads.getHandoff(CONNECTION, touched.id))?.status).toBe("open");

    expect(
      await recordCrmLeadStatus(
        feedbackDepsOf(),
        statusChange("lead-4", "BAD_TIMING"),
        log,
        HUBSPOT_LEAD_STATUSES,
      ),
    ).toBe("rejected");
    expect(await leads.getHandoff(CONNECTION, touched.id)).toMatchObject({
      status: "rejected",
      rejectReason: "bad_timing",
    });

    const accepted = await handOver("lead-5");
    expect(
      await recordCrmLeadStatus(
        feedbackDepsOf(),
        statusChange("lead-5", "OPEN_DEAL"),
        log,
        HUBSPOT_LEAD_STATUSES,
      ),
    ).toBe("accepted");
    expect((await leads.getHandoff(CONNECTION, accepted.id))?.status).toBe("accepted");
    expect(crm.updates).toContainEqual({ leadId: "lead-5", stage: "sql" });
  });

  it("when the CRM fails in the middle of a reassignment, then the retry finishes it once without freeing the new owner's slot", async () => {
    const handoff = await handOver("lead-6");
    const late = {
      ...deps,
      enqueue: () => Promise.resolve(),
      now: () => new Date(Date.parse(handoff.dueAt) + 120_000),
    };
    await createScheduleFollowUp(late)(CONNECTION, handoff);
    const openCount = async (repKey: string) =>
      (
        await db.pool.query<{ open_count: number }>(
          "SELECT open_count FROM rep_state WHERE connection_id = $1 AND rep_key = $2",
          [CONNECTION, repKey],
        )
      ).rows[0]?.open_count;
    const before = { anna: await openCount("anna"), ben: await openCount("ben") };
    const from = handoff.repKey === "anna" ? "anna" : "ben";
    const to = from === "anna" ? "ben" : "anna";

    crm.failOwnerWrites = 1;
    await expect(
      runFollowUpStep(late, { connectionId: CONNECTION, handoffId: handoff.id, step: "reassignment" }),
    ).rejects.toMatchObject({ code: "crm_unavailable" });
    await runFollowUpStep(late, { connectionId: CONNECTION, handoffId: handoff.id, step: "reassignment" });
    await runFollowUpStep(late, { connectionId: CONNECTION, handoffId: handoff.id, step: "reassignment" });

    const steps = await followUps.steps(CONNECTION, handoff.id);
    expect(steps.find((s) => s.step === "reassignment")?.status).toBe("done");
    const rows = await db.pool.query(
      "SELECT id FROM handoffs WHERE connection_id = $1 AND lead_id = 'lead-6'",
      [CONNECTION],
    );
    expect(rows.rowCount).toBe(2);
    const next = (await leads.latestHandoff(CONNECTION, "lead-6"))!;
    expect(next.ownerId).not.toBe(handoff.ownerId);
    expect(crm.tasks.filter((t) => t.decisionId === next.id)).toHaveLength(1);
    expect(await openCount(from)).toBe(before[from]! - 1);
    expect(await openCount(to)).toBe((before[to] ?? 0) + 1);
  });
});
