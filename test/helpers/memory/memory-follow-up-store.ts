import type { CadenceCompliance, FollowUpStep } from "../../../src/domain/follow-up-plan";
import type { FollowUpStore, Reassignment, StepClosing, StoredStep } from "../../../src/ports/follow-ups";
import { KeyedLock } from "./keyed-lock";
import type { MemoryAssignmentStore } from "./memory-assignment-store";
import type { MemoryLeadStore } from "./memory-lead-store";

const key = (...parts: string[]) => parts.join("\u0000");

/**
 * FollowUpStore in memory, with the PostgreSQL store's rules: a plan is stored once per handoff, a step closes
 * once, stopping the clock leaves the cadence check, one job per handoff runs at a time, a handoff is marked
 * reassigned only while open. It shares the handoffs and the open slots with the lead and assignment stores, as
 * the PostgreSQL stores share tables.
 */
export class MemoryFollowUpStore implements FollowUpStore {
  private readonly plan = new Map<string, StoredStep[]>();
  private readonly reassignments = new Map<string, Reassignment & { connectionId: string }>();
  private readonly cadences = new Map<string, CadenceCompliance>();
  private readonly locks = new KeyedLock();

  constructor(
    private readonly leads: MemoryLeadStore,
    private readonly assignments: MemoryAssignmentStore,
  ) {}

  async saveSteps(connectionId: string, handoffId: string, steps: readonly FollowUpStep[]): Promise<void> {
    const k = key(connectionId, handoffId);
    const stored = this.plan.get(k) ?? [];
    steps.forEach((s, seq) => {
      if (stored.some((x) => x.step === s.key)) return;
      stored.push({
        handoffId,
        step: s.key,
        seq,
        kind: s.kind,
        dueAt: new Date(s.at).toISOString(),
        status: "scheduled",
        outcome: null,
        firedAt: null,
      });
    });
    if (stored.length > 0) this.plan.set(k, stored);
  }

  async steps(connectionId: string, handoffId: string): Promise<StoredStep[]> {
    return [...(this.plan.get(key(connectionId, handoffId)) ?? [])]
      .sort((a, b) => a.seq - b.seq)
      .map((s) => ({ ...s }));
  }

  async closeStep(connectionId: string, handoffId: string, closing: StepClosing): Promise<boolean> {
    const { step, status, outcome, at } = closing;
    const s = this.plan.get(key(connectionId, handoffId))?.find((x) => x.step === step);
    if (!s || s.status !== "scheduled") return false;
    Object.assign(s, { status, outcome, firedAt: at.toISOString() });
    return true;
  }

  async stopClock(connectionId: string, handoffId: string, outcome: string, at: Date): Promise<number> {
    let stopped = 0;
    for (const s of this.plan.get(key(connectionId, handoffId)) ?? []) {
      if (s.status !== "scheduled" || s.kind === "cadence") continue;
      Object.assign(s, { status: "skipped", outcome, firedAt: at.toISOString() });
      stopped += 1;
    }
    return stopped;
  }

  async withHandoffLock<T>(connectionId: string, handoffId: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(key(connectionId, handoffId), work);
  }

  async markReassigned(connectionId: string, handoffId: string, at: string): Promise<boolean> {
    return this.leads.markReassigned(connectionId, handoffId, at);
  }

  async openAssignmentDecision(connectionId: string, leadId: string): Promise<string | null> {
    return this.assignments.openDecisionOf(connectionId, leadId);
  }

  async recordReassignment(connectionId: string, r: Reassignment): Promise<void> {
    if (this.reassignments.has(r.fromHandoffId)) return;
    this.reassignments.set(r.fromHandoffId, { ...r, at: new Date(r.at).toISOString(), connectionId });
  }

  async reassignmentFrom(connectionId: string, handoffId: string): Promise<Reassignment | null> {
    const r = this.reassignments.get(handoffId);
    if (!r || r.connectionId !== connectionId) return null;
    const { connectionId: _c, ...reassignment } = r;
    return reassignment;
  }

  async previousOwners(connectionId: string, handoffId: string): Promise<string[]> {
    const chain = new Set([handoffId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const r of this.reassignments.values()) {
        if (r.connectionId === connectionId && chain.has(r.toHandoffId) && !chain.has(r.fromHandoffId)) {
          chain.add(r.fromHandoffId);
          grew = true;
        }
      }
    }
    const owners = [...chain]
      .map((id) => this.leads.handoffRow(connectionId, id)?.ownerId)
      .filter((o): o is string => typeof o === "string");
    return [...new Set(owners)].sort();
  }

  async saveCadence(
    connectionId: string,
    handoffId: string,
    c: CadenceCompliance,
    _checkedAt: Date,
  ): Promise<void> {
    this.cadences.set(key(connectionId, handoffId), {
      calls: { ...c.calls },
      emails: { ...c.emails },
      windowEnd: new Date(c.windowEnd).toISOString(),
      status: c.status,
    });
  }

  async cadence(connectionId: string, handoffId: string): Promise<CadenceCompliance | null> {
    const c = this.cadences.get(key(connectionId, handoffId));
    return c
      ? { calls: { ...c.calls }, emails: { ...c.emails }, windowEnd: c.windowEnd, status: c.status }
      : null;
  }
}
