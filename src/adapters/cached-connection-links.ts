import type { ConnectionLink, ConnectionLinkStore } from "../ports/connection-links";

/**
 * Pairs change rarely and every event asks for its pair: kept in memory for `ttlMs` (other processes see a new
 * pair within that), and refreshed at once when this process links or unlinks.
 */
export function cachedLinks(
  store: ConnectionLinkStore,
  ttlMs = 5_000,
  elapsed: () => number = () => performance.now(),
): ConnectionLinkStore {
  let loaded: { at: number; links: Promise<ConnectionLink[]> } | undefined;
  const all = () => {
    if (!loaded || elapsed() - loaded.at > ttlMs) {
      const links = store.list();
      loaded = { at: elapsed(), links };
      links.catch(() => (loaded = undefined));
    }
    return loaded.links;
  };
  return {
    link: async (link, at) => {
      loaded = undefined;
      const saved = await store.link(link, at);
      loaded = undefined;
      return saved;
    },
    unlink: async (id) => {
      loaded = undefined;
      const done = await store.unlink(id);
      loaded = undefined;
      return done;
    },
    list: () => all(),
    ofConnection: async (id) =>
      (await all()).find((l) => l.marketingConnectionId === id || l.salesConnectionId === id) ?? null,
    rememberSynced: (record, at) => store.rememberSynced(record, at),
    contactOf: (connectionId, leadId) => store.contactOf(connectionId, leadId),
    salesLeadOf: (connectionId, contactId) => store.salesLeadOf(connectionId, contactId),
    forgetContact: (connectionId, contactId) => store.forgetContact(connectionId, contactId),
  };
}
