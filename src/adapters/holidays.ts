import Holidays from "date-holidays";
import type { HolidayCalendar } from "../ports/holidays";

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
