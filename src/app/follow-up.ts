/**
 * The follow-up clock of a handoff: reminders to the owner, escalation to the manager and reassignment to
 * another rep while nobody has touched the lead, and the touch cadence afterwards.
 *
 * Touch detection — poll at each timer: when a timer fires, the CRM is asked for the touches logged on the
 * lead since the handoff (`CrmPort.listTouches`: calls, e-mails, meetings, completed tasks, status changes).
 * A webhook for every engagement would cost a subscription per object type in HubSpot and a Flow per object
 * in Salesforce, and would still need the poll to catch what was logged before the subscription existed;
 * the poll costs one read per timer (≈5 per handoff) and is exactly as fresh as the decision it informs.
 * A lead-status change by a person also arrives as a webhook and marks the first touch at once
 * (`recordCrmLeadStatus`).
 *
 * Reminders and escalations are CRM tasks: the rep and the manager live in the CRM, the CRM already
 * notifies an owner of a new task (HubSpot task notifications, Salesforce task assignment e-mail), and the
 * task carries its own idempotency key (`decisionId` = `<handoff>:<step>`).
 */
import type { AssignmentStore } from "../ports/assignments";
import type { FollowUpStore } from "../ports/follow-ups";
import type { HandoffRecord, LeadStore } from "../ports/leads";
import type { HolidayCalendar } from "../ports/holidays";
import { AppError } from "../domain/errors";
import { followUpDeadline, type BusinessCalendar } from "../domain/follow-up";
import { cadenceCompliance, planFollowUp, planNextTouch, type FollowUpStep } from "../domain/follow-up-plan";
import { followUpTerms } from "../domain/follow-up-tier";
import { buildHandoffCard, type HandoffCardInput } from "../domain/handoff-card";
import type { Lead } from "../domain/lead";
import type { FollowUpTerms, Sla } from "../domain/sla";
import { buildTaskSnapshot } from "../domain/task-snapshot";
import type { CrmOwner, CrmPort, CrmTouch } from "../ports/crm";
import type { Logger } from "../ports/logger";
import type { ActiveSla } from "./pipeline-deps";
import { followUpTaskOwner } from "./follow-up-task-owner";

/** One pg-boss job: wake the clock of a handoff for one step (it runs every earlier step still due first). */
export interface FollowUpJob {
  connectionId: string;
  handoffId: string;
  step: string;
}

export interface FollowUpDeps {
  leads: LeadStore;
  followUps: FollowUpStore;
  assignments: AssignmentStore;
  holidays: HolidayCalendar;
  crmFor(connectionId: string): Promise<CrmPort>;
  slaFor(connectionId: string): Promise<ActiveSla>;
  /** Enqueues the delayed job for one step (jobs/follow-up-worker: `createFollowUpScheduler`). */
  enqueue(job: FollowUpJob, at: string, order: number): Promise<void>;
  /** The card's URL, for the new owner's task after a reassignment. */
  cardUrl(connectionId: string, leadId: string): string;
  /** Sales converted the lead: closes the handoff as accepted and stops its clock (`recordConversion`). */
  recordConversion?(crm: CrmPort, connectionId: string, lead: Lead, log: Logger): Promise<unknown>;
  /** Tells the new owner after a reassignment (the pipeline's notify, once per handoff and channel). */
  notify?(connectionId: string, handoffId: string): Promise<void>;
  logger: Logger;
  now(): Date;
}

/**
 * The owner's working calendar (or the SLA's `calendar` for the fallback queue), with the public holidays and
 * company days off of the next 45 days. The same rule as the pipeline's deadline, so timers and deadline agree.
 */
