import { randomUUID } from "node:crypto";
import { createHolidayCalendar } from "../../../src/adapters/holidays";
import type { HolidayCalendar } from "../../../src/ports/holidays";
import {
  decideAssignment,
  holidaysAround,
  repPeriods,
  repStateOf,
  repsToLock,
  slotLimits,
} from "../../../src/domain/assignment-snapshot";
import { AppError, NotFoundError } from "../../../src/domain/errors";
import { routeLead } from "../../../src/domain/routing";
import type { RoutingRules } from "../../../src/domain/routing-rules";
import {
  type PoolFairness,
  type RepState,
  type RoutingDecision,
  type RoutingInput,
} from "../../../src/domain/routing-snapshot";
import type {
  AssignRequest,
  Assignment,
  AssignmentStore,
  OpenAssignment,
  RepOpenCount,
  StoredDecision,
} from "../../../src/ports/assignments";

interface RepRow {
  away: boolean;
  awayReason: string | null;
  awaySince: Date | null;
  awayUntil: Date | null;
  caps: { open: number | null; perDay: number | null; perWeek: number | null };
  open: number;
  crmOpen: number | null;
  crmOther: number;
  reconciledAt: Date | null;
  ooo: { startsAt: Date; endsAt: Date; reason: string | null }[];
}

interface AssignmentRow {
  connectionId: string;
  leadId: string;
  repKey: string | null;
  ownerId: string;
  decisionId: string;
  counted: boolean;
  assignedAt: Date;
  releasedAt: Date | null;
  releaseReason: string | null;
}

interface State {
  reps: Map<string, RepRow>;
  /** `connection · rep · period` → leads assigned in that local day/week/month. */
  counts: Map<string, number>;
  fairness: Map<string, PoolFairness>;
  decisions: Map<string, StoredDecision>;
  assignments: AssignmentRow[];
}

/** What a team lead or the roster sets on a rep (the PostgreSQL `rep_state` and `rep_ooo` rows). */
export interface RepSettings {
  away?: { reason?: string; since?: Date; until?: Date } | false;
  caps?: { open?: number; perDay?: number; perWeek?: number };
  ooo?: { from: Date; to: Date; reason?: string }[];
}

const key = (...parts: string[]) => parts.join("\u0000");
/** What a jsonb column gives back: no `undefined`, dates as strings. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * AssignmentStore in memory, with the PostgreSQL store's rules: one decision per (event, lead) and a retry gets it
 * back; one open assignment per lead; a slot is taken only below every cap (open, day, week, month) or the whole
 * assignment is undone; a reassignment frees the previous rep's slot; the pool's fairness state is saved with the
 * decision. Each call runs to its end before the next starts (JavaScript's turn plays the role of the row locks).
 */
export class MemoryAssignmentStore implements AssignmentStore {
  private state: State = {
    reps: new Map(),
    counts: new Map(),
    fairness: new Map(),
    decisions: new Map(),
    assignments: [],
  };

  private readonly holidays: HolidayCalendar;
  private readonly route: (input: RoutingInput) => RoutingDecision;

  constructor(
    options: { holidays?: HolidayCalendar; route?: (input: RoutingInput) => RoutingDecision } = {},
  ) {
    this.holidays = options.holidays ?? createHolidayCalendar();
    this.route = options.route ?? routeLead;
  }

  /** Sets a rep's availability and caps, as the reps routes and the CLI do through the availability store. */
  setRep(connectionId: string, repKey: string, settings: RepSettings): void {
    const row = this.rep(connectionId, repKey);
    if (settings.away === false)
      Object.assign(row, { away: false, awayReason: null, awaySince: null, awayUntil: null });
    else if (settings.away) {
      Object.assign(row, {
        away: true,
        awayReason: settings.away.reason ?? null,
        awaySince: settings.away.since ?? null,
        awayUntil: settings.away.until ?? null,
      });
    }
    if (settings.caps) {
      row.caps = {
        open: settings.caps.open ?? null,
        perDay: settings.caps.perDay ?? null,
        perWeek: settings.caps.perWeek ?? null,
      };
    }
    if (settings.ooo) {
      row.ooo = settings.ooo.map((o) => ({ startsAt: o.from, endsAt: o.to, reason: o.reason ?? null }));
    }
  }

  /** Forgets a lead's decisions and assignments (privacy deletion; the lead store calls it). */
  eraseLead(connectionId: string, leadId: string): void {
    for (const [id, d] of this.state.decisions) {
      if (d.connectionId === connectionId && d.leadId === leadId) this.state.decisions.delete(id);
    }
    this.state.assignments = this.state.assignments.filter(
      (a) => !(a.connectionId === connectionId && a.leadId === leadId),
    );
  }

