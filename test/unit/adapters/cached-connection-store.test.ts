import { CachedConnectionStore } from "../../../src/adapters/cached-connection-store";
import type { ConnectionStore } from "../../../src/ports/connections";
import { MemoryConnectionStore } from "../../helpers/memory/memory-connection-store";

/** The memory store, counting the lookups that reach it. */
function countingStore() {
  const inner = new MemoryConnectionStore();
  const reads = { n: 0 };
  const store: ConnectionStore = Object.assign(Object.create(inner) as ConnectionStore, {
    get: (id: string) => {
      reads.n++;
      return inner.get(id);
    },
    findByExternalId: (crm: "hubspot" | "salesforce", externalId: string) => {
      reads.n++;
      return inner.findByExternalId(crm, externalId);
    },
  });
  return { inner, store, reads };
}

const portal = { id: "hubspot-123", crm: "hubspot" as const, externalId: "123", name: "Acme" };

test("when deliveries look the same portal up again and again, then the database is asked once", async () => {
  const { inner, store, reads } = countingStore();
  await inner.upsert(portal);
  const cached = new CachedConnectionStore(store);
  for (let i = 0; i < 50; i++) {
    expect((await cached.findByExternalId("hubspot", "123"))?.id).toBe("hubspot-123");
    expect((await cached.get("hubspot-123"))?.status).toBe("active");
  }
  expect(reads.n).toBe(2);
});

test("when a connection is disconnected through the store, then the next lookup sees it at once", async () => {
  const { inner, store } = countingStore();
  await inner.upsert(portal);
  const cached = new CachedConnectionStore(store);
  expect((await cached.findByExternalId("hubspot", "123"))?.status).toBe("active");
  expect((await cached.get("hubspot-123"))?.status).toBe("active");
  await cached.disconnect("hubspot-123");
  expect((await cached.findByExternalId("hubspot", "123"))?.status).toBe("disconnected");
  expect((await cached.get("hubspot-123"))?.status).toBe("disconnected");
});

test("when another instance uninstalls a portal, then it stops being accepted here within the TTL", async () => {
  const { inner, store } = countingStore();
  await inner.upsert(portal);
  const cached = new CachedConnectionStore(store, { ttlMs: 40 });
  expect((await cached.findByExternalId("hubspot", "123"))?.status).toBe("active");
  await inner.disconnect("hubspot-123"); // not through this cache
  await new Promise((r) => setTimeout(r, 60));
  expect((await cached.findByExternalId("hubspot", "123"))?.status).toBe("disconnected");
});

test("when a portal that was not installed is installed here, then its next delivery finds it at once", async () => {
  const { store } = countingStore();
  const cached = new CachedConnectionStore(store);
  expect(await cached.findByExternalId("hubspot", "123")).toBeNull();
  await cached.upsert(portal);
  expect((await cached.findByExternalId("hubspot", "123"))?.id).toBe("hubspot-123");
});

test("when more portals are looked up than it holds, then the least recently used are dropped (bounded)", async () => {
  const { inner, store, reads } = countingStore();
  for (const n of [1, 2, 3]) await inner.upsert({ ...portal, id: `hubspot-${n}`, externalId: String(n) });
  const cached = new CachedConnectionStore(store, { max: 2 });
  await cached.get("hubspot-1");
  await cached.get("hubspot-2");
  await cached.get("hubspot-3");
  await cached.get("hubspot-1");
  expect(reads.n).toBe(4);
  expect(() => new CachedConnectionStore(store, { max: 0 })).toThrow("Expected `max` to be an integer ≥ 1");
});
