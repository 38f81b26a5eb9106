/**
 * A list import into a Salesforce org against the edition's daily API request allocation: N web-to-lead Leads
 * created at once on the Enterprise sandbox org (20 licences: 100,000 + 20 × 1,000 = 120,000 calls a rolling
 * day), each announced by the Flow's outbound messages (≤ 100 a message), handed over by one Handoff process
 * (intake + workers, the real pipeline). Every REST call the org answers during the import is counted (SOQL
 * reads and searches, describes, owners, composite writes, tasks) and set against the allocation.
 * Run alone: `npx tsx test/bench/salesforce-import.ts [leads]` (needs BENCH_DATABASE_URL).
 */
import { DEMO } from "../../src/composition/seed-demo";
import { createSalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import type { BenchFigure } from "./figures";
import { runAlone, startBenchStack } from "./harness";

const MAX_RUN_MS = 600_000;
/** Handoff stops calling at 90 % of the allocation (SalesforceClient's `maxDailyShare`), keeping room for the org. */
const HANDOFF_SHARE = 0.9;

export async function benchSalesforceImport(databaseUrl: string, leads = 1_000): Promise<BenchFigure[]> {
  const stack = await startBenchStack(databaseUrl, {
    sandbox: { salesforce: { edition: "enterprise", licenses: 20 } },
    salesforce: true,
  });
  const { sandbox, rt } = stack;
  const allocation = sandbox.salesforce.dailyApiLimit;
  const connectionId = DEMO.salesforce.connectionId;
  try {
    const traffic = createSalesforceTrafficGenerator(sandbox.salesforce, {
      webhookUrl: `${rt.url}/webhooks/salesforce/${connectionId}/${DEMO.salesforce.webhookToken}`,
      instanceUrl: sandbox.salesforceInstanceUrl,
    });
    // Everything before this point (the demo's own set-up) is not the import's cost.
    const callsBefore = sandbox.salesforce.apiCallsTotal;
    const started = performance.now();
    const imported = new Set<string>();
    for (let i = 0; i < leads; i++) {
      imported.add(
        traffic.createLead({
          Title: "VP Sales",
          NumberOfEmployees: 240 + i,
          Industry: "Software",
          Country: "Germany",
          CountryCode: "DE",
          PostalCode: "50667",
          LeadSource: "Web",
        }),
      );
    }
    await traffic.flush();
    let handed = 0;
    for (;;) {
      const r = await rt.pool.query<{ lead_id: string }>(
        "SELECT lead_id FROM handoffs WHERE connection_id = $1 AND owner_id IS NOT NULL",
        [connectionId],
      );
      handed = r.rows.filter((row) => imported.has(row.lead_id)).length;
      if (handed >= leads || performance.now() - started > MAX_RUN_MS) break;
      if (process.env.BENCH_DEBUG)
        process.stderr.write(
          `salesforce import: ${handed}/${leads}, ${sandbox.salesforce.apiCallsTotal - callsBefore} calls\n`,
        );
      await new Promise((res) => setTimeout(res, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    const routes = [...sandbox.salesforce.apiCallsByRoute.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([route, n]) => `${route} ${n}`);
    process.stderr.write(`salesforce import: calls by route (set-up included): ${routes.join(", ")}\n`);
    const calls = sandbox.salesforce.apiCallsTotal - callsBefore;
    const perLead = calls / Math.max(1, handed);
    const share = calls / allocation;
    const perDay = Math.floor((allocation * HANDOFF_SHARE) / Math.max(perLead, 1e-9));
    return [
      {
        id: "salesforce.import_calls_per_handoff",
        name: `Salesforce API calls per handed-over lead, ${leads.toLocaleString("en-US")}-lead import (every REST call: reads, searches, describes, owners, writes, tasks)`,
        value: Math.round(perLead * 100) / 100,
        unit: `calls (${calls} for ${handed} of ${leads} handed over)`,
        target: "≤ 1.5",
        ok: perLead <= 1.5 && handed === leads,
      },
      {
        id: "salesforce.import_daily_share",
        name: `share of the Enterprise org's daily API allocation (${allocation.toLocaleString("en-US")}: 100,000 + 20 licences × 1,000) the import used`,
        value: Math.round(share * 10_000) / 100,
        unit: "%",
        target: `≤ ${((1.5 * leads * 100) / allocation).toFixed(2)} % (1.5 calls a lead)`,
        ok: calls <= 1.5 * leads,
      },
      {
        id: "salesforce.import_leads_per_day",
        name: `leads a day the allocation hands over at this cost (Handoff uses at most ${HANDOFF_SHARE * 100} % of it)`,
        value: perDay,
        unit: "leads/day",
        target: "-",
      },
      {
        id: "salesforce.import_seconds",
        name: `${leads.toLocaleString("en-US")}-lead Salesforce import handed over in`,
        value: Math.round(seconds * 10) / 10,
        unit: "s",
        target: "-",
      },
    ];
  } finally {
    await stack.stop();
  }
}

if (require.main === module) runAlone(benchSalesforceImport, 1_000);
