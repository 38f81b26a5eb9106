import { DEMO } from "../../src/composition/seed-demo";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { percentile, type BenchFigure } from "./figures";
import { runAlone, startBenchStack, type BenchStack } from "./harness";

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
  const stack = await startBenchStack(databaseUrl);
  try {
    return await measure(stack, leads, perSecond);
  } finally {
    await stack.stop();
  }
}

async function measure(stack: BenchStack, leads: number, perSecond: number): Promise<BenchFigure[]> {
  const { sandbox, rt } = stack;
  await fetch(`${sandbox.url}/hubspot/__sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ latencyMs: 50 }),
  });
  const portal = Number(DEMO.hubspot.portalId);
  const base = 770_000 + Math.floor(Math.random() * 100_000);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const send = async (i: number) => {
    const id = String(base + i);
    addQualifyingContact(sandbox, id, Date.now(), i);
    const started = performance.now();
    await stack.deliver([formSubmittedEvent(portal, id, base + i, Date.now() - 1000)]);
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
  // Warm-up: fields ensured, SLA parsed, plans cached. Calls from here on are the leads' own.
  await send(leads);
  latencies.length = 0;
  const callsBefore = sandbox.hubspot.stats.apiCalls;
  const routesBefore = { ...sandbox.hubspot.stats.byRoute };
  for (let i = 0; i < leads; i += 1) {
    pending.push(send(i));
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(pending);
  const stats = sandbox.hubspot.stats;
  const p95 = percentile(latencies, 95);
  const routes = Object.entries(stats.byRoute)
    .map(([route, n]): [string, number] => [route, n - (routesBefore[route] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  process.stderr.write(
    `speed to lead: HubSpot calls by route (after warm-up): ${routes.map(([r, n]) => `${r} ${n}`).join(", ")}\n`,
  );
  const callsOf = (pattern: RegExp) =>
    routes.filter(([route]) => pattern.test(route)).reduce((sum, [, n]) => sum + n, 0);
  const handed = Math.max(1, latencies.length);
  const perLead = (n: number) => Math.round((n / handed) * 100) / 100;
  const owners = callsOf(/\/crm\/v3\/owners/);
  const forms = callsOf(/\/marketing\/v3\/forms|\/form-integrations\//);
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
      name: "HubSpot API calls per handed-over lead after warm-up (all calls, searches included)",
      value: perLead(stats.apiCalls - callsBefore),
      unit: `calls (${stats.apiCalls - callsBefore} for ${latencies.length} leads)`,
      target: "-",
    },
    {
      id: "speed_to_lead.owner_calls_per_lead",
      name: "of which owner list reads (/crm/v3/owners, cached per connection for 5 min)",
      value: perLead(owners),
      unit: `calls (${owners})`,
      target: "≤ 0.1",
      ok: owners / handed <= 0.1,
    },
    {
      id: "speed_to_lead.form_calls_per_lead",
      name: "of which form list and submission reads (forms cached 10 min, a form's newest submissions shared)",
      value: perLead(forms),
      unit: `calls (${forms})`,
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

if (require.main === module) runAlone((url, n) => benchSpeedToLead(url, n, 1), 30);