export function ownerCalendar(
  sla: Sla,
  repKey: string | null | undefined,
  holidays: HolidayCalendar,
  now: Date,
): BusinessCalendar {
  const rep = repKey ? sla.routing.reps[repKey] : undefined;
  const from = now.toISOString().slice(0, 10);
  const to = new Date(now.getTime() + 45 * 86_400_000).toISOString().slice(0, 10);
  // The fallback queue works on the SLA's own calendar; company days off pause every clock.
  const code = rep ? rep.holidays : sla.calendar?.holidays;
  const publicHolidays = code ? (holidays.between([code], from, to)[code] ?? []) : [];
  const daysOff = (sla.calendar?.daysOff ?? []).filter((d) => d >= from && d <= to);
  return {
    hours: rep?.hours ?? sla.calendar?.hours ?? "Mon-Fri 09:00-17:00",
    timeZone: rep?.timezone ?? sla.sla.timezone,
    holidays: [...new Set([...publicHolidays, ...daysOff])].sort(),
  };
}

/**
 * Starts a handoff's follow-up clock: stores the plan and enqueues one delayed job per step. Idempotent:
 * a second call (redelivered event) stores and enqueues nothing new.
 * @example deps.scheduleFollowUp = createScheduleFollowUp(followUpDeps)
 */
export function createScheduleFollowUp(deps: FollowUpDeps) {
  return async (connectionId: string, handoff: HandoffRecord): Promise<FollowUpStep[]> => {
    if (handoff.status !== "open") return [];
    const { sla } = await deps.slaFor(connectionId);
    const calendar = ownerCalendar(sla, handoff.repKey, deps.holidays, new Date(handoff.startedAt));
    const plan = planFollowUp({
      startedAt: handoff.startedAt,
      dueAt: handoff.dueAt,
      calendar,
      followUp: { ...handoffTerms(sla, handoff), cadence: sla.followUp.cadence },
    });
    await deps.followUps.saveSteps(connectionId, handoff.id, plan);
    for (const [order, step] of plan.entries()) {
      await deps.enqueue({ connectionId, handoffId: handoff.id, step: step.key }, step.at, order);
    }
    return plan;
  };
}

/**
 * Runs one timer job. Under the handoff's lock, every step up to this one that is due and still scheduled
 * runs in plan order (so a late or lost job is caught up by the next one, and order holds across workers).
 * First the CRM is polled for touches: a touched lead's clock stops (only the cadence check stays).
 */