  /** The decision behind the lead's open slot, if any (the follow-up store reads it). */
  openDecisionOf(connectionId: string, leadId: string): string | null {
    return this.openRow(connectionId, leadId)?.decisionId ?? null;
  }

  assign(request: AssignRequest): Promise<Assignment> {
    return this.atomically(() => this.assignNow(request));
  }

  release(connectionId: string, leadId: string, reason: string, now: Date): Promise<boolean> {
    return this.atomically(() => {
      const row = this.openRow(connectionId, leadId);
      if (!row) return false;
      row.releasedAt = new Date(now);
      row.releaseReason = reason;
      if (row.counted && row.repKey !== null) {
        const rep = this.state.reps.get(key(connectionId, row.repKey));
        if (rep) rep.open = Math.max(rep.open - 1, 0);
      }
      return true;
    });
  }

  async getDecision(connectionId: string | undefined, decisionId: string): Promise<StoredDecision> {
    const d = this.state.decisions.get(decisionId);
    if (!d || (connectionId !== undefined && d.connectionId !== connectionId)) {
      throw new NotFoundError(`decision ${decisionId} not found`, "Check the id (handoff export decisions).");
    }
    return structuredClone(d);
  }

  async openAssignments(connectionId: string): Promise<OpenAssignment[]> {
    return this.state.assignments
      .filter(
        (a) => a.connectionId === connectionId && a.releasedAt === null && a.counted && a.repKey !== null,
      )
      .sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || (a.leadId < b.leadId ? -1 : 1))
      .map((a) => ({
        leadId: a.leadId,
        repKey: a.repKey!,
        ownerId: a.ownerId,
        assignedAt: new Date(a.assignedAt),
      }));
  }

  reconcileOpenCounts(
    connectionId: string,
    crmOpen: Record<string, number>,
    now: Date,
  ): Promise<RepOpenCount[]> {
    return this.atomically(() => {
      for (const repKey of Object.keys(crmOpen)) this.rep(connectionId, repKey);
      for (const [k, rep] of this.state.reps) {
        if (!k.startsWith(`${connectionId}\u0000`)) continue;
        const repKey = k.slice(connectionId.length + 1);
        const handedOver = this.handedOver(connectionId, repKey);
        const crm = crmOpen[repKey];
        if (crm !== undefined) {
          rep.crmOpen = crm;
          rep.crmOther = Math.max(crm - handedOver, 0);
          rep.reconciledAt = new Date(now);
        }
        rep.open = handedOver + rep.crmOther;
      }
      return this.readOpenCounts(connectionId);
    });
  }

  async openCounts(connectionId: string): Promise<RepOpenCount[]> {
    return this.readOpenCounts(connectionId);
  }

  /** Runs `work` as one transaction: on a throw every change it made is undone. */
  private atomically<T>(work: () => T): Promise<T> {
    const before = structuredClone(this.state);
    try {
      return Promise.resolve(work());
    } catch (err) {
      this.state = before;
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private assignNow(req: AssignRequest): Assignment {
    const { connectionId, lead, rules, now } = req;
    const prior = [...this.state.decisions.values()].find(
      (d) =>
        req.eventKey !== undefined &&
        d.connectionId === connectionId &&
        d.eventKey === req.eventKey &&
        d.leadId === lead.id,
    );
    const priorRouting = prior?.outcome.routing as RoutingDecision | undefined;
    if (prior && priorRouting)
      return { decisionId: prior.id, decision: structuredClone(priorRouting), replayed: true };
    const current = this.openRow(connectionId, lead.id);

    const locks = repsToLock(req, current);
    const fairness: Record<string, PoolFairness> = {};
    if (locks.pool !== undefined) {
      const k = key(connectionId, locks.pool);
      if (!this.state.fairness.has(k)) this.state.fairness.set(k, { reps: {}, decisions: 0 } as PoolFairness);
      fairness[locks.pool] = structuredClone(this.state.fairness.get(k)!);
    }
    const repStates = this.repStates(connectionId, locks.repKeys, rules, now);
    const { input, decision, takesSlot, releasesCurrent } = decideAssignment(
      req,
      { repStates, fairness, holidays: holidaysAround(this.holidays, locks.repKeys, rules, now), current },
      this.route,
    );
    const decisionId = req.decisionId ?? randomUUID();
    if (current && releasesCurrent) {
      current.releasedAt = new Date(now);
      current.releaseReason = "reassigned";
      if (current.counted && current.repKey !== null) {
        const rep = this.state.reps.get(key(connectionId, current.repKey));
        if (rep) rep.open = Math.max(rep.open - 1, 0);
      }
    }
    if (takesSlot) this.takeSlot(connectionId, decision, rules, repStates, now);
    this.state.decisions.set(decisionId, {
      id: decisionId,
      connectionId,
      leadId: lead.id,
      eventKey: req.eventKey ?? null,
      slaHash: req.slaHash ?? null,
      createdAt: new Date(now),
      inputs: asJson({ ...req.record?.inputs, routing: input }),
      outcome: asJson({ ...req.record?.outcome, routing: decision }),
    });
    if (takesSlot) {
      this.state.assignments.push({
        connectionId,
        leadId: lead.id,
        repKey: decision.repKey ?? null,
        ownerId: decision.ownerId ?? "",
        decisionId,
        counted: true,
        assignedAt: new Date(now),
        releasedAt: null,
        releaseReason: null,
      });
    }
    if (decision.fairness !== undefined && decision.pool !== undefined) {
      this.state.fairness.set(key(connectionId, decision.pool), asJson(decision.fairness));
    }
    return { decisionId, decision, replayed: false };
  }

  private takeSlot(
    connectionId: string,
    decision: RoutingDecision,
    rules: RoutingRules,
    states: Record<string, RepState>,
    now: Date,
  ): void {
    const { repKey, caps, periods } = slotLimits(decision, rules, states, now);
    const rep = this.rep(connectionId, repKey);
    const under = (value: number, cap: number | undefined) => cap === undefined || value < cap;
    const counters = [
      [periods.day, caps.perDay],
      [periods.week, caps.perWeek],
      [periods.month, caps.perMonth],
    ] as const;
    const free =
      under(rep.open, caps.open) &&
      counters.every(([period, cap]) =>
        under(this.state.counts.get(key(connectionId, repKey, period)) ?? 0, cap),
      );
    if (!free) {
      throw new AppError("routing_conflict", `rep ${repKey} has no free slot any more`, {
        hint: "Another assignment took the slot; the job is retried and routes again.",
        retryable: true,
      });
    }
    rep.open += 1;
    for (const [period] of counters) {
      const k = key(connectionId, repKey, period);
      this.state.counts.set(k, (this.state.counts.get(k) ?? 0) + 1);
    }
  }

  private repStates(
    connectionId: string,
    repKeys: string[],
    rules: RoutingRules,
    now: Date,
  ): Record<string, RepState> {
    const states: Record<string, RepState> = {};
    for (const repKey of repKeys) {
      const p = repPeriods(rules, repKey, now);
      const count = (period: string) => this.state.counts.get(key(connectionId, repKey, period)) ?? 0;
      states[repKey] = repStateOf(
        this.rep(connectionId, repKey),
        { day: count(p.day), week: count(p.week), month: count(p.month) },
        now,
      );
    }
    return states;
  }

  private readOpenCounts(connectionId: string): RepOpenCount[] {
    return [...this.state.reps.entries()]
      .filter(([k]) => k.startsWith(`${connectionId}\u0000`))
      .map(([k, rep]) => {
        const repKey = k.slice(connectionId.length + 1);
        return {
          repKey,
          open: rep.open,
          handedOver: this.handedOver(connectionId, repKey),
          otherInCrm: rep.crmOther,
          crmOpen: rep.crmOpen,
          reconciledAt: rep.reconciledAt ? new Date(rep.reconciledAt) : null,
        };
      })
      .sort((a, b) => (a.repKey < b.repKey ? -1 : a.repKey > b.repKey ? 1 : 0));
  }

  private handedOver(connectionId: string, repKey: string): number {
    return this.state.assignments.filter(
      (a) => a.connectionId === connectionId && a.repKey === repKey && a.releasedAt === null && a.counted,
    ).length;
  }

  private openRow(connectionId: string, leadId: string): AssignmentRow | undefined {
    return this.state.assignments.find(
      (a) => a.connectionId === connectionId && a.leadId === leadId && a.releasedAt === null,
    );
  }

  private rep(connectionId: string, repKey: string): RepRow {
    const k = key(connectionId, repKey);
    let row = this.state.reps.get(k);
    if (!row) {
      row = {
        away: false,
        awayReason: null,
        awaySince: null,
        awayUntil: null,
        caps: { open: null, perDay: null, perWeek: null },
        open: 0,
        crmOpen: null,
        crmOther: 0,
        reconciledAt: null,
        ooo: [],
      };
      this.state.reps.set(k, row);
    }
    return row;
  }
}
