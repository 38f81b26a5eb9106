import { createCapturingLogger, createLogger } from "../../src/logging/logger";
import { startHandoffRuntime } from "../../src/composition/handoff-runtime";
import { startSandbox } from "../../src/sandbox/server";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { hubSpotHeaders } from "../helpers/sign";
import { percentile, type BenchFigure } from "./figures";
import { systemClock } from "../../src/composition/system-clock";

const SECRET = "bench-client-secret-0123456789";

/**
 * Speed to lead: a signed form-submission webhook in → owner set and task created in the CRM, against the
 * sandbox with 50 ms injected on every CRM call (the real app, pipeline and adapters). Leads arrive at a
 * steady pace, as forms do.
 */
export async function benchSpeedToLead(
  databaseUrl: string,
  leads = 40,
  perSecond = 4,
): Promise<BenchFigure[]> {
  const sandbox = await startSandbox({ port: 0 });
  await fetch(`${sandbox.url}/hubspot/__sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ latencyMs: 50 }),
  });
  const settings = {
    publicUrl: "https://bench.handoff.test",
    adminToken: "bench-admin-token-0123456789abcdef",
    encryptionKey: Buffer.alloc(32, 9).toString("base64"),
    embedded: true,
    hubspot: { clientId: "demo-client-id", clientSecrets: [SECRET], apiBase: undefined },
    salesforce: { clientId: undefined, clientSecret: undefined, loginUrl: sandbox.salesforceInstanceUrl },
  };
  const rt = await startHandoffRuntime({
    databaseUrl,
    logger: process.env.BENCH_DEBUG ? createLogger({ level: "info" }) : createCapturingLogger(),
    publicUrl: settings.publicUrl,
    hubspotSecrets: [SECRET],
    adminToken: settings.adminToken,
    encryptionKey: settings.encryptionKey,
    port: 0,
    worker: true,
    now: systemClock,
    product: settings,
  });
  await seedDemoConnections(rt.connections, { sandboxUrl: sandbox.url, now: systemClock });
  const portal = Number(DEMO.hubspot.portalId);
  const base = 770_000 + Math.floor(Math.random() * 100_000);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const send = async (i: number) => {
    const id = String(base + i);
    addQualifyingContact(sandbox, id, Date.now(), i);
    const body = JSON.stringify([formSubmittedEvent(portal, id, base + i, Date.now() - 1000)]);
    const started = performance.now();
    const res = await fetch(`${rt.url}/webhooks/hubspot`, {
      method: "POST",
      headers: hubSpotHeaders(SECRET, `${settings.publicUrl}/webhooks/hubspot`, body),
      body,
    });
    await res.arrayBuffer();
    for (let waited = 0; waited < 30_000; waited += 5) {
      const r = await rt.pool.query(
        "SELECT task_id FROM handoffs WHERE connection_id = $1 AND lead_id = $2 AND task_id IS NOT NULL",
        [DEMO.hubspot.connectionId, id],
      );
      if (r.rows.length > 0) {
        latencies.push(performance.now() - started);
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  // Warm-up: fields ensured, SLA parsed, plans cached.
  await send(leads);
  latencies.length = 0;
  for (let i = 0; i < leads; i += 1) {
    pending.push(send(i));
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(pending);
  const stats = sandbox.hubspot.stats;
  await rt.stop();
  await sandbox.close();
  const p95 = percentile(latencies, 95);
  return [
    {
      id: "speed_to_lead.p50_ms",
      name: `speed to lead p50 (webhook → owner + task, CRM +50 ms/call, ${perSecond} leads/s)`,
      value: Math.round(percentile(latencies, 50)),
      unit: "ms",
      target: "-",
      ok: true,
    },
    {
      id: "speed_to_lead.p95_ms",
      name: "speed to lead p95",
      value: Math.round(p95),
      unit: "ms",
      target: "<= 1000",
      ok: p95 <= 1000,
    },
    {
      id: "speed_to_lead.handed_over",
      name: "speed to lead: leads handed over",
      value: latencies.length,
      unit: `of ${leads}`,
      target: `${leads}`,
      ok: latencies.length === leads,
    },
    {
      id: "speed_to_lead.calls_per_lead",
      name: "HubSpot API calls per handed-over lead (all calls, searches included)",
      value: Math.round((stats.apiCalls / (leads + 1)) * 10) / 10,
      unit: "calls",
      target: "-",
    },
    {
      id: "speed_to_lead.rate_limited",
      name: "HubSpot 429s from the real limits during the run",
      value: stats.rateLimited,
      unit: "",
      target: "0",
      ok: stats.rateLimited === 0,
    },
  ];
}