export async function runFollowUpStep(deps: FollowUpDeps, job: FollowUpJob): Promise<void> {
  const { connectionId, handoffId } = job;
  const log = deps.logger.child({ connectionId, handoffId, step: job.step });
  await deps.followUps.withHandoffLock(connectionId, handoffId, async () => {
    const steps = await deps.followUps.steps(connectionId, handoffId);
    const target = steps.find((s) => s.step === job.step);
    if (!target || target.status !== "scheduled") return;
    const now = deps.now();
    const due = steps.filter(
      (s) =>
        s.status === "scheduled" &&
        s.seq <= target.seq &&
        (s.step === target.step || Date.parse(s.dueAt) <= now.getTime()),
    );
    const handoff = await deps.leads.getHandoff(connectionId, handoffId);
    if (!handoff) return;
    const active = await deps.slaFor(connectionId);
    const crm = await deps.crmFor(connectionId);
    const touches = await crm.listTouches(handoff.leadId, handoff.startedAt);

    // A reassignment that failed after closing the old handoff resumes here (its step is still open).
    const resuming =
      handoff.status === "reassigned" &&
      steps.some((s) => s.kind === "reassignment" && s.status === "scheduled");
    let clockRuns = (handoff.status === "open" || resuming) && handoff.firstTouchAt === null;
    if (clockRuns && touches.length === 0 && deps.recordConversion && due.some((s) => s.kind !== "cadence")) {
      // A converted lead is sales' (and read-only in Salesforce): no reminder, escalation or reassignment for it,
      // even where the org's Flow does not run on conversion.
      const lead = (await crm.getLeads([handoff.leadId]))[0];
      if (lead?.conversion) {
        await deps.recordConversion(crm, connectionId, lead, log);
        clockRuns = false;
      }
    }
    // The cadence is the owner's while they work the lead: not after a rejection or a reassignment.
    const cadenceRuns = handoff.status === "open" || handoff.status === "accepted";
    if (cadenceRuns) await saveCadence(deps, handoff, active.sla, touches, now);
    let firstTouchAt = handoff.firstTouchAt;
    if (clockRuns && touches.length > 0) {
      const first = touches.map((t) => t.occurredAt).sort()[0] as string;
      firstTouchAt = first;
      await deps.leads.markFirstTouch(connectionId, handoffId, first);
      await deps.followUps.stopClock(connectionId, handoffId, `touched at ${first}`, now);
      log.info("first touch detected; follow-up clock stopped", { firstTouchAt: first });
    } else if (!clockRuns) {
      const why = handoff.firstTouchAt ? `touched at ${handoff.firstTouchAt}` : `handoff ${handoff.status}`;
      await deps.followUps.stopClock(connectionId, handoffId, why, now);
    }
    if (firstTouchAt && cadenceRuns && !steps.some((s) => s.kind === "next_touch")) {
      await scheduleNextTouch(deps, handoff, active.sla, firstTouchAt);
    }
    for (const step of due) {
      const closeStep = (status: "done" | "skipped", outcome: string) =>
        deps.followUps.closeStep(connectionId, handoffId, { step: step.step, status, outcome, at: now });
      if (step.kind === "next_touch") {
        const outcome = await checkNextTouch(deps, handoff, crm, touches, firstTouchAt, cadenceRuns);
        await closeStep(outcome.status, outcome.text);
        continue;
      }
      if (step.kind === "cadence") {
        await (cadenceRuns
          ? closeStep("done", "cadence checked")
          : closeStep("skipped", `handoff ${handoff.status}`));
        continue;
      }
      if (!clockRuns || touches.length > 0) continue;
      const outcome = await runStep(deps, step.kind, step.step, handoff, active, crm, log).catch(
        (err: unknown) => {
          // A refusal that a retry cannot fix (validation, not found) must not hold up the later steps.
          if (err instanceof AppError && !err.retryable)
            return { status: "skipped", text: `failed: ${err.code}` } satisfies Outcome;
          throw err;
        },
      );
      await closeStep(outcome.status, outcome.text);
      log.info("follow-up step ran", { kind: step.kind, status: outcome.status, outcome: outcome.text });
    }
  });
}

type Outcome = { status: "done" | "skipped"; text: string };

/**
 * Once the first touch is known, the tier's `next_touch` sets when the second is due: stored as a step of its
 * own (it survives the stopped first-touch clock) with its job, and shown on the card.
 */
async function scheduleNextTouch(
  deps: FollowUpDeps,
  handoff: HandoffRecord,
  sla: Sla,
  firstTouchAt: string,
): Promise<void> {
  const terms = handoffTerms(sla, handoff);
  const calendar = ownerCalendar(sla, handoff.repKey, deps.holidays, new Date(firstTouchAt));
  const step = planNextTouch(firstTouchAt, terms, calendar);
  if (!step) return;
  await deps.followUps.saveSteps(handoff.connectionId, handoff.id, [step]);
  await deps.enqueue(
    { connectionId: handoff.connectionId, handoffId: handoff.id, step: step.key },
    step.at,
    step.seq ?? 0,
  );
  const followUp = handoff.cardInput.followUp;
  if (followUp) {
    await deps.leads.updateCardInput(handoff.connectionId, handoff.id, {
      ...handoff.cardInput,
      followUp: { ...followUp, nextTouchDueAt: step.at },
    });
  }
}

