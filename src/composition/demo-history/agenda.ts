import type { TravelClock } from "./travel-clock";

interface Entry {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/**
 * What happens when in a replayed past: entries run in time order (ties in the order they were added), each on
 * the clock sent to its moment. Entries may add later ones (a handoff plans its rep's call).
 */
export class Agenda {
  private readonly entries: Entry[] = [];
  private seq = 0;

  constructor(private readonly clock: TravelClock) {}

  /** Runs `run` at `at` (ms since the epoch). */
  at(at: number, run: () => Promise<void>): void {
    const entry = { at, seq: this.seq++, run };
    // Binary search for the first entry that runs later: a replayed quarter holds a few thousand entries.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.at < at || (e.at === at && e.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
  }

  /** Runs every entry due up to `until`, in order; what is later stays. `after` is told after each one. */
  async runUntil(until: number, after?: () => void): Promise<void> {
    for (let next = this.entries[0]; next && next.at <= until; next = this.entries[0]) {
      this.entries.shift();
      this.clock.travelTo(next.at);
      await next.run();
      after?.();
    }
  }

  get size(): number {
    return this.entries.length;
  }
}
