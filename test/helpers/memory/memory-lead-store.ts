import type { HandoffCardInput } from "../../../src/domain/handoff-card";
import { AppError } from "../../../src/domain/errors";
import type { Activity } from "../../../src/domain/lead";
import type { LifecycleEvent } from "../../../src/domain/lifecycle";
import type { Clock } from "../../../src/ports/clock";
import { KeyedLock } from "./keyed-lock";
import type {
  ConversionRecord,
  HandoffFeedback,
  HandoffRecord,
  LeadState,
  LeadStateChange,
  LeadStore,
  NewHandoff,
} from "../../../src/ports/leads";

interface StateRow extends Omit<LeadStateChange, "eventAt"> {
  lastEventAt: string | null;
  mergedInto: string | null;
}

interface NotificationRow {
  status: "pending" | "sent" | "failed";
  attempts: number;
  receipt_id: string | null;
  lastError: string | null;
}

export interface AuditEntry {
  connectionId: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  at: string;
}

const key = (...parts: string[]) => parts.join("\u0000");
const copy = <T>(value: T): T => structuredClone(value);
const instant = (iso: string) => new Date(iso).toISOString();

/**
 * LeadStore in memory, with the PostgreSQL store's rules: one lifecycle entry per (lead, type, event), one
 * handoff per (event, lead) and one open handoff per lead, feedback once while open, one notification claim per
 * channel, one conversion per lead, activities kept once by id. Every read returns a copy.
 */
export class MemoryLeadStore implements LeadStore {
  private readonly states = new Map<string, StateRow>();
  private readonly lifecycle = new Map<
    string,
    { event: LifecycleEvent; eventKey: string | null; seq: number }[]
  >();
  private readonly handoffs = new Map<string, HandoffRecord>();
  private readonly notifications = new Map<string, NotificationRow>();
  private readonly activityRows = new Map<string, Map<string, Activity>>();
  private readonly conversions = new Map<string, ConversionRecord>();
  private readonly leadRecords: {
    connectionId: string;
    recordId: string;
    leadId: string;
    handoffId: string;
    at: string;
  }[] = [];
  private readonly links = new Map<string, { leadId: string; at: string }[]>();
  /** The audit log, oldest first (the PostgreSQL store's `audit_log`). */
  readonly auditLog: AuditEntry[] = [];
  private seq = 0;
  private readonly personLocks = new KeyedLock();
  /** What else forgets a lead when it is erased (the routing decisions and the open slot, in `createMemoryStores`). */
  private readonly erasers: ((connectionId: string, leadId: string) => void)[] = [];

  /** @param clock when a handoff row is created (PostgreSQL's `now()`); @default the handoff's start */
  constructor(private readonly clock?: Clock) {}

  /** Also runs `eraser` when a lead is erased (the PostgreSQL store deletes from every table in one transaction). */
  onErase(eraser: (connectionId: string, leadId: string) => void): void {
    this.erasers.push(eraser);
  }

  /**
   * Marks an open handoff `reassigned` (the follow-up store's write on the same table); false when it is not open.
   */
  markReassigned(connectionId: string, handoffId: string, at: string): boolean {
    const h = this.handoffs.get(handoffId);
    if (!h || h.connectionId !== connectionId || h.status !== "open") return false;
    Object.assign(h, { status: "reassigned", feedbackAt: instant(at) });
    return true;
  }

  /** The handoff row itself (the follow-up store reads owners along a reassignment chain). */
  handoffRow(connectionId: string, handoffId: string): HandoffRecord | undefined {
    const h = this.handoffs.get(handoffId);
    return h && h.connectionId === connectionId ? copy(h) : undefined;
  }

  async getState(connectionId: string, leadId: string): Promise<LeadState | null> {
    const row = this.states.get(key(connectionId, leadId));
    return row ? { stage: row.stage, lastEventAt: row.lastEventAt, mergedInto: row.mergedInto } : null;
  }