/** The second touch came after the first (done), or the owner gets a reminder task that it is due. */
async function checkNextTouch(
  deps: FollowUpDeps,
  handoff: HandoffRecord,
  crm: CrmPort,
  touches: readonly CrmTouch[],
  firstTouchAt: string | null,
  ownerWorksIt: boolean,
): Promise<Outcome> {
  if (!ownerWorksIt) return { status: "skipped", text: `handoff ${handoff.status}` };
  const second = touches.map((t) => t.occurredAt).filter((at) => firstTouchAt !== null && at > firstTouchAt);
  if (second.length > 0) return { status: "done", text: `touched again at ${second.sort()[0]}` };
  if (!handoff.ownerId || handoff.method === "fallback")
    return { status: "skipped", text: "no owner to remind of the next touch" };
  const card = cardOf(deps, handoff);
  const task = await crm.createTask({
    leadId: handoff.leadId,
    ownerId: handoff.ownerId,
    subject: `Reminder: next touch due — ${card.who.name}`,
    body: `Handoff SLA: the lead was first touched at ${firstTouchAt}; the next touch is due now. Card: ${deps.cardUrl(handoff.connectionId, handoff.leadId)}`,
    dueAt: deps.now().toISOString(),
    priority: "HIGH",
    type: "CALL",
    decisionId: `${handoff.id}:next-touch`,
  });
  return { status: "done", text: `no second touch yet: reminded owner ${handoff.ownerId} (task ${task.id})` };
}

async function runStep(
  deps: FollowUpDeps,
  kind: "reminder" | "escalation" | "reassignment",
  key: string,
  handoff: HandoffRecord,
  active: ActiveSla,
  crm: CrmPort,
  log: Logger,
): Promise<Outcome> {
  if (kind === "reminder") return remindOwner(deps, key, handoff, crm);
  if (kind === "escalation") return escalate(deps, key, handoff, active.sla, crm);
  return reassign(deps, handoff, active, crm, log);
}

async function saveCadence(
  deps: FollowUpDeps,
  handoff: HandoffRecord,
  sla: Sla,
  touches: CrmTouch[],
  now: Date,
): Promise<void> {
  const compliance = cadenceCompliance(touches, sla.followUp.cadence, handoff.startedAt, now);
  await deps.followUps.saveCadence(handoff.connectionId, handoff.id, compliance, now);
  // The card reads its cadence from the stored card input (no CRM call when a rep opens it).
  const cardInput: HandoffCardInput = {
    ...handoff.cardInput,
    cadence: {
      calls: compliance.calls,
      emails: compliance.emails,
      windowEndsAt: compliance.windowEnd,
    },
  };
  await deps.leads.updateCardInput(handoff.connectionId, handoff.id, cardInput);
}

function cardOf(deps: FollowUpDeps, handoff: HandoffRecord) {
  return buildHandoffCard(handoff.cardInput, deps.now());
}

async function remindOwner(
  deps: FollowUpDeps,
  key: string,
  handoff: HandoffRecord,
  crm: CrmPort,
): Promise<Outcome> {
  if (!handoff.ownerId) return { status: "skipped", text: "no owner to remind" };
  // A fallback queue is nobody in particular: the escalation and the reassignment still follow.
  if (handoff.method === "fallback") return { status: "skipped", text: "the fallback queue is not reminded" };
  const card = cardOf(deps, handoff);
  const task = await crm.createTask({
    leadId: handoff.leadId,
    ownerId: handoff.ownerId,
    subject: `Reminder: first touch due ${handoff.dueAt} — ${card.who.name}`,
    body: `Handoff SLA: the first touch of this lead is due ${handoff.dueAt}. Card: ${deps.cardUrl(handoff.connectionId, handoff.leadId)}`,
    dueAt: handoff.dueAt,
    priority: "HIGH",
    type: "CALL",
    decisionId: `${handoff.id}:${key}`,
  });
  return { status: "done", text: `reminded owner ${handoff.ownerId} (task ${task.id})` };
}

/** The follow-up terms of the handoff's tier, as the SLA now reads (the default terms when it is gone). */
export function handoffTerms(sla: Sla, handoff: Pick<HandoffRecord, "cardInput">): FollowUpTerms {
  return followUpTerms(sla.followUp, handoff.cardInput.followUp?.tier);
}

