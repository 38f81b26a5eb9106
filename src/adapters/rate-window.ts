/** Which window a lane's calls are counted in, and how many it holds. */
export interface RateWindowKey {
  /** The connection id: one window per connection and lane, whatever process asks. */
  name: string;
  lane: string;
  /** At most this many calls in any rolling `windowMs`, live calls included. */
  cap: number;
  /** Of `cap`, this many are only ever given to live calls (a person waiting). */
  liveReserve: number;
  windowMs: number;
}

/** What one `acquire` handed out. */
export interface RateWindowGrant {
  /** One token per granted call, live ones first; give each back with `release` when its call ends. */
  tokens: number[];
  /** How many of `tokens` are for live calls. */
  live: number;
  /** Calls counted in the window after this grant (all processes). */
  used: number;
  /** When not everything asked for was granted: how long until a slot frees up (or the pause ends). */
  retryInMs: number;
}

/**
 * Where a lane's rolling window is kept. A call counts from the moment it is granted until `windowMs`
 * after it *ended*: the CRM counts a request when it arrives, somewhere between our start and our end,
 * so spacing by start times alone lets network delays bunch two windows' calls into one of the CRM's.
 * `MemoryRateWindow` serves one process; `PostgresRateWindow` (adapters/postgres) is one window shared by
 * every process on the database, and it survives restarts.
 */
export interface RateWindowStore {
  /** Grants up to `live` + `other` calls now: live ones may use the whole cap, the others `cap − liveReserve`. */
  acquire(key: RateWindowKey, want: { live: number; other: number }): Promise<RateWindowGrant>;
  /** The calls holding these tokens have ended: they now count from this moment. */
  release(key: RateWindowKey, tokens: number[]): Promise<void>;
  /** The CRM answered 429: grant nothing on this key for `ms`. */
  pause(key: RateWindowKey, ms: number): Promise<void>;
}

interface MemoryWindow {
  /** End time of each finished call (or its grant time while in flight), oldest first. */
  stamps: { at: number; token: number; inFlight: boolean }[];
  pausedUntil: number;
}

/** The window in this process's memory (tests, the bench, a single process without a database). */
export class MemoryRateWindow implements RateWindowStore {
  private readonly windows = new Map<string, MemoryWindow>();
  private nextToken = 1;

  constructor(private readonly now: () => number) {}

  private window(key: RateWindowKey): MemoryWindow {
    const id = `${key.name}\u0000${key.lane}`;
    let w = this.windows.get(id);
    if (!w) {
      w = { stamps: [], pausedUntil: 0 };
      this.windows.set(id, w);
    }
    return w;
  }

  acquire(key: RateWindowKey, want: { live: number; other: number }): Promise<RateWindowGrant> {
    const t = this.now();
    const w = this.window(key);
    w.stamps = w.stamps.filter((s) => s.inFlight || s.at > t - key.windowMs);
    if (w.pausedUntil > t) {
      return Promise.resolve({ tokens: [], live: 0, used: w.stamps.length, retryInMs: w.pausedUntil - t });
    }
    const used = w.stamps.length;
    const live = Math.min(want.live, Math.max(0, key.cap - used));
    const other = Math.min(want.other, Math.max(0, key.cap - key.liveReserve - used - live));
    const tokens: number[] = [];
    for (let i = 0; i < live + other; i += 1) {
      const token = this.nextToken++;
      tokens.push(token);
      w.stamps.push({ at: t, token, inFlight: true });
    }
    const oldest = w.stamps.find((s) => !s.inFlight)?.at;
    const retryInMs = oldest === undefined ? 10 : Math.max(1, oldest + key.windowMs - t);
    return Promise.resolve({ tokens, live, used: w.stamps.length, retryInMs });
  }

  release(key: RateWindowKey, tokens: number[]): Promise<void> {
    const t = this.now();
    const w = this.window(key);
    const ended = new Set(tokens);
    for (const s of w.stamps) {
      if (ended.has(s.token)) {
        s.at = t;
        s.inFlight = false;
      }
    }
    w.stamps.sort((a, b) => a.at - b.at);
    return Promise.resolve();
  }

  pause(key: RateWindowKey, ms: number): Promise<void> {
    const w = this.window(key);
    w.pausedUntil = Math.max(w.pausedUntil, this.now() + ms);
    return Promise.resolve();
  }
}
