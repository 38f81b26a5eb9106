import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signHubSpotV3 } from "../../../src/adapters/hubspot/hubspot-delivery";
import { createHubSpotSandboxState } from "../../../src/sandbox/hubspot/state";
import { HubSpotTrafficGenerator, type HubSpotWebhookEvent } from "../../../src/sandbox/hubspot/traffic";

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A receiver that fails the first `failFirst` deliveries with 503, like an app that is briefly down. */
async function receiver(
  failFirst: number,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      if (failures > 0) {
        failures -= 1;
        res.writeHead(503).end();
      } else res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/hubspot`;
  return { url, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe("HubSpot traffic generator", () => {
  it("when a visitor submits a form, then a v3-signed recent_conversion_date change arrives that the app's verifier accepts", async () => {
    const app = await receiver(0);
    const state = createHubSpotSandboxState();
    const traffic = new HubSpotTrafficGenerator({ state, targetUrl: app.url, batchWindowMs: 5 });
    const id = traffic.createContact();
    traffic.submitForm(id, "contactMe");
    await traffic.flush();
    expect(app.received).toHaveLength(1);
    const { body, headers } = app.received[0]!;
    const ts = String(headers["x-hubspot-request-timestamp"]);
    expect(headers["x-hubspot-signature-v3"]).toBe(
      signHubSpotV3(state.clientSecret, "POST", app.url, body, ts),
    );
    const events = JSON.parse(body) as HubSpotWebhookEvent[];
    expect(events.map((e) => e.subscriptionType)).toEqual(["contact.creation", "contact.propertyChange"]);
    expect(events[1]).toMatchObject({
      portalId: 9876543,
      appId: 424242,
      objectId: Number(id),
      propertyName: "recent_conversion_date",
      attemptNumber: 0,
    });
    expect(state.objects.get("contacts")!.get(id)!.properties.recent_conversion_event_name).toBe(
      "Contact me",
    );
    await app.close();
  });

  it("when the app answers non-2xx, then the same batch is retried with attemptNumber counting up", async () => {
    const app = await receiver(2);
    const state = createHubSpotSandboxState();
    const traffic = new HubSpotTrafficGenerator({
      state,
      targetUrl: app.url,
      batchWindowMs: 5,
      retryDelayMs: () => 10,
    });
    traffic.createContact();
    await traffic.flush();
    await new Promise((r) => setTimeout(r, 150));
    expect(app.received.map((r) => (JSON.parse(r.body) as HubSpotWebhookEvent[])[0]!.attemptNumber)).toEqual([
      0, 1, 2,
    ]);
    expect(traffic.stats).toMatchObject({ eventsDelivered: 1, failedAttempts: 2, dropped: 0 });
    await traffic.stop();
    await app.close();
  });

  it("when 250 events are queued, then they go out in deliveries of at most 100", async () => {
    const app = await receiver(0);
    const traffic = new HubSpotTrafficGenerator({ state: createHubSpotSandboxState(), targetUrl: app.url });
    for (let i = 0; i < 250; i++) traffic.createContact();
    await traffic.flush();
    expect(app.received.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([100, 100, 50]);
    await app.close();
  });
});