/** `manager` → the owner's rep's managerKey → that rep's CRM id (or the CRM's own manager); a rep key; an owner id. */
export function escalationTarget(
  sla: Sla,
  handoff: Pick<HandoffRecord, "repKey" | "ownerId" | "cardInput">,
  owners: readonly CrmOwner[],
): string | undefined {
  const reps = sla.routing.reps;
  const to = handoffTerms(sla, handoff).escalateTo;
  if (to === "manager") {
    const managerKey = handoff.repKey ? reps[handoff.repKey]?.managerKey : undefined;
    if (managerKey) return reps[managerKey]?.crmId ?? managerKey;
    return owners.find((o) => o.id === handoff.ownerId)?.managerId;
  }
  return reps[to]?.crmId ?? to;
}

async function escalate(
  deps: FollowUpDeps,
  key: string,
  handoff: HandoffRecord,
  sla: Sla,
  crm: CrmPort,
): Promise<Outcome> {
  const needsOwners = handoffTerms(sla, handoff).escalateTo === "manager" && !handoff.repKey;
  const target = escalationTarget(sla, handoff, needsOwners ? await crm.listOwners() : []);
  if (!target) {
    return {
      status: "skipped",
      text: `no manager for ${handoff.repKey ?? handoff.ownerId ?? "the fallback queue"}: set manager in the SLA's reps`,
    };
  }
  const card = cardOf(deps, handoff);
  const task = await crm.createTask({
    leadId: handoff.leadId,
    ownerId: target,
    subject: `Escalation: no first touch by ${handoff.dueAt} — ${card.who.name}`,
    body:
      `Handoff SLA: owner ${handoff.ownerId ?? "none"} did not touch this lead by ${handoff.dueAt}. ` +
      `After the reassignment limit it goes to another rep. Card: ${deps.cardUrl(handoff.connectionId, handoff.leadId)}`,
    dueAt: deps.now().toISOString(),
    priority: "HIGH",
    type: "TODO",
    decisionId: `${handoff.id}:${key}`,
  });
  return { status: "done", text: `escalated to ${target} (task ${task.id})` };
}

/**
 * Gives the lead to another eligible rep, never back to anyone of the chain: frees the old slot, routes again
 * excluding previous owners (atomically, idempotent per handoff), closes the old handoff as `reassigned`,
 * opens a new one with its own clock, and writes the new owner and task to the CRM. Every write is
 * idempotent, so a retried job completes what a crashed one began.
 */
