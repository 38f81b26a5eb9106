import { createMemorySalesforceTokenStore } from "../../src/adapters/salesforce/memory-token-store";
import { createSalesforceCrm } from "../../src/adapters/salesforce/salesforce-crm";
import { createSalesforceSession } from "../../src/adapters/salesforce/salesforce-oauth";
import { objectOrThrow, prepareCreate } from "../../src/sandbox/salesforce/records";
import { SALESFORCE_DEMO_USERS } from "../../src/sandbox/salesforce/seed";
import { startSalesforceSandbox } from "../../src/sandbox/salesforce/start";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import type { BenchFigure } from "./figures";
import { silent } from "../helpers/silent-logger";
import { systemClock } from "../../src/composition/system-clock";

/**
 * A 10k-lead burst through the Salesforce adapter against the sandbox: each lead is read, updated (owner,
 * stage, scores) and given a follow-up task, all at once. Prints API calls per lead and the share of an
 * Enterprise org's daily allocation (100,000 + 50 users × 1,000 = 150,000) the burst used.
 */
export async function benchSalesforceCrm(leads = 10_000, dailyApiLimit = 150_000): Promise<BenchFigure[]> {
  const sandbox = await startSalesforceSandbox({ dailyApiLimit });
  try {
    const leadObject = objectOrThrow(sandbox.state, "Lead");
    const ids = Array.from({ length: leads }, (_, i) =>
      prepareCreate(
        sandbox.state,
        leadObject,
        {
          LastName: `Burst ${i}`,
          Company: `Burst Co ${i % 500}`,
          Email: `burst${i}@example.com`,
          LeadSource: "Web",
        },
        { autoAssignOff: false, userId: SALESFORCE_DEMO_USERS.maria },
      ).commit(),
    );
    const store = createMemorySalesforceTokenStore({
      bench: { accessToken: SALESFORCE_SANDBOX_DEMO.accessToken, instanceUrl: sandbox.instanceUrl },
    });
    const session = createSalesforceSession({
      connectionId: "bench",
      store,
      config: {
        clientId: SALESFORCE_SANDBOX_DEMO.clientId,
        clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
        redirectUri: "http://127.0.0.1/oauth/salesforce/callback",
        loginUrl: sandbox.instanceUrl,
      },
    });
    const crm = createSalesforceCrm({ connectionId: "bench", session, logger: silent, now: systemClock });
    await crm.ensureFields();
    const reps = [SALESFORCE_DEMO_USERS.anna, SALESFORCE_DEMO_USERS.ben, SALESFORCE_DEMO_USERS.carla];
    const before = sandbox.state.apiCallsTotal;
    const started = performance.now();
    const results = await Promise.allSettled(
      ids.map(async (id, i) => {
        const ownerId = reps[i % reps.length] ?? SALESFORCE_DEMO_USERS.anna;
        await crm.getLeads([id]);
        await Promise.all([
          crm.updateLeads([
            {
              leadId: id,
              ownerId,
              stage: "mql",
              fitScore: 60,
              engagementScore: 45,
              totalScore: 105,
              decisionId: `b-${i}`,
            },
          ]),
          crm.createTask({
            leadId: id,
            ownerId,
            subject: "Follow up",
            body: "Why now",
            dueAt: "2026-11-24T09:00:00.000Z",
            decisionId: `b-${i}`,
          }),
        ]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const calls = sandbox.state.apiCallsTotal - before;
    const failed = results.filter((r) => r.status === "rejected").length;
    const share = (100 * calls) / dailyApiLimit;
    return [
      {
        id: "salesforce.burst_calls_per_lead",
        name: `Salesforce CRM calls per lead (${leads} read+update+task)`,
        value: Number((calls / leads).toFixed(4)),
        unit: "calls",
        target: "≤ 1.5",
        ok: calls / leads <= 1.5 && failed === 0,
      },
      {
        id: "salesforce.burst_daily_share",
        name: "Salesforce daily API allocation used by the burst",
        value: Number(share.toFixed(3)),
        unit: `% of ${dailyApiLimit}`,
        target: "no REQUEST_LIMIT_EXCEEDED",
        ok: failed === 0,
      },
      {
        id: "salesforce.burst_per_s",
        name: "Salesforce burst throughput (sandbox, no latency)",
        value: Math.round(leads / seconds),
        unit: "leads/s",
        target: "-",
      },
    ];
  } finally {
    await sandbox.close();
  }
}

if (require.main === module) {
  benchSalesforceCrm()
    .then((figures) => {
      for (const f of figures) process.stdout.write(`${f.name}: ${f.value} ${f.unit} (target ${f.target})\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
