/**
 * The one source of "now" for everything outside the composition root. Code takes a `Clock` and never reads
 * `Date.now()` or `new Date()` itself (a lint rule enforces it), so tests decide what day it is and no test
 * outcome depends on the day it runs.
 *
 * @example const deadline = new Date(clock().getTime() + 30 * 60_000);
 */
export type Clock = () => Date;

/** A clock that always answers `at`: for tests and for replaying a decision at its own instant. */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`fixedClock: "${String(at)}" is not a date`);
  return () => new Date(instant);
}