async function reassign(
  deps: FollowUpDeps,
  handoff: HandoffRecord,
  active: ActiveSla,
  crm: CrmPort,
  log: Logger,
): Promise<Outcome> {
  const { connectionId, leadId } = handoff;
  const now = deps.now();
  const [lead] = await crm.getLeads([leadId]);
  if (!lead) return { status: "skipped", text: "the lead is gone from the CRM" };
  const [owners, previous] = await Promise.all([
    crm.listOwners(),
    deps.followUps.previousOwners(connectionId, handoff.id),
  ]);
  const reason = `no first touch by ${handoff.dueAt}`;
  // Free the old owner's slot, but only the slot this handoff took: a retry after the new assignment
  // was committed must not free the new owner's.
  if ((await deps.followUps.openAssignmentDecision(connectionId, leadId)) === handoff.id)
    await deps.assignments.release(connectionId, leadId, `reassigned: ${reason}`, now);
  const assignment = await deps.assignments.assign({
    connectionId,
    lead,
    rules: active.sla.routing,
    owners: owners.map((o) => ({
      id: o.id,
      active: o.active,
      kind: o.kind,
      ...(o.firstName || o.lastName ? { name: [o.firstName, o.lastName].filter(Boolean).join(" ") } : {}),
    })),
    now,
    eventKey: `reassign:${handoff.id}`,
    slaHash: active.hash,
    excludeOwnerIds: previous,
    record: { outcome: { reassignedFrom: handoff.id, reason } },
  });
  const { decision } = assignment;
  if (!decision.ownerId || previous.includes(decision.ownerId)) {
    log.warn("no one to reassign the lead to", {
      method: decision.method,
      decisionId: assignment.decisionId,
    });
    return { status: "skipped", text: `no eligible rep besides ${previous.join(", ")}: ${decision.reason}` };
  }
  const calendar = ownerCalendar(active.sla, decision.repKey, deps.holidays, now);
  // The lead keeps its tier: a new owner gets the same promise as the first one.
  const terms = handoffTerms(active.sla, handoff);
  const startedAt = now.toISOString();
  const dueAt = followUpDeadline(startedAt, {
    minutes: terms.firstTouch.minutes,
    maxMinutes: terms.max.minutes,
    ...(terms.businessHours ? { calendar } : {}),
  });
  const owner = owners.find((o) => o.id === decision.ownerId);
  const ownerName = owner ? [owner.firstName, owner.lastName].filter(Boolean).join(" ") : "";
  const cardInput: HandoffCardInput = {
    ...handoff.cardInput,
    owner: {
      id: decision.ownerId,
      ...(ownerName ? { name: ownerName } : {}),
      ...(owner?.email ? { email: owner.email } : {}),
    },
    routingReasons: [`reassigned from ${handoff.ownerId ?? "nobody"}: ${reason}`, decision.reason],
    followUp: {
      ...handoff.cardInput.followUp,
      startedAt,
      dueAt,
      businessHours: terms.businessHours,
      tier: terms.tier,
    },
    handoffId: assignment.decisionId,
  };
  delete cardInput.cadence;
  // One open handoff per lead: the old one closes before the new one opens.
  await deps.followUps.markReassigned(connectionId, handoff.id, startedAt);
  const next = await deps.leads.createHandoff({
    id: assignment.decisionId,
    connectionId,
    leadId,
    eventKey: `reassign:${handoff.id}`,
    ownerId: decision.ownerId,
    repKey: decision.repKey ?? null,
    method: decision.method,
    startedAt,
    dueAt,
    slaHash: active.hash,
    score: handoff.score,
    source: handoff.source,
    cardInput,
  });
  await deps.followUps.recordReassignment(connectionId, {
    fromHandoffId: handoff.id,
    toHandoffId: next.id,
    leadId,
    fromOwnerId: handoff.ownerId,
    toOwnerId: next.ownerId,
    reason,
    at: next.startedAt,
  });
  await crm.updateLeads([
    { leadId, ownerId: decision.ownerId, decisionId: next.id, followUpDueAt: next.dueAt },
  ]);
  // A queue owns the lead but not its task: the SLA's task owner gets it, or there is none.
  const taskOwner = followUpTaskOwner({ owners, sla: active }, decision.ownerId).ownerId;
  if (!next.taskId && taskOwner) {
    const snapshot = buildTaskSnapshot(buildHandoffCard(next.cardInput, now), {
      cardUrl: deps.cardUrl(connectionId, leadId),
    });
    const task = await crm.createTask({
      leadId,
      ownerId: taskOwner,
      subject: snapshot.subject,
      body: snapshot.description,
      dueAt: next.dueAt,
      priority: "HIGH",
      type: "CALL",
      decisionId: next.id,
    });
    await deps.leads.setTask(connectionId, next.id, task.id);
  }
  await deps.notify?.(connectionId, next.id);
  await createScheduleFollowUp(deps)(connectionId, next);
  log.info("lead reassigned", { from: handoff.ownerId, to: next.ownerId, newHandoffId: next.id });
  return {
    status: "done",
    text: `reassigned from ${handoff.ownerId ?? "nobody"} to ${next.ownerId} (${next.id})`,
  };
}
