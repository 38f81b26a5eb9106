import Holidays from "date-holidays";

/** Public holidays as plain data for the router's snapshot: holiday code → local `YYYY-MM-DD` dates. */
export interface HolidayCalendar {
  /**
   * Public holidays of each code (`DE`, `ES-MD`, `US-NY`) falling in [from, to] (local dates, inclusive).
   * An unknown code yields an empty list (and `unknownCodes` says so), never an error: a typo in the roster
   * must not stop routing.
   */
  between(codes: readonly string[], from: string, to: string): Record<string, string[]>;
  /** Codes date-holidays does not know, for `handoff sla lint` and the admin page. */
  unknownCodes(codes: readonly string[]): string[];
}

/**
 * Holidays from the maintained `date-holidays` data set (public holidays only: not observances or bank
 * half-days). Years are computed once per code and kept in memory: the data only changes with the package.
 *
 * @example const dates = createHolidayCalendar().between(["DE", "ES-MD"], "2026-12-24", "2026-12-26");
 */
export function createHolidayCalendar(): HolidayCalendar {
  const byCodeYear = new Map<string, string[]>();
  const known = new Map<string, boolean>();

  function calendar(code: string): Holidays | undefined {
    const [country, state, region] = code.split("-");
    if (!country) return undefined;
    const hd = new Holidays();
    if (region) hd.init(country, state ?? "", region);
    else if (state) hd.init(country, state);
    else hd.init(country);
    // date-holidays accepts unknown codes silently; a real calendar always has holidays in a year.
    known.set(code, hd.getHolidays(2026).length > 0);
    return known.get(code) ? hd : undefined;
  }

  function year(code: string, y: number): string[] {
    const key = `${code}:${y}`;
    let dates = byCodeYear.get(key);
    if (!dates) {
      const hd = calendar(code);
      dates = hd
        ? [
            ...new Set(
              hd
                .getHolidays(y)
                .filter((h) => h.type === "public")
                .map((h) => h.date.slice(0, 10)),
            ),
          ].sort()
        : [];
      byCodeYear.set(key, dates);
    }
    return dates;
  }

  return {
    between(codes, from, to) {
      const out: Record<string, string[]> = {};
      const first = Number(from.slice(0, 4));
      const last = Number(to.slice(0, 4));
      for (const code of [...new Set(codes)].sort()) {
        const dates: string[] = [];
        for (let y = first; y <= last; y++) dates.push(...year(code, y).filter((d) => d >= from && d <= to));
        out[code] = dates;
      }
      return out;
    },
    unknownCodes(codes) {
      return codes.filter((code) => {
        if (!known.has(code)) calendar(code);
        return known.get(code) !== true;
      });
    },
  };
}
