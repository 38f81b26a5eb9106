/**
 * CRM calls per lead and share of HubSpot's rate budget during a 10k-lead burst: every lead is read,
 * written back (score, stage, owner) and given a follow-up task by concurrent "workers", one lead at a
 * time, through the HubSpot adapter against the sandbox with its real limits (110 / 10 s, search 5 / s).
 * Run alone: `npx tsx test/bench/crm.ts [leads]`.
 */
import { HubSpotCrm } from "../../src/adapters/hubspot/hubspot-crm";
import { staticHubSpotAccess } from "../../src/adapters/hubspot/hubspot-oauth";
import { emptyStats, HUBSPOT_SANDBOX_DEMO } from "../../src/sandbox/hubspot/state";
import { startSandbox } from "../../src/sandbox/server";
import type { BenchFigure } from "./figures";
import { systemClock } from "../../src/composition/system-clock";
import { silent } from "../helpers/silent-logger";

export async function benchCrm(leads = 10_000): Promise<BenchFigure[]> {
  const sandbox = await startSandbox({ port: 0 });
  const crm = new HubSpotCrm({
    connectionId: "hubspot-9876543",
    access: staticHubSpotAccess(HUBSPOT_SANDBOX_DEMO.accessToken),
    basePath: sandbox.hubspotBasePath,
    logger: silent,
    now: systemClock,
  });
  try {
    await crm.ensureFields();
    const contacts = sandbox.hubspot.objects.get("contacts")!;
    const ids: string[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < leads; i++) {
      const id = String(200_000 + i);
      contacts.set(id, {
        id,
        properties: {
          email: `burst${i}@bench.example`,
          lifecyclestage: "lead",
          country: "DE",
          numemployees: "250",
        },
        createdAt: at,
        updatedAt: at,
        archived: false,
      });
      ids.push(id);
    }
    sandbox.hubspot.stats = emptyStats();
    sandbox.hubspot.windows.tenSecond.length = 0;
    sandbox.hubspot.windows.search.length = 0;

    // Sample how full HubSpot's own windows are, as the sandbox counts them.
    let peakTenSecond = 0;
    let peakSearch = 0;
    const sampler = setInterval(() => {
      const now = Date.now();
      peakTenSecond = Math.max(
        peakTenSecond,
        sandbox.hubspot.windows.tenSecond.filter((t) => t > now - 10_000).length,
      );
      peakSearch = Math.max(peakSearch, sandbox.hubspot.windows.search.filter((t) => t > now - 1_000).length);
    }, 25);

    const started = Date.now();
    const owners = ["80001", "80002", "80003", "80004", "80005"];
    await Promise.all(
      ids.map(async (id, i) => {
        const [lead] = await crm.getLeads([id]);
        if (!lead) throw new Error(`lead ${id} missing`);
        const ownerId = owners[i % owners.length]!;
        await crm.updateLeads([
          { leadId: id, fitScore: 60, engagementScore: 45, totalScore: 105, stage: "mql", ownerId },
        ]);
        await crm.createTask({
          leadId: id,
          ownerId,
          subject: "Follow up",
          body: "Qualified by the SLA",
          dueAt: new Date(Date.now() + 1_800_000).toISOString(),
          decisionId: `bench-${id}`,
        });
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const stats = sandbox.hubspot.stats;
    const mainCalls = stats.apiCalls - stats.searchCalls;
    const limit = sandbox.hubspot.tenSecondLimit;
    return [
      {
        id: "hubspot.burst_calls_per_lead",
        name: `HubSpot CRM calls per lead (${leads.toLocaleString("en-US")}-lead burst: read + write-back + task)`,
        value: Number((stats.apiCalls / leads).toFixed(3)),
        unit: "calls/lead",
        target: "≤ 1.5",
        ok: stats.apiCalls / leads <= 1.5,
      },
      {
        id: "hubspot.burst_rate_limited",
        name: "HubSpot 429s during the burst",
        value: stats.rateLimited,
        unit: "",
        target: "0",
        ok: stats.rateLimited === 0,
      },
      {
        id: "hubspot.burst_peak_share",
        name: "HubSpot peak share of the 10 s budget (110 req)",
        value: Math.round((peakTenSecond / limit) * 100),
        unit: "%",
        target: "≤ 100 %",
        ok: peakTenSecond <= limit,
      },
      {
        id: "hubspot.burst_average_share",
        name: "HubSpot average share of the 10 s budget during the burst",
        value: Math.round((mainCalls / ((limit * seconds) / 10)) * 100),
        unit: "%",
        target: "-",
      },
      {
        id: "hubspot.burst_peak_search_per_s",
        name: "HubSpot peak search rate (limit 5/s)",
        value: peakSearch,
        unit: "req/s",
        target: "≤ 5",
        ok: peakSearch <= 5,
      },
      {
        id: "hubspot.burst_s",
        name: "HubSpot burst duration",
        value: Number(seconds.toFixed(1)),
        unit: "s",
        target: "-",
      },
    ];
  } finally {
    crm.budget.close();
    await sandbox.close();
  }
}

if (require.main === module) {
  const leads = Number(process.argv[2] ?? 10_000);
  benchCrm(Number.isInteger(leads) && leads > 0 ? leads : 10_000)
    .then((figures) => {
      for (const f of figures) process.stdout.write(`${f.name}: ${f.value} ${f.unit} (target ${f.target})\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
