import net from "node:net";
import type { AddressInfo } from "node:net";
import { timeoutAgent, withTimeout } from "../../../src/adapters/outbound-timeout";
import { HubSpotCrm } from "../../../src/adapters/hubspot/hubspot-crm";
import { staticHubSpotAccess } from "../../../src/adapters/hubspot/hubspot-oauth";
import { SalesforceClient } from "../../../src/adapters/salesforce/salesforce-client";
import { CrmUnavailableError } from "../../../src/domain/errors";
import { createCapturingLogger } from "../../../src/logging/logger";
import { systemClock } from "../../../src/composition/system-clock";

/** A CRM that accepts the connection and never answers. */
async function hungServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("outbound calls to a CRM that hangs", () => {
  let hung: Awaited<ReturnType<typeof hungServer>>;
  beforeAll(async () => {
    hung = await hungServer();
  });
  afterAll(async () => hung.close());

  it("when HubSpot accepts the connection but never answers, then the call fails as CRM unavailable instead of hanging", async () => {
    const crm = new HubSpotCrm({
      connectionId: "hs-hung",
      access: staticHubSpotAccess("token"),
      basePath: hung.url,
      timeoutMs: 300,
      coalesceWindowMs: 0,
      logger: createCapturingLogger(),
      now: systemClock,
    });
    await expect(crm.getLeads(["51"])).rejects.toBeInstanceOf(CrmUnavailableError);
  });

  it("when Salesforce never answers, then the call fails as CRM unavailable instead of hanging", async () => {
    const tokens = { accessToken: "00D!token", instanceUrl: hung.url, issuedAt: 0 };
    const client = new SalesforceClient({
      connectionId: "sf-hung",
      session: { current: async () => tokens, refresh: async () => tokens },
      logger: createCapturingLogger(),
      now: systemClock,
      timeoutMs: 300,
    });
    await expect(client.request({ method: "GET", path: "/limits" })).rejects.toMatchObject({
      code: "crm_unavailable",
    });
  });

  it("when a socket carries nothing for the timeout, then the agent destroys it with the reason", async () => {
    const agent = timeoutAgent(hung.url, 200);
    const { request } = await import("node:http");
    const failure = await new Promise<Error>((resolve) => {
      request(`${hung.url}/x`, { agent }, () => undefined)
        .on("error", resolve)
        .end();
    });
    expect(failure.message).toMatch(/no answer within 200 ms/);
    agent.destroy();
  });

  it("when an SDK call takes no timeout, then withTimeout rejects naming the call", async () => {
    await expect(withTimeout(new Promise(() => undefined), 50, "token endpoint")).rejects.toThrow(
      "token endpoint: no answer within 50 ms",
    );
  });

  it("when the timeout is not a positive integer, then the agent refuses it", () => {
    expect(() => timeoutAgent(hung.url, 0)).toThrow("Expected `timeoutMs` to be an integer ≥ 1, got `0`");
  });
});
