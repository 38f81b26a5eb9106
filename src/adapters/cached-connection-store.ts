import { LRUCache } from "lru-cache";
import type { Crm } from "../domain/lead";
import type { Connection, ConnectionStore, NewConnection, OAuthTokens } from "../ports/connections";

export interface CachedConnectionStoreOptions {
  /**
   * How long a looked-up connection (or its absence) is taken as read. Changes made through this store drop the
   * entry at once; this bounds how long a change made by another process (an uninstall handled by another
   * instance) can go unseen here. @default 5000
   */
  ttlMs?: number;
  /** Connections (and misses) kept at most; the least recently used go first. @default 10000 */
  max?: number;
}

/** A miss is cached too (a portal that is not installed), as this marker. */
const ABSENT = Symbol("absent");
type Entry = Connection | typeof ABSENT;

/**
 * The connection lookups of every webhook delivery (`get`, `findByExternalId`) served from memory: a bounded LRU
 * with a short TTL in front of the store. Every write through this store (install, token save, settings,
 * disconnect) drops what it changes; tokens and notification settings are never cached (they are read rarely
 * and are secrets). Bounded by `max` however many portals come and go, so it stays the same size after a year.
 * @example const connections = new CachedConnectionStore(new PostgresConnectionStore(pool, cipher));
 */
export class CachedConnectionStore implements ConnectionStore {
  private readonly cache: LRUCache<string, Entry>;
  /** Moves at every write: a lookup that started before a write does not cache what it read. */
  private generation = 0;

  constructor(
    private readonly store: ConnectionStore,
    options: CachedConnectionStoreOptions = {},
  ) {
    const ttl = options.ttlMs ?? 5_000;
    const max = options.max ?? 10_000;
    if (!Number.isInteger(ttl) || ttl < 1)
      throw new Error(`Expected \`ttlMs\` to be an integer ≥ 1, got \`${ttl}\``);
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`Expected \`max\` to be an integer ≥ 1, got \`${max}\``);
    this.cache = new LRUCache<string, Entry>({ max, ttl, ttlAutopurge: false });
  }

  get(id: string): Promise<Connection | null> {
    return this.cached(`id:${id}`, () => this.store.get(id));
  }

  findByExternalId(crm: Crm, externalId: string): Promise<Connection | null> {
    return this.cached(`ext:${crm}:${externalId}`, () => this.store.findByExternalId(crm, externalId));
  }

  list(): Promise<Connection[]> {
    return this.store.list();
  }

  async upsert(input: NewConnection): Promise<Connection> {
    try {
      return await this.store.upsert(input);
    } finally {
      this.cache.delete(`ext:${input.crm}:${input.externalId}`);
      this.forget(input.id);
    }
  }

  async saveTokens(id: string, tokens: OAuthTokens): Promise<void> {
    try {
      await this.store.saveTokens(id, tokens);
    } finally {
      // Saving tokens makes a disconnected connection active again.
      this.forget(id);
    }
  }

  getTokens(id: string): Promise<OAuthTokens | null> {
    return this.store.getTokens(id);
  }

  async saveNotificationSettings(id: string, settings: unknown): Promise<void> {
    try {
      await this.store.saveNotificationSettings(id, settings);
    } finally {
      this.forget(id);
    }
  }

  getNotificationSettings(id: string): Promise<unknown> {
    return this.store.getNotificationSettings(id);
  }

  async disconnect(id: string): Promise<void> {
    try {
      await this.store.disconnect(id);
    } finally {
      this.forget(id);
    }
  }

  private async cached(key: string, load: () => Promise<Connection | null>): Promise<Connection | null> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit === ABSENT ? null : hit;
    const generation = this.generation;
    const found = await load();
    if (generation === this.generation) this.cache.set(key, found ?? ABSENT);
    return found;
  }

  /** Drops every entry of one connection, by id and by external id. */
  private forget(id: string): void {
    this.generation++;
    this.cache.delete(`id:${id}`);
    for (const [key, entry] of this.cache.entries()) {
      if (entry !== ABSENT && entry.id === id) this.cache.delete(key);
    }
  }
}
