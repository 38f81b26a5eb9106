/** Public holidays as plain data for the router's snapshot: holiday code → local `YYYY-MM-DD` dates. */
export interface HolidayCalendar {
  /**
   * Public holidays of each code (`DE`, `ES-MD`, `US-NY`) falling in [from, to] (local dates, inclusive).
   * An unknown code yields an empty list (and `unknownCodes` says so), never an error: a typo in the roster
   * must not stop routing.
   */
  between(codes: readonly string[], from: string, to: string): Record<string, string[]>;
  /** Codes the calendar does not know, for `handoff sla lint` and the admin page. */
  unknownCodes(codes: readonly string[]): string[];
}
