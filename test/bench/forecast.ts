import { readFileSync } from "node:fs";
import path from "node:path";
import { forecastSla, type ReplayHistory, type ReplayLead } from "../../src/domain/forecast";
import type { Activity, Lead } from "../../src/domain/lead";
import type { Sla } from "../../src/domain/sla";
import { parseSla } from "../../src/sla/load-sla";
import { printTable, type BenchFigure } from "./figures";

const UNTIL = Date.parse("2026-11-23T12:00:00.000Z");
const WINDOW_MS = 90 * 86_400_000;
const COUNTRIES = ["ES", "DE", "AT", "US", "FR"];
const TITLES = ["VP Sales", "Head of Growth", "Engineer", "Student", "Director of IT", "CFO"];
const PAGES = ["/pricing", "/product/routing", "/blog/x", "/careers/sdr", "/pricing/enterprise"];

/**
 * A deterministic synthetic history: `leads` leads with 0–12 activities each over 90 days and `events` CRM
 * events spread over the same window, in time order.
 */
export function syntheticHistory(leads: number, events: number): ReplayHistory {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)] as T;
  const out: ReplayLead[] = [];
  for (let i = 0; i < leads; i += 1) {
    const activities: Activity[] = Array.from({ length: next(13) }, () => {
      const at = new Date(UNTIL - next(90 * 24) * 3_600_000).toISOString();
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
      postalCode: pick(["28013", "08001", "10115"]),
      businessModel: "B2B",
      stage: "lead",
      properties: {},
    };
    out.push({ lead, activities });
  }
  const eventLead = new Int32Array(events);
  const eventAt = new Float64Array(events);
  const step = WINDOW_MS / events;
  for (let i = 0; i < events; i += 1) {
    eventLead[i] = next(leads);
    eventAt[i] = UNTIL - WINDOW_MS + i * step;
  }
  return { leads: out, eventLead, eventAt };
}

function defaultSla(): Sla {
  const file = path.join(__dirname, "../../config/sla.default.yaml");
  return parseSla(readFileSync(file, "utf8"), file).sla;
}

/** Forecast throughput: history events replayed per second under the live and a draft SLA side by side. */
export async function benchForecast(events = 1_000_000): Promise<BenchFigure[]> {
  const live = defaultSla();
  // The draft asks 20 more fit points for both the threshold and the handoff triggers.
  const draft: Sla = {
    ...live,
    qualify: {
      ...live.qualify,
      mql: { ...live.qualify.mql, fit: live.qualify.mql.fit + 20 },
      triggerMinFit: live.qualify.triggerMinFit + 20,
    },
  };
  const history = syntheticHistory(Math.max(1, Math.round(events / 10)), events);
  const since = new Date(UNTIL - WINDOW_MS);
  const until = new Date(UNTIL);
  const started = process.hrtime.bigint();
  const a = forecastSla(history, { sla: live, since, until });
  const b = forecastSla(history, { sla: draft, since, until });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (a.mqls === 0) throw new Error("no lead qualified: the synthetic history does not exercise the SLA");
  const perSecond = Math.round(events / seconds);
  return [
    {
      id: "forecast.events_per_s",
      name: `forecast live+draft over ${events.toLocaleString("en-US")} events`,
      value: perSecond,
      unit: "events/s",
      target: "≥ 16,667 (1M in ≤ 60 s)",
      ok: events >= 1_000_000 ? seconds <= 60 : perSecond >= 16_667,
    },
    {
      id: "forecast.wall_s",
      name: "forecast wall time",
      value: Math.round(seconds * 10) / 10,
      unit: "s",
      target: "≤ 60",
      ok: seconds <= 60,
    },
    {
      id: "forecast.mqls_live_to_draft",
      name: "forecast MQLs live → draft",
      value: b.mqls - a.mqls,
      unit: `(live ${a.mqls}, draft ${b.mqls})`,
      target: "-",
    },
  ];
}

if (require.main === module) {
  const events = Number(process.argv[2] ?? 1_000_000);
  benchForecast(events)
    .then((figures) => process.stdout.write(`${printTable(figures)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
