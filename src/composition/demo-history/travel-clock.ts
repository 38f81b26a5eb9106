import type { Clock } from "../../ports/clock";

/**
 * A clock that can be sent back to a moment of the past and runs on from there at the machine's pace (so rate
 * windows and timeouts measured on it still move), until it lands back on `base`. It never runs backwards and
 * never ahead of `base`.
 */
export interface TravelClock extends Clock {
  /** From now on the clock reads `at`, plus the time that passes. */
  travelTo(at: number): void;
  /** Moves the clock on by `ms` at once (time passing in the past without waiting for it; never beyond `base`). */
  advance(ms: number): void;
  /** Back to `base`. */
  land(): void;
  /** The clock in whole milliseconds since the epoch (the sandbox's and the rate windows' unit). */
  ms(): number;
}

/** @example const clock = travelClock(systemClock); clock.travelTo(weeksAgo); …; clock.land(); */
export function travelClock(base: Clock): TravelClock {
  let from: { at: number; since: number } | undefined;
  const ms = (): number =>
    from === undefined
      ? base().getTime()
      : Math.min(base().getTime(), from.at + Math.floor(performance.now() - from.since));
  return Object.assign(() => new Date(ms()), {
    travelTo: (at: number) => {
      from = {
        at: Math.min(Math.max(Math.floor(at), from === undefined ? Math.floor(at) : ms()), base().getTime()),
        since: performance.now(),
      };
    },
    advance: (ms: number) => {
      if (from !== undefined) from = { at: from.at + Math.max(0, ms), since: from.since };
    },
    land: () => {
      from = undefined;
    },
    ms,
  });
}
