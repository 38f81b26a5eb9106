import { createCapturingLogger } from "../../src/logging/logger";
import { startRuntime } from "../../src/runtime";
import { hubSpotHeaders } from "../helpers/sign";
import { percentile, type BenchFigure } from "./figures";

const SECRET = "bench-client-secret-0123456789";

/**
 * Intake throughput and acknowledgement latency: signed HubSpot batches of 100 events, 10 requests in
 * flight (HubSpot's default concurrency per account), against a real database. Workers are off so the
 * figure is the webhook path alone: verify → parse → INSERT … ON CONFLICT + enqueue → 200.
 */
export async function benchIntake(databaseUrl: string, totalEvents = 30_000): Promise<BenchFigure[]> {
  const rt = await startRuntime({
    databaseUrl,
    logger: createCapturingLogger(),
    publicUrl: "https://bench.handoff.test",
    hubspotSecrets: [SECRET],
    adminToken: "bench-admin-token-0123456789abcdef",
    encryptionKey: Buffer.alloc(32, 7).toString("base64"),
    port: 0,
    worker: false,
  });
  const portalId = 9_000_000 + Math.floor(Math.random() * 999_999);
  await rt.connections.upsert({
    id: `bench-${portalId}`,
    crm: "hubspot",
    externalId: String(portalId),
    name: "bench",
  });
  const url = `${rt.url}/webhooks/hubspot`;
  const batches = Math.ceil(totalEvents / 100);
  const latencies: number[] = [];
  let next = 0;
  let eventId = 1;
  const sendUntil = async (limit: number) => {
    while (next < limit) {
      next += 1;
      const events = Array.from({ length: 100 }, () => ({
        eventId: eventId++,
        subscriptionId: 2001,
        portalId,
        appId: 424242,
        occurredAt: Date.now(),
        subscriptionType: "contact.propertyChange",
        attemptNumber: 0,
        objectId: 1000 + (eventId % 5000),
        propertyName: "recent_conversion_date",
        propertyValue: String(Date.now()),
        changeSource: "FORM",
        sourceId: "bench",
      }));
      const body = JSON.stringify(events);
      const started = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: hubSpotHeaders(SECRET, "https://bench.handoff.test/webhooks/hubspot", body),
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`intake answered ${res.status}`);
      latencies.push(performance.now() - started);
    }
  };
  const send = () => sendUntil(batches);
  // Warm up connections and query plans with 20 batches, then measure the rest.
  const warmBatches = 20;
  const measure = batches;
  next = batches - warmBatches;
  await Promise.all(Array.from({ length: 10 }, () => send()));
  latencies.length = 0;
  next = 0;
  const measuredBatches = measure - warmBatches;
  const started = performance.now();
  await Promise.all(Array.from({ length: 10 }, () => sendUntil(measuredBatches)));
  const seconds = (performance.now() - started) / 1000;
  const measuredEvents = measuredBatches * 100;
  await rt.stop();
  return [
    {
      name: "intake throughput (batches of 100, 10 concurrent)",
      value: Math.round(measuredEvents / seconds),
      unit: "events/s",
      target: ">= 5000",
      ok: measuredEvents / seconds >= 5000,
    },
    {
      name: "intake ack latency p50",
      value: round(percentile(latencies, 50)),
      unit: "ms",
      target: "-",
      ok: true,
    },
    {
      name: "intake ack latency p99",
      value: round(percentile(latencies, 99)),
      unit: "ms",
      target: "<= 50",
      ok: percentile(latencies, 99) <= 50,
    },
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;