  async saveState(connectionId: string, leadId: string, state: LeadStateChange): Promise<void> {
    const old = this.states.get(key(connectionId, leadId));
    const eventAt = instant(state.eventAt);
    this.states.set(key(connectionId, leadId), {
      stage: state.stage,
      fit: state.fit,
      engagement: state.engagement,
      total: state.total,
      heldReason: state.heldReason,
      // GREATEST(old, new): an older event never moves the clock back.
      lastEventAt: old?.lastEventAt && old.lastEventAt > eventAt ? old.lastEventAt : eventAt,
      mergedInto: old?.mergedInto ?? null,
    });
  }

  async history(connectionId: string, leadId: string): Promise<LifecycleEvent[]> {
    return [...(this.lifecycle.get(key(connectionId, leadId)) ?? [])]
      .sort((a, b) => (a.event.at === b.event.at ? a.seq - b.seq : a.event.at < b.event.at ? -1 : 1))
      .map((r) => copy(r.event));
  }

  async addLifecycle(
    connectionId: string,
    leadId: string,
    event: LifecycleEvent,
    eventKey: string | null,
  ): Promise<void> {
    const rows = this.lifecycle.get(key(connectionId, leadId)) ?? [];
    if (eventKey !== null && rows.some((r) => r.eventKey === eventKey && r.event.type === event.type)) return;
    const stored = copy(event);
    stored.at = instant(event.at);
    // Fields the table has no column for are not kept (an accepted entry keeps no `by`).
    if (stored.type === "accepted") delete stored.by;
    if (stored.type === "rejected") delete stored.by;
    rows.push({ event: stored, eventKey, seq: ++this.seq });
    this.lifecycle.set(key(connectionId, leadId), rows);
  }

  async createHandoff(h: NewHandoff): Promise<HandoffRecord> {
    const existing = await this.handoffByEvent(h.connectionId, h.eventKey, h.leadId);
    if (existing) return existing;
    const idTaken = this.handoffs.has(h.id);
    const open = [...this.handoffs.values()].find(
      (x) => x.connectionId === h.connectionId && x.leadId === h.leadId && x.status === "open",
    );
    if (open) return copy(open);
    if (idTaken) {
      throw new AppError("handoff_conflict", `could not open a handoff for lead ${h.leadId}`, {
        retryable: true,
        hint: "Another event of this lead was handled at the same moment; the retry resolves it.",
      });
    }
    const record: HandoffRecord = {
      ...copy(h),
      startedAt: instant(h.startedAt),
      dueAt: instant(h.dueAt),
      taskId: null,
      firstTouchAt: null,
      status: "open",
      rejectReason: null,
      feedbackNote: null,
      feedbackAt: null,
      createdAt: (this.clock?.() ?? new Date(h.startedAt)).toISOString(),
    };
    this.handoffs.set(h.id, record);
    return copy(record);
  }

  async handoffByEvent(
    connectionId: string,
    eventKey: string,
    leadId: string,
  ): Promise<HandoffRecord | null> {
    const found = [...this.handoffs.values()].find(
      (x) => x.connectionId === connectionId && x.eventKey === eventKey && x.leadId === leadId,
    );
    return found ? copy(found) : null;
  }

  async getHandoff(connectionId: string, id: string): Promise<HandoffRecord | null> {
    const h = this.handoffs.get(id);
    return h && h.connectionId === connectionId ? copy(h) : null;
  }

  async latestHandoff(connectionId: string, leadId: string): Promise<HandoffRecord | null> {
    const mine = [...this.handoffs.values()].filter(
      (x) => x.connectionId === connectionId && x.leadId === leadId,
    );
    const last = mine[mine.length - 1];
    return last ? copy(last) : null;
  }

  async setTask(connectionId: string, handoffId: string, taskId: string): Promise<void> {
    this.update(connectionId, handoffId, (h) => (h.taskId = taskId));
  }

