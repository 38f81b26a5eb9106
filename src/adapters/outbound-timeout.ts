import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";

/**
 * How long one outbound call may go without an answer. Every CRM, OAuth, Slack and SMTP call is cut off
 * well inside the 120 s a lead-event job may run (jobs/boss.ts), so a hung CRM fails the call, not the job.
 */
export const OUTBOUND_TIMEOUT_MS = 30_000;

/**
 * An HTTP(S) agent whose sockets are destroyed after `timeoutMs` without a byte either way, for SDKs that
 * take an agent but no timeout (`@hubspot/api-client`). The pending request then fails with the reason.
 *
 * @example new Client({ accessToken, basePath, httpAgent: timeoutAgent(basePath, 30_000) })
 */
export function timeoutAgent(baseUrl: string, timeoutMs: number = OUTBOUND_TIMEOUT_MS): http.Agent {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(`Expected \`timeoutMs\` to be an integer ≥ 1, got \`${timeoutMs}\``);
  }
  const cutOff = (socket: Duplex | null | undefined) => {
    const s = socket as (Duplex & { setTimeout?: (ms: number, cb: () => void) => void }) | null | undefined;
    s?.setTimeout?.(timeoutMs, () => s.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    return socket;
  };
  const options = { keepAlive: true };
  if (baseUrl.startsWith("https:")) {
    return new (class extends https.Agent {
      override createConnection(...args: Parameters<https.Agent["createConnection"]>) {
        return cutOff(super.createConnection(...args));
      }
    })(options);
  }
  return new (class extends http.Agent {
    override createConnection(...args: Parameters<http.Agent["createConnection"]>) {
      return cutOff(super.createConnection(...args));
    }
  })(options);
}

/**
 * Rejects when `promise` has not settled within `timeoutMs` (for SDK calls that take no timeout at all,
 * like jsforce's OAuth2). The call itself is abandoned, not cancelled.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
