/**
 * Will anybody in a pool be able to take a lead in the coming days? For `handoff sla lint` ("a pool with nobody
 * available next week") and the admin page. Looks at working hours, public holidays and known absences.
 */
import type { RoutingRules } from "./routing-rules";
import type { RepState } from "./routing-snapshot";
import { isOpen, localTime, parseWorkingHours } from "./working-hours";

export interface PoolCoverage {
  pool: string;
  /** Hours in the window during which at least one member is working. */
  coveredHours: number;
  /** Set when nobody is available at all in the window: why, member by member. */
  problem?: string;
}

const STEP_MINUTES = 30;

/**
 * Checks every pool over [from, from + days) in half-hour steps.
 * @param holidays holiday code → local `YYYY-MM-DD` dates covering the window
 * @param repStates known absences (away until, out of office); optional
 */
export function poolCoverage(
  rules: RoutingRules,
  from: Date,
  days: number,
  holidays: Record<string, string[]>,
  repStates: Record<string, RepState> = {},
): PoolCoverage[] {
  const steps = Math.round((days * 24 * 60) / STEP_MINUTES);
  return Object.values(rules.pools).map((pool) => {
    const why: string[] = [];
    const open = new Array<boolean>(steps).fill(false);
    for (const member of pool.members) {
      const rep = rules.reps[member.rep];
      if (!rep) {
        why.push(`${member.rep}: not in reps`);
        continue;
      }
      if (member.weight <= 0) {
        why.push(`${member.rep}: weight 0`);
        continue;
      }
      const week = parseWorkingHours(rep.hours);
      if ("error" in week) {
        why.push(`${member.rep}: ${week.error}`);
        continue;
      }
      let works = false;
      let holidaysHit = 0;
      for (let i = 0; i < steps; i++) {
        const at = new Date(from.getTime() + i * STEP_MINUTES * 60_000);
        let local;
        try {
          local = localTime(at, rep.timezone);
        } catch {
          why.push(`${member.rep}: unknown time zone ${rep.timezone}`);
          break;
        }
        if (!isOpen(week, local)) continue;
        if (absent(repStates[member.rep], at)) continue;
        if (rep.holidays && holidays[rep.holidays]?.includes(local.date)) {
          holidaysHit += 1;
          continue;
        }
        works = true;
        open[i] = true;
      }
      if (!works && !why.some((w) => w.startsWith(`${member.rep}:`))) {
        why.push(
          `${member.rep}: ${holidaysHit > 0 ? "public holidays" : "away or outside working hours"} all the time`,
        );
      }
    }
    const coveredHours = (open.filter(Boolean).length * STEP_MINUTES) / 60;
    return coveredHours > 0
      ? { pool: pool.name, coveredHours }
      : {
          pool: pool.name,
          coveredHours,
          problem: `nobody in pool ${pool.name} is available: ${why.join("; ") || "no members"}`,
        };
  });
}

function absent(state: RepState | undefined, at: Date): boolean {
  if (!state) return false;
  const t = at.getTime();
  if (state.away && (state.away.until === undefined || Date.parse(state.away.until) > t)) return true;
  return (state.ooo ?? []).some((o) => Date.parse(o.from) <= t && t < Date.parse(o.to));
}
