import type { CadenceCompliance, FollowUpStep, FollowUpStepKind } from "../domain/follow-up-plan";

export type StepStatus = "scheduled" | "done" | "skipped";

export interface StoredStep {
  handoffId: string;
  step: string;
  seq: number;
  kind: FollowUpStepKind;
  dueAt: string;
  status: StepStatus;
  outcome: string | null;
  firedAt: string | null;
}

export interface Reassignment {
  fromHandoffId: string;
  toHandoffId: string;
  leadId: string;
  fromOwnerId: string | null;
  toOwnerId: string | null;
  reason: string;
  at: string;
}

/**
 * The follow-up clock's memory: each handoff's timers and whether they ran, the chain of reassignments
 * (who had the lead before), and the last cadence poll. Every method takes the connection id first.
 */
/** How one follow-up step ended: done or skipped, in words ("reminded", "handoff accepted"), and when. */
export interface StepClosing {
  step: string;
  status: "done" | "skipped";
  outcome: string;
  at: Date;
}

export interface FollowUpStore {
  /** Stores the plan once: a second call for the same handoff keeps what is there (and what already ran). */
  saveSteps(connectionId: string, handoffId: string, steps: readonly FollowUpStep[]): Promise<void>;
  steps(connectionId: string, handoffId: string): Promise<StoredStep[]>;
  /** Closes one step; false when it was closed before (another worker, or a redelivered job). */
  closeStep(connectionId: string, handoffId: string, closing: StepClosing): Promise<boolean>;
  /**
   * Skips every step still scheduled except the cadence checks and the next-touch check (first touch, feedback
   * or reassignment).
   */
  stopClock(connectionId: string, handoffId: string, outcome: string, at: Date): Promise<number>;
  /**
   * Runs `work` while holding the handoff's lock, so that two jobs of one handoff (two workers, or a job
   * redelivered while the first is still running) take turns and each step sees what the previous one did.
   */
  withHandoffLock<T>(connectionId: string, handoffId: string, work: () => Promise<T>): Promise<T>;
  /** Marks the handoff `reassigned` (only while it is open); false when it already was or got feedback. */
  markReassigned(connectionId: string, handoffId: string, at: string): Promise<boolean>;
  /** The routing decision behind the lead's open slot, if Handoff holds one for it. */
  openAssignmentDecision(connectionId: string, leadId: string): Promise<string | null>;
  recordReassignment(connectionId: string, r: Reassignment): Promise<void>;
  /** The reassignment that replaced a handoff, if one did (a retried job finds its own earlier work). */
  reassignmentFrom(connectionId: string, handoffId: string): Promise<Reassignment | null>;
  /** Every owner of this handoff's chain: its own owner and those of the handoffs it was reassigned from. */
  previousOwners(connectionId: string, handoffId: string): Promise<string[]>;
  saveCadence(connectionId: string, handoffId: string, c: CadenceCompliance, checkedAt: Date): Promise<void>;
  cadence(connectionId: string, handoffId: string): Promise<CadenceCompliance | null>;
}
