/** Who changed availability or caps, for the audit log: `admin`, `rep:ben`, `team_lead:maria`, `cli:<user>`. */
export type Actor = string;

export interface RepOverview {
  repKey: string;
  away: boolean;
  awayReason: string | null;
  awaySince: string | null;
  awayUntil: string | null;
  caps: {
    open: number | null;
    perDay: number | null;
    perWeek: number | null;
    /** The monthly cap override and the month it holds for (`2026-12`, in the rep's zone); null when none. */
    perMonth: number | null;
    perMonthFor: string | null;
  };
  open: number;
  /**
   * What `open` is made of: leads Handoff handed over that are still open, plus open leads in the CRM beyond
   * them (from the CRM's own count at the last reconcile, `crmOpen` at `reconciledAt`).
   */
  openParts: { handedOver: number; otherInCrm: number; crmOpen: number | null; reconciledAt: string | null };
  outOfOffice: { id: string; from: string; to: string; reason: string | null }[];
  updatedAt: string;
  updatedBy: string | null;
}

export interface CapsChange {
  /** A number sets the override, null removes it (the SLA's cap applies again), absent leaves it. */
  open?: number | null;
  perDay?: number | null;
  perWeek?: number | null;
  /**
   * The monthly cap for the current month only (in the rep's time zone, on the store's clock): a number sets
   * it, null removes it; from the next month on the SLA's cap_per_month applies again.
   */
  perMonth?: { cap: number | null; timezone: string };
}

/**
 * Rep availability and team-lead cap overrides, each change audited with it. The router re-reads these before
 * every assignment, so a change applies to the next lead. "Now" (whether a rep is still away, whether an end
 * date is already past) is the store's injected clock.
 */
export interface RepAvailabilityStore {
  setAway(
    connectionId: string,
    repKey: string,
    change: { reason: string; until?: Date },
    actor: Actor,
  ): Promise<RepOverview>;
  setBack(connectionId: string, repKey: string, actor: Actor): Promise<RepOverview>;
  setCaps(connectionId: string, repKey: string, caps: CapsChange, actor: Actor): Promise<RepOverview>;
  addOutOfOffice(
    connectionId: string,
    repKey: string,
    entry: { from: Date; to: Date; reason?: string; source?: string },
    actor: Actor,
  ): Promise<RepOverview>;
  /** Every rep with a state row (reps never touched have none: no absence, no overrides, nothing open). */
  list(connectionId: string): Promise<RepOverview[]>;
}
