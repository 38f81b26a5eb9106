/**
 * Deterministic weighted rotation: smooth weighted round robin (the nginx algorithm), credit based, no
 * randomness. Each decision every eligible member gains its weight in credit, the member with the most credit
 * gets the lead (ties: pool order) and pays the total. Weights 2:1 give A,B,A,A,B,A… — exactly 2:1 per round,
 * interleaved rather than in blocks.
 *
 * Absence: a member who is away, out of office, on holiday or deactivated gains nothing while absent. When it
 * comes back, the pool's return policy applies:
 * - `no_catch_up`: its credit is set to the pool's current level (the mean credit of the members who stayed),
 *   so it rejoins the rotation as if it had never left — no burst.
 * - `catch_up_gradually`: it also rejoins at the level, but it is owed the share it missed (at most
 *   `catchUpMax` leads, default 3) and is paid back at double weight, half a lead per lead received, so the
 *   catch-up is spread over the next rounds instead of arriving as a burst.
 * Editing the pool never resets anyone: a new member joins at the level, a removed member's entry is kept
 * (it is simply not rotated), a weight change applies from the next decision.
 */
import type { Pool } from "./routing-rules";
import type { PoolFairness, RepCredit } from "./routing-snapshot";

/** Default bound on leads owed to a returning rep under `catch_up_gradually`. */
export const DEFAULT_CATCH_UP_MAX = 3;

export interface RotationMember {
  rep: string;
  weight: number;
  eligible: boolean;
  /** Ineligible for an absence (away, out of office, holiday, deactivated). */
  absent: boolean;
}

export interface Rotation {
  /** The rep chosen, or undefined when no member is eligible. */
  chosen?: string;
  state: PoolFairness;
  /** Lines explaining returns, joins and catch-up, for the decision trail. */
  notes: string[];
}

/** Runs one rotation step of `pool` over `members` (in pool order). Pure: returns a new state. */
export function rotate(pool: Pool, members: RotationMember[], previous: PoolFairness | undefined): Rotation {
  const reps: Record<string, RepCredit> = {};
  for (const [key, entry] of Object.entries(previous?.reps ?? {})) reps[key] = { ...entry };
  const state: PoolFairness = { reps, decisions: previous?.decisions ?? 0 };
  const notes: string[] = [];
  const catchUpMax = pool.catchUpMax ?? DEFAULT_CATCH_UP_MAX;

  const returning = (m: RotationMember): boolean => m.eligible && reps[m.rep]?.absent === true;
  const stayers = members.filter((m) => m.eligible && reps[m.rep] !== undefined && !returning(m));
  const level =
    stayers.length === 0
      ? 0
      : stayers.reduce((sum, m) => sum + (reps[m.rep]?.credit ?? 0), 0) / stayers.length;

  for (const m of members) {
    const entry = reps[m.rep];
    if (!entry) {
      reps[m.rep] = { credit: level, ...(m.absent ? { absent: true } : {}) };
      if (m.eligible) notes.push(`${m.rep} joins the rotation at the pool's level`);
      continue;
    }
    if (returning(m)) {
      entry.credit = level;
      delete entry.absent;
      if (pool.onReturn === "no_catch_up") {
        delete entry.owed;
        notes.push(`${m.rep} is back: rejoins at the pool's level, no catch-up (no_catch_up)`);
      } else if ((entry.owed ?? 0) > 0) {
        notes.push(
          `${m.rep} is back: catching up ${round(entry.owed ?? 0)} lead(s) at double weight (catch_up_gradually)`,
        );
      }
    } else if (m.absent) {
      entry.absent = true;
    }
  }

  const eligible = members.filter((m) => m.eligible && m.weight > 0);
  if (eligible.length === 0) return { state, notes };

  const effective = (m: RotationMember): number => ((reps[m.rep]?.owed ?? 0) > 0 ? m.weight * 2 : m.weight);
  let total = 0;
  let best: RotationMember | undefined;
  for (const m of eligible) {
    const entry = reps[m.rep] as RepCredit;
    const w = effective(m);
    entry.credit += w;
    total += w;
    if (!best || entry.credit > (reps[best.rep] as RepCredit).credit) best = m;
  }
  const chosen = best as RotationMember;
  const winner = reps[chosen.rep] as RepCredit;
  winner.credit -= total;
  if ((winner.owed ?? 0) > 0) {
    winner.owed = Math.max(0, (winner.owed ?? 0) - 0.5);
    if (winner.owed === 0) delete winner.owed;
  }

  // Absent members of a catch-up pool are owed the share they would have had of this lead.
  if (pool.onReturn === "catch_up_gradually") {
    const absentees = members.filter((m) => m.absent && m.weight > 0);
    const everyone = eligible.reduce((s, m) => s + m.weight, 0) + absentees.reduce((s, m) => s + m.weight, 0);
    for (const m of absentees) {
      const entry = reps[m.rep] as RepCredit;
      entry.owed = Math.min(catchUpMax, (entry.owed ?? 0) + m.weight / everyone);
    }
  }
  state.decisions += 1;
  return { chosen: chosen.rep, state, notes };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
