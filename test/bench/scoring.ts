import { readFileSync } from "node:fs";
import path from "node:path";
import type { Activity, Lead } from "../../src/domain/lead";
import { qualifyLead } from "../../src/domain/lifecycle";
import { parseSla } from "../../src/sla/load-sla";

const NOW = "2026-11-23T12:00:00.000Z";
const COUNTRIES = ["ES", "DE", "AT", "US", "FR"];
const TITLES = ["VP Sales", "Head of Growth", "Engineer", "Student", "Director of IT", "CFO"];
const PAGES = ["/pricing", "/product/routing", "/blog/x", "/careers/sdr", "/pricing/enterprise"];

/** Leads with a realistic spread of fields and 0–12 activities each, deterministic. */
function sampleLeads(count: number): { lead: Lead; activities: Activity[] }[] {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const activities: Activity[] = Array.from({ length: next(13) }, () => {
      const at = new Date(Date.parse(NOW) - next(90 * 24) * 3_600_000).toISOString();
      const roll = next(10);
      if (roll < 6) return { kind: "page_view", occurredAt: at, url: pick(PAGES) };
      if (roll < 7) return { kind: "form_submission", occurredAt: at, name: "contact-me" };
      if (roll < 8) return { kind: "content_download", occurredAt: at, name: "ROI guide" };
      return { kind: "email_click", occurredAt: at, name: "newsletter" };
    });
    const lead: Lead = {
      id: String(i),
      email: `lead${i}@example.com`,
      firstName: "A",
      lastName: "B",
      company: "C",
      jobTitle: pick(TITLES),
      industry: pick(["software", "fintech", "retail"]),
      employees: next(2000),
      country: pick(COUNTRIES),
      businessModel: "B2B",
      stage: "lead",
      properties: {},
    };
    return { lead, activities };
  });
}

/** Score + stage decisions per second on one core, with the default SLA. */
export async function benchScoring(): Promise<
  { id: string; name: string; value: number; unit: string; target: string; ok: boolean }[]
> {
  const file = path.join(__dirname, "../../config/sla.default.yaml");
  const { sla } = parseSla(readFileSync(file, "utf8"), file);
  const leads = sampleLeads(5_000);
  // Warm-up lets the JIT and the condition caches settle before timing.
  for (const { lead, activities } of leads) qualifyLead(lead, activities, [], sla, NOW);
  let decisions = 0;
  let handoffs = 0;
  // CPU time of this (single-threaded) process, so other work on a shared machine does not skew the figure.
  const cpuStart = process.cpuUsage();
  const cpuSeconds = (): number => {
    const used = process.cpuUsage(cpuStart);
    return (used.user + used.system) / 1e6;
  };
  while (cpuSeconds() < 2) {
    for (const { lead, activities } of leads) {
      if (qualifyLead(lead, activities, [], sla, NOW).decision.handoff) handoffs++;
    }
    decisions += leads.length;
  }
  const seconds = cpuSeconds();
  if (handoffs === 0) throw new Error("no lead was handed off: the sample does not exercise the SLA");
  const perSecond = Math.round(decisions / seconds);
  return [
    {
      id: "scoring.decisions_per_s",
      name: "score+stage decisions/s (1 core, CPU time)",
      value: perSecond,
      unit: "decisions/s",
      target: "≥ 50,000",
      ok: perSecond >= 50_000,
    },
  ];
}

if (require.main === module) {
  benchScoring()
    .then((figures) => {
      for (const f of figures)
        process.stdout.write(
          `${f.name}: ${f.value.toLocaleString("en-US")} ${f.unit} (target ${f.target})\n`,
        );
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
