import type { SalesforceTokens, SalesforceTokenStore } from "./salesforce-oauth";

/** Tokens in a Map: for tests, the sandbox demo and the CLI. Production uses the encrypted connections table. */
export function createMemorySalesforceTokenStore(
  initial: Record<string, SalesforceTokens> = {},
): SalesforceTokenStore & { saved: number } {
  const tokens = new Map(Object.entries(initial));
  const store = {
    saved: 0,
    load: (connectionId: string) => Promise.resolve(tokens.get(connectionId) ?? null),
    save: (connectionId: string, next: SalesforceTokens) => {
      tokens.set(connectionId, next);
      store.saved++;
      return Promise.resolve();
    },
  };
  return store;
}