  async updateCardInput(connectionId: string, handoffId: string, cardInput: HandoffCardInput): Promise<void> {
    this.update(connectionId, handoffId, (h) => (h.cardInput = copy(cardInput)));
  }

  async setFeedback(connectionId: string, handoffId: string, feedback: HandoffFeedback): Promise<boolean> {
    const { status, reason, at, note = null } = feedback;
    const h = this.handoffs.get(handoffId);
    if (!h || h.connectionId !== connectionId || h.status !== "open") return false;
    Object.assign(h, { status, rejectReason: reason, feedbackAt: instant(at), feedbackNote: note });
    return true;
  }

  async markFirstTouch(connectionId: string, handoffId: string, at: string): Promise<void> {
    this.update(connectionId, handoffId, (h) => (h.firstTouchAt ??= instant(at)));
  }

  async claimNotification(connectionId: string, handoffId: string, channel: string): Promise<boolean> {
    const k = key(handoffId, channel);
    if (this.notifications.has(k) || this.handoffs.get(handoffId)?.connectionId !== connectionId)
      return false;
    this.notifications.set(k, { status: "pending", attempts: 0, receipt_id: null, lastError: null });
    return true;
  }

  async notificationStatus(connectionId: string, handoffId: string, channel: string) {
    if (this.handoffs.get(handoffId)?.connectionId !== connectionId) return null;
    const row = this.notifications.get(key(handoffId, channel));
    return row ? { status: row.status, attempts: row.attempts, receipt_id: row.receipt_id } : null;
  }

  async markNotification(
    connectionId: string,
    handoffId: string,
    channel: string,
    outcome: { status: "sent"; receiptId?: string } | { status: "failed" | "pending"; error: string },
  ): Promise<void> {
    const row = this.notifications.get(key(handoffId, channel));
    if (!row || this.handoffs.get(handoffId)?.connectionId !== connectionId) return;
    row.status = outcome.status;
    row.attempts += 1;
    row.receipt_id = outcome.status === "sent" ? (outcome.receiptId ?? null) : null;
    row.lastError = outcome.status === "sent" ? null : outcome.error;
  }

  async addActivities(connectionId: string, leadId: string, activities: Activity[]): Promise<void> {
    const rows = this.activityRows.get(key(connectionId, leadId)) ?? new Map<string, Activity>();
    for (const a of activities) {
      const id = a.id ?? `${a.kind}:${a.occurredAt}`;
      if (rows.has(id)) continue;
      const stored: Activity = { kind: a.kind, occurredAt: instant(a.occurredAt), id };
      if (a.url) stored.url = a.url;
      if (a.name) stored.name = a.name;
      if (a.title) stored.title = a.title;
      rows.set(id, stored);
    }
    this.activityRows.set(key(connectionId, leadId), rows);
  }

