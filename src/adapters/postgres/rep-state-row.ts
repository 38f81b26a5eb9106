/** A rep's availability, caps and load as `rep_state` stores them (what routing locks and re-reads). */
export interface RepAvailabilityRow {
  rep_key: string;
  away: boolean;
  away_reason: string | null;
  away_since: Date | null;
  away_until: Date | null;
  cap_open: number | null;
  cap_per_day: number | null;
  cap_per_week: number | null;
  /** The month's cap override and the month (`m:2026-12`, in the rep's time zone) it applies to; another month's override is not a cap. */
  cap_per_month: number | null;
  cap_per_month_period: string | null;
  open_count: number;
}

/** The whole `rep_state` row with what the rep's open count is made of (the reps list and the dashboard). */
export interface RepStateRow extends RepAvailabilityRow {
  handed_over: number;
  crm_other_open: number;
  crm_open_count: number | null;
  reconciled_at: Date | null;
  updated_at: Date;
  updated_by: string | null;
}