  async activities(connectionId: string, leadId: string, limit = 50): Promise<Activity[]> {
    return [...(this.activityRows.get(key(connectionId, leadId))?.values() ?? [])]
      .sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  async markMerged(connectionId: string, mergedIds: string[], into: string): Promise<void> {
    for (const id of mergedIds) {
      const row = this.states.get(key(connectionId, id));
      if (row) row.mergedInto = into;
    }
  }

  async recordConversion(c: Omit<ConversionRecord, "recordedAt">, at: string): Promise<ConversionRecord> {
    const k = key(c.connectionId, c.leadId);
    if (!this.conversions.has(k)) this.conversions.set(k, { ...copy(c), recordedAt: instant(at) });
    return copy(this.conversions.get(k)!);
  }

  async conversion(connectionId: string, leadId: string): Promise<ConversionRecord | null> {
    const c = this.conversions.get(key(connectionId, leadId));
    return c ? copy(c) : null;
  }

  async conversionByContact(connectionId: string, contactIds: string[]): Promise<ConversionRecord | null> {
    const found = [...this.conversions.values()]
      .filter(
        (c) => c.connectionId === connectionId && c.contactId !== null && contactIds.includes(c.contactId),
      )
      .sort((a, b) => (a.convertedOn < b.convertedOn ? 1 : -1))[0];
    return found ? copy(found) : null;
  }

  async saveLeadRecord(
    connectionId: string,
    link: { recordId: string; leadId: string; handoffId: string; created: boolean },
    at: string,
  ): Promise<void> {
    if (this.leadRecords.some((r) => r.connectionId === connectionId && r.handoffId === link.handoffId))
      return;
    this.leadRecords.push({
      connectionId,
      recordId: link.recordId,
      leadId: link.leadId,
      handoffId: link.handoffId,
      at: instant(at),
    });
  }

  async leadRecordOfHandoff(connectionId: string, handoffId: string): Promise<string | null> {
    return (
      this.leadRecords.find((r) => r.connectionId === connectionId && r.handoffId === handoffId)?.recordId ??
      null
    );
  }

  async leadRecord(
    connectionId: string,
    recordId: string,
  ): Promise<{ leadId: string; handoffId: string } | null> {
    const newest = this.leadRecords
      .filter((r) => r.connectionId === connectionId && r.recordId === recordId)
      .sort((a, b) => (a.at < b.at ? 1 : -1))[0];
    return newest ? { leadId: newest.leadId, handoffId: newest.handoffId } : null;
  }

  async audit(
    connectionId: string,
    entry: { actor: string; action: string; subject: string; details: Record<string, unknown>; at: string },
  ): Promise<void> {
    this.auditLog.push({ connectionId, ...copy(entry), at: instant(entry.at) });
  }

  async withPersonLock<T>(connectionId: string, email: string, work: () => Promise<T>): Promise<T> {
    return this.personLocks.run(key(connectionId, email.trim().toLowerCase()), work);
  }

  async linkToHandoff(connectionId: string, handoffId: string, leadId: string, at: string): Promise<void> {
    const rows = this.links.get(key(connectionId, handoffId)) ?? [];
    if (!rows.some((r) => r.leadId === leadId)) rows.push({ leadId, at: instant(at) });
    this.links.set(key(connectionId, handoffId), rows);
  }

  async linkedLeads(connectionId: string, handoffId: string): Promise<string[]> {
    return [...(this.links.get(key(connectionId, handoffId)) ?? [])]
      .sort((a, b) => (a.at === b.at ? (a.leadId < b.leadId ? -1 : 1) : a.at < b.at ? -1 : 1))
      .map((r) => r.leadId);
  }

  async erase(connectionId: string, leadId: string): Promise<void> {
    const k = key(connectionId, leadId);
    this.conversions.delete(k);
    this.states.delete(k);
    this.lifecycle.delete(k);
    this.activityRows.delete(k);
    for (let i = this.leadRecords.length - 1; i >= 0; i--) {
      const r = this.leadRecords[i]!;
      if (r.connectionId === connectionId && r.leadId === leadId) this.leadRecords.splice(i, 1);
    }
    for (const [id, h] of this.handoffs) {
      if (h.connectionId !== connectionId || h.leadId !== leadId) continue;
      this.handoffs.delete(id);
      for (const n of this.notifications.keys())
        if (n.startsWith(`${id}\u0000`)) this.notifications.delete(n);
    }
    for (const [k2, rows] of this.links) {
      if (!k2.startsWith(`${connectionId}\u0000`)) continue;
      this.links.set(
        k2,
        rows.filter((r) => r.leadId !== leadId),
      );
    }
    for (const eraser of this.erasers) eraser(connectionId, leadId);
  }

  private update(connectionId: string, handoffId: string, change: (h: HandoffRecord) => void): void {
    const h = this.handoffs.get(handoffId);
    if (h && h.connectionId === connectionId) change(h);
  }
}
